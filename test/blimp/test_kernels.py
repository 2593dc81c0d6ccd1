"""The compiled kernels of the blimp's batch loop follow their numpy references (snn_control.blimp.kernels)."""

import os
import subprocess
import sys

import numpy as np
import pytest

from snn_control.blimp import kernels
from snn_control.blimp.dynamics import BlimpDynamics, hold_steps
from snn_control.blimp.guard import GuardParams, guard_initial_state, guard_input, guard_output
from snn_control.blimp.pid import PIDParams, pid_initial_state, pid_step
from snn_control.blimp.plant import stack_dynamics
from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.snn.network import blimp_snn_initial_state, blimp_snn_step
from snn_control.blimp.tof import ToFSensor, tof_reading

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba is not installed (the train extra)")


def _plants(rng, n):
    return stack_dynamics([BlimpDynamics(thrust_mps2_per_unit=k, heaviness_mps2=h, motor_tau_s=tau, servo_flip_s=f,
                                         dead_zone=dz, reverse_efficiency=r)
                           for k, h, tau, f, dz, r in zip(rng.uniform(0.05, 0.13, n), rng.uniform(0.1, 0.6, n),
                                                          rng.uniform(0.05, 0.4, n), rng.uniform(0.1, 0.6, n),
                                                          rng.uniform(0.2, 0.5, n), rng.uniform(0.7, 1.0, n))])


def test_one_blimp_stays_on_numpy():
    # the ROS node and a board fly a batch of one: nothing compiles there
    assert not kernels.use(1) and kernels.use(kernels.MIN_BATCH)


def test_the_hold_is_hold_steps():
    rng = np.random.default_rng(0)
    p = _plants(rng, 24)
    rows = kernels.plant_rows(p, 24)
    ref = got = (rng.uniform(0.0, 2.0, 24), np.zeros(24), np.zeros(24), np.zeros(24))
    floor = 0
    for _ in range(300):
        u = rng.normal(0.0, 6.0, 24)
        u[:3] = (0.25, -0.25, 12.0)  # inside the dead zone of some plants, past u_max
        ref, got = hold_steps(*ref, u, p, 10), kernels.hold(*got, u, rows, p.dt_s, 10)
        floor += int(np.sum(ref[0] == 0.0))
        for x, y in zip(ref, got):
            np.testing.assert_allclose(y, x, rtol=1e-12, atol=1e-15)
    assert floor > 0


def test_the_reading_is_tof_reading():
    sensor = ToFSensor()
    z = np.array([-0.1, 0.0, 0.2, 0.3, 0.305, 1.0, 1.2345, 11.99, 12.5, 40.0])
    std = np.linspace(0.0, 0.02, z.size)
    normal = np.random.default_rng(1).standard_normal(z.size)
    ref = tof_reading(z, np.random.default_rng(1), sensor, std)
    np.testing.assert_array_equal(kernels.reading(z, normal, std, sensor), ref)
    assert np.isneginf(ref[0]) and np.isposinf(ref[-1])


def test_the_pid_kernel_is_pid_step():
    rng = np.random.default_rng(2)
    p = PIDParams()
    e = rng.normal(0.0, 1.0, (200, 16))
    e[50] += 30.0  # set-point jumps: the D filter, the soft limits, the integral clamp
    e[120:] += 5.0
    ref = got = pid_initial_state(16)
    for k in range(200):
        ref, out = pid_step(p, ref, e[k])
        fields, parts = kernels.pid(p, got, e[k])
        got = type(ref)(*fields)
        for x, y in zip((*ref, *out), (*fields, *parts)):
            np.testing.assert_array_equal(y, x)
    assert np.abs(out.i).max() == pytest.approx(p.i_limit)


