"""Spiking NCAP: pacemaker/latch oscillator, rate coding, agreement with the rate model."""

from __future__ import annotations

import numpy as np
import pytest

import snn_control.swimmer.ncap_spiking as ncap_spiking
from snn_control.swimmer.ncap import NCAPConfig, NCAPState, ncap_step
from snn_control.swimmer.ncap_spiking import (
    SpikingNCAPConfig,
    SpikingNCAPController,
    spiking_ncap_initial_state,
    spiking_ncap_step,
)


def test_oscillator_is_the_rate_models_square_wave():
    ctrl = SpikingNCAPController(SpikingNCAPConfig(4))
    head = np.array([ctrl.step(np.zeros(4))[0] for _ in range(185)])
    expected = np.where((np.arange(185) % 60) < 30, 1.0, -1.0)
    np.testing.assert_array_equal(head, expected)
    np.testing.assert_array_equal(ctrl.last.action[0, 1:], 0.0)  # straight body: no proprioceptive drive


def test_pacemakers_fire_once_per_period_half_a_period_apart():
    cfg = SpikingNCAPConfig(2, oscillator_period=4, ticks_per_step=3)  # period 12 ticks
    state = spiking_ncap_initial_state(cfg, 1)
    spikes = []
    for _ in range(36):
        pm, latch, o = ncap_spiking._oscillator_tick(cfg, state)
        state = state._replace(pacemaker=pm, latch=latch)
        spikes.append(np.concatenate([pm.s[0], o[0]]))
    spikes = np.array(spikes)
    np.testing.assert_array_equal(np.flatnonzero(spikes[:, 0]), [0, 12, 24])  # P^d
    np.testing.assert_array_equal(np.flatnonzero(spikes[:, 1]), [6, 18, 30])  # P^v
    d_on = (np.arange(36) % 12) < 6
    np.testing.assert_array_equal(spikes[:, 2], d_on)  # latch D
    np.testing.assert_array_equal(spikes[:, 3], ~d_on)  # latch V


@pytest.mark.parametrize("population", [1, 3])
def test_rate_coding_recovers_the_graded_nonlinearity(population):
    """Constant stretch: long-run rates are clip(w s, 0, 1) within one spike per window."""
    cfg = SpikingNCAPConfig(3, population=population)
    lim = 2 * np.pi / 4
    q = np.array([[0.3 * lim, -0.8 * lim, 0.0]])
    params = np.array([[1.0, 2.0, 1.0, -1.0]])  # b_1^d = σ(2*.3) = .6, b_2^v = σ(2*.8) = 1
    state = spiking_ncap_initial_state(cfg, 1)
    outs = []
    for _ in range(40):
        state, out = spiking_ncap_step(cfg, params, state, q)
        outs.append(out)
    b_d = np.mean([o.b_d[0] for o in outs], axis=0)
    b_v = np.mean([o.b_v[0] for o in outs], axis=0)
    action = np.mean([o.action[0, 1:] for o in outs], axis=0)
    tol = 1.0 / (cfg.ticks_per_step * 40) + 1e-9  # each member is off by < 1 spike
    assert b_d[1] == pytest.approx(0.6, abs=tol) and b_v[2] == pytest.approx(1.0, abs=tol)
    assert b_v[1] == 0.0 and b_d[2] == 0.0
    np.testing.assert_allclose(action, [0.6, -1.0], atol=2 * tol)


def test_tracks_the_rate_model_on_random_postures():
    """Within one spike per tick per synapse (w_ipsi <= 1), time-averaged torques match the rate model."""
    rng = np.random.default_rng(0)
    cfg = SpikingNCAPConfig(5, population=2)
    rate_cfg = NCAPConfig(5)
    params = np.array([[0.6, 2.5, 1.0, -0.8]])
    state = spiking_ncap_initial_state(cfg, 1)
    errors = []
    for t in range(0, 120, 6):
        q = rng.uniform(-1.2, 1.2, (1, 5))
        spiking = []
        for k in range(6):  # hold a posture for 6 control steps, compare mean torques
            state, out = spiking_ncap_step(cfg, params, state, q)
            spiking.append(out.action[0])
        rate = [ncap_step(rate_cfg, params, NCAPState(np.array([t + k])), q)[1].action[0] for k in range(6)]
        errors.append(np.abs(np.mean(spiking, axis=0) - np.mean(rate, axis=0)))
    assert np.max(errors) < 0.1 and np.mean(errors) < 0.03


