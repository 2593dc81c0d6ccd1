"""The pieces the mission graph adds to the coordinator: region following, the node schemas, the
PID warm-up and the hand-back bias for a cold SNN (no ROS)."""

import math

import pytest

from snn_control.coordinator.config import CoordinatorConfig
from snn_control.coordinator.coordinator import Coordinator
from snn_control.coordinator.fallback import Arbiter, ArbiterParams
from snn_control.coordinator.mission import MissionSpec, Region
from snn_control.coordinator.modes import Mode
from snn_control.coordinator.node_config import CoordinatorNodeConfig, FaultInjectorConfig
from snn_control.coordinator.region_follow import RegionFollower

MISSION = MissionSpec(regions=(Region("a", 200, 209, 1.0), Region("b", 210, 219, 2.0)))


def test_a_region_counts_after_confirm_n_matches_in_a_row():
    f = RegionFollower(MISSION.region_of, confirm_n=2)
    assert f.on_place(201) is None  # first sighting
    assert f.on_place(202).name == "a"
    assert f.on_place(212) is None  # one stray match in b moves nothing
    assert f.on_place(203) is None and f.current.name == "a"
    assert f.on_place(215) is None
    assert f.on_place(216).name == "b"
    assert f.on_place(999) is None and f.current.name == "b"  # off the route: no change
    with pytest.raises(ValueError):
        RegionFollower(MISSION.region_of, confirm_n=0)


def test_node_config_completes_the_rule_tree_from_the_graph():
    c = CoordinatorNodeConfig()
    tree = c.coordinator_config(n_modules=24, places_per_module=25, advance_places_per_s=1.5,
                                initial_setpoint_m=1.0)
    names = [s.name for s in tree.streams]
    assert names[0] == "altitude" and {"place", "gesture", "events", "image", "place_recognition",
                                       "action_recognition"} <= set(names)
    assert tree.stream("place").deadline_s == c.place_deadline_s
    assert tree.gestures.debounce_n == c.gesture_debounce_n
    assert (tree.n_place_modules, tree.places_per_module) == (24, 25)
    assert tree.search.advance_places_per_s == 1.5 and tree.initial_setpoint_m == 1.0
    assert tree.warmup_s == c.warmup_s and tree.gestures.min_m == c.floor_m == 0.5
    bare = CoordinatorNodeConfig(perception=False).coordinator_config()
    assert [s.name for s in bare.streams] == ["altitude"]
    for bad in ({"answer_wall_s": 0.0}, {"restart_after_s": -1.0}, {"region_confirm_n": 0},
                {"gesture_debounce_n": 0}, {"warmup_s": math.nan}):
        with pytest.raises(ValueError):
            CoordinatorNodeConfig(**bad)


def test_node_config_reads_a_settings_file_and_names_it_when_bad(tmp_path):
    good = tmp_path / "rules.yaml"
    good.write_text("health: {answer_s: 0.05}\n")
    assert CoordinatorNodeConfig(settings_file=str(good)).coordinator_config().health.answer_s == 0.05
    bad = tmp_path / "bad.yaml"
    bad.write_text("healthh: {}\n")
    with pytest.raises(ValueError, match="bad.yaml"):
        CoordinatorNodeConfig(settings_file=str(bad)).coordinator_config()
    with pytest.raises(ValueError, match="missing.yaml"):
        CoordinatorNodeConfig(settings_file=str(tmp_path / "missing.yaml")).coordinator_config()


def test_fault_injector_config_rejects_a_bad_fault_list_before_any_node_starts():
    assert [f.kind for f in FaultInjectorConfig(inject="sensor_nan@3,burst:1s@5").faults()] == ["sensor_nan", "burst"]
    with pytest.raises(ValueError, match="kind"):
        FaultInjectorConfig(inject="sensor_melt@3")


def hover(arb: Arbiter, mode: Mode, snn: float | None, t0: float, n: int, z: float = 1.0) -> list:
    out = []
    for k in range(n):
        t = t0 + 0.1 * k
        arb.pid_step(z, 1.0, t)
        out.append(arb.select(mode, snn))
    return out


def test_cold_snn_gets_a_fading_bias_at_hand_back_and_a_warm_one_none():
    arb = Arbiter(ArbiterParams(handback_tau_s=10.0))
    arb.arm_handback()
    flown = hover(arb, Mode.FALLBACK, 0.0, 0.0, 30)  # the PID hovers; the cold SNN says 0
    before = flown[-1].u
    first = hover(arb, Mode.NOMINAL, 0.0, 3.0, 1)[0]
    assert first.source == "snn" and first.u == pytest.approx(before, abs=0.3)  # no step at the switch
    later = hover(arb, Mode.NOMINAL, 0.0, 3.1, 100)[-1]  # 10 s later: e^-1 of the bias left
    assert later.u == pytest.approx(before * math.exp(-1.0), rel=0.15)
    # a warm hand-back (not armed) flies the SNN's own command
    hover(arb, Mode.FALLBACK, 3.0, 20.0, 10)
    assert hover(arb, Mode.NOMINAL, 3.0, 21.0, 1)[0].u == pytest.approx(3.0 + arb.handback_bias)
    assert abs(arb.handback_bias) < 0.2


