"""Run a launch graph in one process without ``ros2 launch`` (which PyPI cannot install).

The same nodes and the same YAML as ``launch/<graph>.launch.py``: the file is validated first
(unknown nodes or keys and wrong types stop the run with a message naming the file and key),
overrides from the command line are applied on top, then every node is built in one rclpy context
and spun by a ``SingleThreadedExecutor`` until the simulator reports its duration reached.
DDS discovery stays on this machine (``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`` unless set).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

if TYPE_CHECKING:
    from snn_control.nodes.runner import GraphControl, GraphRun


class NodeSpec(NamedTuple):
    """One node of a graph: its rclpy class and its configuration schema (``"module:Class"`` each).

    The schema lives in a core (``blimp/config.py``, ``swimmer/config.py``), so validating a
    parameter file imports neither the node module nor rclpy.
    """

    node: str
    config: str


@dataclass(frozen=True)
class GraphSpec:
    """A launch graph: its nodes by name and its parameter file in ``config/``; ``remaps`` are the
    launch file's remappings per node, ``background`` the nodes spun off the control thread."""

    name: str
    nodes: dict[str, NodeSpec]
    config_file: str
    remaps: dict[str, dict[str, str]] = field(default_factory=dict)
    background: tuple[str, ...] = ()


GRAPHS: dict[str, GraphSpec] = {
    "blimp": GraphSpec(
        "blimp",
        {
            "blimp_sim": NodeSpec("snn_control.nodes.blimp_sim:BlimpSimNode",
                                  "snn_control.blimp.config:BlimpSimConfig"),
            "altitude_controller": NodeSpec("snn_control.nodes.altitude_controller:AltitudeControllerNode",
                                            "snn_control.blimp.config:AltitudeControllerConfig"),
            "setpoint_schedule": NodeSpec("snn_control.nodes.setpoint_schedule:SetpointScheduleNode",
                                          "snn_control.blimp.config:SetpointScheduleConfig"),
        },
        "blimp.yaml",
    ),
    "swimmer": GraphSpec(
        "swimmer",
        {
            "swimmer_sim": NodeSpec("snn_control.nodes.swimmer_sim:SwimmerSimNode",
                                    "snn_control.swimmer.config:SwimmerSimConfig"),
            "ncap_controller": NodeSpec("snn_control.nodes.ncap_controller:NCAPControllerNode",
                                        "snn_control.swimmer.config:NCAPControllerConfig"),
        },
        "swimmer.yaml",
    ),
    "perception": GraphSpec(
        "perception",
        {
            "event_camera": NodeSpec("snn_control.nodes.event_camera:EventCameraNode",
                                     "snn_control.perception.config:EventCameraConfig"),
            "action_recognition": NodeSpec("snn_control.nodes.action_recognition:ActionRecognitionNode",
                                           "snn_control.perception.config:ActionRecognitionConfig"),
            "image_replay": NodeSpec("snn_control.nodes.image_replay:ImageReplayNode",
                                     "snn_control.perception.config:ImageReplayConfig"),
            "place_recognition": NodeSpec("snn_control.nodes.place_recognition:PlaceRecognitionNode",
                                          "snn_control.perception.config:PlaceRecognitionConfig"),
        },
        "perception.yaml",
    ),

    "mission": GraphSpec(
        "mission",
        {
            "blimp_sim": NodeSpec("snn_control.nodes.blimp_sim:BlimpSimNode",
                                  "snn_control.blimp.config:BlimpSimConfig"),
            "fault_injector": NodeSpec("snn_control.nodes.fault_injector:FaultInjectorNode",
                                       "snn_control.coordinator.node_config:FaultInjectorConfig"),
            "altitude_controller": NodeSpec("snn_control.nodes.altitude_controller:AltitudeControllerNode",
                                            "snn_control.blimp.config:AltitudeControllerConfig"),
            "coordinator": NodeSpec("snn_control.nodes.coordinator:CoordinatorNode",
                                    "snn_control.coordinator.node_config:CoordinatorNodeConfig"),
            "cue_camera": NodeSpec("snn_control.nodes.cue_camera:CueCameraNode",
                                   "snn_control.coordinator.node_config:CueCameraConfig"),
            "action_recognition": NodeSpec("snn_control.nodes.action_recognition:ActionRecognitionNode",
                                           "snn_control.perception.config:ActionRecognitionConfig"),
            "route_camera": NodeSpec("snn_control.nodes.route_camera:RouteCameraNode",
                                     "snn_control.coordinator.node_config:RouteCameraConfig"),
            "place_recognition": NodeSpec("snn_control.nodes.place_recognition:PlaceRecognitionNode",
                                          "snn_control.perception.config:PlaceRecognitionConfig"),
        },
        "mission.yaml",
        remaps={
            "blimp_sim": {"blimp/range": "blimp/range_raw"},  # the fault injector sits on the sensor's path
            "altitude_controller": {"blimp/motor_cmd": "blimp/snn_cmd"},  # the coordinator arbitrates
        },
        background=("cue_camera", "action_recognition", "route_camera", "place_recognition"),
    ),
}


def _resolve(ref: str) -> Any:
    module, attr = ref.split(":")
    return getattr(importlib.import_module(module), attr)


def load_graph_params(graph: str, path: str | Path | None = None) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Read and validate a graph's parameter file (default: the shipped one).

    Imports only the graph's configuration schemas (no node module, no rclpy). Returns the file's
    path and ``{node_name: {param: value}}``; raises ``ValueError`` naming the file and the key.
    """
    import yaml

    from snn_control.dictio import validate_params
    from snn_control.paths import config_path

    spec = GRAPHS[graph]
    file = Path(path) if path else config_path(spec.config_file)
    try:
        data = yaml.safe_load(file.read_text())
    except OSError as exc:
        raise ValueError(f"{file}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{file}: malformed YAML: {exc}") from None
    configs = {name: _resolve(node.config) for name, node in spec.nodes.items()}
    return file, validate_params(str(file), data, configs)


def run_graph(
    graph: str,
    params: dict[str, dict[str, Any]],
    until: Callable[[dict[str, Any]], bool],
    max_wall_s: float | None = None,
    on_spin: Callable[[dict[str, Any]], None] | None = None,
    supervise: Callable[["GraphControl"], None] | None = None,
) -> "GraphRun":
    """Build ``graph``'s nodes with ``params`` and spin them until ``until(nodes)`` is true.

    ``params`` is ``{node_name: {param: value}}`` as :func:`load_graph_params` returns, with any
    overrides applied. The rclpy side lives in :mod:`snn_control.nodes.runner`.
    """
    from snn_control.nodes.runner import spin_nodes

    spec = GRAPHS[graph]
    factories = {name: _resolve(node.node) for name, node in spec.nodes.items()}
    return spin_nodes(factories, params, until, max_wall_s, on_spin, spec.remaps, spec.background, supervise)
