"""Parameter schemas: typed checks of one value, one node, one parameter file, all without ROS.

The graphs' parameter files are validated against the configuration dataclasses of the cores
(``blimp/config.py``, ``swimmer/config.py``) before any node starts, naming the file and the key.
"""

import subprocess
import sys
from dataclasses import dataclass

import pytest

from snn_control.coordinator.node_config import (
    CoordinatorNodeConfig, CueCameraConfig, FaultInjectorConfig, RouteCameraConfig,
)
from snn_control.blimp.config import AltitudeControllerConfig, BlimpSimConfig, SetpointScheduleConfig
from snn_control.bringup import GRAPHS, _resolve, load_graph_params
from snn_control.dictio import BUILTIN_PARAMS, DictIO, coerce, config_from_mapping, validate_params
from snn_control.perception.config import (ActionRecognitionConfig, EventCameraConfig, ImageReplayConfig,
                                           PlaceRecognitionConfig)
from snn_control.swimmer.config import NCAPControllerConfig, SwimmerSimConfig


def write(tmp_path, text):
    path = tmp_path / "blimp.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("value, kind, expected", [
    (3, int, 3), (3, float, 3.0), (2.5, float, 2.5), (True, bool, True), ("a", str, "a"),
    ([1, 2.5], tuple[float, ...], (1.0, 2.5)), ((1,), list[int], (1,)),
])
def test_coerce_accepts_the_field_type(value, kind, expected):
    out = coerce(value, kind, "n.k")
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize("value, kind, match", [
    (True, int, r"n\.k: expected int, got bool"),
    (False, float, r"n\.k: expected float, got bool"),
    ("1", float, r"n\.k: expected float, got str"),
    (1.5, int, r"n\.k: expected int, got float"),
    (1, str, r"n\.k: expected str"),
    (1.0, tuple[float, ...], r"n\.k: expected a list of float"),
    ([1.0, "x"], tuple[float, ...], r"n\.k\[1\]: expected float"),
])
def test_coerce_rejects_other_types_naming_the_place(value, kind, match):
    with pytest.raises(ValueError, match=match):
        coerce(value, kind, "n.k")


@dataclass(frozen=True)
class Toy(DictIO):
    gain: float = 1.0
    name: str = "x"

    def __post_init__(self):
        if self.gain < 0:
            raise ValueError(f"gain must be >= 0, got {self.gain}")


def test_config_from_mapping_builds_checks_and_names_the_key():
    assert config_from_mapping(Toy, {"gain": 2, "use_sim_time": True}, "toy") == Toy(gain=2.0)
    with pytest.raises(ValueError, match=r"^toy\.gian: unknown parameter \(known: gain, name\)"):
        config_from_mapping(Toy, {"gian": 2.0}, "toy")
    with pytest.raises(ValueError, match=r"^toy: gain must be >= 0"):
        config_from_mapping(Toy, {"gain": -1.0}, "toy")
    assert BUILTIN_PARAMS == {"use_sim_time"}


def test_shipped_file_is_valid():
    _, params = load_graph_params("blimp")
    assert params["altitude_controller"]["controller"] in ("pid", "snn", "pd_snn+pid_i")
    assert params["blimp_sim"]["use_sim_time"] is False
    _, params = load_graph_params("swimmer")
    assert params["ncap_controller"]["variant"] in ("rate", "spiking")
    _, params = load_graph_params("perception")
    assert params["image_replay"]["source"] in ("synth", "folder") and params["place_recognition"]["model"] == ""
    assert "active_modules" not in params["place_recognition"]  # left out: ROS YAML has no typed empty list


def test_place_parameters_in_a_file_are_checked(tmp_path):
    path = tmp_path / "perception.yaml"
    path.write_text("place_recognition: {ros__parameters: {active_modules: [0, 2]}}\n"
                    "image_replay: {ros__parameters: {source: folder, folder: /data, traverse: x, n_images: 0}}\n")
    _, params = load_graph_params("perception", path)
    assert params["place_recognition"]["active_modules"] == [0, 2]
    for text, match in (
        ("place_recognition: {ros__parameters: {active_modules: [0, 1.5]}}", r"active_modules\[1\]: expected int"),
        ("place_recognition: {ros__parameters: {active_modules: [-1]}}", r"module indices >= 0"),
        ("image_replay: {ros__parameters: {traverse: autumn}}", r"unknown synthetic condition 'autumn'"),
        ("image_replay: {ros__parameters: {rate_hz: 0}}", r"image_replay: rate_hz must be > 0"),
    ):
        path.write_text(text)
        with pytest.raises(ValueError, match=match):
            load_graph_params("perception", path)


