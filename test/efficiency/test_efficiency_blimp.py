"""Blimp efficiency: per-tick counts of a network by hand, a closed-loop run replayed open loop."""

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.snn.controller import BlimpSNNController
from snn_control.efficiency.blimp import (PID_MACS, blimp_pair_dense, fly_counting, network_dense_macs,
                                          network_tick_counts, pid)


def _net(neurons, cross=False, recurrent=False):
    w = np.ones((1, neurons))
    return SimpleNamespace(neurons=neurons, hid_cross=w if cross else None, rec_self=w if recurrent else None)


def _state(s0, s1):
    return SimpleNamespace(enc=SimpleNamespace(s=np.array(s0, float)), hid=SimpleNamespace(s=np.array(s1, float)))


def test_one_tick_by_hand():
    state = _state([[1, 0, 1, 0]], [[0, 1, 0, 0]])  # P = 2: 2 encoder spikes, 1 hidden spike
    prev = np.array([[1.0, 1.0, 0.0, 1.0]])
    plain = network_tick_counts(_net(4), state, prev)
    assert plain["synops"][0] == 2 * 1 + 1  # diagonal l0 -> l1, one readout weight per l1 spike
    assert plain["macs"][0] == 4  # one analog synapse per encoder neuron
    assert plain["spikes"][0] == 3
    assert plain["neuron_updates"][0] == 9  # 8 LIF + the readout
    block = network_tick_counts(_net(4, cross=True), state, prev)
    assert block["synops"][0] == 2 * 2 + 1
    recurrent = network_tick_counts(_net(4, cross=True, recurrent=True), state, prev)
    assert recurrent["synops"][0] == 2 * 2 + 1 + 3 * 2  # last tick's 3 l1 spikes, self + partner


def test_dense_graph_and_pid():
    assert network_dense_macs(_net(40)) == 40 + 40 + 40
    assert network_dense_macs(_net(40, cross=True, recurrent=True)) == 40 + 80 + 80 + 40
    assert blimp_pair_dense()["macs"] == 240  # the shipped pair: plain diagonal layouts, P = 20
    p = pid()
    assert p["macs"] == PID_MACS == 3 and p["synops"] == 0 and p["energy_nj"] == pytest.approx(3 * 4.6e-3)


def test_closed_loop_counts_equal_an_open_loop_replay_of_the_same_errors():
    controller = BlimpSNNController.from_artifacts()
    profile = SetpointProfile((0.5, 1.0), (4.0, 6.0))
    (pd, i), flight, facts = fly_counting(controller, ["nominal", "heavy"], profile, seed=3)
    assert facts["held_ticks"] == 0 and facts["ticks"] == 2 * 100
    for counts, net in ((pd, controller.pd), (i, controller.i)):
        got = counts.arrays()
        assert len(got["spikes"]) == 200
        expected = []
        for row in range(2):
            net.reset()
            for e in flight.error_m[row]:
                net.step(float(e))
                expected.append(net.state.enc.s.sum() + net.state.hid.s.sum())
        np.testing.assert_array_equal(got["spikes"], expected)
        assert got["spikes"].sum() > 0
        np.testing.assert_array_equal(got["synops"], got["spikes"])  # fan-out 1 in the shipped layouts
        assert np.all(got["macs"] == 40) and np.all(np.isfinite(got["energy_nj"]))


def test_blimp_counting_never_imports_torch():
    code = ("import sys\nfrom snn_control.efficiency import blimp_pair_per_tick\n"
            "from snn_control.efficiency.blimp import fly_counting, pid\n"
            "from snn_control.blimp.profiles import SetpointProfile\n"
            "from snn_control.blimp.snn.controller import BlimpSNNController\n"
            "fly_counting(BlimpSNNController.from_artifacts(), ['nominal'], SetpointProfile((0.5,), (1.0,)))\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'torch')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_blimp_pair_per_tick_is_finite_and_positive():
    from snn_control.efficiency import blimp_pair_per_tick

    r = blimp_pair_per_tick(seed=0)
    assert r["decisions"] == 5 * 7000 and r["neurons"] == 160 and r["held_ticks"] == 0
    for key in ("synops", "spikes", "macs", "energy_nj", "synops_max", "energy_nj_max"):
        assert np.isfinite(r[key]) and r[key] > 0, key
    assert r["synops_max"] >= r["synops"] and r["energy_nj_max"] >= r["energy_nj"]
    assert r["macs"] == 80  # 2 x 40 encoder synapses on the analog error
    assert r["synops"] == pytest.approx(r["pd"]["synops"] + r["i"]["synops"])
