"""The mission: a route through the place benchmark, altitudes per region, and a gesture script.

The blimp travels the query traverse at ``speed_places_per_s``: at mission time t its true place is

    place(t) = route_first_place + floor(speed_places_per_s * t)

and its forward camera shows that place's query image (``image_rate_hz`` frames per second).
Place recognition tells the coordinator the place; the *region* holding it (``first_place <=
place <= last_place``) gives the altitude set-point (a place in no region keeps the current one).
A person performs the *gesture cues*: each ``label`` from ``t_s`` for ``gesture_s`` seconds, which
the coordinator maps to set-point commands (:mod:`snn_control.coordinator.gestures`).

Files (YAML or JSON, ``config/missions/corridor.yaml`` is the default)::

    duration_s: 150
    route_first_place: 200
    regions:
      - {name: corridor, first_place: 200, last_place: 240, altitude_m: 0.8}
    gestures:
      - {t_s: 20, label: right_hand_wave}

Altitudes stay in the coordinator's envelope [:data:`MIN_ALTITUDE_M`, :data:`MAX_ALTITUDE_M`]
(:class:`~snn_control.coordinator.gestures.GestureParams`); gesture labels are recognizer classes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from snn_control.coordinator.gestures import GestureParams
from snn_control.dictio import DictIO
from snn_control.perception.events.types import GESTURE_CLASSES

MIN_ALTITUDE_M = GestureParams().min_m
MAX_ALTITUDE_M = GestureParams().max_m
EPS = 1e-9


def _number(owner: str, name: str, v: Any, lo: float = -math.inf, strict: bool = False) -> None:
    ok = not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)
    if not ok or v < lo or (strict and v == lo):
        bound = "" if lo == -math.inf else (f" > {lo:g}" if strict else f" >= {lo:g}")
        raise ValueError(f"{owner}.{name} must be a finite number{bound}, got {v!r}")


def _int(owner: str, name: str, v: Any) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"{owner}.{name} must be an int >= 0, got {v!r}")


def _altitude(owner: str, v: Any) -> None:
    _number(owner, "altitude_m", v)
    if not MIN_ALTITUDE_M <= v <= MAX_ALTITUDE_M:
        raise ValueError(f"{owner}.altitude_m must be within the envelope [{MIN_ALTITUDE_M}, {MAX_ALTITUDE_M}] m, "
                         f"got {v}")


@dataclass(frozen=True)
class Region(DictIO):
    """Places ``first_place..last_place`` (inclusive) are flown at ``altitude_m``."""

    name: str
    first_place: int
    last_place: int
    altitude_m: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Region.name must be a non-empty string, got {self.name!r}")
        _int("Region", "first_place", self.first_place)
        _int("Region", "last_place", self.last_place)
        if self.last_place < self.first_place:
            raise ValueError(f"Region.last_place ({self.last_place}) must be >= first_place ({self.first_place})")
        _altitude("Region", self.altitude_m)

    def contains(self, place: int) -> bool:
        return self.first_place <= place <= self.last_place


@dataclass(frozen=True)
class GestureCue(DictIO):
    """The person performs ``label`` from ``t_s`` (for the mission's ``gesture_s``)."""

    t_s: float
    label: str

    def __post_init__(self) -> None:
        _number("GestureCue", "t_s", self.t_s, 0.0)
        if self.label not in GESTURE_CLASSES:
            raise ValueError(f"GestureCue.label: unknown gesture {self.label!r} "
                             f"(classes: {', '.join(GESTURE_CLASSES)})")


def _nested(cls: type, items: Any, key: str) -> tuple:
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"MissionSpec.{key} must be a list, got {type(items).__name__}")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, cls):
            out.append(item)
            continue
        if not isinstance(item, dict):
            raise ValueError(f"MissionSpec.{key}[{i}] must be a mapping, got {item!r}")
        names = [f.name for f in fields(cls)]
        unknown, missing = sorted(set(item) - set(names)), [n for n in names if n not in item]
        if unknown or missing:
            raise ValueError(f"MissionSpec.{key}[{i}]: unknown keys {unknown}, missing keys {missing} "
                             f"(keys: {', '.join(names)})")
        try:
            out.append(cls(**item))
        except ValueError as exc:
            raise ValueError(f"MissionSpec.{key}[{i}]: {exc}") from None
    return tuple(out)


