"""Rate NCAP: hand-computed forward passes, sign constraints, oscillator, sharing, validation."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from snn_control.swimmer.ncap import (
    NCAPConfig,
    NCAPController,
    NCAPState,
    expand_weights,
    ncap_initial_params,
    ncap_initial_state,
    ncap_step,
)

LIM3 = 2 * np.pi / 4  # joint range of a 3-joint body
Q3 = np.array([[0.5 * LIM3, -0.25 * LIM3, 2.0 * LIM3]])  # q̂ = 0.5, -0.25, 1 (clipped)


def _step(config, params, q, t):
    return ncap_step(config, np.asarray(params, dtype=float), NCAPState(np.array([t])), q)[1]


def test_golden_canonical_weights():
    out = _step(NCAPConfig(3), [1, 1, 1, -1], Q3, t=0)
    # s^d = [.5, 0, 1], s^v = [0, .25, 0]; o^d = 1: b^d = [1, .5, 0], b^v = [0, 0, .25]
    np.testing.assert_allclose(out.b_d, [[1.0, 0.5, 0.0]])
    np.testing.assert_allclose(out.b_v, [[0.0, 0.0, 0.25]])
    np.testing.assert_allclose(out.m_d, [[1.0, 0.5, 0.0]])
    np.testing.assert_allclose(out.m_v, [[0.0, 0.0, 0.25]])
    np.testing.assert_allclose(out.action, [[1.0, 0.5, -0.25]])


def test_golden_trained_like_weights_ventral_phase():
    out = _step(NCAPConfig(3), [0.5, 2.0, 0.8, -0.5], Q3, t=30)
    # o^v = 1: b^d = [0, σ(2*.5)=1, 0], b^v = [σ(.5)=.5, 0, σ(2*.25)=.5]
    np.testing.assert_allclose(out.b_d, [[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(out.b_v, [[0.5, 0.0, 0.5]])
    # m^d = σ(.8 b^d - .5 b^v) = [0, .8, 0]; m^v = σ(.8 b^v - .5 b^d) = [.4, 0, .4]
    np.testing.assert_allclose(out.m_d, [[0.0, 0.8, 0.0]])
    np.testing.assert_allclose(out.m_v, [[0.4, 0.0, 0.4]])
    np.testing.assert_allclose(out.action, [[-0.4, 0.8, -0.4]])


def test_contralateral_inhibition_when_both_sides_active():
    # unshared: joint 1's B^d and B^v both driven (in_v of joint 1 fed by s^v of joint 0 = 0, so
    # use the head, where o^d = 1, with the ventral B-neuron made to listen to nothing: contra acts)
    cfg = NCAPConfig(2, shared=False)
    w = ncap_initial_params(cfg).reshape(6, 2)
    w[4, 0] = -0.25  # contra_d of the head: B^v -> M^d
    out = _step(cfg, w.ravel(), np.array([[0.3, 0.0]]), t=45)  # o^v = 1: b^v_0 = 1
    np.testing.assert_allclose(out.m_d[0, 0], 0.0)  # σ(1*0 - .25*1)
    np.testing.assert_allclose(out.m_v[0, 0], 1.0)


def test_oscillator_square_wave_period_60():
    ctrl = NCAPController(NCAPConfig(4))
    head = np.array([ctrl.step(np.zeros(4))[0] for _ in range(150)])
    expected = np.where((np.arange(150) % 60) < 30, 1.0, -1.0)
    np.testing.assert_array_equal(head, expected)
    ctrl.reset()
    assert ctrl.step(np.zeros(4))[0] == 1.0
    silent = NCAPController(NCAPConfig(4, oscillator=False))
    assert np.all(silent.step(np.zeros(4)) == 0.0)


def test_sign_constraints():
    rng = np.random.default_rng(0)
    q = rng.uniform(-1, 1, (64, 5))
    t = NCAPState(rng.integers(0, 60, 64))
    flipped = np.array([1.0, 1.0, -1.0, 1.0])  # both muscle weights of the wrong sign
    out = ncap_step(NCAPConfig(5), flipped, t, q)[1]
    np.testing.assert_array_equal(out.action, 0.0)
    free = ncap_step(NCAPConfig(5, sign_constraints=False), flipped, t, q)[1]
    assert np.abs(free.action).max() > 0.1
    # with constraints, a weight's wrong-signed part is ignored: clamping it first changes nothing
    params = rng.normal(size=(64, 4))
    clamped = np.column_stack([np.maximum(params[:, :3], 0), np.minimum(params[:, 3], 0)])
    a = ncap_step(NCAPConfig(5), params, t, q)[1]
    b = ncap_step(NCAPConfig(5), clamped, t, q)[1]
    np.testing.assert_array_equal(a.action, b.action)
    for x in (a.b_d, a.b_v, a.m_d, a.m_v):
        assert x.min() >= 0.0 and x.max() <= 1.0
    w = expand_weights(NCAPConfig(5), params)
    assert w[:, :4].min() >= 0 and w[:, 4:].max() <= 0


def test_shared_and_unshared_canonical_agree_and_batch_equals_singles():
    rng = np.random.default_rng(1)
    q = rng.uniform(-1.2, 1.2, (8, 5))
    state = NCAPState(np.arange(8) * 7)
    shared = ncap_step(NCAPConfig(5), ncap_initial_params(NCAPConfig(5)), state, q)[1]
    unshared_cfg = NCAPConfig(5, shared=False)
    assert unshared_cfg.n_params == 30 and ncap_initial_params(unshared_cfg).shape == (30,)
    unshared = ncap_step(unshared_cfg, ncap_initial_params(unshared_cfg), state, q)[1]
    np.testing.assert_array_equal(shared.action, unshared.action)
    params = rng.normal(1, 0.5, (8, 4))
    batch = ncap_step(NCAPConfig(5), params, state, q)[1].action
    for i in range(8):
        single = ncap_step(NCAPConfig(5), params[i], NCAPState(state.t[i : i + 1]), q[i : i + 1])[1].action
        np.testing.assert_array_equal(batch[i : i + 1], single)


def test_init_modes():
    cfg = NCAPConfig(5)
    np.testing.assert_array_equal(ncap_initial_params(cfg), [1, 1, 1, -1])
    a = ncap_initial_params(cfg, "random", 3)
    np.testing.assert_array_equal(a, ncap_initial_params(cfg, "random", 3))
    assert np.all(np.abs(a) <= 1) and not np.array_equal(a, ncap_initial_params(cfg, "random", 4))
    with pytest.raises(ValueError, match="init"):
        ncap_initial_params(cfg, "zeros")


def test_state_advances_and_controller_validates():
    state = ncap_initial_state(3)
    state, _ = ncap_step(NCAPConfig(2), [1, 1, 1, -1], state, np.zeros((3, 2)))
    np.testing.assert_array_equal(state.t, [1, 1, 1])
    ctrl = NCAPController(NCAPConfig(5))
    with pytest.raises(ValueError, match="joint_angles"):
        ctrl.step(np.zeros(4))
    with pytest.raises(ValueError, match="finite"):
        ctrl.step(np.array([0, np.nan, 0, 0, 0]))
    with pytest.raises(ValueError, match="params"):
        NCAPController(NCAPConfig(5), np.zeros(5))
    with pytest.raises(ValueError, match="params"):
        NCAPController(NCAPConfig(5), np.array([1, np.inf, 1, -1]))


@pytest.mark.parametrize(
    "kwargs, field",
    [({"n_joints": 0}, "n_joints"), ({"n_joints": 2.5}, "n_joints"), ({"oscillator_period": 31}, "oscillator_period"),
     ({"shared": "yes"}, "shared"), ({"sign_constraints": 1}, "sign_constraints")],
)
def test_config_validation_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        NCAPConfig(**kwargs)


def test_config_round_trip():
    cfg = NCAPConfig(7, shared=False, sign_constraints=False, oscillator_period=40)
    assert NCAPConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown"):
        NCAPConfig.from_dict({"n_joints": 5, "bogus": 1})


def test_cores_import_neither_rclpy_nor_torch():
    code = (
        "import sys; import snn_control.swimmer.policy, snn_control.swimmer.training, "
        "snn_control.swimmer.env, snn_control.commands.eval_ncap, snn_control.commands.evolve_ncap; "
        "bad = [m for m in ('rclpy', 'torch') if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
