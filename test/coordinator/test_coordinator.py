"""The coordinator's tick API: takeover timing, garbage in, the policies wired, diagnostics, summary."""

import json
import math

import numpy as np
import pytest

from snn_control.coordinator.config import DEFAULT_STREAMS, PERCEPTION_STREAMS, CoordinatorConfig
from snn_control.coordinator.coordinator import Coordinator
from snn_control.coordinator.modes import Mode
from snn_control.coordinator.streams import StreamSpec

ALT_ONLY = CoordinatorConfig(initial_setpoint_m=1.5, streams=DEFAULT_STREAMS[:1])
ALL_STREAMS = (*DEFAULT_STREAMS, *PERCEPTION_STREAMS)


def hover(co, t0, t1, answer=lambda t: True, u=3.0, z=1.5, ticks=(0.005, 0.055)):
    """10 Hz readings about z (a 2 cm wave: a real sensor is never stuck), answered (u) while
    ``answer(t)``; ticks as the harness does. Returns ``[(t, Decision)]``."""
    out = []
    for k in range(int(round((t1 - t0) * 10))):
        t = round(t0 + k / 10, 9)
        co.on_range(z + 0.02 * math.sin(math.pi * t), t, t + 0.001)
        if answer(t):
            co.on_controller_cmd(u, t, t + 0.002)
        out += [(t + dt, co.tick(t + dt)) for dt in ticks]
    return out


def test_the_pid_takes_over_within_one_control_period_of_a_missed_answer():
    co = Coordinator(ALT_ONLY)
    trace = hover(co, 0.0, 8.0, answer=lambda t: t < 5.0)
    assert all(d.mode == Mode.NOMINAL and d.motor_cmd is None for t, d in trace if t < 5.0)
    t_first = next(t for t, d in trace if d.motor_cmd is not None)
    assert 5.0 < t_first <= 5.0 + ALT_ONLY.control_period_s  # the answer to the 5.0 reading never came
    d = dict(trace)[t_first]
    assert d.mode == Mode.FALLBACK and d.source == "pid" and d.transitions[0].to_mode == Mode.FALLBACK
    assert d.motor_cmd == pytest.approx(3.0, abs=0.5)  # bumpless: the PID tracked the 3-unit hover
    assert [e.state for e in d.events] == ["late"]
    assert all(d.source == "pid" and d.motor_cmd == d.command for t, d in trace if t >= t_first)


def test_the_snn_is_flown_again_after_recover_s_of_good_answers():
    co = Coordinator(ALT_ONLY)
    trace = hover(co, 0.0, 12.0, answer=lambda t: not 5.0 <= t < 7.0)
    back = [tr for tr in co.transitions if tr.to_mode == Mode.NOMINAL]
    assert len(back) == 1 and back[0].t_s == pytest.approx(7.005 + ALT_ONLY.modes.recover_s, abs=0.06)
    assert dict(trace)[11.955].source == "snn"


def test_garbage_inputs_never_give_a_bad_command_and_never_raise():
    rng = np.random.default_rng(0)
    garbage = [math.nan, math.inf, -math.inf, None, "1.5", [1.0], object(), True, -5.0, 1e9, 0.0]
    def pick():
        return garbage[rng.integers(len(garbage))] if rng.random() < 0.6 else float(rng.normal(1.5, 2))

    co = Coordinator(CoordinatorConfig(n_place_modules=24, places_per_module=25))
    t, modes = 0.0, set()
    for _ in range(3000):
        t += float(rng.uniform(0.0, 0.05))
        kind = rng.integers(6)
        if kind == 0:
            co.on_range(pick(), pick(), t)
        elif kind == 1:
            co.on_controller_cmd(pick(), pick(), t)
        elif kind == 2:
            co.on_place(pick(), pick(), pick(), t)
        elif kind == 3:
            co.on_gesture(pick() if rng.random() < 0.5 else "right_hand_wave", pick(), pick(), t)
        elif kind == 4:
            co.on_event_rate(pick(), t)
        d = co.tick(t)
        modes.add(d.mode)
        assert math.isfinite(d.command) and abs(d.command) <= 10.0
        assert d.motor_cmd is None or d.motor_cmd == d.command
        assert d.setpoint_m is None or 0.3 <= d.setpoint_m <= 2.8
        assert all(0 <= m < 24 for m in d.active_modules)
    assert Mode.SAFE in modes


def test_time_must_not_run_backwards():
    co = Coordinator(ALT_ONLY, start_s=5.0)
    with pytest.raises(ValueError, match="never decrease"):
        co.tick(4.0)
    with pytest.raises(ValueError, match="finite"):
        co.on_range(1.0, 5.0, math.nan)