@pytest.mark.parametrize("hidden", ["lif", "iwta", "rlif", "riwta"])
@pytest.mark.parametrize("readout,block", [("leaky", False), ("integrating", True)])
def test_the_snn_kernel_is_blimp_snn_step(hidden, readout, block):
    layout = BlimpSNNLayout.for_role("i" if hidden.endswith("iwta") else "pd", hidden, n_pairs=10, block=block,
                                     readout=readout, readout_bound=0.02 if readout == "integrating" else 1.5)
    rng = np.random.default_rng(3)
    for rows in (6, 1):  # one network per flight, or one network for every flight
        params = layout.decode(layout.denormalize(rng.uniform(0, 1, (rows, layout.n_genes))))
        packed = kernels.pack_snn(params)
        assert packed is not None
        ref = got = blimp_snn_initial_state(params, 6)
        errors = rng.normal(0.0, 0.5, (150, 6))
        for k in range(150):
            ref, u_ref = blimp_snn_step(params, ref, errors[k])
            got, u = kernels.snn_step(packed, got, errors[k])
            np.testing.assert_array_equal(u, u_ref)
        for x, y in zip(np.concatenate([np.ravel(a) for a in _leaves(ref)]),
                        np.concatenate([np.ravel(a) for a in _leaves(got)])):
            assert x == y
        rollout = kernels.snn_rollout(packed, blimp_snn_initial_state(params, 6), errors.T)
        np.testing.assert_array_equal(rollout[:, -1], u_ref)


def _leaves(state):
    if isinstance(state, tuple):
        return [leaf for part in state for leaf in _leaves(part)]
    return [np.asarray(state)]


def test_pack_snn_leaves_hand_made_parameters_to_numpy():
    from snn_control.snn.lif import LIFParams

    layout = BlimpSNNLayout.for_role("pd", n_pairs=4)
    params = layout.decode(layout.denormalize(np.full((1, layout.n_genes), 0.5)))
    assert kernels.pack_snn(params._replace(enc=LIFParams(0.5, 0.5, 1.0))) is None  # scalars: numpy path


def test_the_guard_kernels_are_the_guard():
    rng = np.random.default_rng(4)
    p = GuardParams()
    ref = got = guard_initial_state(12)
    seen = set()
    for k in range(80):
        reading = rng.uniform(-1.0, 14.0, 12)
        reading[rng.uniform(size=12) < 0.2] = np.nan
        reading[rng.uniform(size=12) < 0.1] = -np.inf
        reading[rng.uniform(size=12) < 0.05] = np.inf
        u = rng.normal(0.0, 8.0, 12)
        u[rng.uniform(size=12) < 0.05] = np.inf
        a_ref, s_ref, b_ref = guard_input(p, reading)
        a, s, b = kernels.guard_input(p, reading)
        np.testing.assert_array_equal(s, s_ref)
        np.testing.assert_array_equal(b, b_ref)
        np.testing.assert_array_equal(a[s], a_ref[s_ref])
        ref, cmd_ref = guard_output(p, ref, s_ref, b_ref, u, 0.1 * k)
        fields, cmd = kernels.guard_output(p, got, s, b, u, 0.1 * k)
        got = type(ref)(*fields)
        for x, y in zip(ref, got):
            np.testing.assert_array_equal(y, x)
        np.testing.assert_array_equal(cmd, cmd_ref)
        seen |= set(ref.event.tolist())
    assert seen == {0, 1, 2, 3, 4}  # tracking, below range, non-finite command, hold, fallback


def _pair_flight():
    """The shipped SNN pair and the PID fly 8 random plants for 60 s in the twin."""
    from snn_control.blimp.controllers import make_altitude_controller
    from snn_control.blimp.flight import fly_batch
    from snn_control.blimp.plant import PlantDistribution, plant_rows
    from snn_control.blimp.twin import BlimpBatchSim

    plants = PlantDistribution().draw(np.random.default_rng(5), 8)
    ref = np.repeat([0.8, 2.0, 1.2], 200)
    out = []
    for name in ("snn", "pid"):
        sim = BlimpBatchSim(8, seed=3, **plant_rows(plants))
        flight = fly_batch(make_altitude_controller(name), sim, sim.read_range(), ref)
        out += [flight.z_m, flight.u]
    return out


def test_a_batch_flight_is_the_same_with_and_without_kernels(monkeypatch):
    compiled = _pair_flight()
    monkeypatch.setattr(kernels, "AVAILABLE", False)
    plain = _pair_flight()
    for x, y in zip(plain, compiled):
        np.testing.assert_allclose(y, x, rtol=1e-9, atol=1e-9)


def test_snn_control_jit_0_turns_the_kernels_off():
    env = dict(os.environ, SNN_CONTROL_JIT="0")
    code = "from snn_control.blimp import kernels; print(kernels.AVAILABLE, kernels.use(100))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
