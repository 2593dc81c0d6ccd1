"""SpikePoint windows of labelled recordings: building, caching, subject split.

:func:`blob_sample` (a blob of events crossing the sensor in a class-specific direction) is the
toy recording the other SpikePoint tests import.
"""

from __future__ import annotations

import numpy as np
import pytest

from snn_control.perception.events.types import EventSample, make_events
from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.data import WindowSet, build_windows, cache_key, split_by_subject
from snn_control.perception.spikepoint.preprocess import group_features, group_points, window_points
from snn_control.perception.spikepoint.data import window_rng

TINY = dict(points=32, groups=8, neighbors=4, time_steps=4, min_events=8)


def blob_sample(label: int, subject: str, seed: int, duration_s: float = 1.5, rate_hz: float = 2000.0,
                n_classes: int = 4, t_start: float = 0.0) -> EventSample:
    """Events of a blob (sigma 5 px) crossing the sensor along direction ``2 pi label / n_classes``."""
    rng = np.random.default_rng(seed)
    n = int(rate_hz * duration_s)
    t = np.sort(rng.random(n)) * duration_s
    t[0], t[-1] = 0.0, duration_s  # the recording spans exactly [t_start, t_start + duration_s]
    angle = 2 * np.pi * label / n_classes
    phase = 2 * (t % 0.75) / 0.75 - 1  # crosses every 0.75 s, so every window sees a crossing
    x = np.clip(64 + 40 * phase * np.cos(angle) + rng.normal(0, 5, n), 0, 127)
    y = np.clip(64 + 40 * phase * np.sin(angle) + rng.normal(0, 5, n), 0, 127)
    ev = make_events(x.astype(np.uint16), y.astype(np.uint16), t_start + t, rng.choice([-1, 1], n))
    return EventSample(ev, label, subject, source=f"blob_{subject}_{label}_{seed}")


def test_build_windows_matches_one_window_at_a_time():
    cfg = SpikePointConfig(**TINY)
    samples = [blob_sample(1, "s0", 0), blob_sample(2, "s1", 1, duration_s=0.9, t_start=5.0)]
    ws = build_windows(samples, cfg, seed=3)
    assert len(ws) == 5 + 2 and ws.skipped == 0  # 1.5 s: 5 windows; 0.9 s: 2
    assert ws.labels.tolist() == [1] * 5 + [2] * 2 and ws.recording.tolist() == [0] * 5 + [1] * 2
    np.testing.assert_allclose(ws.t0, [0.0, 0.25, 0.5, 0.75, 1.0, 5.0, 5.25])  # anchored at the first event
    # window 1 of recording 1, built alone with its own generator: the same points and features
    t0 = ws.t0[6]
    ev = samples[1].events
    sel = ev[(ev["t"] >= t0) & (ev["t"] < t0 + 0.5)]
    pts = window_points(sel, t0, t0 + 0.5, cfg, window_rng(3, 1, 1))
    np.testing.assert_array_equal(ws.points[6], pts)
    local, cent = group_features(pts[None], *group_points(pts[None], cfg.groups, cfg.neighbors))
    got = ws.features(np.array([6]))
    np.testing.assert_array_equal(got[0], local)
    np.testing.assert_array_equal(got[1], cent)
    assert ws.recording_labels().tolist() == [1, 2]


def test_sparse_windows_are_skipped_and_counted():
    cfg = SpikePointConfig(**{**TINY, "min_events": 500})
    ws = build_windows([blob_sample(0, "s0", 0, rate_hz=900.0)], cfg)  # ~450 events per window
    assert len(ws) == 0 and ws.skipped == 5
    assert ws.features(slice(0, 0))[0].shape == (0, 8, 4, 6)


def test_cache_round_trip_and_key(tmp_path):
    cfg = SpikePointConfig(**TINY)
    samples = [blob_sample(0, "s0", 0), blob_sample(3, "s1", 1)]
    key = cache_key(samples, cfg, seed=0)
    ws = build_windows(samples, cfg)
    ws.save(tmp_path / "w.npz", key)
    back = WindowSet.load(tmp_path / "w.npz", key)
    for name in ("points", "centroid_idx", "neighbor_idx", "labels", "recording", "t0"):
        np.testing.assert_array_equal(getattr(back, name), getattr(ws, name))
    assert back.subjects == ("s0", "s1")
    assert WindowSet.load(tmp_path / "w.npz", cache_key(samples, cfg, seed=1)) is None  # another seed
    assert cache_key(samples, SpikePointConfig(**{**TINY, "points": 64}), 0) != key
    assert cache_key(samples[:1], cfg, 0) != key
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert WindowSet.load(tmp_path / "bad.npz", key) is None
    assert WindowSet.load(tmp_path / "missing.npz", key) is None


def test_split_by_subject_holds_out_whole_subjects():
    samples = [blob_sample(i % 4, f"s{i % 7}", i, duration_s=0.6) for i in range(28)]
    train, val, held = split_by_subject(samples, 0.3, seed=0)
    assert len(held) == 2
    assert {s.subject for s in val} == set(held) and not {s.subject for s in train} & set(held)
    assert len(train) + len(val) == 28
    assert split_by_subject(samples, 0.3, seed=0)[2] == held  # seeded
    assert split_by_subject(samples, 0.0, seed=0)[2] == ()
    assert split_by_subject(samples[:1], 0.5, seed=0)[2] == ()  # one subject: nothing to hold out
    assert len(split_by_subject(samples, 0.01, seed=0)[2]) == 1  # a positive fraction holds out one at least
    with pytest.raises(ValueError, match="val_fraction"):
        split_by_subject(samples, 1.0, 0)
