"""Image encoding for the place SNNs: patch normalization and Poisson rate coding.

Patch normalization (Hussaini et al. 2023, after SeqSLAM): for every pixel of a grayscale image,
take the ``k x k`` window around it (reflected at the border),

    z = (I - mean_window) / std_window,    z clipped to [-1, 1],    P = 255 (z + 1) / 2,

so each pixel says how much brighter it is than its neighbourhood, which is what survives a change
of season or light. A window with no contrast (std below ``FLAT_STD`` = 0.5 grey levels: resampling
ripples, not scene) gives ``P = 127.5``, so a blank frame stays blank instead of becoming noise.

Poisson coding: pixel ``P`` (0..255) drives an input neuron at ``r = intensity * P / 4`` Hz (max
63.75 Hz at intensity 1); in a step of ``dt_s`` it spikes with probability ``r * dt_s``.
"""

from __future__ import annotations

import numpy as np

FLAT_STD = 0.5  # grey levels: a window with less contrast than this counts as flat


def _box_sum(a: np.ndarray, k: int) -> np.ndarray:
    """Sum over the ``k x k`` window centred on each pixel of ``a (n, h, w)`` (reflect padding)."""
    r = k // 2
    p = np.pad(a, ((0, 0), (r, r), (r, r)), mode="reflect")
    c = np.cumsum(np.cumsum(p, axis=1), axis=2)
    c = np.pad(c, ((0, 0), (1, 0), (1, 0)))
    h, w = a.shape[1:]
    return c[:, k:k + h, k:k + w] - c[:, :h, k:k + w] - c[:, k:k + h, :w] + c[:, :h, :w]


def patch_normalize(images: np.ndarray, patch: int = 7) -> np.ndarray:
    """Patch-normalize grayscale ``images (n, h, w)`` (or one ``(h, w)``) to float32 in [0, 255].

    Raises:
        ValueError: for a patch size that is not an odd integer >= 3, an image smaller than the
            patch, or non-finite pixels.
    """
    if isinstance(patch, bool) or not isinstance(patch, (int, np.integer)) or patch < 3 or patch % 2 == 0:
        raise ValueError(f"patch must be an odd integer >= 3, got {patch!r}")
    a = np.asarray(images, dtype=np.float64)
    single = a.ndim == 2
    if single:
        a = a[None]
    if a.ndim != 3 or a.shape[1] < patch or a.shape[2] < patch:
        raise ValueError(f"images must be (n, h, w) with h, w >= patch {patch}, got shape {np.shape(images)}")
    if not np.all(np.isfinite(a)):
        raise ValueError("images hold NaN or inf pixels")
    n = float(patch * patch)
    mean = _box_sum(a, patch) / n
    var = np.maximum(_box_sum(a * a, patch) / n - mean * mean, 0.0)
    std = np.sqrt(var)
    z = np.where(std > FLAT_STD, (a - mean) / np.maximum(std, FLAT_STD), 0.0)
    out = (127.5 * (np.clip(z, -1.0, 1.0) + 1.0)).astype(np.float32)
    return out[0] if single else out


def poisson_rates_hz(pixels: np.ndarray, intensity: float = 1.0) -> np.ndarray:
    """Input rates ``intensity * P / 4`` Hz of patch-normalized pixels ``P`` in [0, 255]."""
    return np.asarray(pixels, dtype=np.float32) * np.float32(intensity / 4.0)


def poisson_spikes(rates_hz: np.ndarray, steps: int, dt_s: float, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli-per-step Poisson spikes ``(..., steps, n)`` (bool) for ``rates_hz (..., n)``."""
    p = np.clip(np.asarray(rates_hz, dtype=np.float32) * np.float32(dt_s), 0.0, 1.0)
    shape = p.shape[:-1] + (int(steps), p.shape[-1])
    return rng.random(shape, dtype=np.float32) < p[..., None, :]
