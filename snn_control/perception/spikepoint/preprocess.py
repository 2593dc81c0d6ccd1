"""Events to SpikePoint inputs, in numpy: windows, normalization, sampling, grouping, features.

For a window [t0, t1) of an event stream (Ren et al. 2024, section 3.1):

    p_i = (x_i / W, y_i / H, (t_i - t0) / (t1 - t0))       polarity dropped; p_i in [0, 1)^3
    P   = N points drawn from the window's p_i              without replacement when there are
                                                            enough, else all of them plus draws
    c_g = FPS(P, G)                                         G centroids, farthest-point sampling
    n_gk = kNN(P, c_g, K)                                   the K nearest points (squared Euclidean)
    d_gk = (n_gk - c_g) / SD                                SD: std of all offsets of the window
    local_gk = clip([|d_gk|, min_k n_gk], 0, 1)             [G, K, 6]: |dx|, |dy|, |dt|, x_min, y_min, t_min
    centroid_g = c_g                                        [G, 3]

The absolute value and the clip make every value a firing probability for rate coding; the
group's minimum corner (x_min, y_min, t_min) restores the position the absolute offsets lose.
Grouping (FPS + kNN) is the costly part, so it is split from the features: :func:`group_points`
returns indices that a data set caches once, and :func:`group_features` rebuilds the features
from them per batch by gathers. Everything is batch-first over windows ``[B, ...]``.
"""

from __future__ import annotations

import numpy as np

from snn_control.perception.spikepoint.config import SpikePointConfig


def window_starts(t_first: float, t_last: float, window_s: float, stride_s: float) -> np.ndarray:
    """Start times of the complete windows [s, s + window_s) of a stream spanning [t_first, t_last].

    Windows start at ``t_first + k * stride_s`` and are complete when ``s + window_s <= t_last``
    (an event at or after a window's end has been seen). A stream shorter than one window has
    one window (at ``t_first``), so a short recording is not lost.
    """
    if t_last < t_first:
        raise ValueError(f"t_last ({t_last}) is before t_first ({t_first})")
    n = int(np.floor((t_last - t_first - window_s) / stride_s + 1e-9)) + 1
    return t_first + stride_s * np.arange(max(n, 1))


def slice_window(t: np.ndarray, t0: float, t1: float) -> slice:
    """The events of a time-sorted stream with ``t0 <= t < t1``."""
    lo, hi = np.searchsorted(t, (t0, t1), side="left")
    return slice(int(lo), int(hi))


def normalize_events(events: np.ndarray, t0: float, t1: float, width: int, height: int) -> np.ndarray:
    """``[n, 3]`` float32 ``(x / width, y / height, (t - t0) / (t1 - t0))`` of an event record."""
    out = np.empty((len(events), 3), dtype=np.float32)
    out[:, 0] = events["x"] / np.float32(width)
    out[:, 1] = events["y"] / np.float32(height)
    out[:, 2] = (events["t"] - t0) / (t1 - t0)
    return out