def test_the_pid_flies_the_warm_up_then_the_snn():
    c = Coordinator(CoordinatorConfig(warmup_s=1.0, initial_setpoint_m=1.0), start_s=0.0)
    sources = []
    for k in range(20):
        t = 0.1 * k
        c.on_range(1.0 + 0.001 * (k % 3), t, t)
        c.on_controller_cmd(3.0, t, t + 0.01)
        d = c.tick(t + 0.01)
        sources.append(d.source)
        if k == 0:
            assert [s.source for s in d.setpoints] == ["initial"]  # the start set-point goes out
    assert set(sources[:9]) == {"pid"} and set(sources[11:]) == {"snn"}
    assert c.mode == Mode.NOMINAL
    with pytest.raises(ValueError):
        CoordinatorConfig(warmup_s=-1.0)


def test_a_later_faults_fallback_is_not_charged_to_an_earlier_degraded_one():
    from snn_control.coordinator.modes import ModeTransition
    from snn_control.coordinator.report import FaultEvent, fault_report

    events = [FaultEvent(10.0, "events", "nan", "garbage"), FaultEvent(11.0, "events", "ok", "cleared"),
              FaultEvent(30.0, "altitude", "stale", "dropout")]
    transitions = [ModeTransition(10.0, Mode.NOMINAL, Mode.DEGRADED, "events nan"),
                   ModeTransition(13.0, Mode.DEGRADED, Mode.NOMINAL, "clear"),
                   ModeTransition(30.0, Mode.NOMINAL, Mode.SAFE, "altitude stale")]
    row = fault_report([("event_garbage", 10.0)], events, transitions, 40.0)[0]
    assert row["detected_s"] == 10.0 and row["recovered_s"] == 13.0
    assert row["fallback_s"] is None and row["worst_mode"] == "degraded"


def test_blind_safe_command_brakes_the_motion_it_lost_track_of_and_holds_near_the_floor():
    arb = Arbiter(ArbiterParams())
    arb.trim, arb.trim_weight = 3.0, 1.0
    arb._now = 10.0
    assert arb.safe_cmd == pytest.approx(2.7)  # high and still: the slow descent
    arb.enter_safe(0.6, -0.3, onset_s=9.0, now_s=10.0)  # was falling at 0.3 m/s from 0.6 m a second ago
    assert arb.safe_cmd == pytest.approx(3.0 + 3.6)  # hold the trim near the floor, brake the fall
    arb._now = 11.5
    assert arb.safe_cmd == pytest.approx(3.0 + 3.6 * math.exp(-1.0))
    arb.enter_safe(2.5, 0.5, onset_s=10.0, now_s=11.5)  # climbing fast, high: brake, capped
    arb._now = 11.5
    assert arb.safe_cmd == pytest.approx(2.7 - 4.0)
    arb.leave_safe()
    assert arb.safe_cmd == pytest.approx(2.7)
    arb.enter_safe(None, None, onset_s=10.0, now_s=11.5)  # nothing known: the plain safe command
    assert arb.safe_cmd == pytest.approx(2.7)


def test_entering_safe_on_a_stuck_sensor_uses_the_motion_before_the_stuck_run():
    c = Coordinator(CoordinatorConfig(initial_setpoint_m=1.0), start_s=0.0)
    z, t = 1.5, 0.0
    for k in range(200):  # hover at 1.5 m with sensor noise, then fall at 0.3 m/s; stuck from 15 s
        t = 0.1 * k
        true_z = 1.5 if t < 14.0 else 1.5 - 0.3 * (t - 14.0)
        z = (true_z + 0.01 * ((k * 7) % 3 - 1)) if t < 15.0 else z
        c.on_range(z, t, t)
        c.on_controller_cmd(3.0, t, t + 0.01)
        d = c.tick(t + 0.01)
        if d.mode == Mode.SAFE:
            break
    assert d.mode == Mode.SAFE and d.streams["altitude"].state == "stuck"
    z_pred, v0, _ = c.arbiter._blind
    assert v0 == pytest.approx(-0.3, abs=0.05)  # the fall before the stuck run, not the stuck zeros
    assert z_pred < 1.2 and d.command > 3.0  # it brakes
