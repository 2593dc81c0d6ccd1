"""The ensemble of place modules: neuron-to-place assignment, regularization, pooled matching.

Module ``m`` learned the places ``region_start[m] .. region_start[m] + places_per_module - 1``.

* **Assignment**: each excitatory neuron belongs to the place of its own region for whose training
  images it fired most (:func:`.train.assign`); a neuron that never fired belongs to none and is
  not kept.
* **Hyperactivity**: ``activity[k]`` = the number of reference images of the *whole* route on
  which neuron ``k`` fired (:func:`.response.fired`). Neurons with ``activity >= threshold`` are
  removed (their responses zeroed); ``threshold=None`` keeps every neuron.
* **Query**: every kept neuron's expected count (:mod:`.response`); a place's score is the mean
  count of its neurons over all (or only the active) modules; the global argmax is the match.

The kept neurons are stored sorted by place, so the neurons of one place, and of one module, are
contiguous columns: a place's score is one ``np.add.reduceat`` and a search restricted to some
modules multiplies only their columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from snn_control.perception.places.metrics import best_match
from snn_control.perception.places.module import ModuleParams
from snn_control.perception.places.response import conductances, expected_counts


@dataclass(frozen=True)
class Match:
    """Best place per query: ``place (n,)`` (-1: nothing searched responded), ``score (n,)`` (mean
    count of its neurons) and ``confidence (n,)``, the best score minus the runner-up's."""

    place: np.ndarray
    score: np.ndarray
    confidence: np.ndarray


