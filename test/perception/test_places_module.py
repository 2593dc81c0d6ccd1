import math

import numpy as np
import pytest

from snn_control.perception.places import module as mod
from snn_control.perception.places.encoding import poisson_rates_hz
from snn_control.perception.places.module import ModuleParams, init_weights, normalize_weights, present, train_images
from snn_control.perception.places.response import expected_counts, fired

from places_fixtures import inputs, scenes


def test_params_validate_with_the_field_name():
    with pytest.raises(ValueError, match="n_exc"):
        ModuleParams(n_exc=0)
    with pytest.raises(ValueError, match="dt_s"):
        ModuleParams(dt_s=0.01)
    assert ModuleParams().steps == 350
    assert ModuleParams.from_dict(ModuleParams(n_exc=7).to_dict()).n_exc == 7


def test_weights_are_normalized_to_the_paper_sum():
    p = ModuleParams(n_exc=10)
    w = init_weights(3, p, np.random.default_rng(0))
    assert w.shape == (3, 784, 10) and w.dtype == np.float32
    assert np.allclose(w.sum(axis=1), 78.0, rtol=1e-5)
    w *= 2
    assert np.allclose(normalize_weights(w, p).sum(axis=1), 78.0, rtol=1e-5)


def test_one_winner_per_module_and_step(monkeypatch):
    """Lateral inhibition: of neurons crossing threshold in one step only the first fires."""
    seen = []
    real = mod._first_crossing

    def spy(cross, over):
        out = real(cross, over)
        seen.append(out.sum(axis=1).max())
        return out

    monkeypatch.setattr(mod, "_first_crossing", spy)
    p = ModuleParams(n_exc=30, present_s=0.1)
    rng = np.random.default_rng(0)
    w = init_weights(2, p, rng)
    theta = np.zeros((2, 30), np.float32)   # far below the competitive regime: everyone crosses at once
    counts = present(w, theta, poisson_rates_hz(inputs(scenes(2))), p, rng, learn=False)
    assert counts.sum() > 0 and max(seen) == 1


def test_present_is_deterministic_for_a_seed_and_learning_changes_weights():
    p = ModuleParams(n_exc=20, present_s=0.1)
    x = inputs(scenes(2))
    runs = []
    for _ in range(2):
        rng = np.random.default_rng(3)
        w = init_weights(2, p, rng)
        theta = np.full((2, 20), 25.0, np.float32)
        w0 = w.copy()
        c = train_images(w, theta, x, p, rng)
        runs.append((c, w, theta))
        assert not np.array_equal(w, w0)
        assert np.all((w >= 0) & (w <= p.w_max))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    assert np.all(runs[0][0].sum(axis=1) >= p.min_spikes)   # the intensity boost made it fire


def test_stdp_potentiates_the_winner_towards_its_image():
    p = ModuleParams(n_exc=10, present_s=0.2)
    rng = np.random.default_rng(0)
    x = inputs(scenes(1))
    w = init_weights(1, p, rng)
    theta = np.full((1, 10), 20.0, np.float32)
    before = [np.corrcoef(w[0, :, j], x[0])[0, 1] for j in range(10)]
    for _ in range(5):
        c = train_images(w, theta, x, p, rng)
    j = int(c[0].argmax())
    after = np.corrcoef(w[0, :, j], x[0])[0, 1]
    assert after > before[j] + 0.1


def test_expected_counts_match_a_simulated_lif_neuron():
    """The deployed rate readout is tied to the neuron it stands for: a conductance-based LIF
    neuron under constant conductance G, integrated finely (no inhibition)."""
    p = ModuleParams(n_exc=1)
    dt = 1e-5
    for g, theta in [(2.5, 30.0), (4.0, 35.0), (1.0, 10.0)]:
        v, t_ref, n = p.v_rest_e_mv, 0.0, 0
        for _ in range(int(p.present_s / dt)):
            if t_ref > 0:
                t_ref -= dt
                continue
            v += dt / p.tau_e_s * ((p.v_rest_e_mv - v) + g * (p.e_exc_mv - v))
            if v > p.v_thresh_e_mv + theta:
                v, t_ref, n = p.v_reset_e_mv, p.refrac_e_s, n + 1
        expected = float(expected_counts(np.array([[g]]), np.array([theta]), p)[0, 0])
        assert expected == pytest.approx(n, abs=1.5), (g, theta)
    assert expected_counts(np.array([[0.5]]), np.array([30.0]), p)[0, 0] == 0.0   # below rheobase


def test_fired_keeps_the_k_strongest_of_each_module():
    counts = np.array([[5.0, 1.0, 0.0, 3.0, 0.0, 0.0, 2.0, 9.0]])
    module = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    got = fired(counts, module, k_active=2)
    assert got.tolist() == [[True, False, False, True, False, False, True, True]]
    assert fired(np.zeros((1, 4)), np.array([0, 0, 1, 1]), 1).sum() == 0
