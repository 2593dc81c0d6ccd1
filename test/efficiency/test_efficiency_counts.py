"""The counting rule and the energy arithmetic, against hand-computed cases."""

import numpy as np
import pytest

from snn_control.efficiency.counts import (PJ_PER_AC, PJ_PER_MAC, DecisionCounts, constant_summary, dense_macs,
                                           energy_nj, spike_synops)


def test_energy_is_0_9_pj_per_accumulate_and_4_6_pj_per_mac():
    assert (PJ_PER_AC, PJ_PER_MAC) == (0.9, 4.6)
    assert energy_nj(1000, 0) == pytest.approx(0.9)
    assert energy_nj(0, 1000) == pytest.approx(4.6)
    assert energy_nj(10, 3) == pytest.approx((9.0 + 13.8) * 1e-3)
    np.testing.assert_allclose(energy_nj(np.array([0, 1e6]), np.array([1e6, 0])), [4600.0, 900.0])


def test_a_layer_fed_known_spikes_costs_spikes_times_fan_out():
    spikes = np.array([[1, 0, 1, 1], [0, 0, 0, 0]])  # two rows, 4 inputs
    np.testing.assert_array_equal(spike_synops(spikes, 5), [15, 0])
    # a residual sum delivers counts of 2 or 3: each is that many accumulates
    assert spike_synops(np.array([2, 3, 0]), 4) == 20
    assert spike_synops(7, 3) == 21
    with pytest.raises(ValueError, match="fan_out"):
        spike_synops(spikes, -1)
    with pytest.raises(ValueError, match="spike counts"):
        spike_synops(np.array([-1.0]), 1)


def test_dense_macs_are_positions_times_fan_in_times_fan_out():
    assert dense_macs(23, 64) == 1472
    assert dense_macs(6, 32, positions=128 * 24) == 128 * 24 * 6 * 32
    with pytest.raises(ValueError, match="n_in"):
        dense_macs(-1, 3)


def test_summary_takes_mean_and_max_per_decision_with_energy_per_decision():
    counts = DecisionCounts()
    counts.add([100, 0], [0, 10], [100, 0], [5, 5])  # decision 1: 90 pJ; decision 2: 46 pJ
    counts.add(20, 0, 20, 5)  # one more decision, scalars
    s = counts.summary()
    assert s["decisions"] == 3
    assert s["synops"] == pytest.approx(40.0) and s["synops_max"] == 100
    assert s["macs"] == pytest.approx(10 / 3) and s["macs_max"] == 10
    assert s["energy_nj"] == pytest.approx((0.090 + 0.046 + 0.018) / 3)
    assert s["energy_nj_max"] == pytest.approx(0.090)  # the costliest decision, not 100 AC + 10 MAC
    assert s["spikes_max"] == 100 and s["neuron_updates"] == 5


def test_counts_refuse_negative_or_nan_and_empty_runs():
    with pytest.raises(ValueError, match="synops"):
        DecisionCounts().add(-1, 0, 0, 0)
    with pytest.raises(ValueError, match="macs"):
        DecisionCounts().add(0, np.nan, 0, 0)
    with pytest.raises(ValueError, match="no decision"):
        DecisionCounts().summary()


def test_constant_summary_is_the_same_every_decision():
    s = constant_summary(0.0, 3)
    assert s["macs"] == s["macs_max"] == 3 and s["energy_nj"] == pytest.approx(0.0138)
    assert s["decisions"] is None


def test_constants_are_spikepoints():
    evaluate = pytest.importorskip("snn_control.perception.spikepoint.evaluate")
    assert (evaluate.PJ_PER_AC, evaluate.PJ_PER_MAC) == (PJ_PER_AC, PJ_PER_MAC)
