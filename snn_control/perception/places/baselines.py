"""Baselines in the same harness: SAD (SeqSLAM's single-image front end) and VPRTempo's method.

**SAD.** Grayscale, downsampled (64 x 32 by default, as SeqSLAM), normalized in non-overlapping
8 x 8 patches (each patch minus its mean, divided by its std), then the mean absolute difference to
every reference image of every reference traverse; a place's distance is its smallest over the
reference traverses, and the smallest distance wins. Score = -distance; confidence = runner-up
distance - best distance.

**VPRTempo** (Hines et al. 2024), reimplemented from its description (the PyPI package pulls a CUDA
torch build). Each input pixel is one graded spike ``x`` in [0, 1] (patch-normalized / 255). A layer
answers ``out = clamp(W x - theta, 0, 0.9)``. Per module (``places_per_module`` contiguous places):

* a feature layer of ``2 * n_input`` neurons, sparse random signed weights, learned without labels
  by STDP ``dW = eta_stdp * out (x - mean(x))`` (co-active pre/post potentiate, post without pre
  depresses) with threshold plasticity
  ``dtheta = eta_itp * (out - target_rate)``;
* an output layer with one neuron per place, trained supervised with the delta rule
  ``dW = eta_out * (target - out) h / |h|^2`` (target 0.9 for the true place, 0 for the others; the
  step is normalized by ``|h|^2`` so that it stays stable however many features are active).

Module outputs are concatenated; the argmax is the match; confidence = best - runner-up output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snn_control.dictio import DictIO
from snn_control.perception.places.train import region_places


def block_normalize(images: np.ndarray, block: int = 8) -> np.ndarray:
    """Normalize ``images (n, h, w)`` in non-overlapping ``block x block`` patches (h, w multiples)."""
    a = np.asarray(images, dtype=np.float32)
    n, h, w = a.shape
    if h % block or w % block:
        raise ValueError(f"image size {h}x{w} is not a multiple of the patch size {block}")
    p = a.reshape(n, h // block, block, w // block, block)
    mean = p.mean(axis=(2, 4), keepdims=True)
    std = p.std(axis=(2, 4), keepdims=True)
    return ((p - mean) / np.maximum(std, 1e-6)).reshape(n, h * w)


def sad_scores(queries: np.ndarray, references: list[np.ndarray], block: int = 8, chunk: int = 64) -> np.ndarray:
    """Place scores ``-distance (n_q, n_places)`` of downsampled grayscale queries ``(n_q, h, w)``
    against each reference traverse ``(n_places, h, w)``."""
    q = block_normalize(queries, block)
    refs = [block_normalize(r, block) for r in references]
    out = np.full((len(q), refs[0].shape[0]), np.inf, np.float32)
    for a in range(0, len(q), chunk):
        for r in refs:
            d = np.abs(q[a:a + chunk, None, :] - r[None, :, :]).mean(axis=2)
            out[a:a + chunk] = np.minimum(out[a:a + chunk], d)
    return -out


@dataclass(frozen=True)
class TempoConfig(DictIO):
    """VPRTempo-style training settings."""

    places_per_module: int = 300
    feature_factor: int = 2
    epochs_feature: int = 4
    epochs_output: int = 8
    eta_stdp: float = 1e-4
    eta_itp: float = 0.01
    target_rate: float = 0.1
    eta_out: float = 0.5
    p_excitatory: float = 0.1
    p_inhibitory: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("places_per_module", "feature_factor", "epochs_feature", "epochs_output"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")


def _layer(w: np.ndarray, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.clip(np.einsum("mji,mi->mj", w, x) - theta, 0.0, 0.9)


@dataclass
class TempoModel:
    """Trained VPRTempo-style modules: ``w1 (M, F, n_in)``, ``theta1 (M, F)``, ``w2 (M, P, F)``."""

    w1: np.ndarray
    theta1: np.ndarray
    w2: np.ndarray
    region_start: np.ndarray
    n_places: int

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Outputs ``(n, n_places)`` for inputs ``x (n, n_input)`` in [0, 1]."""
        h = np.clip(np.einsum("mfi,ni->nmf", self.w1, x) - self.theta1[None], 0.0, 0.9)
        y = np.clip(np.einsum("mpf,nmf->nmp", self.w2, h), 0.0, 0.9)
        out = np.full((len(x), self.n_places), -np.inf, np.float32)
        p = self.w2.shape[1]
        for m, s in enumerate(self.region_start):
            k = min(p, self.n_places - int(s))
            out[:, s:s + k] = y[:, m, :k]
        return out


def train_tempo(refs: np.ndarray, config: TempoConfig) -> TempoModel:
    """Train on reference inputs ``refs (R, n_places, n_input)`` in [0, 1] (all modules at once)."""
    rng = np.random.default_rng(config.seed)
    r, n_places, n_in = refs.shape
    ppm = config.places_per_module
    starts = np.arange(0, n_places, ppm)
    m, f = len(starts), config.feature_factor * n_in
    idx = np.stack([region_places(int(s), ppm, n_places) for s in starts])   # (M, ppm)
    sign = rng.random((m, f, n_in))
    balance = config.p_excitatory / config.p_inhibitory          # mean drive ~0 for any input level
    w1 = np.where(sign < config.p_excitatory, 1.0, np.where(sign > 1 - config.p_inhibitory, -balance, 0.0))
    w1 = (w1 * rng.random((m, f, n_in)) / np.sqrt(config.p_excitatory * n_in)).astype(np.float32)
    theta1 = np.zeros((m, f), np.float32)
    for _ in range(config.epochs_feature):
        for k in rng.permutation(r * ppm):
            x = refs[k // ppm, idx[:, k % ppm]]                                  # (M, n_in)
            h = _layer(w1, theta1, x)
            centred = x - x.mean(axis=1, keepdims=True)
            w1 += config.eta_stdp * h[:, :, None] * centred[:, None, :]
            theta1 += config.eta_itp * (h - config.target_rate)
    w2 = np.zeros((m, ppm, f), np.float32)
    for _ in range(config.epochs_output):
        for k in rng.permutation(r * ppm):
            x = refs[k // ppm, idx[:, k % ppm]]
            h = _layer(w1, theta1, x)
            y = np.clip(np.einsum("mpf,mf->mp", w2, h), 0.0, 0.9)
            target = np.zeros_like(y)
            target[:, k % ppm] = 0.9
            step = config.eta_out / (np.einsum("mf,mf->m", h, h) + 1e-6)     # normalized (stable) delta rule
            w2 += step[:, None, None] * (target - y)[:, :, None] * h[:, None, :]
    return TempoModel(w1, theta1, w2, starts, n_places)
