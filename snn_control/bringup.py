"""Run a launch graph in one process without ``ros2 launch`` (which PyPI cannot install).

The same nodes and the same YAML as ``launch/<graph>.launch.py``: the file is validated first
(unknown nodes or keys and wrong types stop the run with a message naming the file and key),
overrides from the command line are applied on top, then every node is built in one rclpy context
and spun by a ``SingleThreadedExecutor`` until the simulator reports its duration reached.
DDS discovery stays on this machine (``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`` unless set).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from snn_control.nodes.runner import GraphRun


@dataclass(frozen=True)
class GraphSpec:
    """A launch graph: node name -> ``module:NodeClass`` (the module also defines ``config_cls``)."""

    name: str
    nodes: dict[str, tuple[str, str]]  # node name -> ("module:NodeClass", "module:ConfigClass")
    config_file: str
    sim_node: str


GRAPHS: dict[str, GraphSpec] = {
    "blimp": GraphSpec(
        "blimp",
        {
            "blimp_sim": ("snn_control.nodes.blimp_sim:BlimpSimNode", "snn_control.nodes.blimp_sim:BlimpSimConfig"),
            "altitude_controller": (
                "snn_control.nodes.altitude_controller:AltitudeControllerNode",
                "snn_control.nodes.altitude_controller:AltitudeControllerConfig",
            ),
            "setpoint_schedule": (
                "snn_control.nodes.setpoint_schedule:SetpointScheduleNode",
                "snn_control.nodes.setpoint_schedule:SetpointScheduleConfig",
            ),
        },
        "blimp.yaml",
        "blimp_sim",
    ),
    "swimmer": GraphSpec(
        "swimmer",
        {
            "swimmer_sim": (
                "snn_control.nodes.swimmer_sim:SwimmerSimNode",
                "snn_control.nodes.swimmer_sim:SwimmerSimConfig",
            ),
            "ncap_controller": (
                "snn_control.nodes.ncap_controller:NCAPControllerNode",
                "snn_control.nodes.ncap_controller:NCAPControllerConfig",
            ),
        },
        "swimmer.yaml",
        "swimmer_sim",
    ),
}


def _resolve(ref: str) -> Any:
    module, attr = ref.split(":")
    return getattr(importlib.import_module(module), attr)


def load_graph_params(graph: str, path: str | Path | None = None) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Read and validate a graph's parameter file (default: the shipped one)."""
    import yaml

    from snn_control.nodes.params import validate_params
    from snn_control.paths import config_path

    spec = GRAPHS[graph]
    file = Path(path) if path else config_path(spec.config_file)
    try:
        data = yaml.safe_load(file.read_text())
    except OSError as exc:
        raise ValueError(f"{file}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{file}: malformed YAML: {exc}") from None
    configs = {name: _resolve(refs[1]) for name, refs in spec.nodes.items()}
    return file, validate_params(str(file), data, configs)


def run_graph(
    graph: str,
    params: dict[str, dict[str, Any]],
    until: Callable[[dict[str, Any]], bool],
    max_wall_s: float | None = None,
    on_spin: Callable[[dict[str, Any]], None] | None = None,
) -> "GraphRun":
    """Build ``graph``'s nodes with ``params`` and spin them until ``until(nodes)`` is true.

    ``params`` is ``{node_name: {param: value}}`` as :func:`load_graph_params` returns, with any
    overrides applied. The rclpy side lives in :mod:`snn_control.nodes.runner`.
    """
    from snn_control.nodes.runner import spin_nodes

    factories = {name: _resolve(node_ref) for name, (node_ref, _) in GRAPHS[graph].nodes.items()}
    return spin_nodes(factories, params, until, max_wall_s, on_spin)
