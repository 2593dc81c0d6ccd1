"""The streaming recognizer: one decision per completed window, the offline computation, bounded work."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from snn_control.perception.events.types import EventSample
from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.data import build_windows, window_rng
from snn_control.perception.spikepoint.early_exit import run_early_exit
from snn_control.perception.spikepoint.model import SpikePoint
from snn_control.perception.spikepoint.preprocess import preprocess_window
from snn_control.perception.spikepoint.recognizer import StreamRecognizer
from test_spikepoint_data import blob_sample

CFG = SpikePointConfig(points=32, groups=8, neighbors=4, time_steps=4, min_events=8)


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    net = SpikePoint(CFG)
    with torch.no_grad():  # untrained layers are silent; shifts near the threshold make the voters spike
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm1d):
                module.bias.uniform_(0.5, 1.5)
    return net.eval()


def packets(events, dt):
    t = events["t"]
    edges = np.arange(t[0], t[-1] + dt, dt)
    idx = np.searchsorted(t, edges[1:], side="left")
    return np.split(events, idx)


def stream(recognizer, events, dt):
    out = []
    for p in packets(events, dt):
        out += recognizer.push(p)
    return out


def test_one_decision_per_completed_window_whatever_the_packet_size(model):
    ev = blob_sample(2, "s", 0, duration_s=3.0).events  # events from 0 s to 3 s exactly
    small = stream(StreamRecognizer(model, seed=4), ev, 0.05)
    assert len(small) == 11  # windows starting 0, 0.25, ..., 2.5 end by 3.0
    assert [d.window_start_s for d in small] == pytest.approx([0.25 * k for k in range(11)])
    assert all(d.label in CFG.classes and d.steps_used == 4 and d.reason == "" for d in small)
    assert all(len(d.scores) == 10 and d.window_end_s - d.window_start_s == pytest.approx(0.5) for d in small)
    large = stream(StreamRecognizer(model, seed=4), ev, 0.3)
    assert [(d.label, d.scores, d.n_events) for d in large] == [(d.label, d.scores, d.n_events) for d in small]


def test_stream_decisions_are_the_offline_computation(model):
    sample = blob_sample(1, "s", 3, duration_s=2.0)
    decisions = stream(StreamRecognizer(model, seed=9), sample.events, 0.1)
    ws = build_windows([sample], CFG, seed=9)  # recording 0: the same sampling generators
    assert len(decisions) == len(ws) == 7
    with torch.no_grad():
        for k, d in enumerate(decisions):
            local, cent = (torch.from_numpy(a) for a in ws.features(np.array([k])))
            gen = torch.Generator().manual_seed(9 * 1_000_003 + k)
            want = run_early_exit(model, local, cent, None, gen)[0][0]
            assert d.scores == pytest.approx(want.tolist(), abs=0), k
            assert d.window_start_s == pytest.approx(ws.t0[k])


def test_sparse_and_empty_windows_are_skipped_with_a_reason(model):
    a = blob_sample(0, "s", 1, duration_s=1.0).events
    b = blob_sample(0, "s", 2, duration_s=1.0, t_start=10.0).events
    ev = np.concatenate([a, b])
    rec = StreamRecognizer(model)
    decisions = stream(rec, ev, 0.05)
    # the grid from 0 s to the last complete window (start 10.5) is covered once, in order
    covered = []
    for d in decisions:
        n = round((d.window_end_s - d.window_start_s - 0.5) / 0.25) + 1
        covered += [round(d.window_start_s / 0.25) + i for i in range(n)]
    assert covered == list(range(43))
    gap = [d for d in decisions if d.reason.startswith("no events (")]
    assert len(gap) == 1 and gap[0].label is None and gap[0].n_events == 0
    assert gap[0].reason == "no events (34 windows)"  # starts 1.25 .. 9.5 hold no event
    assert (gap[0].window_start_s, gap[0].window_end_s) == pytest.approx((1.25, 10.0))
    # starts 0 .. 0.75 and 9.75 .. 10.5 are classified; [1.0, 1.5) holds only the last event of a, at 1.0
    labelled = [round(d.window_start_s, 2) for d in decisions if d.label is not None]
    assert labelled == [0.0, 0.25, 0.5, 0.75, 9.75, 10.0, 10.25, 10.5]
    assert [d.reason for d in decisions if d.window_start_s == pytest.approx(1.0)] == ["too few events (1 < 8)"]
    few = StreamRecognizer(model).push(EventSample(a[:5], 0, "s").events.copy())
    assert few == []  # nothing complete yet
    sparse = np.concatenate([a[::200], a[-1:]])  # ~5 events per window
    d = StreamRecognizer(model).push(sparse)
    assert d and all(x.label is None and x.reason.startswith("too few events") for x in d)


def test_a_window_where_no_voter_spikes_gets_no_label(model):
    silent = SpikePoint(CFG).eval()  # untrained: batch norm at rest keeps every layer below threshold
    rec = StreamRecognizer(silent)
    sample = blob_sample(1, "s0", 0, duration_s=1.0)
    decisions = [d for d in rec.push(sample.events, now_s=1.0) if d.n_events >= CFG.min_events]
    assert decisions and all(d.label is None and d.reason == "no voter spiked" for d in decisions)


def test_work_per_push_is_bounded(model):
    ev = blob_sample(3, "s", 5, duration_s=3.0).events
    rec = StreamRecognizer(model, max_windows_per_push=2)
    decisions = rec.push(ev)  # the whole stream at once: 11 windows complete
    assert len(decisions) == 11
    assert [d.label is not None for d in decisions] == [False] * 9 + [True] * 2  # the newest two are run
    assert all(d.reason.startswith("backlog") for d in decisions[:9])
    capped = StreamRecognizer(model, max_buffer_events=500)
    capped.push(ev[: len(ev) // 2])
    assert len(capped._buffer) <= 500 and capped.dropped_burst > 0


def test_late_events_are_dropped_and_a_jump_back_restarts(model):
    ev = blob_sample(0, "s", 6, duration_s=2.0).events
    rec = StreamRecognizer(model)
    assert len(rec.push(ev)) == 7
    rec.push(ev[(ev["t"] > 1.55) & (ev["t"] < 1.7)])  # older than the next window (start 1.75)
    assert rec.dropped_late > 0
    again = rec.push(ev)  # a replay from the start: more than a window back in time
    assert len(again) == 7 and again[0].window_start_s == pytest.approx(0.0)


def test_early_exit_uses_fewer_steps(model):
    ev = blob_sample(0, "s", 7, duration_s=1.5).events
    decisions = stream(StreamRecognizer(model, early_exit=0.1), ev, 0.1)  # 0.1 = 1 / classes: the floor
    assert decisions and all(d.steps_used == 1 for d in decisions)
    with pytest.raises(ValueError, match="early_exit"):
        StreamRecognizer(model, early_exit=1.5)
    with pytest.raises(ValueError, match="EVENT_DTYPE"):
        StreamRecognizer(model).push(np.zeros(3))


def test_samplings_average_independent_draws_of_each_window(model):
    sample = blob_sample(2, "s", 5, duration_s=1.0)
    one = stream(StreamRecognizer(model, seed=9), sample.events, 0.1)
    three = stream(StreamRecognizer(model, seed=9, samplings=3), sample.events, 0.1)
    assert len(three) == len(one) > 0
    with torch.no_grad():
        for k, d in enumerate(three):  # draw j: the points of sampling stream j, its own input spikes
            t0 = d.window_start_s
            ev = sample.events[(sample.events["t"] >= t0) & (sample.events["t"] < t0 + CFG.window_s)]
            want = 0.0
            for j in range(3):
                local, cent = (torch.from_numpy(a) for a in preprocess_window(ev, t0, t0 + CFG.window_s, CFG,
                                                                               window_rng(9, j, k)))
                gen = torch.Generator().manual_seed(9 * 1_000_003 + k + 7_919 * j)
                want = want + run_early_exit(model, local, cent, None, gen)[0][0]
            assert d.scores == pytest.approx((want / 3).tolist(), abs=1e-6), k
    assert [d.scores for d in one] != [d.scores for d in three]
    with pytest.raises(ValueError, match="samplings"):
        StreamRecognizer(model, samplings=0)
    with pytest.raises(ValueError, match="does not combine"):
        StreamRecognizer(model, samplings=2, early_exit=0.9)
