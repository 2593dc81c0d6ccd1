"""The arbiter: who flies per mode, never a NaN or an out-of-range command, the PID warm and bumpless."""

import math

import numpy as np
import pytest

from snn_control.blimp.pid import PIDController, PIDParams
from snn_control.coordinator.fallback import Arbiter, ArbiterParams, arbitrate, finite_clip
from snn_control.coordinator.modes import Mode


@pytest.mark.parametrize("mode,snn,pid,expected", [
    (Mode.NOMINAL, 3.0, 4.0, (3.0, "snn")),
    (Mode.DEGRADED, 3.0, 4.0, (3.0, "snn")),
    (Mode.NOMINAL, None, 4.0, (4.0, "pid")),
    (Mode.NOMINAL, math.nan, 4.0, (4.0, "pid")),
    (Mode.FALLBACK, 3.0, 4.0, (4.0, "pid")),
    (Mode.FALLBACK, 3.0, None, (2.0, "safe")),
    (Mode.FALLBACK, 3.0, math.inf, (2.0, "safe")),
    (Mode.SAFE, 3.0, 4.0, (2.0, "safe")),
    (Mode.NOMINAL, 25.0, 4.0, (10.0, "snn")),
    (Mode.FALLBACK, 3.0, -12.0, (-10.0, "pid")),
])
def test_arbitrate_per_mode(mode, snn, pid, expected):
    assert tuple(arbitrate(mode, snn, pid, 2.0, 10.0)) == expected


def test_no_input_ever_gives_a_nan_or_out_of_range_command():
    rng = np.random.default_rng(0)
    garbage = [None, math.nan, math.inf, -math.inf, "3", 1e308, -1e308, object(), [1.0], True]
    for _ in range(2000):
        pick = lambda: garbage[rng.integers(len(garbage))] if rng.random() < 0.5 else rng.normal(0, 30)  # noqa: E731
        u, _ = arbitrate(Mode(int(rng.integers(4))), pick(), pick(), pick(), 10.0)
        assert math.isfinite(u) and abs(u) <= 10.0
    assert finite_clip(math.nan, 10.0, math.nan) == 0.0


def test_the_pid_alone_is_the_papers_pid():
    """In FALLBACK (no tracking) the arbiter's PID gives PIDController's commands on the same errors."""
    arb, ref = Arbiter(ArbiterParams(floor_climb_units=0.0)), PIDController()  # no floor rule: the PID alone
    rng = np.random.default_rng(1)
    for k in range(100):
        z, sp = 1.0 + 0.3 * rng.standard_normal(), 1.5
        arb.pid_step(z, sp, k * 0.1)
        u = arb.select(Mode.FALLBACK, None)
        assert u.source == "pid" and u.u == pytest.approx(np.clip(ref.step(z, sp), -10, 10), abs=1e-12)


def test_the_pid_steps_once_per_control_period_however_often_it_is_ticked():
    arb = Arbiter()
    outs = []
    for k in range(40):  # ticks at 40 Hz for one second
        outs.append(arb.pid_step(1.0, 1.5, k * 0.025))
    assert int(arb.state.n_samples[0]) == 10
    assert arb.pid_step(None, 1.5, 2.0) == outs[-1] and int(arb.state.n_samples[0]) == 10  # no altitude: no step


def test_the_warm_pid_takes_over_without_a_bump():
    """While the SNN hovers the blimp at 3 units, the PID's integral tracks it: at the switch the
    PID commands about 3 units too, where a cold PID would command about 0."""
    arb = Arbiter()
    for k in range(100):
        arb.pid_step(1.5, 1.5, k * 0.1)
        assert arb.select(Mode.NOMINAL, 3.0).source == "snn"
    arb.pid_step(1.5, 1.5, 10.0)
    takeover = arb.select(Mode.FALLBACK, None)
    assert takeover.source == "pid" and takeover.u == pytest.approx(3.0, abs=1e-9)
    cold = Arbiter()
    cold.pid_step(1.5, 1.5, 0.0)
    assert abs(cold.select(Mode.FALLBACK, None).u) < 0.1