def sample_points(xyz: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` rows of ``xyz``: a random subset, or (too few rows) all of them plus random repeats."""
    m = len(xyz)
    if m == 0:
        raise ValueError("cannot sample points from an empty window")
    if m >= n:
        idx = np.sort(rng.choice(m, size=n, replace=False))
    else:
        idx = np.concatenate([np.arange(m), rng.integers(0, m, size=n - m)])
    return xyz[idx]


def window_points(events: np.ndarray, t0: float, t1: float, cfg: SpikePointConfig,
                  rng: np.random.Generator) -> np.ndarray | None:
    """``[N, 3]`` sampled, normalized points of the events in [t0, t1), or None below ``min_events``."""
    if len(events) < cfg.min_events:
        return None
    xyz = normalize_events(events, t0, t1, cfg.sensor_width, cfg.sensor_height)
    return sample_points(xyz, cfg.points, rng)


def farthest_point_sampling(points: np.ndarray, m: int, keep_distances: bool = False):
    """Indices ``[B, m]`` of m farthest-point-sampled centroids of each cloud ``points[B, N, 3]``.

    Starts at point 0 (the sampled points are in random order) and adds, m - 1 times, the point
    farthest from the chosen set. O(m * N) per cloud; the loop runs over m with all B clouds at once,
    so batching windows amortizes the Python overhead. Once every distinct point is chosen (a cloud
    with repeats), the remaining picks repeat index 0. With ``keep_distances`` it also returns the
    squared distances ``[B, m, N]`` from each centroid to every point, which the loop computes
    anyway (from coordinate differences, so exact to float32 rounding) and kNN then reuses.
    """
    b, n, _ = points.shape
    if not 1 <= m <= n:
        raise ValueError(f"m must be in 1..{n}, got {m}")
    px, py, pt = (np.ascontiguousarray(points[..., a], dtype=np.float32) for a in range(3))
    rows = np.arange(b)
    idx = np.empty((b, m), dtype=np.intp)
    dist = np.full((b, n), np.inf, dtype=np.float32)
    rows_d = np.empty((b, m, n), dtype=np.float32) if keep_distances else None
    d = np.empty((b, n), dtype=np.float32)
    tmp = np.empty((b, n), dtype=np.float32)
    far = np.zeros(b, dtype=np.intp)
    for i in range(m):
        idx[:, i] = far
        if rows_d is not None:
            d = rows_d[:, i]
        np.subtract(px, px[rows, far][:, None], out=d)
        np.multiply(d, d, out=d)
        np.subtract(py, py[rows, far][:, None], out=tmp)
        np.multiply(tmp, tmp, out=tmp)
        d += tmp
        np.subtract(pt, pt[rows, far][:, None], out=tmp)
        np.multiply(tmp, tmp, out=tmp)
        d += tmp
        np.minimum(dist, d, out=dist)
        far = dist.argmax(axis=1)
    return (idx, rows_d) if keep_distances else idx


def nearest(sq_dist: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k smallest entries along the last axis (in no particular order)."""
    n = sq_dist.shape[-1]
    if not 1 <= k <= n:
        raise ValueError(f"k must be in 1..{n}, got {k}")
    if k == n:
        return np.broadcast_to(np.arange(n), sq_dist.shape).copy()
    return np.argpartition(sq_dist, k - 1, axis=-1)[..., :k]


def knn(points: np.ndarray, centroids: np.ndarray, k: int) -> np.ndarray:
    """Indices ``[B, G, k]`` of the k points of ``points[B, N, 3]`` nearest each of ``centroids[B, G, 3]``.

    Exact (squared Euclidean distances from coordinate differences, then a partial sort); the k
    indices of a group are in no particular order. Ties are broken arbitrarily.
    """
    d = np.zeros(centroids.shape[:2] + (points.shape[1],), dtype=np.float32)
    for a in range(3):
        diff = centroids[:, :, None, a] - points[:, None, :, a]
        d += diff * diff
    return nearest(d, k)


def group_points(points: np.ndarray, groups: int, k: int, chunk: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """FPS centroids and their kNN for a batch of clouds ``[B, N, 3]``, ``chunk`` clouds at a time.

    ``snn-control eval spikepoint`` reports the preprocessing time per window
    (``preprocess_ms_per_window``).

    Returns ``(centroid_idx [B, G], neighbor_idx [B, G, K])`` as uint16 (int32 beyond 65536 points).
    """
    b, n, _ = points.shape
    dtype = np.uint16 if n <= 65536 else np.int32
    cidx = np.empty((b, groups), dtype=dtype)
    nidx = np.empty((b, groups, k), dtype=dtype)
    for lo in range(0, b, chunk):
        p = points[lo:lo + chunk]
        c, sq_dist = farthest_point_sampling(p, groups, keep_distances=True)
        cidx[lo:lo + chunk] = c
        nidx[lo:lo + chunk] = nearest(sq_dist, k)  # the same as knn(p, centroids, k), distances reused
    return cidx, nidx


def group_features(points: np.ndarray, centroid_idx: np.ndarray,
                   neighbor_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(local [B, G, K, 6], centroids [B, G, 3])`` float32 in [0, 1] (module docstring)."""
    b, g, k = neighbor_idx.shape
    rows = np.arange(b)[:, None, None]
    cent = points[rows[..., 0], centroid_idx.astype(np.intp)]  # [B, G, 3]
    nbr = points[rows, neighbor_idx.astype(np.intp)]  # [B, G, K, 3]
    off = nbr - cent[:, :, None, :]
    sd = off.reshape(b, g * k * 3).std(axis=1) if b else np.ones(0, np.float32)
    sd = np.where(sd > 1e-12, sd, 1.0).astype(np.float32)
    local = np.empty((b, g, k, 6), dtype=np.float32)
    np.abs(off, out=local[..., :3])
    local[..., :3] /= sd[:, None, None, None]
    local[..., 3:] = nbr.min(axis=2)[:, :, None, :]
    np.clip(local, 0.0, 1.0, out=local)
    return local, np.clip(cent, 0.0, 1.0).astype(np.float32, copy=False)


def jitter_points(points: np.ndarray, rng: np.random.Generator, scale: float, shift: float,
                  rotate_deg: float) -> np.ndarray:
    """A random similarity transform of each cloud ``points[B, N, 3]`` in the image plane (training
    augmentation): ``(x, y)`` rotated by U(-rotate_deg, rotate_deg) degrees and scaled by
    U(1 - scale, 1 + scale) about the cloud's mean, then shifted by up to ``shift`` per axis, no
    further than keeps the cloud's bounding box on the sensor ([0, 1]). ``t`` is untouched, and no
    cloud is mirrored (left and right hands, clockwise and counter-clockwise are different classes).
    Returns a new float32 array.
    """
    b = len(points)
    angle = np.deg2rad(rng.uniform(-rotate_deg, rotate_deg, b))
    factor = rng.uniform(1.0 - scale, 1.0 + scale, b)
    cos, sin = (np.cos(angle) * factor)[:, None], (np.sin(angle) * factor)[:, None]
    xy = points[..., :2].astype(np.float64)
    mean = xy.mean(axis=1, keepdims=True)
    rel = xy - mean
    moved = np.stack([cos * rel[..., 0] - sin * rel[..., 1], sin * rel[..., 0] + cos * rel[..., 1]], axis=-1) + mean
    lo = np.maximum(-shift, -moved.min(axis=1))  # [B, 2]: the shifts that keep the box on [0, 1]
    hi = np.minimum(shift, 1.0 - moved.max(axis=1))
    d = np.where(lo <= hi, lo + rng.random((b, 2)) * (hi - lo), 0.0)
    out = points.astype(np.float32, copy=True)
    out[..., :2] = moved + d[:, None, :]
    return out


def preprocess_window(events: np.ndarray, t0: float, t1: float, cfg: SpikePointConfig,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray] | None:
    """One window's ``(local [1, G, K, 6], centroids [1, G, 3])``, or None below ``min_events``."""
    pts = window_points(events, t0, t1, cfg, rng)
    if pts is None:
        return None
    cidx, nidx = group_points(pts[None], cfg.groups, cfg.neighbors)
    return group_features(pts[None], cidx, nidx)
