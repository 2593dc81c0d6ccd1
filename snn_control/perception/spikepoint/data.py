"""Labelled recordings to grouped windows: what training and evaluation iterate over.

A :class:`WindowSet` holds, for every window of every recording, the N sampled points and the FPS
and kNN indices (the costly part, done once; about 38 kB a window at N = 1024), plus the labels
and where each window came from. :meth:`WindowSet.features` rebuilds the network's inputs for a
batch by gathers. Window ``w`` of recording ``r`` draws its points from
``numpy.random.default_rng([seed, r, w])``, so a window's points do not depend on which other
windows are built with it (the streaming recognizer draws window ``w`` of its stream the same way).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from snn_control.perception.events.types import EventSample
from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.preprocess import (group_features, group_points, slice_window,
                                                         window_points, window_starts)


def window_rng(seed: int, stream: int, window: int) -> np.random.Generator:
    """The generator that samples window ``window`` of recording (or stream) ``stream``."""
    return np.random.default_rng([seed, stream, window])


@dataclass
class WindowSet:
    """Grouped windows of labelled recordings (arrays indexed by window unless noted).

    Attributes:
        points: ``[W, N, 3]`` float32 sampled, normalized points.
        centroid_idx: ``[W, G]`` FPS centroid indices into ``points``.
        neighbor_idx: ``[W, G, K]`` kNN indices into ``points``.
        labels: ``[W]`` class index.
        recording: ``[W]`` index of the recording the window came from.
        t0: ``[W]`` window start, seconds (stream clock).
        subjects: per recording, the subject.
        skipped: windows dropped for having fewer than ``min_events`` events.
    """

    points: np.ndarray
    centroid_idx: np.ndarray
    neighbor_idx: np.ndarray
    labels: np.ndarray
    recording: np.ndarray
    t0: np.ndarray
    subjects: tuple[str, ...]
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.labels)

    def features(self, idx: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
        """``(local [B, G, K, 6], centroids [B, G, 3])`` firing probabilities of windows ``idx``."""
        return group_features(self.points[idx], self.centroid_idx[idx], self.neighbor_idx[idx])

    def recording_labels(self) -> np.ndarray:
        """Label of each recording (from its windows; -1 for a recording without windows)."""
        out = np.full(len(self.subjects), -1, dtype=np.int64)
        out[self.recording] = self.labels
        return out

    _ARRAYS = ("points", "centroid_idx", "neighbor_idx", "labels", "recording", "t0")

    def save(self, path: str | Path, key: str) -> Path:
        """Write an ``.npz`` cache tagged with ``key`` (see :func:`cache_key`)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"key": key, "subjects": list(self.subjects), "skipped": self.skipped})
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, meta=np.array(meta), **{name: getattr(self, name) for name in self._ARRAYS})
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path, key: str) -> "WindowSet | None":
        """The cache at ``path`` if it exists, reads, and was built for ``key``; else None."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("key") != key:
                    return None
                arrays = {name: data[name] for name in cls._ARRAYS}
        except (OSError, ValueError, KeyError):
            return None
        return cls(**arrays, subjects=tuple(meta["subjects"]), skipped=int(meta["skipped"]))


def cache_key(samples: Sequence[EventSample], cfg: SpikePointConfig, seed: int) -> str:
    """A digest of what a :class:`WindowSet` depends on: the recordings, preprocessing settings, seed."""
    h = hashlib.sha256()
    fields = {k: cfg.to_dict()[k] for k in ("points", "groups", "neighbors", "window_s", "stride_s",
                                            "sensor_width", "sensor_height", "min_events")}
    h.update(json.dumps({"cfg": fields, "seed": seed, "version": 1}, sort_keys=True).encode())
    for s in samples:
        h.update(f"{s.source}|{s.subject}|{s.label}|{len(s.events)}|".encode())
        if len(s.events):
            h.update(s.events[[0, -1]].tobytes())
    return h.hexdigest()[:24]


def recording_windows(events: np.ndarray, cfg: SpikePointConfig) -> list[tuple[float, float, slice]]:
    """``(t0, t1, events slice)`` of each window of a time-sorted recording (none if it is empty)."""
    if len(events) == 0:
        return []
    t = events["t"]
    starts = window_starts(float(t[0]), float(t[-1]), cfg.window_s, cfg.stride_s)
    return [(float(s), float(s) + cfg.window_s, slice_window(t, s, s + cfg.window_s)) for s in starts]


def build_windows(samples: Sequence[EventSample], cfg: SpikePointConfig, seed: int = 0,
                  progress: bool = False, desc: str = "group windows") -> WindowSet:
    """Window, sample and group every recording of ``samples`` (module docstring)."""
    points, labels, rec, t0s, skipped = [], [], [], [], 0
    for r, sample in enumerate(samples):
        for w, (t0, t1, sl) in enumerate(recording_windows(sample.events, cfg)):
            pts = window_points(sample.events[sl], t0, t1, cfg, window_rng(seed, r, w))
            if pts is None:
                skipped += 1
                continue
            points.append(pts)
            labels.append(int(sample.label))
            rec.append(r)
            t0s.append(t0)
    n, g, k = cfg.points, cfg.groups, cfg.neighbors
    pts = np.stack(points) if points else np.zeros((0, n, 3), np.float32)
    cidx = np.empty((len(pts), g), np.uint16)
    nidx = np.empty((len(pts), g, k), np.uint16)
    chunk = 32
    from tqdm import tqdm

    for lo in tqdm(range(0, len(pts), chunk), desc=desc, unit="chunk", disable=not progress, leave=False):
        cidx[lo:lo + chunk], nidx[lo:lo + chunk] = group_points(pts[lo:lo + chunk], g, k, chunk=chunk)
    return WindowSet(pts, cidx, nidx, np.asarray(labels, np.int64), np.asarray(rec, np.int64),
                     np.asarray(t0s, np.float64), tuple(s.subject for s in samples), skipped)


def split_by_subject(samples: Sequence[EventSample], val_fraction: float,
                     seed: int) -> tuple[list[EventSample], list[EventSample], tuple[str, ...]]:
    """Hold out whole subjects for validation: ``(train, validation, validation subjects)``.

    ``round(val_fraction * subjects)`` subjects (at least one when there are two or more and the
    fraction is positive), drawn with ``seed``. With a single subject nothing is held out.
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    subjects = sorted({s.subject for s in samples})
    n_val = int(round(val_fraction * len(subjects)))
    if val_fraction > 0 and len(subjects) >= 2:
        n_val = min(max(n_val, 1), len(subjects) - 1)
    else:
        n_val = 0
    held = tuple(sorted(np.random.default_rng(seed).permutation(subjects)[:n_val].tolist()))
    train = [s for s in samples if s.subject not in held]
    val = [s for s in samples if s.subject in held]
    return train, val, held
