"""Blimp SNN network and genome layouts: gene counts, shapes, symmetry, one pass = many singles."""

import numpy as np
import pytest

from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.snn.network import (
    HIDDEN_KINDS,
    blimp_snn_initial_state,
    blimp_snn_rollout,
    blimp_snn_step,
    n_spiking_neurons,
)


def _genomes(layout, n, seed=0):
    return layout.denormalize(np.random.default_rng(seed).uniform(size=(n, layout.n_genes)))


def _errors(T=150, seed=1):
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(0, 0.05, T)) + 0.3 * np.sin(np.arange(T) / 10)


@pytest.mark.parametrize("hidden,role,genes", [("lif", "pd", 221), ("iwta", "i", 261), ("rlif", "pd", 261),
                                               ("riwta", "i", 301)])
def test_gene_counts_and_neurons(hidden, role, genes):
    layout = BlimpSNNLayout.for_role(role, hidden)
    assert layout.n_genes == genes
    assert BlimpSNNLayout(role=role, hidden=hidden, block=True).n_genes == genes + 20
    assert layout.n_spiking_neurons == 80
    params = layout.decode(_genomes(layout, 3))
    assert params.enc_weight.shape == (3, 40) and params.out.leak.shape == (3,)
    assert n_spiking_neurons(params) == 80
    assert np.all(layout.lower < layout.upper)


def test_paper_defaults_and_bounds():
    pd, i = BlimpSNNLayout.for_role("pd"), BlimpSNNLayout.for_role("i")
    assert (pd.hidden, i.hidden) == ("lif", "iwta")
    leak = {g.name: (g.lower, g.upper) for g in pd.groups}["out.leak"]
    assert leak == (0.15, 0.35)
    assert {g.name: (g.lower, g.upper) for g in i.groups}["out.leak"] == (0.15, 0.99)
    wild = np.full((1, pd.n_genes), 100.0)
    np.testing.assert_array_equal(pd.split(wild)["enc.threshold"], 10.0)  # clipped to the bounds
    with pytest.raises(ValueError, match="genomes must be shaped"):
        pd.decode(np.zeros((2, pd.n_genes + 1)))
    with pytest.raises(ValueError, match="hidden"):
        BlimpSNNLayout(hidden="gru")
    with pytest.raises(ValueError, match="n_pairs"):
        BlimpSNNLayout(n_pairs=0)
    assert BlimpSNNLayout.from_dict(i.to_dict()) == i
    g = _genomes(i, 2)
    np.testing.assert_allclose(i.denormalize(i.normalize(g)), g)


@pytest.mark.parametrize("hidden", HIDDEN_KINDS)
def test_output_is_odd_in_the_error(hidden):
    layout = BlimpSNNLayout(role="i" if "iwta" in hidden else "pd", hidden=hidden, block=True)
    params = layout.decode(_genomes(layout, 4))
    e = _errors()
    np.testing.assert_allclose(blimp_snn_rollout(params, -e), -blimp_snn_rollout(params, e), atol=1e-12)
    np.testing.assert_array_equal(blimp_snn_rollout(params, np.zeros(50)), 0.0)


@pytest.mark.parametrize("hidden", HIDDEN_KINDS)
def test_population_pass_equals_individual_passes(hidden):
    layout = BlimpSNNLayout(role="pd", hidden=hidden)
    genomes = _genomes(layout, 5, seed=3)
    e = _errors()
    together = blimp_snn_rollout(layout.decode(genomes), e)
    for k in range(5):
        np.testing.assert_allclose(together[k], blimp_snn_rollout(layout.decode(genomes[k]), e)[0])


def test_one_network_many_flights_broadcasts():
    layout = BlimpSNNLayout.for_role("i")
    params = layout.decode(_genomes(layout, 1))
    errors = np.stack([_errors(seed=s) for s in range(3)])
    out = blimp_snn_rollout(params, errors)
    assert out.shape == (3, errors.shape[1])
    np.testing.assert_allclose(out[1], blimp_snn_rollout(params, errors[1])[0])
    state = blimp_snn_initial_state(params, 3)
    state, u = blimp_snn_step(params, state, np.array([0.1, 0.0, -0.1]))
    assert u.shape == (3,)


def test_integrating_readout_layout_and_hold():
    layout = BlimpSNNLayout.for_role("i", readout="integrating", readout_bound=0.02)
    assert layout.n_genes == 261  # same genes; only the readout leak's bounds differ
    assert {g.name: (g.lower, g.upper) for g in layout.groups}["out.leak"] == (0.999, 1.0)
    assert BlimpSNNLayout.from_dict(layout.to_dict()) == layout
    with pytest.raises(ValueError, match="readout"):
        BlimpSNNLayout(readout="bucket")
    params = layout.decode(_genomes(layout, 4))
    e = _errors()
    np.testing.assert_allclose(blimp_snn_rollout(params, -e), -blimp_snn_rollout(params, e), atol=1e-12)
    assert np.all(np.abs(blimp_snn_rollout(params, e)) <= 10.0)
    # a = 1 and zero error from rest: both members of every pair fire alike, the output stays 0
    g = _genomes(layout, 1)
    g[0, -1] = 1.0  # out.leak
    np.testing.assert_array_equal(blimp_snn_rollout(layout.decode(g), np.zeros(100)), 0.0)
