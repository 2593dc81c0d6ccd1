"""Mode machine: the target rules, immediate escalation, hysteresis on the way back, the log."""

import math

import pytest

from snn_control.coordinator.health import HealthStatus
from snn_control.coordinator.modes import Mode, ModeMachine, ModeParams, mode_at, target_mode
from snn_control.coordinator.streams import StreamStatus


def stream(state="ok", name="altitude"):
    return StreamStatus(name, state, "" if state == "ok" else f"{state} reason", 0.0, 1.0, 0.0, 1, 0, 0.0)


def health(state="ok"):
    return HealthStatus(state, "" if state == "ok" else f"{state} reason", 0.0, 3.0, 0.0, 0.0)


@pytest.mark.parametrize("alt,ctl,other,expected", [
    ("ok", "ok", "ok", Mode.NOMINAL),
    ("ok", "ok", "stale", Mode.DEGRADED),
    ("clock_jump", "ok", "ok", Mode.DEGRADED),
    ("outlier", "ok", "ok", Mode.FALLBACK),
    ("burst", "ok", "ok", Mode.FALLBACK),
    ("ok", "late", "ok", Mode.FALLBACK),
    ("ok", "diverging", "nan", Mode.FALLBACK),
    ("stale", "ok", "ok", Mode.SAFE),
    ("nan", "silent", "ok", Mode.SAFE),
    ("out_of_range", "ok", "ok", Mode.SAFE),
    ("stuck", "ok", "burst", Mode.SAFE),
])
def test_target_mode_rules(alt, ctl, other, expected):
    mode, reason = target_mode(ModeParams(), stream(alt), health(ctl), {"place": stream(other, "place")})
    assert mode == expected
    if expected == Mode.SAFE:
        assert reason.startswith(f"altitude {alt}")


def drive(machine, targets, dt=0.05, t0=0.0):
    """Feed ``(target, duration)`` pieces; returns the time after the last."""
    t = t0
    for target, duration in targets:
        for _ in range(int(round(duration / dt))):
            machine.update(target, f"{target} fault", t)
            t = round(t + dt, 9)
    return t


def test_escalation_is_immediate_and_recovery_waits_recover_s():
    m = ModeMachine(ModeParams(recover_s=2.0))
    drive(m, [(Mode.NOMINAL, 1.0), (Mode.FALLBACK, 0.5), (Mode.NOMINAL, 3.0)])
    (up, down) = m.log
    assert (up.t_s, up.from_mode, up.to_mode, up.reason) == (1.0, Mode.NOMINAL, Mode.FALLBACK, "fallback fault")
    assert down.to_mode == Mode.NOMINAL and down.t_s == pytest.approx(1.5 + 2.0)
    assert "clear for 2.00 s" in down.reason


def test_a_fault_that_flaps_faster_than_recover_s_keeps_the_mode():
    m = ModeMachine(ModeParams(recover_s=2.0))
    drive(m, [(Mode.DEGRADED, 0.1), (Mode.NOMINAL, 1.5)] * 6)
    assert [t.to_mode for t in m.log] == [Mode.DEGRADED] and m.mode == Mode.DEGRADED


def test_safe_steps_down_to_fallback_after_resume_s_and_to_nominal_after_recover_s():
    m = ModeMachine(ModeParams(recover_s=2.0, resume_s=0.5))
    drive(m, [(Mode.SAFE, 1.0), (Mode.NOMINAL, 3.0)])
    log = [(round(t.t_s, 3), t.to_mode) for t in m.log]
    assert log == [(0.0, Mode.SAFE), (1.5, Mode.FALLBACK), (3.0, Mode.NOMINAL)]
    assert "fallback until clear for 2 s" in m.log[1].reason


def test_recovery_stops_at_the_most_severe_fault_still_present():
    m = ModeMachine(ModeParams(recover_s=1.0))
    drive(m, [(Mode.FALLBACK, 0.5), (Mode.DEGRADED, 3.0)])
    assert [t.to_mode for t in m.log] == [Mode.FALLBACK, Mode.DEGRADED]
    assert m.log[1].reason.startswith("fallback faults clear") and "still degraded fault" in m.log[1].reason


def test_a_worse_fault_during_recovery_restarts_the_clock():
    m = ModeMachine(ModeParams(recover_s=2.0, resume_s=0.5))
    drive(m, [(Mode.SAFE, 0.5), (Mode.NOMINAL, 1.0), (Mode.FALLBACK, 0.5), (Mode.NOMINAL, 2.5)])
    log = [(round(t.t_s, 2), t.to_mode) for t in m.log]
    assert log == [(0.0, Mode.SAFE), (1.0, Mode.FALLBACK), (4.0, Mode.NOMINAL)]  # 4.0 = 2.0 + recover_s


def test_mode_at_reads_the_log():
    m = ModeMachine()
    drive(m, [(Mode.NOMINAL, 1.0), (Mode.SAFE, 1.0), (Mode.NOMINAL, 4.0)])
    assert mode_at(m.log, 0.5) == Mode.NOMINAL and mode_at(m.log, 1.0) == Mode.SAFE
    assert mode_at(m.log, 5.9) == Mode.NOMINAL and str(Mode.SAFE) == "safe"


@pytest.mark.parametrize("kwargs,field", [({"recover_s": -1.0}, "recover_s"), ({"resume_s": math.inf}, "resume_s"),
                                          ({"safe_states": ("stale", "smoke")}, "safe_states"),
                                          ({"fallback_states": ("stale",)}, "overlap")])
def test_bad_params_name_their_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        ModeParams(**kwargs)


def test_params_round_trip_from_lists():
    p = ModeParams(safe_states=("stale", "nan"))
    assert ModeParams.from_dict({k: list(v) if isinstance(v, tuple) else v for k, v in p.to_dict().items()}) == p
