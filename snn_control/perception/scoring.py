"""Score a stream of window decisions against a scripted sequence of gestures.

A script is a list of :class:`Segment` (a gesture and the time span it is performed). A window
``[w0, w1)`` has a ground truth only when one segment covers it entirely: a window that straddles a
change of gesture holds two actions, so it is counted apart (``n_transition``), never scored right
or wrong. This is the protocol of ``snn-control launch perception``: the accuracy it reports is the
share of unambiguous windows whose label is the performed gesture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from snn_control.perception.events.types import GESTURE_CLASSES


@dataclass(frozen=True)
class Segment:
    """Gesture ``label`` (index into GESTURE_CLASSES) performed from ``t0_s`` to ``t1_s``."""

    label: int
    t0_s: float
    t1_s: float

    def __post_init__(self) -> None:
        if not 0 <= self.label < len(GESTURE_CLASSES):
            raise ValueError(f"label must be in 0..{len(GESTURE_CLASSES) - 1}, got {self.label}")
        if not self.t1_s > self.t0_s:
            raise ValueError(f"segment must end after it starts, got [{self.t0_s}, {self.t1_s}]")


def script_segments(names: Sequence[str], gesture_s: float, t0_s: float = 0.0) -> list[Segment]:
    """Back-to-back segments of ``gesture_s`` seconds for gesture ``names``, from ``t0_s``."""
    out = []
    for k, name in enumerate(names):
        if name not in GESTURE_CLASSES:
            raise ValueError(f"unknown gesture {name!r} (known: {', '.join(GESTURE_CLASSES)})")
        out.append(Segment(GESTURE_CLASSES.index(name), t0_s + k * gesture_s, t0_s + (k + 1) * gesture_s))
    return out


def window_truth(w0_s: float, w1_s: float, segments: Iterable[Segment], eps: float = 1e-9) -> int | None:
    """The gesture of the one segment that covers ``[w0_s, w1_s]``, else ``None``."""
    for seg in segments:
        if seg.t0_s - eps <= w0_s and w1_s <= seg.t1_s + eps:
            return seg.label
    return None


def score_windows(windows: Iterable[tuple[float, float, int | None]], segments: Sequence[Segment]) -> dict:
    """Accuracy of ``(w0_s, w1_s, predicted_label)`` windows against ``segments``.

    A window without a label (``None``: skipped, too few events, no vote) inside a gesture counts
    as wrong. Returns ``accuracy`` (over scored windows; ``None`` when none), ``accuracy_labelled``
    (over the scored windows that got a label), ``n_windows``, ``n_scored``, ``n_unlabelled``
    (scored windows without a label), ``n_transition`` (straddling a change), ``n_outside``
    (beyond the script), ``per_class_accuracy`` (by gesture name, scored windows) and
    ``confusion`` (``[truth][predicted]`` counts of the labelled ones).
    """
    n = len(GESTURE_CLASSES)
    confusion = [[0] * n for _ in range(n)]
    unlabelled = [0] * n
    counts = {"n_windows": 0, "n_scored": 0, "n_unlabelled": 0, "n_transition": 0, "n_outside": 0}
    start = min((s.t0_s for s in segments), default=0.0)
    end = max((s.t1_s for s in segments), default=0.0)
    for w0, w1, predicted in windows:
        counts["n_windows"] += 1
        truth = window_truth(w0, w1, segments)
        if truth is None:
            inside = start - 1e-9 <= w0 and w1 <= end + 1e-9
            counts["n_transition" if inside else "n_outside"] += 1
            continue
        counts["n_scored"] += 1
        if predicted is None:
            counts["n_unlabelled"] += 1
            unlabelled[truth] += 1
        else:
            confusion[truth][int(predicted)] += 1
    correct = sum(confusion[i][i] for i in range(n))
    per_class = {GESTURE_CLASSES[i]: confusion[i][i] / (sum(confusion[i]) + unlabelled[i])
                 for i in range(n) if sum(confusion[i]) + unlabelled[i]}
    labelled = counts["n_scored"] - counts["n_unlabelled"]
    return {"accuracy": correct / counts["n_scored"] if counts["n_scored"] else None,
            "accuracy_labelled": correct / labelled if labelled else None,
            **counts, "per_class_accuracy": per_class, "confusion": confusion}
