"""The mission graph end to end in one process: every node, the remappings, the supervisor's crash
and respawn, the wire faults, the report (``snn-control launch mission`` on a short mission)."""

import json
import math

import pytest

rclpy = pytest.importorskip("rclpy")

from snn_control.cli import main  # noqa: E402

pytestmark = [pytest.mark.ros, pytest.mark.slow]

MISSION = """
duration_s: 20.0
route_first_place: 200
speed_places_per_s: 1.5
image_rate_hz: 5.0
initial_altitude_m: 1.0
regions:
  - {name: low,  first_place: 200, last_place: 214, altitude_m: 0.9}
  - {name: high, first_place: 215, last_place: 240, altitude_m: 1.4}
gestures:
  - {t_s: 2.0, label: right_hand_wave}
"""


def test_short_mission_with_a_crash_and_sensor_faults(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ROS_AUTOMATIC_DISCOVERY_RANGE", "OFF")
    mission = tmp_path / "short.yaml"
    mission.write_text(MISSION)
    plot = tmp_path / "mission.png"
    rc = main(["launch", "mission", "--fast", "--mission", str(mission), "--seed", "1", "--json",
               "--inject", "sensor_nan:0.5s@5,controller_crash@11", "--plot", str(plot)])
    out = capsys.readouterr().out.strip().splitlines()[-1]
    r = json.loads(out)
    assert rc == 0 and r["sim_s"] == pytest.approx(20.0, abs=0.11)
    assert plot.stat().st_size > 10_000
    # the motors never saw a bad command, the blimp stayed in the room
    assert r["nan_cmds"] == 0 and r["max_abs_cmd"] <= 10.0
    assert 0.2 <= r["min_altitude_m"] and r["max_altitude_m"] <= 3.0
    faults = {f["kind"].split(":")[0]: f for f in r["faults"]}
    crash, nan = faults["controller_crash"], faults["sensor_nan"]
    # a crashed controller is replaced within one control period of its first unanswered reading
    assert crash["detect_delay_s"] is not None and crash["detect_delay_s"] <= 0.15
    assert crash["fallback_after_detect_s"] is not None and crash["fallback_after_detect_s"] <= 0.1
    assert nan["detected_s"] is not None and nan["detect_delay_s"] <= 0.15
    assert nan["worst_mode"] == "safe" and nan["recovered"]
    # the supervisor stopped the controller and the coordinator had it respawned
    actions = [(a["action"], a["node"]) for a in r["supervisor"]]
    assert ("stopped", "altitude_controller") in actions and ("restarted", "altitude_controller") in actions
    assert crash["recovered"], r["transitions"]
    # the coordinator brought every managed node up (the simulator last) and the respawned
    # controller up again, under its lifecycle rules
    lc = r["lifecycle"]
    assert set(lc) == {"altitude_controller", "action_recognition", "place_recognition", "blimp_sim"}
    assert all(n["state"] == "active" and n["bringup_s"] is not None for n in lc.values()), lc
    assert lc["blimp_sim"]["bringup_s"] >= max(n["bringup_s"] for n in lc.values())
    assert lc["altitude_controller"]["bringups"] == 2 and lc["altitude_controller"]["restarts"] == 1
    # perception ran: places were matched, the gesture was seen, latencies were measured
    assert r["place_published"] > 0 and r["place_accuracy"]["accuracy"] > 0.5
    assert r["gesture_accuracy"]["per_cue"][0]["n"] > 0
    for key in ("control_loop", "perception", "place"):
        assert r["latency"][key]["n"] > 0 and math.isfinite(r["latency"][key]["p99_ms"])


def test_bad_fault_list_is_refused_before_anything_starts(capsys):
    assert main(["launch", "mission", "--inject", "sensor_melt@3"]) == 2
    assert "sensor_melt" in capsys.readouterr().err
    assert main(["launch", "mission", "--duration", "10", "--inject", "sensor_nan@30"]) == 2
    assert "after the end" in capsys.readouterr().err
