"""Action-to-sensing policies: the robot's state and intent choose what is sensed, and how often.

(a) Place search window. From the last confident match (confidence >= ``confident``) at place p*
    and time t*, and the latest match's confidence c (confidence: best minus runner-up score, as
    :mod:`snn_control.perception.place_service` publishes it):

        center  = p* + advance_places_per_s * (now - t*)       (the route's expected progress)
        radius  = base_radius_places + growth_places_per_s * (now - t*)
                  + confidence_radius_places * max(0, 1 - c / confident)
        modules = every module m whose places [m P, m P + P - 1] meet [center - radius, center + radius]

    (P = places_per_module; the rule of ``PlaceEnsemble.modules_near``). Every module is searched
    before the first confident match, after ``lost_after_s`` without one, and once the window
    covers the route.
(b) Event-stream throttle: keep 1 of N = 2**level packets. The rate is the camera's own event
    rate (events/s, before any throttling). At or above ``motion_rate`` (or not a finite number:
    never throttle on bad data) level = 0 at once; below ``still_rate`` the level rises by one per
    ``still_after_s`` of continued stillness, up to ``max_level``; between the two it holds.
(c) Altitude deadline: deadline_s * factor for ``window_s`` after a set-point change (the blimp
    is moving; a stale altitude matters most then), else deadline_s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from snn_control.coordinator.streams import as_number
from snn_control.dictio import DictIO, require_numbers


@dataclass(frozen=True)
class SearchParams(DictIO):
    confident: float = 1.0
    base_radius_places: float = 10.0
    growth_places_per_s: float = 5.0
    confidence_radius_places: float = 20.0
    advance_places_per_s: float = 0.0
    lost_after_s: float = 10.0

    def __post_init__(self) -> None:
        require_numbers(self)
        for f in ("confident", "base_radius_places", "growth_places_per_s", "confidence_radius_places", "lost_after_s"):
            if getattr(self, f) < 0:
                raise ValueError(f"SearchParams.{f} must be >= 0, got {getattr(self, f)}")
        if self.confident <= 0:
            raise ValueError(f"SearchParams.confident must be > 0, got {self.confident}")


class SearchWindow(NamedTuple):
    modules: tuple[int, ...]
    all_modules: bool
    center_place: float  # nan when every module is searched for want of a fix
    radius_places: float
    reason: str


def modules_near(center: float, radius: float, n_modules: int, places_per_module: int) -> tuple[int, ...]:
    """Modules whose places ``[m P, m P + P - 1]`` meet ``[center - radius, center + radius]``."""
    span = n_modules * places_per_module
    lo, hi = max(-1.0, center - radius), min(float(span), center + radius)  # finite, however wide
    if not lo <= hi:
        return ()
    first = max(0, math.ceil((lo - (places_per_module - 1)) / places_per_module))
    last = min(n_modules - 1, math.floor(hi / places_per_module))
    return tuple(range(first, last + 1))


def search_window(p: SearchParams, n_modules: int, places_per_module: int,
                  fix: tuple[int, float] | None, confidence: float, now_s: float) -> SearchWindow:
    """The modules to search: ``fix`` is ``(place, time)`` of the last confident match, ``confidence``
    the latest match's."""
    every = tuple(range(n_modules))
    if fix is None:
        return SearchWindow(every, True, math.nan, math.inf, "no confident match yet")
    place, t_fix = fix
    dt = max(0.0, now_s - t_fix)
    if dt > p.lost_after_s:
        return SearchWindow(every, True, math.nan, math.inf, f"lost: no confident match for {dt:.1f} s")
    c = confidence if math.isfinite(confidence) else 0.0
    radius = (p.base_radius_places + p.growth_places_per_s * dt
              + p.confidence_radius_places * max(0.0, 1.0 - c / p.confident))
    center = place + p.advance_places_per_s * dt
    modules = modules_near(center, radius, n_modules, places_per_module)
    if not modules:
        return SearchWindow(every, True, center, radius, f"window around {center:.1f} lies off the route")
    if len(modules) == n_modules:
        return SearchWindow(every, True, center, radius, f"window ±{radius:.1f} places covers the route")
    return SearchWindow(modules, False, center, radius,
                        f"±{radius:.1f} places around {center:.1f} (fix {dt:.1f} s old, confidence {c:.3g})")


