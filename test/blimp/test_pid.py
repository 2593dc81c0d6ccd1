"""The paper's PID, checked against hand-computed values."""

import numpy as np
import pytest

from snn_control.blimp.pid import PIDController, PIDParams, pid_initial_state, pid_step, soft_limit

P = PIDParams()


def run(errors):
    state, outs = pid_initial_state(1), []
    for e in errors:
        state, out = pid_step(P, state, np.array([e]))
        outs.append({k: float(v[0]) for k, v in out._asdict().items()})
    return outs


def test_golden_first_ticks():
    out = run([0.10, 0.12, 0.15, 0.15])
    # tick 0: P = 0.9, I = 0.75*0.10*0.1, D forced to 0
    assert out[0]["p"] == pytest.approx(0.9) and out[0]["d"] == 0.0
    assert out[0]["i"] == pytest.approx(0.0075)
    # tick 1: D still forced to 0
    assert out[1]["d"] == 0.0 and out[1]["i"] == pytest.approx(0.75 * 0.22 * 0.1)
    # tick 2: D = 14 * mean(0.02, 0.03) / 0.1 = 3.5
    assert out[2]["d"] == pytest.approx(3.5)
    assert out[2]["pd"] == pytest.approx(9 * 0.15 + 3.5)
    # tick 3: D = 14 * mean(0.03, 0.0) / 0.1 = 2.1
    assert out[3]["d"] == pytest.approx(2.1)
    assert out[3]["u"] == pytest.approx(out[3]["pd"] + out[3]["i"])


def test_setpoint_jump_filter_divides_large_d():
    out = run([0.0, 0.0, 1.0])  # de = 1 m in one tick: D = 14 * 0.5 / 0.1 = 70 -> 7
    assert out[2]["d"] == pytest.approx(7.0)


def test_soft_limits():
    assert soft_limit(np.array(15.0), 15.0) == 15.0
    assert soft_limit(np.array(105.0), 15.0) == pytest.approx(20.0)  # (105-15)*5/90+15
    assert soft_limit(np.array(-105.0), 15.0) == pytest.approx(-20.0)
    out = run([3.0])  # P = 27 -> (27-15)*5/90+15
    assert out[0]["p"] == pytest.approx(15 + 12 * 5 / 90)
    assert out[0]["u"] == pytest.approx(10 + (out[0]["pd"] + out[0]["i"] - 10) * 5 / 90)


def test_anti_windup_clamps_the_integral():
    out = run([5.0] * 400)
    assert out[-1]["i"] == pytest.approx(10.0)
    out = run([5.0] * 400 + [-1.0])  # unwinds at once, no stored excess
    assert out[-1]["i"] == pytest.approx(10.0 - 0.075)


def test_batch_equals_single():
    errors = np.random.default_rng(0).normal(0, 0.5, (50, 3))
    state = pid_initial_state(3)
    batch_u = []
    for e in errors:
        state, out = pid_step(P, state, e)
        batch_u.append(out.u)
    single = PIDController()
    u1 = [single.step(0.0, e) for e in errors[:, 1]]
    np.testing.assert_allclose(np.array(batch_u)[:, 1], u1)


def test_params_validate():
    with pytest.raises(ValueError, match="dt_s"):
        PIDParams(dt_s=0.0)
    with pytest.raises(ValueError, match="kp"):
        PIDParams(kp=float("nan"))
    assert PIDParams.from_dict(P.to_dict()) == P
