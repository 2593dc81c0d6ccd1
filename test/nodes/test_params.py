"""Parameter files are validated before any node starts, naming the file and the key."""

import pytest

from snn_control.bringup import load_graph_params
from snn_control.nodes.params import validate_params
from snn_control.nodes.setpoint_schedule import SetpointScheduleConfig


def write(tmp_path, text):
    path = tmp_path / "blimp.yaml"
    path.write_text(text)
    return path


def test_shipped_file_is_valid():
    _, params = load_graph_params("blimp")
    assert params["altitude_controller"]["controller"] in ("pid", "snn", "pd_snn+pid_i")
    assert params["blimp_sim"]["use_sim_time"] is False


@pytest.mark.parametrize(
    "text, match",
    [
        ("blimp_sim: {ros__parameters: {seeed: 1}}", r"blimp.yaml: blimp_sim\.seeed: unknown parameter"),
        ("blimp_sim: {ros__parameters: {seed: one}}", r"blimp_sim\.seed: expected int, got str"),
        ("blimp_sim: {ros__parameters: {real_time_factor: -1.0}}", r"blimp_sim: real_time_factor must be >= 0"),
        ("altitude_controller: {ros__parameters: {controller: lqr}}", r"controller must be one of"),
        ("joystick: {ros__parameters: {}}", r"joystick: unknown node"),
        ("blimp_sim: {seed: 1}", r"blimp_sim: expected exactly one key, ros__parameters"),
        ("blimp_sim: {ros__parameters: {seed: [1\n", r"blimp.yaml: malformed YAML"),
        ("setpoint_schedule: {ros__parameters: {setpoints_m: [1.0, .nan]}}", r"setpoints_m must hold finite"),
    ],
)
def test_bad_files_name_the_file_and_key(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        load_graph_params("blimp", write(tmp_path, text))


def test_ints_are_accepted_for_floats():
    out = validate_params("f", {"setpoint_schedule": {"ros__parameters": {"segments_s": [70]}}},
                          {"setpoint_schedule": SetpointScheduleConfig})
    assert out["setpoint_schedule"]["segments_s"] == [70]
