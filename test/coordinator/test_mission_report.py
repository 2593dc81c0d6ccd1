"""The mission report's numbers on hand-made inputs, the JSON assembly, and the timeline plot."""

import json
import math

import numpy as np
import pytest

from snn_control.coordinator.coordinator import SetpointChange
from snn_control.coordinator.faults import FaultSchedule, parse_faults
from snn_control.coordinator.mission import GestureCue, MissionSpec, Region
from snn_control.coordinator.mission_plot import mode_track, plot_mission
from snn_control.coordinator.mission_report import (
    gesture_accuracy, jsonable, mission_json, percentiles, place_accuracy, region_accuracy, setpoint_tracking,
)
from snn_control.coordinator.modes import Mode
from snn_control.coordinator.report import fault_report

MISSION = MissionSpec(duration_s=20.0, route_first_place=200, speed_places_per_s=1.0,
                      regions=(Region("low", 200, 209, 0.8), Region("high", 210, 220, 2.0)),
                      gestures=(GestureCue(2.0, "right_hand_wave"), GestureCue(10.0, "hand_clap")), gesture_s=2.0)


def test_percentiles_in_ms():
    p = percentiles([0.001 * k for k in range(1, 101)])  # 1..100 ms
    assert p["n"] == 100 and p["max_ms"] == pytest.approx(100.0)
    assert (p["p50_ms"], p["p90_ms"], p["p99_ms"]) == pytest.approx((50.5, 90.1, 99.01))
    assert percentiles([]) == {"n": 0, "p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    with pytest.raises(ValueError, match="non-finite"):
        percentiles([0.1, math.nan])


def test_setpoint_tracking_settles_and_reaches():
    t = np.round(np.arange(0, 20.0001, 0.1), 6)
    # 1.0 m until 5 s, then a first-order climb to 2.0 m (63 % per second)
    z = np.where(t < 5, 1.0, 2.0 - np.exp(-(t - 5.0)))
    rows = setpoint_tracking(t, z, [SetpointChange(0.0, 1.0, "initial", ""), (5.0, 2.0, "gesture"),
                                    {"t_s": 6.0, "setpoint_m": 2.0, "source": "mission"}])
    assert len(rows) == 2  # the repeated 2.0 m is merged
    first, second = rows
    assert (first["t_s"], first["end_s"], first["source"], first["commanded_m"]) == (0.0, 5.0, "initial", 1.0)
    assert first["settled_s"] == 0.0
    assert (first["reached_m"], first["error_m"]) == pytest.approx((1.0, 0.0))
    # |2 - z| < 0.1 from t - 5 > ln(10) = 2.303 s: the first sample there is 7.4 s
    assert second["settled_s"] == pytest.approx(2.4) and second["end_s"] == 20.0
    assert second["reached_m"] == pytest.approx(2.0, abs=1e-5) and abs(second["error_m"]) < 1e-5
    assert len(setpoint_tracking(t, z, [(0.0, 1.0, "a"), (5.0, 2.0, "b"), (6.0, 2.0, "c")], merge_repeats=False)) == 3


def test_setpoint_tracking_never_settles_and_empty_intervals():
    t = np.arange(0, 10.0, 0.1)
    z = 1.0 + 0.3 * np.sign(np.sin(7 * t))  # oscillates +-0.3 around 1.0
    (row,) = setpoint_tracking(t, z, [(0.0, 1.0, "mission")])
    assert row["settled_s"] is None
    rows = setpoint_tracking(t, z, [(3.0, 1.0, "a"), (3.0, 1.5, "b"), (50.0, 2.0, "c")], end_s=60.0)
    assert rows[2]["reached_m"] is None and rows[2]["settled_s"] is None and rows[2]["end_s"] == 60.0
    with pytest.raises(ValueError, match="1-D and alike"):
        setpoint_tracking([0, 1], [1.0], [])


def test_settling_needs_the_whole_hold():
    t = np.arange(0, 3.0, 0.1)
    z = np.where((t >= 1.0) & (t < 1.5), 1.0, 0.0)  # in the band for 0.5 s only
    (row,) = setpoint_tracking(t, z, [(0.0, 1.0, "x")], hold_s=1.0)
    assert row["settled_s"] is None
    (row,) = setpoint_tracking(t, z, [(0.0, 1.0, "x")], hold_s=0.4)
    assert row["settled_s"] == pytest.approx(1.0)


def test_place_and_region_accuracy():
    pairs = [(200, 200), (201, 203), (205, None), (209, 211), (215, 215)]
    assert place_accuracy(pairs) == {"n": 5, "correct": 2, "accuracy": 0.4, "tolerance": 0, "n_none": 1,
                                     "mean_abs_error": pytest.approx(1.0)}
    assert place_accuracy(pairs, tolerance=2)["correct"] == 4
    r = region_accuracy(pairs, MISSION)
    assert (r["n"], r["correct"], r["accuracy"]) == (5, 3, 0.6)
    assert r["per_region"] == {"low": {"n": 4, "correct": 2, "accuracy": 0.5},
                               "high": {"n": 1, "correct": 1, "accuracy": 1.0}}
    assert place_accuracy([])["accuracy"] is None


def test_gesture_accuracy_majority_windows_and_false_labels():
    cues = [GestureCue(2.0, "right_hand_wave"), (10.0, "hand_clap"), {"t_s": 15.0, "label": "arm_roll"}]
    recognized = [(0.5, "hand_clap"),  # before any cue: false
                  (2.5, "air_drums"), (3.0, "right_hand_wave"), (3.5, "right_hand_wave"), (4.9, "right_hand_wave"),
                  (10.2, "hand_clap"), (11.0, "air_guitar"), (12.9, "air_guitar"), (13.0, "hand_clap"),
                  (13.5, "hand_clap")]  # 13.5 > 10 + 2 + 1: false
    g = gesture_accuracy(cues, recognized, gesture_s=2.0, latency_s=1.0)
    assert (g["n"], g["correct"], g["false_labels"], g["window_s"]) == (3, 2, 2, 3.0)
    assert g["accuracy"] == pytest.approx(2 / 3)
    wave, clap, roll = g["per_cue"]
    assert wave["majority"] == "right_hand_wave" and wave["correct"] and wave["n"] == 4
    assert wave["first_correct_s"] == pytest.approx(1.0) and wave["votes"] == {"air_drums": 1, "right_hand_wave": 3}
    # a tie: the label seen first wins
    assert clap["majority"] == "hand_clap" and clap["correct"] and clap["votes"] == {"hand_clap": 2, "air_guitar": 2}
    assert roll == {"t_s": 15.0, "label": "arm_roll", "n": 0, "majority": None, "votes": {}, "correct": False,
                    "first_correct_s": None}
    wave_first = gesture_accuracy(cues[:1], [(2.1, "air_drums"), (2.2, "right_hand_wave")], 2.0)
    assert wave_first["per_cue"][0]["majority"] == "air_drums" and wave_first["correct"] == 0


def test_jsonable():
    out = jsonable({"a": (1, np.float32(2.5), math.nan), "b": np.array([np.inf, 1.0]), "m": Mode.SAFE,
                    "c": SetpointChange(1.0, 2.0, "x", "y"), "i": np.int64(3), "t": np.bool_(True)})
    assert out == {"a": [1, 2.5, None], "b": [None, 1.0], "m": "safe",
                   "c": {"t_s": 1.0, "setpoint_m": 2.0, "source": "x", "reason": "y"}, "i": 3, "t": True}
    json.dumps(out, allow_nan=False)


def test_mission_json_assembles_strict_json():
    t = np.arange(0, 20.0, 0.1)
    z = np.full_like(t, 1.0)
    z[5] = math.nan
    cmd = np.zeros_like(t)
    cmd[[3, 4]] = [math.nan, math.inf]
    cmd[7] = -4.5
    sched = FaultSchedule(parse_faults("sensor_nan@5"))
    faults = fault_report(sched.injections(), [], [], 20.0)
    out = mission_json(MISSION, seed=7, t_s=t, z_m=z, cmd=cmd, faults=faults,
                       mode_s={"nominal": 20.0, "degraded": 0.0, "fallback": 0.0, "safe": 0.0},
                       setpoint_changes=[(0.0, 1.0, "initial")], place_pairs=[(200, 200), (210, 205)],
                       gesture_labels=[(2.5, "right_hand_wave")],
                       latency_s={"control_loop": [0.001, 0.002, math.nan], "place": [0.01]},
                       extra={"inject": "sensor_nan@5"})
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text) == out
    assert out["nan_cmds"] == 2 and out["max_abs_cmd"] == 4.5 and out["nan_altitudes"] == 1
    assert out["min_altitude_m"] == out["max_altitude_m"] == 1.0 and out["seed"] == 7 and out["duration_s"] == 20.0
    assert out["faults"][0]["kind"] == "sensor_nan:1s" and out["all_recovered"] is False
    assert out["place_accuracy"]["accuracy"] == 0.5 and out["region_accuracy"]["accuracy"] == 0.5
    assert out["gesture_accuracy"]["correct"] == 1 and out["gesture_accuracy"]["n"] == 2
    assert set(out["latency"]) == {"control_loop", "perception", "place"}
    assert out["latency"]["control_loop"]["n"] == 2 and out["latency"]["control_loop"]["n_dropped"] == 1
    assert out["latency"]["perception"]["p50_ms"] is None
    assert out["setpoints"][0]["commanded_m"] == 1.0 and out["inject"] == "sensor_nan@5"
    assert out["mission"]["regions"][1]["name"] == "high"
    for key in ("faults", "nan_cmds", "max_abs_cmd", "min_altitude_m", "max_altitude_m", "place_accuracy",
                "region_accuracy", "gesture_accuracy", "setpoints", "latency", "mode_s", "duration_s", "seed"):
        assert key in out
    with pytest.raises(ValueError, match="replace standard"):
        mission_json(MISSION, seed=1, t_s=t, z_m=z, cmd=cmd, faults=[], mode_s={}, extra={"seed": 2})


