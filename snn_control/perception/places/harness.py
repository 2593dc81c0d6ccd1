"""One harness for every method: load traverses, score queries, time them, compute the metrics.

Methods: ``snn`` (the regularized ensemble), ``snn-noreg`` (the same ensemble, no neuron removed),
``sad`` and ``tempo`` (:mod:`.baselines`). Every method searches the same places and answers the
same queries: the *test* places, i.e. the route after the calibration region when the model was
calibrated (the calibration region is a separate environment, as in the paper), else all places.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from snn_control.perception.places.data import TraverseSet, load_traverse
from snn_control.perception.places.encoding import patch_normalize
from snn_control.perception.places.metrics import summarize
from snn_control.perception.places.model import PlaceModel

METHODS = ("snn", "snn-noreg", "sad", "tempo")
SAD_SIZE = (64, 32)


def load_inputs(tset: TraverseSet, name: str, size: int = 28, patch: int = 7, progress: bool = False) -> np.ndarray:
    """Patch-normalized model inputs ``(n_places, size * size)`` of one traverse."""
    gray = load_traverse(tset, name, size=(size, size), progress=progress)
    return patch_normalize(gray, patch).reshape(len(gray), -1)


def test_places(model: PlaceModel) -> np.ndarray:
    """Places that queries are drawn from and matched against (after the calibration region)."""
    cal = model.metadata.get("report", {}).get("calibration")
    start = int(cal["calibration_places"]) if cal else 0
    if start >= model.ensemble.n_places:
        raise ValueError(f"the model's calibration region covers all {model.ensemble.n_places} places: "
                         "nothing is left to test")
    return np.arange(start, model.ensemble.n_places)


@dataclass
class MethodResult:
    scores: np.ndarray        # (n_queries, n_places); -inf outside the test places
    min_score: float          # a best score must lie above this to be a match (metrics.best_match)
    query_s: float            # wall time of scoring every query (batched)
    train_s: float = 0.0


def _mask(scores: np.ndarray, places: np.ndarray) -> np.ndarray:
    out = np.full_like(scores, -np.inf)
    out[:, places] = scores[:, places]
    return out


def run_snn(model: PlaceModel, queries: np.ndarray, places: np.ndarray, regularized: bool,
            modules: list[np.ndarray] | None = None) -> MethodResult:
    """Score ``queries (n, n_input)`` with the ensemble; ``modules[q]`` restricts query ``q``."""
    e = model.ensemble
    chosen = e.threshold
    e.set_threshold(chosen if regularized else None)
    try:
        mods = np.unique(e.region_start.searchsorted(places, side="right") - 1)
        start = time.perf_counter()
        if modules is None:
            scores = e.scores(queries, mods)
        else:
            scores = np.stack([e.scores(queries[i:i + 1], np.intersect1d(m, mods))[0] for i, m in enumerate(modules)])
        elapsed = time.perf_counter() - start
    finally:
        e.set_threshold(chosen)
    scores = _mask(scores, places)
    return MethodResult(scores, 0.0, elapsed)


def run_sad(tset: TraverseSet, query: str, references: list[str], places: np.ndarray, rows: np.ndarray,
            n_places: int | None = None) -> MethodResult:
    """SAD of the query images ``rows`` against the reference images of ``places`` (route length
    ``n_places``, default the data set's)."""
    from snn_control.perception.places.baselines import sad_scores

    q = load_traverse(tset, query, size=SAD_SIZE)[rows]
    refs = [load_traverse(tset, r, size=SAD_SIZE)[places] for r in references]
    start = time.perf_counter()
    s = sad_scores(q, refs)
    elapsed = time.perf_counter() - start
    scores = np.full((len(rows), n_places or tset.n_places), -np.inf, np.float32)
    scores[:, places] = s
    return MethodResult(scores, -np.inf, elapsed)


def run_tempo(ref_inputs: np.ndarray, queries: np.ndarray, places: np.ndarray, seed: int = 0) -> MethodResult:
    from snn_control.perception.places.baselines import TempoConfig, train_tempo

    start = time.perf_counter()
    model = train_tempo(ref_inputs[:, places] / 255.0, TempoConfig(seed=seed))
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    s = model.scores(queries / 255.0)
    elapsed = time.perf_counter() - start
    scores = np.full((len(queries), ref_inputs.shape[1]), -np.inf, np.float32)
    scores[:, places] = s
    return MethodResult(scores, -np.inf, elapsed, train_s)


def metrics_of(result: MethodResult, truth: np.ndarray, tolerance: int, distances: np.ndarray | None = None,
               tolerance_m: float | None = None) -> dict:
    out = summarize(result.scores, truth, tolerance, distances, tolerance_m, result.min_score)
    out["query_hz"] = float(len(truth) / max(result.query_s, 1e-9))
    if result.train_s:
        out["train_s"] = round(result.train_s, 2)
    return out