@dataclass(frozen=True)
class MissionSpec(DictIO):
    """See the module docstring; validated on construction (``ValueError`` naming the field)."""

    duration_s: float = 150.0
    route_first_place: int = 200
    speed_places_per_s: float = 1.5
    image_rate_hz: float = 5.0
    regions: tuple[Region, ...] = ()
    gestures: tuple[GestureCue, ...] = ()
    gesture_s: float = 2.0
    initial_altitude_m: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", _nested(Region, self.regions, "regions"))
        object.__setattr__(self, "gestures", _nested(GestureCue, self.gestures, "gestures"))
        for f in ("duration_s", "speed_places_per_s", "image_rate_hz", "gesture_s"):
            _number("MissionSpec", f, getattr(self, f), 0.0, strict=True)
        _int("MissionSpec", "route_first_place", self.route_first_place)
        _number("MissionSpec", "initial_altitude_m", self.initial_altitude_m)
        if not MIN_ALTITUDE_M <= self.initial_altitude_m <= MAX_ALTITUDE_M:
            raise ValueError(f"MissionSpec.initial_altitude_m must be within [{MIN_ALTITUDE_M}, {MAX_ALTITUDE_M}] m, "
                             f"got {self.initial_altitude_m}")
        for a, b in zip(self.regions, self.regions[1:]):
            if b.first_place <= a.last_place:
                raise ValueError(f"MissionSpec.regions must be sorted and not overlap: {b.name!r} "
                                 f"({b.first_place}..{b.last_place}) starts at or before the end of "
                                 f"{a.name!r} ({a.first_place}..{a.last_place})")
        names = [r.name for r in self.regions]
        if len(set(names)) != len(names):
            raise ValueError(f"MissionSpec.regions: names must be unique, got {names}")
        for a, b in zip(self.gestures, self.gestures[1:]):
            if b.t_s - a.t_s < self.gesture_s - EPS:
                raise ValueError(f"MissionSpec.gestures must be sorted and at least gesture_s ({self.gesture_s:g} s) "
                                 f"apart: {b.label}@{b.t_s:g} after {a.label}@{a.t_s:g}")
        for c in self.gestures:
            if c.t_s + self.gesture_s > self.duration_s + EPS:
                raise ValueError(f"MissionSpec.gestures: {c.label}@{c.t_s:g} does not end (+{self.gesture_s:g} s) "
                                 f"within duration_s ({self.duration_s:g} s)")

    # -- the route ----------------------------------------------------------------------------------
    def place_at(self, t_s: float) -> int:
        """The true route place at mission time ``t_s`` (clamped to [0, duration_s])."""
        t = min(max(float(t_s), 0.0), self.duration_s)
        return self.route_first_place + int(math.floor(self.speed_places_per_s * t + EPS))

    @property
    def last_place(self) -> int:
        """The route's last place (at ``duration_s``)."""
        return self.place_at(self.duration_s)

    def check_route(self, n_places: int) -> None:
        """``ValueError`` unless every route place exists in a place model of ``n_places`` places."""
        if self.last_place >= n_places:
            raise ValueError(f"MissionSpec: the route ends at place {self.last_place} ({self.route_first_place} "
                             f"+ {self.speed_places_per_s:g} places/s x {self.duration_s:g} s), "
                             f"beyond the place model's {n_places} places (0..{n_places - 1}); shorten duration_s, "
                             f"slow speed_places_per_s or move route_first_place")

    def region_of(self, place: int | None) -> Region | None:
        """The region holding ``place`` (None: in no region, or no place)."""
        if place is None:
            return None
        return next((r for r in self.regions if r.contains(place)), None)

    def altitude_for(self, place: int | None) -> float | None:
        """The set-point for ``place`` (None: keep the current one)."""
        r = self.region_of(place)
        return None if r is None else r.altitude_m

    def region_spans(self) -> list[tuple[float, float, Region]]:
        """``(t_start, t_end, region)`` along the true route, for each region the route enters."""
        v, p0 = self.speed_places_per_s, self.route_first_place
        out = []
        for r in self.regions:
            t0, t1 = max(0.0, (r.first_place - p0) / v), min(self.duration_s, (r.last_place + 1 - p0) / v)
            if t1 > t0:
                out.append((t0, t1, r))
        return out

    def gesture_at(self, t_s: float) -> str | None:
        """The gesture performed at ``t_s``: a cue's label in ``[cue.t_s, cue.t_s + gesture_s)``."""
        c = next((c for c in self.gestures if c.t_s <= t_s < c.t_s + self.gesture_s), None)
        return None if c is None else c.label

    # -- files --------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["regions"] = [asdict(r) for r in self.regions]
        d["gestures"] = [asdict(c) for c in self.gestures]
        return d

    @classmethod
    def from_dict(cls, data: Any, source: str = "mission") -> "MissionSpec":
        """From a mapping (a parsed file); errors start with ``source`` and name the key."""
        if not isinstance(data, dict):
            raise ValueError(f"{source}: expected a mapping of mission keys, got {type(data).__name__}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"{source}: unknown key {unknown[0]!r} (known: {', '.join(known)})")
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: {exc}") from None

    @classmethod
    def load(cls, path: str | Path, n_places: int | None = None) -> "MissionSpec":
        """Read a YAML or JSON mission file; with ``n_places``, also :meth:`check_route`."""
        import yaml

        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text())  # JSON is YAML
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read mission file: {exc}") from None
        spec = cls.from_dict(data, source=str(path))
        if n_places is not None:
            try:
                spec.check_route(n_places)
            except ValueError as exc:
                raise ValueError(f"{path}: {exc}") from None
        return spec


def default_mission_path() -> Path:
    """``config/missions/corridor.yaml`` in the source tree or the installed share folder."""
    from snn_control.paths import share_dir

    return share_dir() / "config" / "missions" / "corridor.yaml"
