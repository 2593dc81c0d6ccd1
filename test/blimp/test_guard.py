"""No bad reading becomes a bad command."""

import math

import numpy as np
import pytest

from snn_control.blimp.guard import ERROR, OK, WARN, GuardedController, GuardParams
from snn_control.blimp.pid import PIDController


class Recorder:
    n_spiking_neurons = 0

    def __init__(self, out=1.5):
        self.calls, self.out = [], out

    def reset(self):
        self.calls = []

    def step(self, altitude_m, setpoint_m):
        self.calls.append((altitude_m, setpoint_m))
        return self.out


BAD = [float("nan"), float("inf"), -1.0, 0.1, 12.5, 1e9]


@pytest.mark.parametrize("bad", BAD)
def test_invalid_reading_holds_then_falls_back(bad):
    core = Recorder()
    g = GuardedController(core, GuardParams(hold_s=0.5, fallback_cmd=2.0))
    assert g.step(1.0, 1.0, t_s=0.0) == 1.5
    assert g.step(bad, 1.0, t_s=0.3) == 1.5 and g.status.level == WARN  # hold
    assert g.step(bad, 1.0, t_s=0.9) == 2.0 and g.status.level == ERROR  # fallback
    assert len(core.calls) == 1  # the controller never saw the bad reading
    assert g.step(1.0, 1.0, t_s=1.0) == 1.5 and g.status.level == OK  # recovers


def test_too_close_code_uses_the_minimum_range():
    core = Recorder()
    g = GuardedController(core)
    g.step(-math.inf, 0.5, t_s=0.0)
    assert core.calls == [(0.3, 0.5)] and g.status.level == WARN


def test_silent_sensor_and_no_reading_ever():
    g = GuardedController(Recorder(), GuardParams(hold_s=0.5, fallback_cmd=1.0))
    assert g.on_timeout(0.1) == 1.0 and g.status.level == ERROR  # never had a good reading
    g.step(1.0, 1.0, 1.0)
    assert g.on_timeout(1.4) == 1.5
    assert g.on_timeout(1.6) == 1.0


def test_commands_stay_finite_and_bounded_under_garbage():
    rng = np.random.default_rng(1)
    g = GuardedController(PIDController())
    values = np.concatenate([rng.uniform(-5, 20, 300), [np.nan] * 20, [np.inf, -np.inf] * 10])
    rng.shuffle(values)
    for k, r in enumerate(values):
        u = g.step(float(r), float(rng.uniform(0.3, 3.0)), t_s=0.1 * k)
        assert math.isfinite(u) and abs(u) <= 10.0


def test_non_finite_controller_output_is_replaced():
    g = GuardedController(Recorder(out=float("nan")))
    assert g.step(1.0, 1.0, 0.0) == g.params.fallback_cmd and g.status.level == ERROR
    g = GuardedController(Recorder(out=50.0))
    assert g.step(1.0, 1.0, 0.0) == 10.0


def test_params_validate():
    with pytest.raises(ValueError, match="fallback_cmd"):
        GuardParams(fallback_cmd=20.0)
    with pytest.raises(ValueError, match="hold_s"):
        GuardParams(hold_s=float("nan"))
