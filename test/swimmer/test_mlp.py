"""MLP baseline policy: sizes, forward pass, batch semantics, validation."""

from __future__ import annotations

import numpy as np
import pytest

from snn_control.swimmer.mlp import MLPConfig, MLPController, mlp_forward, mlp_initial_params


def test_parameter_count_of_the_6_link_baseline():
    cfg = MLPConfig(obs_size=23, act_size=5)
    assert cfg.n_params == 23 * 64 + 64 + 64 * 64 + 64 + 64 * 5 + 5 == 6021
    assert mlp_initial_params(cfg, 0).shape == (6021,)


def test_forward_matches_a_hand_written_network():
    cfg = MLPConfig(obs_size=3, act_size=2, hidden=(4,))
    rng = np.random.default_rng(0)
    w1, c1, w2, c2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)
    params = np.concatenate([w1.ravel(), c1, w2.ravel(), c2])
    x = rng.normal(size=(5, 3))
    expected = np.tanh(np.tanh(x @ w1 + c1) @ w2 + c2)
    np.testing.assert_allclose(mlp_forward(cfg, params, x), expected, atol=1e-12)


def test_batch_of_individuals_equals_singles():
    cfg = MLPConfig(obs_size=6, act_size=2, hidden=(8, 8))
    rng = np.random.default_rng(1)
    params = np.stack([mlp_initial_params(cfg, k) for k in range(4)])
    obs = rng.normal(size=(4, 6))
    batch = mlp_forward(cfg, params, obs)
    for i in range(4):
        np.testing.assert_allclose(batch[i], MLPController(cfg, params[i]).step(obs[i]), atol=1e-12)
    assert np.all(np.abs(batch) < 1)


def test_validation_and_round_trip():
    with pytest.raises(ValueError, match="obs_size"):
        MLPConfig(obs_size=0)
    with pytest.raises(ValueError, match="hidden"):
        MLPConfig(hidden=(64, 0))
    cfg = MLPConfig(10, 3, (16,))
    assert MLPConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="params"):
        mlp_forward(cfg, np.zeros(5), np.zeros((1, 10)))
    with pytest.raises(ValueError, match="obs"):
        mlp_forward(cfg, np.zeros(cfg.n_params), np.zeros((1, 9)))
    with pytest.raises(ValueError, match="params"):
        MLPController(cfg, np.full(cfg.n_params, np.nan))