def test_uses_the_project_lif_step(monkeypatch):
    calls = []

    def counting(p, state, x):
        calls.append(np.shape(x))
        return ncap_spiking.__dict__["_real_lif_step"](p, state, x)

    monkeypatch.setitem(ncap_spiking.__dict__, "_real_lif_step", ncap_spiking.lif_step)
    monkeypatch.setattr(ncap_spiking, "lif_step", counting)
    cfg = SpikingNCAPConfig(5, ticks_per_step=4, population=2)
    spiking_ncap_step(cfg, np.array([[1.0, 1.0, 1.0, -1.0]]), spiking_ncap_initial_state(cfg, 2), np.zeros((2, 5)))
    assert len(calls) == 4 * 4  # pacemakers, latch, B-neurons, muscles per tick
    assert (2, 20) in calls and (2, 2) in calls


def test_sign_constraints_and_batch():
    rng = np.random.default_rng(1)
    cfg = SpikingNCAPConfig(5)
    q = rng.uniform(-1, 1, (4, 5))
    state = spiking_ncap_initial_state(cfg, 4)
    _, out = spiking_ncap_step(cfg, np.array([1.0, 1.0, -1.0, 1.0]), state, q)
    np.testing.assert_array_equal(out.action, 0.0)
    params = rng.normal(1, 0.5, (4, 4)) * [1, 1, 1, -1]
    _, batch = spiking_ncap_step(cfg, params, state, q)
    for i in range(4):
        _, single = spiking_ncap_step(cfg, params[i], spiking_ncap_initial_state(cfg, 1), q[i : i + 1])
        np.testing.assert_array_equal(batch.action[i], single.action[0])
    assert np.all(batch.n_spikes > 0)
    assert np.all(np.abs(batch.action) <= 1.0)


def test_controller_reset_is_deterministic():
    ctrl = SpikingNCAPController(SpikingNCAPConfig(5, population=2), np.array([0.6, 2.0, 1.2, -1.0]))
    rng = np.random.default_rng(2)
    qs = rng.uniform(-1, 1, (50, 5))
    first = np.array([ctrl.step(q) for q in qs])
    ctrl.reset()
    second = np.array([ctrl.step(q) for q in qs])
    np.testing.assert_array_equal(first, second)
    with pytest.raises(ValueError, match="joint_angles"):
        ctrl.step(np.zeros(3))


@pytest.mark.parametrize(
    "kwargs, field",
    [({"ticks_per_step": 0}, "ticks_per_step"), ({"population": 1.5}, "population"), ({"v_max": "2"}, "v_max"),
     ({"v_max": 0.5}, "v_max"), ({"n_joints": 0}, "n_joints"),
     ({"control_dt_s": float("nan")}, "control_dt_s")],
)
def test_config_validation_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        SpikingNCAPConfig(**kwargs)


def test_config_round_trip_and_sizes():
    cfg = SpikingNCAPConfig(7, shared=False, population=3, v_max=3.0)
    assert SpikingNCAPConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.n_params == 42 and cfg.n_neurons == 4 + 4 * 7 * 3
    np.testing.assert_allclose(cfg.rest_potentials, [1 / 6, 1 / 2, 5 / 6])
    assert cfg.tick_dt_s == pytest.approx(0.002)
    assert SpikingNCAPConfig().neuron_params == (0.0, 1.0, 1.0)  # default: no leak, instant synapse
    with pytest.raises(ValueError, match="unknown"):
        SpikingNCAPConfig.from_dict({"bogus": 1})
