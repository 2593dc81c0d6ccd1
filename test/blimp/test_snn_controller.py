"""Deployable blimp SNN controllers: shipped artifacts, the AltitudeController protocol, the hybrid."""

import numpy as np

from snn_control.blimp.snn.controller import BlimpSNNController, BlimpSNNNetwork, PDSNNPlusPIDI
from snn_control.blimp.guard import GuardedController
from snn_control.blimp.pid import PIDController


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
    np.testing.assert_allclose(c.last_pd + c.last_i, np.clip(c.last_pd + c.last_i, -10, 10))
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