class PlaceTracker:
    """The last confident match and the latest confidence, for :func:`search_window`."""

    def __init__(self, params: SearchParams, n_modules: int, places_per_module: int) -> None:
        if n_modules < 1 or places_per_module < 1:
            raise ValueError(f"need n_modules >= 1 and places_per_module >= 1, got {n_modules}, {places_per_module}")
        self.params, self.n_modules, self.places_per_module = params, n_modules, places_per_module
        self.fix: tuple[int, float] | None = None
        self.confidence = 0.0

    def on_match(self, place: object, confidence: object, now_s: float) -> bool:
        """Take a match; False (ignored) for a place off the route or a confidence that is not a
        finite number >= 0."""
        x, c = as_number(place), as_number(confidence)
        n_places = self.n_modules * self.places_per_module
        if not (math.isfinite(x) and x == int(x) and 0 <= x < n_places and math.isfinite(c) and c >= 0):
            return False
        self.confidence = c
        if c >= self.params.confident:
            self.fix = (int(x), now_s)
        return True

    def window(self, now_s: float) -> SearchWindow:
        return search_window(self.params, self.n_modules, self.places_per_module, self.fix, self.confidence, now_s)


@dataclass(frozen=True)
class ThrottleParams(DictIO):
    still_rate: float = 1000.0
    motion_rate: float = 3000.0
    still_after_s: float = 1.0
    max_level: int = 3

    def __post_init__(self) -> None:
        require_numbers(self, minimum=0)
        if not self.still_rate <= self.motion_rate:
            raise ValueError("ThrottleParams.still_rate must be <= ThrottleParams.motion_rate")
        if not isinstance(self.max_level, int) or self.max_level > 16:
            raise ValueError(f"ThrottleParams.max_level must be an int in [0, 16], got {self.max_level!r}")
        if self.still_after_s <= 0:
            raise ValueError(f"ThrottleParams.still_after_s must be > 0, got {self.still_after_s}")


class ThrottleState(NamedTuple):
    level: int = 0  # keep 1 of 2**level packets
    next_step_s: float | None = None  # when continued stillness raises the level

    @property
    def keep_one_of(self) -> int:
        return 2 ** self.level


def throttle_step(p: ThrottleParams, state: ThrottleState, rate: object, now_s: float) -> ThrottleState:
    """The throttle after the camera reported ``rate`` events/s at ``now_s``."""
    r = as_number(rate)
    if not math.isfinite(r) or r >= p.motion_rate:
        return ThrottleState(0, None)
    if r >= p.still_rate:
        return ThrottleState(state.level, None)
    if state.next_step_s is None:
        return ThrottleState(state.level, now_s + p.still_after_s)
    if now_s < state.next_step_s:
        return state
    return ThrottleState(min(p.max_level, state.level + 1), state.next_step_s + p.still_after_s)


@dataclass(frozen=True)
class DeadlineParams(DictIO):
    factor: float = 0.5
    window_s: float = 3.0

    def __post_init__(self) -> None:
        require_numbers(self, minimum=0)
        if not 0 < self.factor <= 1:
            raise ValueError(f"DeadlineParams.factor must be in (0, 1], got {self.factor}")


def altitude_deadline(p: DeadlineParams, deadline_s: float, last_change_s: float | None, now_s: float) -> float:
    """The altitude stream's deadline at ``now_s`` (policy (c))."""
    if last_change_s is not None and 0 <= now_s - last_change_s < p.window_s:
        return deadline_s * p.factor
    return deadline_s