def test_the_safe_command_is_the_learned_trim_minus_the_margin():
    arb = Arbiter(ArbiterParams(safe_cmd=2.0, safe_margin_units=0.3, trim_tau_s=5.0))
    assert arb.safe_cmd == 2.0
    for k in range(30):  # 3 s of hovering: not yet trim_tau_s
        arb.pid_step(1.5, 1.5, k * 0.1)
        arb.select(Mode.NOMINAL, 3.4)
    assert arb.safe_cmd == 2.0
    for k in range(30, 60):
        arb.pid_step(1.5, 1.5, k * 0.1)
        arb.select(Mode.NOMINAL, 3.4)
    assert arb.safe_cmd == pytest.approx(3.1)
    assert arb.select(Mode.SAFE, 3.4) == (pytest.approx(3.1), "safe")
    far = Arbiter()
    for k in range(100):  # far from the set-point: a climb, not a hover: nothing learned
        far.pid_step(0.5, 1.5, k * 0.1)
        far.select(Mode.NOMINAL, 9.0)
    assert far.safe_cmd == far.params.safe_cmd


def test_a_blimp_below_the_sensors_floor_is_lifted_back_into_its_range():
    arb = Arbiter(ArbiterParams(safe_cmd=2.0, floor_reading_m=0.3, floor_climb_units=1.5))  # not the default
    arb.pid_step(0.3, 0.6, 0.0)  # the ToF reports its minimum: the blimp is somewhere below 0.3 m
    assert arb.on_floor
    assert arb.select(Mode.NOMINAL, 0.5) == (pytest.approx(3.5), "snn")  # no trim yet: safe_cmd + climb
    assert arb.select(Mode.FALLBACK, None).u == pytest.approx(3.5)
    assert arb.select(Mode.NOMINAL, 8.0) == (8.0, "snn")  # a stronger climb is kept
    assert arb.select(Mode.SAFE, None).source == "safe"  # SAFE trusts no altitude: its own rule
    for k in range(1, 60):  # hover at 1 m long enough to learn a trim of 3.4
        arb.pid_step(1.0, 1.0, k * 0.1)
        arb.select(Mode.NOMINAL, 3.4)
    assert not arb.on_floor and arb.select(Mode.NOMINAL, 3.4).u == pytest.approx(3.4)
    for k in range(4):  # lying on the floor
        arb.pid_step(0.3, 0.6, 6.0 + 0.1 * k)
    assert arb.select(Mode.NOMINAL, 1.0).u == pytest.approx(arb.trim + 1.5)
    arb.pid_step(0.38, 0.6, 6.4)  # back in range: at least the trim until 0.15 m above the floor
    assert arb.select(Mode.NOMINAL, -2.0).u == pytest.approx(arb.trim)
    arb.pid_step(0.46, 0.6, 6.5)  # clear: the controller alone
    assert arb.select(Mode.NOMINAL, -2.0).u == -2.0
    arb.pid_step(0.3, 0.6, 6.6)
    arb.select(Mode.NOMINAL, 1.0)
    arb.pid_step(0.3, 0.35, 6.7)  # a set-point at the floor itself: landing, no climb
    assert arb.select(Mode.NOMINAL, 1.0).u == 1.0
    fast, slow = Arbiter(), Arbiter()  # falling at 1.5 m/s from 1 m: the floor is 0.6 s away; at 0.2 m/s not
    for k, (zf, zs) in enumerate(zip((1.0, 0.85, 0.7, 0.55), (0.7, 0.68, 0.66, 0.64))):
        fast.pid_step(zf, 0.6, 0.1 * k)
        slow.pid_step(zs, 0.6, 0.1 * k)
    assert fast.on_floor and not slow.on_floor
    off = Arbiter(ArbiterParams(floor_climb_units=0.0))
    off.pid_step(0.3, 0.6, 0.0)
    assert not off.on_floor and off.select(Mode.NOMINAL, 0.5).u == 0.5


@pytest.mark.parametrize("kwargs,field", [({"u_max": 0.0}, "u_max"), ({"safe_cmd": 11.0}, "safe_cmd"),
                                          ({"trim_tau_s": -1.0}, "trim_tau_s"),
                                          ({"safe_margin_units": math.nan}, "safe_margin_units")])
def test_bad_params_name_their_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        ArbiterParams(**kwargs)


def test_the_default_safe_command_is_the_guards_descent():
    from snn_control.blimp.dynamics import BlimpDynamics
    from snn_control.blimp.guard import GuardParams

    assert ArbiterParams().safe_cmd == GuardParams().fallback_cmd < BlimpDynamics().hover_units
    assert Arbiter(pid=PIDParams(dt_s=0.05)).period_s == 0.05
