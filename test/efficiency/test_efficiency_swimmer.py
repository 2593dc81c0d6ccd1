"""Swimmer efficiency: the spiking NCAP's per-step counts, the rate NCAP and the MLP."""

import numpy as np
import pytest

from snn_control.efficiency.swimmer import mlp, ncap_rate, ncap_spiking, rate_macs, spiking_step_counts
from snn_control.swimmer.ncap import NCAPConfig
from snn_control.swimmer.ncap_spiking import SpikingNCAPConfig, SpikingNCAPController


def _run(config, steps, seed=0):
    controller = SpikingNCAPController(config)
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(steps):
        before = controller.state
        controller.step(rng.uniform(-1.0, 1.0, config.n_joints))
        rows.append(spiking_step_counts(config, before, controller.state, controller.last))
    return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}


def test_spike_groups_add_up_and_the_oscillator_keeps_its_schedule():
    config = SpikingNCAPConfig(population=3)
    c = _run(config, 120)
    # pacemakers fire once per period each, half a period apart; one latch neuron fires every tick
    assert np.nonzero(c["pacemaker"])[0].tolist() == [0, 30, 60, 90] and c["pacemaker"].sum() == 4
    assert np.all(c["latch"] == config.ticks_per_step)
    np.testing.assert_array_equal(c["pacemaker"] + c["latch"] + c["b"] + c["m"], c["spikes"])
    assert c["b"].sum() > 0 and c["m"].sum() > 0


def test_synops_follow_the_fan_outs():
    pop = 3
    c = _run(SpikingNCAPConfig(population=pop), 40)
    np.testing.assert_array_equal(c["synops"], 2 * c["pacemaker"] + (2 + pop) * c["latch"] + 2 * pop * c["b"])
    np.testing.assert_array_equal(c["macs"], 2 * 4 * pop)  # stretch currents of joints 1..4 (readout: decoding)
    np.testing.assert_array_equal(c["neuron_updates"], (4 + 4 * 5 * pop) * 15)
    silent = _run(SpikingNCAPConfig(population=1, oscillator=False), 10)  # latch drives no B_0
    np.testing.assert_array_equal(silent["synops"], 2 * silent["pacemaker"] + 2 * silent["latch"] + 2 * silent["b"])


def test_rate_ncap_and_mlp_macs():
    assert rate_macs(NCAPConfig(n_joints=5)) == 30
    assert mlp()["macs"] == 23 * 64 + 64 * 64 + 64 * 5
    assert mlp(hidden=(256, 256))["macs"] == 23 * 256 + 256 * 256 + 256 * 5  # the paper's MLP size
    assert mlp()["energy_nj"] == pytest.approx(5888 * 4.6e-3)


def test_shipped_ncaps_over_a_short_episode():
    spiking = ncap_spiking(seeds=(0,), episode_steps=40)
    rate = ncap_rate(seeds=(0,), episode_steps=40)
    assert spiking["decisions"] == rate["decisions"] == 40 and spiking["neurons"] == 24
    for key in ("synops", "spikes", "macs", "energy_nj", "synops_max", "energy_nj_max"):
        assert np.isfinite(spiking[key]) and spiking[key] > 0, key
    assert rate["macs"] == 30 and rate["synops"] == 0
    assert len(spiking["returns"]) == len(rate["returns"]) == 1
