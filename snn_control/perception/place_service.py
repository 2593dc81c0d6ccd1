"""What the ``place_recognition`` node decides, without ROS: checks, the searched modules, the
published fix and its covariance, health, latency, and the score of a replayed run.

Per image (:meth:`PlaceService.localize`, or :meth:`PlaceService.reject` for one the adapter could
not read): an image that is not a finite 2-D array of numbers, smaller than ``min_side_px``,
without contrast (grey-level std below ``min_contrast``) or, when the configuration fixes one, of
another size is *rejected* (no match, WARN); otherwise the model searches the active modules, and
a place of ``-1`` is a *no match* (nothing published, OK). A match whose confidence is below the
threshold (the model's calibrated one by default: 90 % precision on its calibration traverse) is
*withheld*: counted, not published, OK. On the 600-place shipped model this keeps 31-45 % of the
test queries at 88-95 % precision, where publishing every match gives 50-61 %. A published
match becomes a :class:`PlaceFix`: the reference place's position and the variance of x and y,

    sigma^2 = (place_spacing_m / (1 + confidence))^2        [m^2],

``confidence`` being the best place's score minus the runner-up's (mean expected spike counts):
an ambiguous match is uncertain by about one place spacing, a clear one by less. z and the
orientation are unknown (variance :data:`UNKNOWN_VARIANCE`).

Health (the level of each status): WARN for a rejected image or a rejected set of active modules;
ERROR once :data:`ERROR_AFTER_REJECTED` images in a row were rejected (the camera is broken or
misconfigured); OK otherwise.

Active modules: empty means every module. A requested set with an index outside ``[0, n_modules)``
is rejected, the previous set stays, and the next status says so (WARN).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from snn_control.perception.config import PlaceRecognitionConfig

OK, WARN, ERROR = 0, 1, 2  # diagnostic_msgs/DiagnosticStatus levels
UNKNOWN_VARIANCE = 1e6  # m^2 / rad^2 of what a place match says nothing about
ERROR_AFTER_REJECTED = 10
SHIPPED_MODEL = "places_synth"
KEEP = 10_000  # latencies kept for the percentiles


def load_place_model(path: str = ""):
    """The :class:`~snn_control.perception.places.model.PlaceModel` at ``path`` (empty: the shipped one).

    Raises:
        ArtifactError: (a ``ValueError``) the file is missing, corrupt or not a place model; for the
            shipped one, how to make it.
    """
    from snn_control.artifacts.store import ArtifactError, shipped_artifact
    from snn_control.perception.places.model import PlaceModel

    if not path:
        try:
            path = str(shipped_artifact(SHIPPED_MODEL))
        except ArtifactError as exc:
            raise ArtifactError(f"{exc}: no shipped place model; train one with `snn-control train places` "
                                "and pass its path as the model parameter") from None
    return PlaceModel.load(path)


def resolve_min_confidence(model, configured: float) -> float:
    """``configured`` when >= 0, else the model's calibrated threshold (0 when it has none)."""
    if configured >= 0:
        return float(configured)
    cal = model.metadata.get("report", {}).get("calibration", {})
    return float(cal.get("min_confidence", 0.0))


def reference_spacing_m(model) -> float:
    """Median distance between neighbouring reference places, metres (10 m for a one-place model)."""
    n = model.ensemble.n_places
    if n < 2:
        return float(model.metadata.get("place_spacing_m", 10.0))
    xy = np.array([model.position(i) for i in range(n)], dtype=np.float64)
    return float(np.median(np.hypot(*np.diff(xy, axis=0).T)))


def position_variance_m2(spacing_m: float, confidence: float) -> float:
    """x and y variance of a match (see the module docstring)."""
    return float((spacing_m / (1.0 + max(0.0, float(confidence)))) ** 2)


def module_ranges(modules: np.ndarray | None) -> str:
    """``"all"`` or the indices as ranges, e.g. ``"0-3,7"``."""
    if modules is None:
        return "all"
    m = np.asarray(modules, dtype=np.int64)
    if m.size == 0:
        return "none"
    breaks = np.nonzero(np.diff(m) != 1)[0]
    starts, ends = np.r_[m[0], m[breaks + 1]], np.r_[m[breaks], m[-1]]
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in zip(starts, ends))


