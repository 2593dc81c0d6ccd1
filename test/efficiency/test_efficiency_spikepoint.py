"""SpikePoint efficiency on a tiny untrained model: counts per window and the ANN's MACs by hand."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from snn_control.efficiency.spikepoint import spikepoint  # noqa: E402
from snn_control.perception.events.types import EventSample, make_events  # noqa: E402


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _samples(n=2, duration_s=1.0, events=3000):
    out = []
    for k in range(n):
        rng = np.random.default_rng(k)
        t = np.sort(rng.random(events)) * duration_s
        xy = rng.integers(0, 128, (2, events)).astype(np.uint16)
        out.append(EventSample(make_events(xy[0], xy[1], t, rng.choice([-1, 1], events)), k, f"s{k}", source=f"r{k}"))
    return out


def test_windows_are_counted_one_by_one_and_the_ann_by_hand(tiny_spikepoint):
    from snn_control.perception.spikepoint.artifact import load_model
    from snn_control.perception.spikepoint.data import build_windows

    snn, ann = spikepoint(_samples(), model_path=tiny_spikepoint, seed=1)
    assert snn["decisions"] == len(build_windows(_samples(), load_model(tiny_spikepoint)[0].cfg, 1)) >= 2
    for key in ("synops", "spikes", "energy_nj", "synops_max", "energy_nj_max"):
        assert np.isfinite(snn[key]) and snn[key] > 0, key
    assert snn["macs"] == 0  # every layer is fed spike counts
    assert snn["energy_nj"] == pytest.approx(0.9e-3 * snn["synops"])
    assert snn["synops_max"] >= snn["synops"]
    g, k, (c1, c2, c3, c4), out = 16, 8, (32, 64, 128, 256), 10 * 10  # the fixture's config, small widths
    by_hand = (g * k * (6 * c1 + c1 * c1 // 2 * 2) + g * (3 * c1 + c1 * c1 // 2 * 2)
               + g * (c1 * c2 + c2 * c2 + c2 * c3 + c3 * c3 + c3 * c4) + c4 * c4 + c4 * out)
    assert ann["macs"] == by_hand and ann["synops"] == 0
    assert ann["energy_nj"] == pytest.approx(4.6e-3 * by_hand)
    again, _ = spikepoint(_samples(), model_path=tiny_spikepoint, seed=1)
    assert again["synops"] == snn["synops"]  # seeded
