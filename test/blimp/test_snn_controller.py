"""Deployable blimp SNN controllers: shipped artifacts, the AltitudeController protocol, the hybrid."""

import numpy as np

from snn_control.blimp.snn.controller import BlimpSNNController, BlimpSNNNetwork, PDSNNPlusPIDI
from snn_control.blimp.guard import GuardedController
from snn_control.blimp.controllers import SummedController
from snn_control.blimp.pid import PIDController, PIDTerm


class Constant:
    n_spiking_neurons = 2

    def __init__(self, value):
        self.value = value

    def initial_state(self, batch):
        return np.zeros(batch)

    def step(self, state, error_m):
        return state + 1, np.full(np.shape(error_m), self.value)


def test_summed_controller_clips_the_sum_not_the_parts():
    c = SummedController([Constant(7.0), Constant(6.0)], u_max=10.0)
    assert c.step(0.5, 1.0) == 10.0 and c.last_parts == (7.0, 6.0) and c.n_spiking_neurons == 4
    assert SummedController([Constant(-7.0), Constant(-6.0)]).step(1.0, 0.5) == -10.0
    assert SummedController([Constant(7.0), Constant(-6.0)]).step(1.0, 0.5) == 1.0
    state, u, parts = c.step_batch(c.initial_state(3), np.zeros(3))
    np.testing.assert_array_equal(u, [10.0] * 3)
    np.testing.assert_array_equal(state[0], [1.0] * 3)
    assert SummedController([Constant(13.0)], u_max=None).step(0.0, 0.0) == 13.0  # the PID: no clip


def test_batch_face_equals_the_scalar_face():
    c = BlimpSNNController.from_artifacts()
    pid = PIDTerm()
    hybrid = SummedController([c.terms[0], pid])
    errors = np.random.default_rng(0).normal(0.0, 0.4, (50, 4))
    state = hybrid.initial_state(4)
    batch_u = []
    for e in errors:
        state, u, _ = hybrid.step_batch(state, e)
        batch_u.append(u)
    for row in range(4):
        hybrid.reset()
        one = [hybrid.step(0.0, float(e)) for e in errors[:, row]]
        np.testing.assert_array_equal(one, np.array(batch_u)[:, row])


def _assert_protocol(c):  # AltitudeController (control/guard.py) is not runtime-checkable
    assert callable(c.reset) and callable(c.step) and isinstance(c.n_spiking_neurons, int)


def _run(controller, n=300):
    controller.reset()
    z = 0.5 + 0.3 * np.sin(np.arange(n) / 15.0)
    return np.array([controller.step(float(zk), 1.0) for zk in z])


def test_shipped_pair_loads_and_meets_the_protocol():
    c = BlimpSNNController.from_artifacts()
    _assert_protocol(c)
    assert c.n_spiking_neurons == 160
    u = _run(c)
    assert np.all(np.isfinite(u)) and np.all(np.abs(u) <= 10.0)
    np.testing.assert_array_equal(_run(c), u)  # reset() restores the rest state
    assert u[-1] == c.last_pd + c.last_i  # within range the command is the plain sum
    g = GuardedController(c)
    assert np.isfinite(g.step(0.8, 1.0, 0.0))


def test_hybrid_is_pd_snn_plus_the_pid_integral():
    hybrid = PDSNNPlusPIDI.from_artifacts()
    _assert_protocol(hybrid)
    assert hybrid.n_spiking_neurons == 80
    pd = BlimpSNNNetwork.from_artifact(role="pd")
    pid = PIDController()
    hybrid.reset()
    for z in (0.5, 0.45, 0.5, 0.7, 0.95, 1.1):
        u = hybrid.step(z, 1.0)
        pid.step(z, 1.0)
        u_pd = pd.step(1.0 - z)
        np.testing.assert_allclose(u, np.clip(u_pd + pid.last.i[0], -10, 10))
