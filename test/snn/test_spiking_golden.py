"""Golden trajectories of the spiking primitives, computed by hand (see the comments)."""

import numpy as np
import pytest

from snn_control.snn.readout import IntegratorParams, paired_integrator_step
from snn_control.snn import (
    IWTAParams,
    LIFParams,
    LIParams,
    iwta_initial_state,
    iwta_step,
    li_initial_state,
    paired_li_step,
    lif_initial_state,
    lif_step,
    pair_mirrored,
    pair_shared,
    partner_index,
    select_state,
)


def test_lif_golden_soft_reset():
    # leak_i = leak_v = 0.5, theta = 1, x = 0.8 every tick:
    # k1: i=0.8 v=0.8 s=0 | k2: i=1.2 v=1.6 s=1 | k3: i=1.4 v=0.8+1.4-1=1.2 s=1 | k4: i=1.5 v=0.6+1.5-1=1.1 s=1
    p = LIFParams(0.5, 0.5, 1.0)
    state = lif_initial_state(1, 1)
    vs, ss = [], []
    for _ in range(4):
        state, s = lif_step(p, state, np.array([[0.8]]))
        vs.append(state.v[0, 0])
        ss.append(s[0, 0])
    np.testing.assert_allclose(vs, [0.8, 1.6, 1.2, 1.1])
    np.testing.assert_array_equal(ss, [0, 1, 1, 1])


def test_iwta_golden_pair_coupling():
    # One pair, leak_i = leak_v = leak_t = 0.5, base 1, adapt 0.5, x = [1.2, 0]:
    # k1: t=[0,0] theta=[1,1] i=[1.2,0] v=[1.2,0] s=[1,0]
    # k2: t=[1,0] theta=[1-0.5, 1+0.5]=[0.5,1.5] i=[1.8,0] v=0.6+1.8-1*1=1.4 s=[1,0]
    # k3: t=[1.5,0] theta=[0.25,1.75] i=[2.1,0] v=0.7+2.1-1*0.5=2.3 s=[1,0]
    p = IWTAParams(0.5, 0.5, 1.0, 0.5, 0.5, theta_min=0.01)
    state = iwta_initial_state(1, 2, p)
    x = np.array([[1.2, 0.0]])
    expected = [([1, 1], [1.2, 0]), ([0.5, 1.5], [1.4, 0]), ([0.25, 1.75], [2.3, 0])]
    for theta, v in expected:
        state, s = iwta_step(p, state, x)
        np.testing.assert_allclose(state.theta[0], theta)
        np.testing.assert_allclose(state.v[0], v)
        np.testing.assert_array_equal(s[0], [1, 0])
    np.testing.assert_allclose(state.t[0], [1.5, 0.0])


def test_iwta_threshold_floor_and_batch():
    p = IWTAParams(0.0, 0.0, base=0.2, adapt=np.array([[1.0, 1.0, 1.0, 1.0]]), leak_t=0.99, theta_min=0.05)
    state = iwta_initial_state(3, 4, p)
    for _ in range(20):
        state, s = iwta_step(p, state, np.tile([[5.0, 5.0, 0.0, 0.0]], (3, 1)), partner_index(4))
    assert s.shape == (3, 4)
    assert np.all(state.theta >= 0.05)
    np.testing.assert_allclose(state.theta[:, :2], 0.05)  # own activity drove it to the floor


def test_readout_golden_and_odd():
    # a = 0.5, c = 2: drive 2 -> u=1; drive -2 -> u=0.5-1=-0.5; drive 0 -> u=-0.25
    paired = LIParams(np.array([0.5]), np.array([[2.0]]))
    state = li_initial_state(1)
    for s, expected in (([1, 0], 1.0), ([0, 1], -0.5), ([1, 1], -0.25)):
        state, u = paired_li_step(paired, state, np.array([s], dtype=float))
        assert u[0] == expected
    swapped = paired_li_step(paired, li_initial_state(1), np.array([[0.0, 1.0]]))[1]
    assert swapped[0] == -paired_li_step(paired, li_initial_state(1), np.array([[1.0, 0.0]]))[1][0]


def test_pair_layout():
    np.testing.assert_array_equal(pair_shared(np.array([[1.0, 2.0]])), [[1, 2, 1, 2]])
    np.testing.assert_array_equal(pair_mirrored(np.array([[1.0, 2.0]])), [[1, 2, -1, -2]])
    x = np.arange(6.0)[None]
    np.testing.assert_array_equal(x[:, partner_index(6)], [[3, 4, 5, 0, 1, 2]])
    with pytest.raises(ValueError):
        partner_index(3)


def test_select_state_keeps_old_rows_of_nested_states():
    new = (LIFParams(np.ones((3, 2)), np.ones(3), None), np.array([1, 1, 1]))
    old = (LIFParams(np.zeros((3, 2)), np.zeros(3), None), np.array([0, 0, 0]))
    out = select_state(np.array([True, False, True]), new, old)
    assert isinstance(out[0], LIFParams) and out[0].threshold is None
    np.testing.assert_array_equal(out[0].leak_i, [[1, 1], [0, 0], [1, 1]])
    np.testing.assert_array_equal(out[1], [1, 0, 1])


def test_integrating_readout_golden_hold_and_clamp():
    # a = 1, c' = 0.5 per spike, L = 1: +0.5, +0.5 (hits the clamp: 1.0), hold (both fire), -0.5
    p = IntegratorParams(np.array([1.0]), np.array([[0.5]]), limit=1.0)
    state = li_initial_state(1)
    for s, expected in (([1, 0], 0.5), ([1, 0], 1.0), ([1, 0], 1.0), ([1, 1], 1.0), ([0, 0], 1.0), ([0, 1], 0.5)):
        state, u = paired_integrator_step(p, state, np.array([s], dtype=float))
        assert u[0] == expected
    # the paper's leaky readout is the same family: a < 1 and c' = (1 - a) c give the same output
    leaky = LIParams(np.array([0.5]), np.array([[2.0]]))
    same = IntegratorParams(np.array([0.5]), np.array([[1.0]]), limit=np.inf)
    s1, s2 = li_initial_state(1), li_initial_state(1)
    for s in ([1, 0], [0, 1], [1, 1], [0, 0]):
        s1, u1 = paired_li_step(leaky, s1, np.array([s], dtype=float))
        s2, u2 = paired_integrator_step(same, s2, np.array([s], dtype=float))
        assert u1[0] == u2[0]
