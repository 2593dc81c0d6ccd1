"""Place-recognition metrics: Recall@N, precision-recall curve, its AUC, recall at 100 % precision.

Conventions (stated because papers differ):
    * A match of query ``q`` is correct when it lies within ``tolerance`` places of the true place
      ``truth[q]`` or, given the metres from every query to every place (GPS or odometry), within
      ``tolerance_m`` metres of the query.
    * Recall@N: the fraction of queries with a correct place among the ``N`` best-scored places.
    * The best match and its confidence (best minus runner-up score) follow :func:`best_match`.
    * Precision-recall: every query has a true place. Sweep a threshold over the best match's
      confidence (high first, ties together); at each threshold the accepted queries give
      precision = correct accepted / accepted and recall = correct accepted / all queries. AUC is the area under that
      step curve (``sum of precision * delta recall``, average precision). Recall at 100 % precision
      is the largest recall reached before the first wrong accepted match.
"""

from __future__ import annotations

import numpy as np


def correct_mask(candidates: np.ndarray, truth: np.ndarray, tolerance: int = 0,
                 distances: np.ndarray | None = None, tolerance_m: float | None = None) -> np.ndarray:
    """Bool like ``candidates (n, k)`` (or ``(n,)``): within ``tolerance`` places of ``truth (n,)``,
    or, with ``distances (n, n_places)`` metres from each query to every place, within
    ``tolerance_m`` metres."""
    c = np.asarray(candidates)
    if distances is not None:
        rows = np.arange(len(c)).reshape((-1,) + (1,) * (c.ndim - 1))
        d = np.asarray(distances)[rows, np.maximum(c, 0)]
        return (c >= 0) & (d <= float(tolerance_m))
    t = np.asarray(truth).reshape((-1,) + (1,) * (c.ndim - 1))
    return (c >= 0) & (np.abs(c - t) <= tolerance)


def recall_at(scores: np.ndarray, truth: np.ndarray, n: int, tolerance: int = 0,
              distances: np.ndarray | None = None, tolerance_m: float | None = None) -> float:
    """Recall@``n`` from place scores ``(n_queries, n_places)`` (higher is better)."""
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or len(s) != len(truth):
        raise ValueError(f"scores must be (n_queries, n_places) with n_queries = {len(truth)}, got {s.shape}")
    k = min(int(n), s.shape[1])
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    top = np.where(np.isfinite(np.take_along_axis(s, top, axis=1)), top, -1)
    return float(correct_mask(top, truth, tolerance, distances, tolerance_m).any(axis=1).mean())


def best_match(scores: np.ndarray, min_score: float = -np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(place, score, confidence)`` per query from scores ``(n, n_places)``, the one rule every
    method, the node and the plots share: the best place, or -1 when its score is not finite or not
    above ``min_score`` (0 for the SNN: a silent query matches nothing); confidence = best score
    minus the runner-up's (0 with no finite runner-up, and for no match)."""
    s = np.asarray(scores, dtype=np.float64)
    rows = np.arange(len(s))
    place = s.argmax(axis=1) if s.shape[1] else np.zeros(len(s), np.int64)
    best = s[rows, place] if s.shape[1] else np.full(len(s), -np.inf)
    runner = np.partition(s, -2, axis=1)[:, -2] if s.shape[1] > 1 else np.full(len(s), -np.inf)
    ok = np.isfinite(best) & (best > min_score)
    conf = np.where(ok & np.isfinite(runner), best - np.where(np.isfinite(runner), runner, 0.0), 0.0)
    return np.where(ok, place, -1), np.where(ok, best, 0.0), conf


def pr_curve(confidence: np.ndarray, correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall, accepting queries in order of falling confidence; queries of equal
    confidence are accepted together (one point per distinct confidence), so the curve does not
    depend on the order of the queries."""
    conf = np.asarray(confidence, dtype=np.float64)
    ok = np.asarray(correct, dtype=bool)
    order = np.argsort(-conf, kind="stable")
    tp = np.cumsum(ok[order])
    accepted = np.arange(1, len(ok) + 1)
    sorted_conf = conf[order]
    last = np.r_[sorted_conf[1:] != sorted_conf[:-1], True] if len(ok) else np.zeros(0, bool)
    return (tp / accepted)[last], (tp / max(1, len(ok)))[last]


def pr_auc(precision: np.ndarray, recall: np.ndarray) -> float:
    """Area under the precision-recall step curve (average precision)."""
    dr = np.diff(np.r_[0.0, recall])
    return float(np.sum(precision * dr))


def recall_at_full_precision(precision: np.ndarray, recall: np.ndarray) -> float:
    """Largest recall with precision 1.0 (0 when the most confident match is already wrong)."""
    perfect = np.asarray(precision) >= 1.0 - 1e-12
    if len(perfect) == 0 or not perfect[0]:
        return 0.0
    first_bad = len(perfect) if perfect.all() else int(np.argmin(perfect))
    return float(recall[first_bad - 1])


def summarize(scores: np.ndarray, truth: np.ndarray, tolerance: int = 0, distances: np.ndarray | None = None,
              tolerance_m: float | None = None, min_score: float = -np.inf) -> dict:
    """Every metric above for one method and query traverse (``distances``/``tolerance_m``: judge
    by metres instead of places, see :func:`correct_mask`; ``min_score``: see :func:`best_match`)."""
    best, _, confidence = best_match(scores, min_score)
    ok = correct_mask(best, truth, tolerance, distances, tolerance_m)
    precision, recall = pr_curve(confidence, ok)
    out = {
        "recall_at_1": float(ok.mean()),
        "recall_at_5": recall_at(scores, truth, 5, tolerance, distances, tolerance_m),
        "auc_pr": pr_auc(precision, recall),
        "recall_at_100p": recall_at_full_precision(precision, recall),
    }
    if distances is not None:
        out["tolerance_m"] = float(tolerance_m)
    else:
        out["tolerance"] = int(tolerance)
    return out
