"""SpikePoint preprocessing (numpy): windows, normalization, sampling, FPS, kNN, group features."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from snn_control.perception.events.types import make_events
from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.preprocess import (farthest_point_sampling, group_features, group_points, knn,
                                                         normalize_events, preprocess_window, sample_points,
                                                         slice_window, window_starts)


def test_window_starts_cover_complete_windows_only():
    np.testing.assert_allclose(window_starts(0.0, 1.0, 0.5, 0.25), [0.0, 0.25, 0.5])
    np.testing.assert_allclose(window_starts(2.0, 3.1, 0.5, 0.25), [2.0, 2.25, 2.5])  # 2.75 + 0.5 > 3.1
    np.testing.assert_allclose(window_starts(0.0, 0.74999, 0.5, 0.25), [0.0])
    np.testing.assert_allclose(window_starts(0.0, 0.2, 0.5, 0.25), [0.0])  # shorter than a window: one
    # stride * k accumulates no drift over a long recording (7.5 s: 29 windows, the last ends at 7.5)
    starts = window_starts(0.0, 7.5, 0.5, 0.25)
    assert len(starts) == 29 and starts[-1] + 0.5 == pytest.approx(7.5)
    with pytest.raises(ValueError, match="before"):
        window_starts(1.0, 0.5, 0.5, 0.25)


def test_slice_window_is_half_open():
    t = np.array([0.0, 0.1, 0.5, 0.5, 0.74, 0.75, 1.0])
    assert slice_window(t, 0.0, 0.5) == slice(0, 2)  # 0.5 belongs to the next window
    assert slice_window(t, 0.25, 0.75) == slice(2, 5)
    assert slice_window(t, 0.5, 1.0) == slice(2, 6)
    assert slice_window(t, 2.0, 2.5) == slice(7, 7)


def test_normalize_drops_polarity_and_maps_to_unit_cube():
    ev = make_events([0, 127, 64], [0, 127, 32], [10.0, 10.25, 10.4999], [1, -1, 1])
    xyz = normalize_events(ev, 10.0, 10.5, 128, 128)
    assert xyz.dtype == np.float32 and xyz.shape == (3, 3)
    np.testing.assert_allclose(xyz, [[0, 0, 0], [127 / 128, 127 / 128, 0.5], [0.5, 0.25, 0.9998]], atol=1e-6)


def test_sampling_subsets_or_repeats_and_is_seeded():
    xyz = np.arange(30, dtype=np.float32).reshape(10, 3)
    few = sample_points(xyz, 4, np.random.default_rng(1))
    assert len({tuple(r) for r in few}) == 4  # without replacement
    many = sample_points(xyz, 25, np.random.default_rng(1))
    assert many.shape == (25, 3) and {tuple(r) for r in many} == {tuple(r) for r in xyz}  # every event kept
    np.testing.assert_array_equal(sample_points(xyz, 25, np.random.default_rng(1)), many)
    with pytest.raises(ValueError, match="empty"):
        sample_points(xyz[:0], 4, np.random.default_rng(0))


def test_fps_picks_the_far_points_of_a_hand_made_cloud():
    # a tight cluster near the origin and three far corners: after the start, FPS takes the corners
    cloud = np.array([[0, 0, 0], [0.01, 0, 0], [0, 0.01, 0], [1, 1, 1], [1, 0, 0], [0, 1, 0.5], [0.02, 0.01, 0]],
                     dtype=np.float32)
    idx = farthest_point_sampling(cloud[None], 4)[0]
    assert idx[0] == 0
    assert idx[1] == 3  # (1, 1, 1) is farthest from the origin
    assert set(idx[2:]) == {4, 5}
    # batch rows are independent; m = N returns a permutation
    two = farthest_point_sampling(np.stack([cloud, cloud[::-1].copy()]), 7)
    assert sorted(two[0]) == list(range(7)) and sorted(two[1]) == list(range(7))
    np.testing.assert_array_equal(two[0], farthest_point_sampling(cloud[None], 7)[0])


def test_fps_maximizes_the_minimum_spacing_against_random_choice():
    rng = np.random.default_rng(3)
    pts = rng.random((1, 400, 3), dtype=np.float32)

    def spacing(sel):
        d = np.linalg.norm(sel[:, None] - sel[None], axis=-1) + np.eye(len(sel)) * 9
        return d.min()

    fps = spacing(pts[0, farthest_point_sampling(pts, 32)[0]])
    rand = max(spacing(pts[0, rng.choice(400, 32, replace=False)]) for _ in range(20))
    assert fps > 1.5 * rand


def test_knn_matches_brute_force_and_the_fps_reuse():
    rng = np.random.default_rng(5)
    pts = rng.random((3, 200, 3), dtype=np.float32)
    pts[1, 100:] = pts[1, :100]  # repeated points (a window sampled with replacement): ties
    cidx, nidx = group_points(pts, groups=20, k=8, chunk=2)
    for b in range(3):
        cent = pts[b, cidx[b].astype(int)]
        brute = ((cent[:, None, :].astype(np.float64) - pts[b][None].astype(np.float64)) ** 2).sum(-1)
        want = np.sort(brute, axis=1)[:, :8]
        got = np.sort(np.take_along_axis(brute, nidx[b].astype(int), axis=1), axis=1)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
        assert all(len(set(row)) == 8 for row in nidx[b])
        # the centroid is its own nearest neighbour
        assert all(cidx[b][g] in nidx[b][g] or brute[g, nidx[b][g]].min() == 0 for g in range(20))
    direct = knn(pts, np.take_along_axis(pts, cidx[..., None].astype(int), axis=1), 8)
    d_direct = np.sort(np.take_along_axis(
        ((np.take_along_axis(pts, cidx[..., None].astype(int), axis=1)[:, :, None] - pts[:, None]) ** 2).sum(-1),
        direct, axis=2), axis=2)
    d_fused = np.sort(np.take_along_axis(
        ((np.take_along_axis(pts, cidx[..., None].astype(int), axis=1)[:, :, None] - pts[:, None]) ** 2).sum(-1),
        nidx.astype(int), axis=2), axis=2)
    np.testing.assert_allclose(d_fused, d_direct, rtol=1e-6)
    assert cidx.dtype == np.uint16


def test_group_features_follow_the_definition():
    rng = np.random.default_rng(2)
    pts = (0.2 + 0.6 * rng.random((2, 64, 3))).astype(np.float32)
    cidx, nidx = group_points(pts, 8, 5)
    local, cent = group_features(pts, cidx, nidx)
    assert local.shape == (2, 8, 5, 6) and cent.shape == (2, 8, 3)
    assert local.dtype == np.float32 and local.min() >= 0 and local.max() <= 1
    b, g = 1, 3
    nbr = pts[b, nidx[b, g].astype(int)]
    c = pts[b, cidx[b, g]]
    offsets = pts[b, nidx[b].astype(int)] - pts[b, cidx[b].astype(int)][:, None]
    sd = offsets.std()
    np.testing.assert_allclose(local[b, g, :, :3], np.clip(np.abs(nbr - c) / sd, 0, 1), rtol=1e-5)
    np.testing.assert_allclose(local[b, g, :, 3:], np.broadcast_to(nbr.min(axis=0), (5, 3)))
    np.testing.assert_allclose(cent[b, g], c)
    # a window of one repeated event: zero offsets, no division by zero
    same = np.full((1, 16, 3), 0.5, np.float32)
    local, _ = group_features(same, *group_points(same, 4, 3))
    assert np.isfinite(local).all() and np.all(local[..., :3] == 0)


def test_preprocess_window_skips_sparse_windows_and_is_seeded():
    cfg = SpikePointConfig(points=64, groups=16, neighbors=8, min_events=10)
    rng = np.random.default_rng(0)
    n = 300
    ev = make_events(rng.integers(0, 128, n), rng.integers(0, 128, n), np.sort(rng.random(n) * 0.5), np.ones(n))
    a = preprocess_window(ev, 0.0, 0.5, cfg, np.random.default_rng(7))
    b = preprocess_window(ev, 0.0, 0.5, cfg, np.random.default_rng(7))
    assert a[0].shape == (1, 16, 8, 6) and a[1].shape == (1, 16, 3)
    np.testing.assert_array_equal(a[0], b[0])
    assert preprocess_window(ev[:9], 0.0, 0.5, cfg, np.random.default_rng(7)) is None


def test_config_validation_and_default_groups():
    assert SpikePointConfig(points=512).groups == 256
    assert SpikePointConfig.from_dict(SpikePointConfig(points=256).to_dict()) == SpikePointConfig(points=256)
    for bad, field in (({"preset": "huge"}, "preset"), ({"points": 0}, "points"), ({"groups": 2048}, "groups"),
                       ({"window_s": 0.0}, "window_s"), ({"classes": ("a",)}, "classes"), ({"tau_init": 1.0}, "tau_init")):
        with pytest.raises(ValueError, match=field):
            SpikePointConfig(**bad)


def test_preprocessing_does_not_import_torch():
    code = ("import sys\nimport snn_control.perception.spikepoint, snn_control.perception.spikepoint.preprocess\n"
            "import snn_control.perception.spikepoint.config\nprint('torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_jitter_points_moves_the_image_plane_only_and_keeps_the_cloud_on_the_sensor():
    from snn_control.perception.spikepoint.preprocess import jitter_points

    rng = np.random.default_rng(0)
    pts = rng.uniform(0.3, 0.7, size=(64, 200, 3)).astype(np.float32)
    out = jitter_points(pts, np.random.default_rng(1), scale=0.15, shift=0.08, rotate_deg=10.0)
    assert out.dtype == np.float32 and out.shape == pts.shape and out is not pts
    np.testing.assert_array_equal(out[..., 2], pts[..., 2])  # time untouched
    assert out[..., :2].min() >= 0.0 and out[..., :2].max() <= 1.0
    assert not np.allclose(out, pts)
    # a similarity transform: all pairwise xy distances of a cloud scale by one factor in [0.85, 1.15]
    d_in = np.linalg.norm(pts[:, :1, :2] - pts[:, 1:, :2], axis=-1)
    d_out = np.linalg.norm(out[:, :1, :2] - out[:, 1:, :2], axis=-1)
    ratio = d_out / d_in
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[:, :1], ratio.shape), rtol=2e-3)
    assert 0.85 - 1e-5 <= ratio.min() and ratio.max() <= 1.15 + 1e-5
    # no mirror: the signed area (orientation) of every point triple keeps its sign
    def cross(p):
        a, b, c = p[:, 0, :2], p[:, 1, :2], p[:, 2, :2]
        return (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    assert np.all(np.sign(cross(out)) == np.sign(cross(pts)))
    np.testing.assert_array_equal(jitter_points(pts, np.random.default_rng(1), 0.0, 0.0, 0.0), pts)