class LatencyStats:
    """The last ``keep`` latencies (all of them with ``keep=None``) and their percentiles."""

    def __init__(self, keep: int | None = KEEP) -> None:
        self.samples_s: deque[float] = deque(maxlen=keep)

    def add(self, latency_s: float) -> None:
        self.samples_s.append(float(latency_s))

    def percentile_ms(self, q: float) -> float | None:
        """The ``q``-th percentile in milliseconds (None before the first sample)."""
        if not self.samples_s:
            return None
        return float(np.percentile(1e3 * np.asarray(self.samples_s), q))


@dataclass(frozen=True)
class PlaceFix:
    """A match to publish: the reference place, its position and the x/y variance."""

    place: int
    x_m: float
    y_m: float
    variance_m2: float
    score: float
    confidence: float


@dataclass(frozen=True)
class Outcome:
    """What one image gave: a fix (None: nothing to publish) and the status to report."""

    fix: PlaceFix | None
    level: int
    message: str
    rejected: bool = False


class PlaceService:
    """The node's core: a place model, the active modules, counters (see the module docstring)."""

    def __init__(self, model, config: PlaceRecognitionConfig = PlaceRecognitionConfig()) -> None:
        self.model = model
        self.config = config
        self.spacing_m = config.place_spacing_m or reference_spacing_m(model)
        self.active: np.ndarray | None = None
        self.latency = LatencyStats(None if config.record else KEEP)
        self.history: list[tuple[object, int | None]] = []  # (key, place; -1 no match, None rejected)
        self.n_images = self.n_matches = self.n_no_match = self.n_rejected = self.n_rejected_sets = 0
        self.n_withheld = 0
        self.withheld: set = set()   # keys of matches not published for low confidence
        self.min_confidence = resolve_min_confidence(model, config.min_confidence)
        self.consecutive_rejected = 0
        self.last: PlaceFix | None = None
        self._pending: list[str] = []  # warnings for the next status
        if config.active_modules:
            problem = self._check_modules(config.active_modules)
            if problem:
                raise ValueError(f"active_modules: {problem}")
            self.active = np.unique(np.asarray(config.active_modules, dtype=np.int64))

    @classmethod
    def from_config(cls, config: PlaceRecognitionConfig) -> "PlaceService":
        return cls(load_place_model(config.model), config)

    # -- active modules --------------------------------------------------------------------
    def _check_modules(self, modules: Sequence[int]) -> str | None:
        n = self.model.ensemble.n_modules
        bad = [int(m) for m in modules if not 0 <= int(m) < n]
        return f"module index {bad[0]} outside [0, {n})" if bad else None

    def set_active_modules(self, modules: Iterable[int]) -> str | None:
        """Search only ``modules`` from now on (empty: all). Returns None, or why the set was
        rejected (the previous set is kept and the next status warns)."""
        modules = [int(m) for m in modules]
        problem = self._check_modules(modules)
        if problem:
            self.n_rejected_sets += 1
            message = f"active modules {module_ranges(np.unique(modules))} rejected ({problem}); " \
                      f"keeping {module_ranges(self.active)}"
            self._pending.append(message)
            return message
        self.active = np.unique(np.asarray(modules, dtype=np.int64)) if modules else None
        return None

    # -- images ----------------------------------------------------------------------------
    def check_image(self, image: np.ndarray) -> str | None:
        """Why ``image`` cannot be matched, or None."""
        a = np.asarray(image)
        if a.ndim != 2 or a.size == 0:
            return f"expected a non-empty grayscale image (height, width), got shape {list(a.shape)}"
        h, w = a.shape
        c = self.config
        if min(h, w) < c.min_side_px:
            return f"image {w} x {h} is smaller than min_side_px {c.min_side_px}"
        if (c.image_width and w != c.image_width) or (c.image_height and h != c.image_height):
            return f"image {w} x {h} is not the configured {c.image_width or 'any'} x {c.image_height or 'any'}"
        if a.dtype.kind not in "uif":
            return f"image pixels must be numbers, got dtype {a.dtype}"
        if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            return "image holds NaN or inf pixels"
        if float(a.std()) < c.min_contrast:
            return f"image has no contrast (grey-level std {float(a.std()):.2f} < min_contrast {c.min_contrast})"
        return None

    def reject(self, reason: str, key: object = None) -> Outcome:
        """An image that could not be read or checked: counted, never matched."""
        self.n_images += 1
        self.n_rejected += 1
        self.consecutive_rejected += 1
        if self.config.record:
            self.history.append((key, None))
        level = ERROR if self.consecutive_rejected >= ERROR_AFTER_REJECTED else WARN
        if level == ERROR:
            reason = f"{self.consecutive_rejected} images in a row rejected; last: {reason}"
        return Outcome(None, level, self._message(f"image rejected: {reason}"), rejected=True)

    def localize(self, image: np.ndarray, key: object = None) -> Outcome:
        """Match one image over the active modules (see the module docstring)."""
        problem = self.check_image(image)
        if problem:
            return self.reject(problem, key)
        m = self.model.match_images([image], modules=self.active)
        self.n_images += 1
        self.consecutive_rejected = 0
        place = int(m.place[0])
        if self.config.record:
            self.history.append((key, place))
        level = WARN if self._pending else OK
        if place < 0:
            self.n_no_match += 1
            return Outcome(None, level, self._message("no place matched"))
        self.n_matches += 1
        conf = float(m.confidence[0])
        if conf < self.min_confidence:
            self.n_withheld += 1
            if self.config.record:
                self.withheld.add(key)
            return Outcome(None, level, self._message(
                f"place {place} withheld: confidence {conf:.3g} < {self.min_confidence:.3g}"))
        x, y = self.model.position(place)
        self.last = PlaceFix(place, x, y, position_variance_m2(self.spacing_m, conf), float(m.score[0]), conf)
        return Outcome(self.last, WARN if self._pending else OK, self._message(f"place {place}"))

    def _message(self, text: str) -> str:
        out = "; ".join([text, *self._pending])
        self._pending.clear()
        return out

    def status_values(self) -> dict[str, object]:
        """The key/values of the node's ``/diagnostics`` status."""
        last = self.last
        p50, p99 = self.latency.percentile_ms(50), self.latency.percentile_ms(99)
        n_active = self.model.ensemble.n_modules if self.active is None else int(self.active.size)
        return {
            "images": self.n_images,
            "matches": self.n_matches,
            "no_match": self.n_no_match,
            "withheld": self.n_withheld,
            "min_confidence": f"{self.min_confidence:.4g}",
            "rejected": self.n_rejected,
            "rejected_module_sets": self.n_rejected_sets,
            "last_place": last.place if last else -1,
            "last_confidence": f"{last.confidence:.4g}" if last else "",
            "latency_p50_ms": f"{p50:.3f}" if p50 is not None else "",
            "latency_p99_ms": f"{p99:.3f}" if p99 is not None else "",
            "active_modules": module_ranges(self.active),
            "n_active_modules": n_active,
        }