@pytest.mark.parametrize(
    "text, match",
    [
        ("blimp_sim: {ros__parameters: {seeed: 1}}", r"blimp.yaml: blimp_sim\.seeed: unknown parameter"),
        ("blimp_sim: {ros__parameters: {seed: one}}", r"blimp_sim\.seed: expected int, got str"),
        ("blimp_sim: {ros__parameters: {real_time_factor: -1.0}}", r"blimp_sim: real_time_factor must be >= 0"),
        ("blimp_sim: {ros__parameters: {lockstep_timeout_s: 0.0}}", r"blimp_sim: lockstep_timeout_s must be > 0"),
        ("blimp_sim: {ros__parameters: {use_sim_time: 1}}", r"blimp_sim\.use_sim_time: expected bool"),
        ("altitude_controller: {ros__parameters: {controller: lqr}}", r"controller must be one of"),
        ("altitude_controller: {ros__parameters: {fallback_cmd: 20.0}}", r"altitude_controller: GuardParams"),
        ("joystick: {ros__parameters: {}}", r"joystick: unknown node"),
        ("blimp_sim: {seed: 1}", r"blimp_sim: expected exactly one key, ros__parameters"),
        ("blimp_sim: {ros__parameters: [1]}", r"blimp_sim\.ros__parameters: expected a mapping"),
        ("[1, 2]", r"blimp.yaml: expected a mapping of node names"),
        ("blimp_sim: {ros__parameters: {seed: [1\n", r"blimp.yaml: malformed YAML"),
        ("setpoint_schedule: {ros__parameters: {setpoints_m: [1.0, .nan]}}", r"setpoints_m must hold finite"),
    ],
)
def test_bad_files_name_the_file_and_key(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_graph_params("blimp", write(tmp_path, text))


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(ValueError, match=r"nope.yaml: cannot read"):
        load_graph_params("blimp", tmp_path / "nope.yaml")
    assert load_graph_params("blimp", write(tmp_path, ""))[1] == {}


def test_ints_are_accepted_for_floats():
    out = validate_params("f", {"setpoint_schedule": {"ros__parameters": {"segments_s": [70]}}},
                          {"setpoint_schedule": SetpointScheduleConfig})
    assert out["setpoint_schedule"]["segments_s"] == [70]


def test_graphs_name_core_schemas_that_round_trip():
    schemas = {name: _resolve(node.config) for g in GRAPHS.values() for name, node in g.nodes.items()}
    assert schemas == {"blimp_sim": BlimpSimConfig, "altitude_controller": AltitudeControllerConfig,
                       "setpoint_schedule": SetpointScheduleConfig, "swimmer_sim": SwimmerSimConfig,
                       "ncap_controller": NCAPControllerConfig, "event_camera": EventCameraConfig,
                       "action_recognition": ActionRecognitionConfig, "image_replay": ImageReplayConfig,
                       "place_recognition": PlaceRecognitionConfig, "coordinator": CoordinatorNodeConfig,
                       "fault_injector": FaultInjectorConfig, "cue_camera": CueCameraConfig,
                       "route_camera": RouteCameraConfig}
    for cls in schemas.values():
        assert cls.from_dict(cls().to_dict()) == cls()
    for graph in GRAPHS.values():
        for node in graph.nodes.values():
            assert node.node.startswith("snn_control.nodes.") and not node.config.startswith("snn_control.nodes.")


def test_altitude_config_gives_the_guard_its_deadline():
    guard = AltitudeControllerConfig(sensor_timeout_s=0.7, fallback_cmd=1.5, min_range_m=0.2).guard_params()
    assert (guard.hold_s, guard.fallback_cmd, guard.min_range_m, guard.max_range_m) == (0.7, 1.5, 0.2, 12.0)


def test_validating_the_shipped_files_imports_no_rclpy():
    code = (
        "import sys\n"
        "from snn_control.bringup import load_graph_params\n"
        "for graph in ('blimp', 'swimmer', 'perception'):\n"
        "    load_graph_params(graph)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'rclpy' or m.startswith('snn_control.nodes'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