def test_plot_mission_writes_a_png(tmp_path):
    t = np.arange(0, 20.0, 0.1)
    sp = np.where(t < 10, 0.8, 2.0)
    mode_t, modes = mode_track([{"t_s": 5.0, "to": "safe"}, {"t_s": 5.5, "to": "fallback"},
                                {"t_s": 8.0, "to": "nominal"}])
    assert (mode_t, modes) == ([0.0, 5.0, 5.5, 8.0], ["nominal", "safe", "fallback", "nominal"])
    pt = np.arange(0, 20.0, 0.2)
    log = {"t_s": list(t), "z_m": list(sp + 0.05 * np.sin(t)), "setpoint_m": [None] * 3 + list(sp[3:]),
           "cmd": [0.0] * len(t),
           "mode_t_s": mode_t, "mode": modes,
           "place_t_s": list(pt), "place_true": [MISSION.place_at(x) for x in pt],
           "place_recognized": [None if k % 7 == 0 else MISSION.place_at(x) + (k % 3) for k, x in enumerate(pt)],
           "gesture_t_s": [2.5, 3.0, 10.5], "gesture_label": ["right_hand_wave", "right_hand_wave", "air_drums"],
           "cues": [c.to_dict() for c in MISSION.gestures], "gesture_s": 2.0,
           "regions": [r.to_dict() for r in MISSION.regions],
           "faults": [{"t_s": f.t_s, "label": f.label} for f in parse_faults("sensor_stuck@5,controller_crash@12")],
           "duration_s": 20.0, "title": "smoke"}
    out = plot_mission(tmp_path / "sub" / "mission.png", log)
    assert out.is_file() and out.stat().st_size > 10_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    minimal = plot_mission(tmp_path / "min.png", {"t_s": [0.0, 1.0], "z_m": [1.0, 1.1]})
    assert minimal.stat().st_size > 0