def score_matches(truth: dict, answers: Iterable[tuple[object, int | None]],
                  tolerances: Sequence[int] = (0, 1), withheld: set | None = None) -> dict[str, object]:
    """Score a replayed run: ``truth`` maps an image's key to its true place, ``answers`` is
    :attr:`PlaceService.history`. Every image sent counts: an image never answered, rejected or
    without a match is wrong. Keys ``accuracy_tol<k>`` (None when nothing was sent) and
    ``precision_published``: the share of published matches (not ``withheld``) that are the true
    place (None when none was published)."""
    from snn_control.perception.places.metrics import correct_mask

    got = dict(answers)
    keys = list(truth)
    places = np.array([-1 if got.get(k) is None else got[k] for k in keys], dtype=np.int64)
    true = np.array([truth[k] for k in keys], dtype=np.int64)
    out: dict[str, object] = {"n_sent": len(keys), "n_answered": sum(k in got for k in keys)}
    for t in tolerances:
        out[f"accuracy_tol{t}"] = float(correct_mask(places, true, t).mean()) if keys else None
    published = np.array([places[i] >= 0 and k not in (withheld or set()) for i, k in enumerate(keys)], bool)
    ok = correct_mask(places, true, 0)
    out["precision_published"] = float(ok[published].mean()) if published.any() else None
    return out