def test_a_sensor_dropout_goes_safe_then_pid_then_nominal_and_the_summary_says_when():
    co = Coordinator(ALT_ONLY)
    hover(co, 0.0, 5.0)
    for k in range(20):  # 2 s without readings; the controller, fed nothing, says nothing
        co.tick(5.0 + k / 10 + 0.005)
        co.tick(5.0 + k / 10 + 0.055)
    hover(co, 7.0, 12.0)
    modes = [(round(tr.t_s, 3), tr.to_mode) for tr in co.transitions]
    assert Mode.SAFE in [m for _, m in modes] and modes[-1][1] == Mode.NOMINAL
    (row,) = co.summary([("sensor_dropout:2s", 5.0)])["faults"]
    assert row["detected_by"].startswith("altitude stale")
    assert row["detect_delay_s"] <= 0.1 + DEFAULT_STREAMS[0].deadline_s
    assert row["fallback_after_detect_s"] == 0.0 and row["worst_mode"] == "safe"
    assert row["recovered"] and row["recovered_s"] > 7.0
    summary = co.summary([("sensor_dropout:2s", 5.0), ("mystery", 5.0), ("controller_crash", 11.0)], end_s=12.0)
    json.dumps(summary)  # plain data
    assert summary["faults"][1]["detected_s"] is not None  # an unknown kind: any source counts
    assert summary["faults"][2]["detected_s"] is None and not summary["faults"][2]["recovered"]
    assert sum(summary["mode_s"].values()) == pytest.approx(12.0) and summary["mode_s"]["safe"] > 2.0
    assert [t["to"] for t in summary["transitions"]][-1] == "nominal"


def test_setpoint_changes_tighten_the_altitude_deadline():
    co = Coordinator(ALT_ONLY)
    hover(co, 0.0, 1.0)
    assert co.tick(1.0).altitude_deadline_s == 0.3
    assert co.set_setpoint(2.0, 1.0) == 2.0
    d = co.tick(1.01)
    assert d.altitude_deadline_s == 0.15 and d.setpoints[0].source == "mission"
    untouched = Coordinator(ALT_ONLY)
    hover(untouched, 0.0, 1.0)
    for c in (co, untouched):
        c.on_range(1.5, 1.01, 1.011)
        c.on_controller_cmd(3.0, 1.01, 1.012)
        assert c.tick(1.1).streams["altitude"].ok
    assert co.tick(1.17).streams["altitude"].state == "stale"  # 0.159 s > 0.15 s
    assert untouched.tick(1.17).streams["altitude"].ok  # 0.159 s < 0.3 s
    assert co.tick(4.0).altitude_deadline_s == 0.3  # the window has passed
    assert co.set_setpoint(9.0, 4.1) == 2.8 and co.set_setpoint(math.nan, 4.1) is None


def test_gestures_set_the_setpoint_and_restore_the_event_rate():
    co = Coordinator(CoordinatorConfig(initial_setpoint_m=1.5, streams=ALL_STREAMS))
    for k in range(60):  # a still scene for 3 s
        co.on_event_rate(200.0, k * 0.05)
    assert co.tick(3.0).keep_one_of == 4
    cmds = [co.on_gesture("right_hand_wave", 0.9, t, t) for t in (3.0, 3.3, 3.6)]
    assert cmds[:2] == [None, None] and cmds[2].setpoint_m == 2.0
    d = co.tick(3.6)
    assert d.keep_one_of == 1 and d.setpoint_m == 2.0 and d.setpoints[-1].source == "gesture"
    for k in range(60):
        co.on_event_rate(200.0, 3.6 + k * 0.05)
    co.on_gesture("flapping_wings", 0.9, 6.6, 6.6)  # not a class: no gesture under way
    assert co.tick(6.6).keep_one_of == 4


def test_place_search_without_a_place_stream_still_works():
    co = Coordinator(CoordinatorConfig(n_place_modules=4, places_per_module=10, streams=DEFAULT_STREAMS[:1]))
    co.on_place(15, 5.0, 0.0, 0.0)
    assert co.tick(0.0).active_modules == (0, 1, 2)


