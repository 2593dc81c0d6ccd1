"""Controller health: silent, late, non-finite, out of limits and diverging, each at the right time."""

import math

import pytest

from snn_control.coordinator.health import ControllerHealth, HealthParams


def answered_loop(h, t_end, answer=True, t0=0.0):
    """10 Hz samples, each answered 2 ms later (or not)."""
    for k in range(int(round((t_end - t0) * 10))):
        t = t0 + k / 10
        h.on_sample(t)
        if answer:
            h.on_output(3.0, t, t + 0.002)


def test_a_controller_that_answers_every_sample_is_ok():
    h = ControllerHealth(start_s=0.0)
    answered_loop(h, 5.0)
    s = h.check(4.95)
    assert s.ok and s.last_cmd == 3.0 and s.latency_s == pytest.approx(0.002)


def test_an_unanswered_sample_is_late_after_answer_s():
    h = ControllerHealth(HealthParams(answer_s=0.04), start_s=0.0)
    answered_loop(h, 2.0)
    h.on_sample(2.0)  # the controller stopped
    assert h.check(2.04).ok
    s = h.check(2.045)
    assert s.state == "late" and s.since_s == pytest.approx(2.04) and "unanswered" in s.reason


def test_a_command_that_overtakes_its_sample_still_answers_it():
    h = ControllerHealth(start_s=0.0)
    for k in range(20):
        t = k / 10
        h.on_output(3.0, t, t + 0.001)  # delivered to us before the reading it answers
        h.on_sample(t + 0.003)
    assert h.check(1.95).ok


def test_silence_is_flagged_after_the_heartbeat():
    h = ControllerHealth(HealthParams(heartbeat_s=0.25), start_s=0.0)
    h.on_output(3.0, 0.0, 0.0)
    assert h.check(0.25).ok
    s = h.check(0.3)
    assert s.state == "silent" and s.since_s == pytest.approx(0.25)
    assert ControllerHealth(start_s=0.0).check(0.26).state == "silent"  # never said a word


@pytest.mark.parametrize("u,state", [(math.nan, "nonfinite"), (math.inf, "nonfinite"), ("3", "nonfinite"),
                                     (None, "nonfinite"), (10.5, "out_of_limits"), (-11.0, "out_of_limits")])
def test_bad_commands_are_flagged_and_never_become_the_last_command(u, state):
    h = ControllerHealth(start_s=0.0)
    h.on_output(3.0, 0.0, 0.0)
    h.on_output(u, 0.1, 0.1)
    s = h.check(0.1)
    assert s.state == state and s.last_cmd == 3.0
    assert h.check(0.1 + h.params.heartbeat_s).state == state  # latched, so a slow checker sees it
    h.on_output(2.0, 0.4, 0.4)
    h.on_output(2.0, 0.5, 0.5)
    assert h.check(0.1 + h.params.heartbeat_s + 0.01).ok  # the latch ran out; good commands since


def track(h, errors, applied=True, dt=0.1, u=3.0):
    t = 0.0
    for e in errors:
        h.on_output(u, t, t)
        h.on_tracking(e, applied, t)
        t += dt
    return t - dt


def test_a_growing_error_is_diverging_after_diverge_s():
    h = ControllerHealth(HealthParams(diverge_error_m=0.4, diverge_s=2.0, growth_m=0.15), start_s=0.0)
    errors = [0.5 + 0.05 * k for k in range(40)]  # 0.5 m/s away from the set-point
    t_end = track(h, errors[:20])
    assert h.check(t_end).ok  # 1.9 s so far
    t_end = track(h, errors)
    s = h.check(t_end)
    assert s.state == "diverging" and "grew" in s.reason


@pytest.mark.parametrize("errors", [
    [1.5 - 0.02 * k for k in range(60)],  # slow but converging
    [0.6 + 0.01 * math.sin(k) for k in range(40)],  # stalled short of the set-point, for less than stall_s
    [0.3 + 0.01 * k for k in range(10)],  # growing but within the bound
])
def test_converging_or_stalled_or_small_errors_are_not_diverging(errors):
    h = ControllerHealth(start_s=0.0)
    assert h.check(track(h, errors)).ok


def test_divergence_is_judged_only_while_the_controller_flies_and_saturation_can_be_required():
    errors = [0.5 + 0.05 * k for k in range(40)]
    h = ControllerHealth(start_s=0.0)
    assert h.check(track(h, errors, applied=False)).ok
    h = ControllerHealth(HealthParams(saturation=0.9), start_s=0.0)
    assert h.check(track(h, errors, u=5.0)).ok
    h = ControllerHealth(HealthParams(saturation=0.9), start_s=0.0)
    assert h.check(track(h, errors, u=-9.5)).state == "diverging"


@pytest.mark.parametrize("field,value", [("u_max", 0.0), ("heartbeat_s", -1.0), ("saturation", 1.5),
                                         ("answer_s", math.nan)])
def test_bad_params_name_their_field(field, value):
    with pytest.raises(ValueError, match=field):
        HealthParams(**{field: value})


def test_stalled_short_of_the_set_point_for_stall_s_is_its_own_fault():
    stuck = [0.3 + 0.005 * math.sin(k) for k in range(60)]  # on the floor: the ToF reads 0.3 m
    h = ControllerHealth(start_s=0.0)
    s = h.check(track(h, stuck))
    assert s.state == "stalled" and "0.25" in s.reason
    h = ControllerHealth(start_s=0.0)  # a slow climb back that gains 0.1 m in stall_s is fine
    assert h.check(track(h, [0.6 - 0.004 * k for k in range(60)])).ok
    h = ControllerHealth(start_s=0.0)
    assert h.check(track(h, stuck, applied=False)).ok  # judged only while the controller flies
    h = ControllerHealth(HealthParams(stall_s=0.0), start_s=0.0)
    assert h.check(track(h, stuck)).ok  # 0 disables the rule