@dataclass
class PlaceEnsemble:
    """The neurons that have a place, from every module, plus everything a query needs.

    Neurons that never fired on their module's training images have no place and never score, so
    the ensemble keeps only the others: ``K`` neurons, sorted by place (and so by module).
    """

    params: ModuleParams
    weights: np.ndarray          # (K, n_input) float32
    theta: np.ndarray            # (K,) float32, mV
    place: np.ndarray            # (K,) int64 global place, non-decreasing
    module: np.ndarray           # (K,) int64 module of each neuron
    activity: np.ndarray         # (K,) int64 reference images fired on
    region_start: np.ndarray     # (M,) int64 first place of each module
    places_per_module: int
    n_places: int
    threshold: int | None = None
    _q: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("place", "module", "activity", "region_start"):
            if getattr(self, name).dtype.kind not in "iu":
                raise ValueError(f"{name} must hold integers, got {getattr(self, name).dtype}")
        if self.places_per_module < 1 or self.n_places < 1:
            raise ValueError(f"places_per_module and n_places must be >= 1, got {self.places_per_module}, "
                             f"{self.n_places}")
        if not np.array_equal(self.region_start, np.arange(0, self.n_places, self.places_per_module)):
            raise ValueError(f"region_start must be 0, {self.places_per_module}, ... below n_places {self.n_places}")
        k = self.place.shape[0]
        if self.weights.shape != (k, self.params.n_input):
            raise ValueError(f"weights must be ({k}, n_input {self.params.n_input}), got {self.weights.shape}")
        for name in ("theta", "module", "activity"):
            if getattr(self, name).shape != (k,):
                raise ValueError(f"{name} must have shape ({k},), got {getattr(self, name).shape}")
        if k and (np.any(np.diff(self.place) < 0) or self.place[0] < 0 or self.place[-1] >= self.n_places):
            raise ValueError(f"place must be sorted and lie in [0, {self.n_places})")
        m = self.region_start.shape[0]
        if k and (self.module.min() < 0 or self.module.max() >= m):
            raise ValueError(f"module must lie in [0, {m})")
        ends = self.region_start[self.module] + self.places_per_module
        if k and np.any((self.place < self.region_start[self.module]) | (self.place >= ends)):
            raise ValueError("a neuron's place lies outside its module's region")
        self.set_threshold(self.threshold)

    @classmethod
    def from_modules(cls, params: ModuleParams, weights: np.ndarray, theta: np.ndarray, assignment: np.ndarray,
                     activity: np.ndarray, region_start: np.ndarray, places_per_module: int, n_places: int,
                     threshold: int | None = None) -> "PlaceEnsemble":
        """From per-module arrays ``weights (M, n_input, n_exc)``, ``theta``/``assignment``/
        ``activity (M, n_exc)``: keeps the neurons with a place (``assignment >= 0``)."""
        mod, neu = np.nonzero(assignment >= 0)
        order = np.argsort(assignment[mod, neu], kind="stable")
        mod, neu = mod[order], neu[order]
        return cls(params, np.ascontiguousarray(weights[mod, :, neu]), theta[mod, neu].astype(np.float32),
                   assignment[mod, neu].astype(np.int64), mod.astype(np.int64), activity[mod, neu].astype(np.int64),
                   np.asarray(region_start, np.int64), int(places_per_module), int(n_places), threshold)

    @property
    def n_modules(self) -> int:
        return int(self.region_start.shape[0])

    @property
    def n_neurons(self) -> int:
        """Neurons with a place (kept or removed)."""
        return int(self.place.shape[0])

    def set_threshold(self, threshold: int | None) -> None:
        """Remove neurons with ``activity >= threshold`` (``None``: keep all) and rebuild the query."""
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer))
                                      or threshold < 0):
            raise ValueError(f"threshold must be an integer >= 0 or None, got {threshold!r}")
        self.threshold = None if threshold is None else int(threshold)
        keep = np.ones(self.n_neurons, bool) if self.threshold is None else self.activity < self.threshold
        idx = np.nonzero(keep)[0]
        mod = self.module[idx]
        self._q = {
            "w": np.ascontiguousarray(self.weights[idx].T),          # (n_input, K_kept)
            "theta": self.theta[idx], "place": self.place[idx], "module": mod,
            "n_per_place": np.bincount(self.place[idx], minlength=self.n_places),
            "module_cols": np.searchsorted(mod, np.arange(self.n_modules + 1)),
        }

    @property
    def n_kept(self) -> int:
        return int(self._q["place"].size)

    def modules_near(self, place: int, radius_places: int) -> np.ndarray:
        """Modules whose region comes within ``radius_places`` of ``place``."""
        lo, hi = place - radius_places, place + radius_places
        ends = self.region_start + self.places_per_module - 1
        return np.nonzero((ends >= lo) & (self.region_start <= hi))[0]

    def scores(self, pixels: np.ndarray, modules: np.ndarray | None = None) -> np.ndarray:
        """Place scores ``(n, n_places)`` for patch-normalized ``pixels (n, n_input)``; places no
        searched neuron belongs to score ``-inf``."""
        q = self._q
        cols = self._columns(modules)
        out = np.full((len(pixels), self.n_places), -np.inf, np.float32)
        if (cols.stop - cols.start if isinstance(cols, slice) else cols.size) <= 0:
            return out
        w = q["w"][:, cols]
        counts = expected_counts(conductances(pixels, w, self.params), q["theta"][cols], self.params)
        place = q["place"][cols]
        starts = np.nonzero(np.r_[True, place[1:] != place[:-1]])[0]
        sums = np.add.reduceat(counts, starts, axis=1)
        out[:, place[starts]] = sums / q["n_per_place"][place[starts]]
        return out

    def _columns(self, modules: np.ndarray | None):
        mc = self._q["module_cols"]
        if modules is None:
            return slice(0, self.n_kept) if self.n_kept else np.zeros(0, np.int64)
        mods = np.unique(np.asarray(modules, dtype=np.int64))
        if mods.size and (mods[0] < 0 or mods[-1] >= self.n_modules):
            raise ValueError(f"active modules must lie in [0, {self.n_modules}), got {mods.tolist()}")
        if mods.size and np.all(np.diff(mods) == 1):
            return slice(int(mc[mods[0]]), int(mc[mods[-1] + 1]))
        return np.concatenate([np.arange(mc[m], mc[m + 1]) for m in mods]) if mods.size else np.zeros(0, np.int64)

    def match(self, pixels: np.ndarray, modules: np.ndarray | None = None) -> Match:
        """Best place of each query (see :class:`Match` and :func:`.metrics.best_match`)."""
        return Match(*best_match(self.scores(pixels, modules), min_score=0.0))