def test_the_place_window_follows_matches_and_opens_when_the_place_stream_fails():
    co = Coordinator(CoordinatorConfig(n_place_modules=24, places_per_module=25, initial_setpoint_m=1.5,
                                       streams=ALL_STREAMS))
    assert co.tick(0.0).search.all_modules
    co.on_place(300, 2.0, 0.1, 0.1)
    d = co.tick(0.1)
    assert d.active_modules == (11, 12) and not d.search.all_modules
    co.on_place(305, 0.2, 0.3, 0.3)
    assert len(co.tick(0.3).active_modules) > 2  # low confidence widens
    co.on_place(9999, 2.0, 0.4, 0.4)  # off the route: malformed, and the place stream is faulty
    d = co.tick(0.4)
    assert d.streams["place"].state == "nan" and "malformed" in d.streams["place"].reason
    assert d.search.all_modules and d.mode >= Mode.DEGRADED


def test_a_malformed_event_packet_degrades_and_stops_the_throttle():
    co = Coordinator(CoordinatorConfig(initial_setpoint_m=1.5, streams=ALL_STREAMS))
    for k in range(60):
        co.on_event_rate(200.0, k * 0.05)
    co.reject("events", "PointCloud2 without a 't' field", 3.0, 3.0)
    d = co.tick(3.0)
    assert d.streams["events"].state == "nan" and d.keep_one_of == 1
    with pytest.raises(ValueError, match="unknown stream"):
        co.reject("sonar", "x", 3.0, 3.0)


def test_diagnostics_name_every_stream_the_controller_and_the_mode():
    co = Coordinator(CoordinatorConfig(streams=(*ALL_STREAMS, StreamSpec("image", rate_hz=5, deadline_s=1.0))))
    co.on_stream("image", 1.0, 0.0, 0.0)
    names = [name for name, *_ in co.tick(0.1).diagnostics()]
    streams = ("altitude", "place", "gesture", "events", "image")
    assert names == ["coordinator/mode", *(f"coordinator/stream/{s}" for s in streams), "coordinator/controller"]
    assert all(isinstance(v, str) for *_, values in co.tick(0.2).diagnostics() for v in values.values())


def test_config_round_trips_through_json_and_rejects_unknown_keys():
    c = CoordinatorConfig(n_place_modules=24, places_per_module=25)
    data = json.loads(json.dumps(c.to_dict()))
    assert CoordinatorConfig.from_dict(data) == c
    with pytest.raises(ValueError, match="unknown keys"):
        CoordinatorConfig.from_dict({**data, "health": {**data["health"], "heartbeat": 1.0}})


@pytest.mark.parametrize("kwargs,field", [
    ({"pid": {"dt_s": 0.05}}, "pid.dt_s"), ({"streams": (StreamSpec("place"),)}, "altitude"),
    ({"initial_setpoint_m": 5.0}, "initial_setpoint_m"), ({"n_place_modules": 4}, "places_per_module"),
    ({"arbiter": {"u_max": 5.0, "safe_cmd": 2.0}}, "u_max"), ({"health": 3}, "health"),
    ({"initial_setpoint_m": True}, "initial_setpoint_m"),
])
def test_bad_configs_name_their_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        CoordinatorConfig(**kwargs)


def test_the_default_config_reaches_nominal_on_a_clean_altitude_only_flight():
    noise = np.random.default_rng(0).normal(0.0, 0.01, 200)   # a real ToF's noise (no "stuck")
    co = Coordinator(CoordinatorConfig(initial_setpoint_m=1.5), start_s=0.0)
    for k in range(1, 80):
        t = 0.1 * k
        co.on_range(1.5 + noise[k], t, t)
        co.on_controller_cmd(3.0, t, t + 0.01)
        d = co.tick(t + 0.02)
    assert d.mode == Mode.NOMINAL and d.source == "snn"


def test_a_sensor_blinded_to_no_return_is_never_trusted_at_the_range_end():
    """+inf (no return) after hovering: never re-joined as a 5 m altitude; the stream goes stale
    and the mode SAFE, so the PID never dives on a reading the sensor never made."""
    noise = np.random.default_rng(1).normal(0.0, 0.01, 200)
    co = Coordinator(CoordinatorConfig(initial_setpoint_m=1.5), start_s=0.0)
    for k in range(1, 60):
        t = 0.1 * k
        co.on_range(1.5 + noise[k], t, t)
        co.on_controller_cmd(3.0, t, t + 0.01)
        d = co.tick(t + 0.02)
    assert d.mode == Mode.NOMINAL
    modes = []
    for k in range(60, 120):
        t = 0.1 * k
        co.on_range(float("inf"), t, t)
        co.on_controller_cmd(3.0, t, t + 0.01)
        d = co.tick(t + 0.02)
        modes.append(d.mode)
        assert d.source != "pid" or d.command > -5.0     # no dive on a 5 m reading
    assert modes[-1] == Mode.SAFE
    assert all(m != Mode.NOMINAL for m in modes[5:])
