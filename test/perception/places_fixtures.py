"""Small synthetic place data for the place-recognition tests: smooth random scenes per place."""

from __future__ import annotations

import numpy as np

from snn_control.perception.places.encoding import patch_normalize


def scenes(n_places: int, seed: int = 0, size: int = 28) -> np.ndarray:
    """``(n_places, size, size)`` grayscale scenes in 0..255, each a distinct smooth pattern."""
    import cv2

    rng = np.random.default_rng(seed)
    coarse = rng.random((n_places, 5, 5)).astype(np.float32)
    return np.stack([cv2.resize(c, (size, size), interpolation=cv2.INTER_CUBIC) for c in coarse]) * 200 + 20


def traverse(base: np.ndarray, gain: float, offset: float, noise: float, seed: int) -> np.ndarray:
    """The same places under another light: ``gain * base + offset`` plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    return np.clip(base * gain + offset + rng.normal(0, noise, base.shape), 0, 255).astype(np.float32)


def inputs(gray: np.ndarray) -> np.ndarray:
    """Patch-normalized model inputs ``(n, h * w)``."""
    return patch_normalize(gray).reshape(len(gray), -1)


def write_folder(root, names=("spring", "fall", "summer"), n_places: int = 10, size: int = 40, seed: int = 0):
    """A traverse data set on disk (one folder of PNGs per traverse) with ``n_places`` places."""
    import cv2

    base = scenes(n_places, seed, size)
    for k, name in enumerate(names):
        (root / name).mkdir(parents=True, exist_ok=True)
        imgs = traverse(base, 1.0 - 0.15 * k, 10.0 * k, 4.0, seed + k)
        for i, img in enumerate(imgs):
            cv2.imwrite(str(root / name / f"{i:05d}.png"), img.astype(np.uint8))
    return root
