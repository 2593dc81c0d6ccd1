"""The world of the place benchmark: a seeded route with objects by the road, and its camera.

**Camera** (the geometry :mod:`.drawing` and :mod:`.backdrop` project with): a forward-looking
pinhole ``CAM_H`` m above a straight road, the horizon at row ``HORIZON * height``; objects are
drawn between ``Z_NEAR`` and ``Z_FAR`` m ahead. Place ``i`` is seen from route position
``ROUTE_START_M + i * place_spacing_m``.

**World** (:class:`World`, a function of the seed only): objects (:class:`Thing`) on both sides of
the road, drawn per ``SEGMENT_M`` segment from ``default_rng([seed, 0, segment])`` in regions of
``REGION_SEGMENTS`` segments (:data:`REGIONS`: town, village, forest, fields); two ranges of hills
(:attr:`World.hills`); tree lines and ground from :func:`value_noise` of the position. Nothing
depends on the condition: every traverse sees the same geometry.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import TYPE_CHECKING, Callable, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from snn_control.perception.places.backdrop import Backdrop
    from snn_control.perception.places.synth import PlaceBenchConfig

HORIZON = 0.58  # horizon row as a fraction of the image height
CAM_H = 2.0  # camera height, m
Z_NEAR, Z_FAR = 1.5, 160.0  # drawn depth range, m
SEGMENT_M = 40.0
REGION_SEGMENTS = 5
ROAD_HALF_M = 3.5
ROUTE_START_M = 200.0  # place 0's camera position (no segment of negative index is needed)


class Thing(NamedTuple):
    """One object by the road, in metres: its near end at route position ``p``, its centre ``x``
    to the right of the road's centre line, lateral width ``w``, height ``h``, extent ``length``
    along the route (buildings, fences); an albedo, and kind-specific detail ``parts`` fixed when
    the world is made (the same in every traverse)."""

    kind: str
    p: float
    x: float
    w: float
    h: float
    length: float
    colour: tuple
    parts: tuple
    variant: int


REGIONS = {  # objects per metre of route, their distance from the road (x the usual), weights of each kind
    "town": (0.3, 2.0, {"building": 0.5, "pole": 0.18, "sign": 0.12, "tree": 0.12, "bush": 0.08}),
    "village": (0.25, 3.0, {"building": 0.25, "tree": 0.25, "conifer": 0.05, "fence": 0.12, "bush": 0.12,
                            "pole": 0.12, "sign": 0.09}),
    "forest": (0.4, 2.0, {"tree": 0.4, "conifer": 0.45, "bush": 0.1, "rock": 0.05}),
    "fields": (0.12, 4.0, {"fence": 0.22, "pole": 0.22, "tree": 0.18, "bush": 0.12, "rock": 0.1, "silo": 0.08,
                           "sign": 0.08}),
}
WALLS = ((0.25, 0.3, 0.6), (0.6, 0.75, 0.82), (0.6, 0.6, 0.6), (0.85, 0.87, 0.88), (0.7, 0.55, 0.45),
         (0.35, 0.75, 0.85), (0.2, 0.2, 0.45), (0.45, 0.6, 0.45))
ROOFS = ((0.25, 0.25, 0.28), (0.2, 0.25, 0.55), (0.2, 0.3, 0.4), (0.12, 0.12, 0.12))
SIGNS = ((0.15, 0.15, 0.85), (0.75, 0.35, 0.1), (0.1, 0.8, 0.95), (0.25, 0.55, 0.15), (0.95, 0.95, 0.95))
FENCES = ((0.3, 0.45, 0.55), (0.9, 0.9, 0.9), (0.5, 0.5, 0.5))
TRUNK = (0.2, 0.28, 0.35)
SNOW = (0.95, 0.95, 0.95)
LAMP = (0.6, 0.9, 1.0)  # lit windows and street lights at night


def _jitter(rng: np.random.Generator, colour: tuple, amount: float = 0.08) -> tuple:
    return tuple(float(np.clip(c + d, 0.0, 1.0)) for c, d in zip(colour, rng.uniform(-amount, amount, 3)))



# Each maker draws the kind-specific detail of one object from ``rng``, after :func:`_make_thing`
# drew its side of the road (``sign``, and ``side = sign * spread``) and ``variant``.


def _building(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    w, h, length = u(6.0, 14.0), u(4.0, 12.0), u(8.0, 24.0)
    rows, cols = max(1, int(h / u(2.6, 3.4))), max(1, int(w / u(2.5, 3.5)))
    side_cols = max(1, int(length / u(2.5, 3.5)))
    parts = (int(rng.integers(3)), u(0.15, 0.4) * w, rows, cols, side_cols, u(0.35, 0.65), u(0.35, 0.6),
             int(rng.integers(-1, side_cols)), ROOFS[rng.integers(len(ROOFS))])
    return Thing("building", p, side * u(8.0, 25.0) + sign * w / 2, w, h, length,
                 _jitter(rng, WALLS[rng.integers(len(WALLS))]), parts, variant)


def _tree(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    r, trunk = u(1.5, 4.0), u(1.5, 4.0)
    blobs = tuple((u(-0.6, 0.6), u(-0.4, 0.5), u(0.45, 0.75)) for _ in range(int(rng.integers(4, 8))))
    branches = tuple((u(-0.9, 0.9), u(0.2, 1.2), u(0.1, 0.6)) for _ in range(int(rng.integers(4, 8))))
    return Thing("tree", p, side * u(6.0, 30.0), 2 * r, trunk + 1.6 * r, 0.0, TRUNK,
                 (r, trunk, u(0.25, 0.6), blobs, branches), variant)


def _conifer(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    return Thing("conifer", p, side * u(6.0, 35.0), u(2.0, 5.0), u(5.0, 14.0), 0.0,
                 _jitter(rng, (0.18, 0.35, 0.15), 0.05), (int(rng.integers(3, 6)),), variant)


def _pole(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    return Thing("pole", p, sign * u(4.5, 5.5), 1.0, u(7.0, 10.0), 0.0, _jitter(rng, (0.45, 0.45, 0.48)),
                 (int(rng.integers(3)), -sign * u(1.0, 2.0)), variant)


def _sign(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    s = u(0.35, 0.6)
    colours = rng.choice(len(SIGNS), 2, replace=False)
    return Thing("sign", p, sign * u(4.0, 5.0), 2 * s, u(1.8, 2.8), 0.0, SIGNS[colours[0]],
                 (s, int(rng.integers(6)), SIGNS[colours[1]], int(rng.integers(3))), variant)


def _fence(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    return Thing("fence", p, side * u(5.0, 12.0), 0.1, u(1.0, 1.6), u(20.0, 80.0), FENCES[rng.integers(len(FENCES))],
                 (u(2.0, 4.0), int(rng.integers(1, 3))), variant)


def _bush(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    w = u(1.0, 3.0)
    blobs = tuple((u(-0.35, 0.35), u(0.3, 0.6), u(0.3, 0.55)) for _ in range(int(rng.integers(2, 5))))
    return Thing("bush", p, side * u(4.0, 20.0), w, u(0.6, 1.5), 0.0, (0.0, 0.0, 0.0), blobs, variant)


def _rock(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    angles = np.sort(rng.uniform(0.0, np.pi, 7))
    outline = tuple((float(np.cos(a)) * u(0.7, 1.0), float(np.sin(a)) * u(0.6, 1.0)) for a in angles)
    return Thing("rock", p, side * u(4.0, 15.0), u(0.6, 2.0), u(0.4, 1.2), 0.0, _jitter(rng, (0.5, 0.52, 0.55)),
                 outline, variant)


def _silo(p: float, rng: np.random.Generator, sign: float, side: float, variant: int) -> Thing:
    u = rng.uniform
    return Thing("silo", p, side * u(15.0, 40.0), u(4.0, 7.0), u(8.0, 16.0), 0.0, _jitter(rng, (0.7, 0.7, 0.72)),
                 (), variant)


MAKERS: dict[str, Callable[[float, np.random.Generator, float, float, int], Thing]] = {
    "building": _building, "tree": _tree, "conifer": _conifer, "pole": _pole, "sign": _sign, "fence": _fence,
    "bush": _bush, "rock": _rock, "silo": _silo}


def _make_thing(kind: str, p: float, rng: np.random.Generator, spread: float = 1.0) -> Thing:
    """One object of ``kind`` with its near end at route position ``p``, ``spread`` times the usual
    distance from the road (poles and signs stay by the road); detail drawn from ``rng``."""
    sign = 1.0 if rng.random() < 0.5 else -1.0
    side = sign * spread
    variant = int(rng.integers(1 << 30))
    if kind not in MAKERS:
        raise ValueError(f"unknown kind {kind!r}")
    return MAKERS[kind](p, rng, sign, side, variant)


def _hash01(i: np.ndarray, salt: int) -> np.ndarray:
    """Uniform [0, 1) float32 from integers (a splitmix64 finalizer): one value per lattice point."""
    x = (np.asarray(i, dtype=np.int64).astype(np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(31)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(29)
    return (x >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)


def value_noise(x: np.ndarray, salt: int, y: np.ndarray | None = None) -> np.ndarray:
    """Smooth value noise in [0, 1) on the integer lattice, 1-D or (with ``y``) 2-D, any shape."""
    x0 = np.floor(x)
    fx = (x - x0).astype(np.float32)
    fx = fx * fx * (3.0 - 2.0 * fx)
    ix = x0.astype(np.int64)
    iys = [np.int64(0)] if y is None else [np.floor(y).astype(np.int64) * 1_000_003]
    if y is not None:
        iys.append(iys[0] + 1_000_003)
    rows = []
    for iy in iys:
        a, b = _hash01(ix + iy, salt), _hash01(ix + 1 + iy, salt)
        rows.append(a + (b - a) * fx)
    if y is None:
        return rows[0]
    fy = (y - np.floor(y)).astype(np.float32)
    fy = fy * fy * (3.0 - 2.0 * fy)
    return rows[0] + (rows[1] - rows[0]) * fy


class World:
    """The route of ``config.seed``: objects per segment (made on demand, a few cached); hills, tree
    lines and ground are value noise of the position. Nothing is stored per place."""

    def __init__(self, config: PlaceBenchConfig) -> None:
        self.config = config
        self.salt = int(np.random.SeedSequence([config.seed, 9]).generate_state(1, np.uint64)[0] >> np.uint64(2))
        rng = np.random.default_rng([config.seed, 8])
        self.hills = [(d, rng.uniform(6.0, 20.0, 3) * d / 300.0, rng.uniform(60.0, 400.0, 3),
                       rng.uniform(300.0, 1500.0, 3), rng.uniform(0, 2 * np.pi, 3)) for d in (600.0, 300.0)]
        self._segments: OrderedDict[int, tuple[Thing, ...]] = OrderedDict()
        self.backdrop_cache: OrderedDict[int, Backdrop] = OrderedDict()  # kept by backdrop.backdrop()

    def camera_m(self, i: int) -> float:
        """Route position of place ``i``'s camera, metres."""
        return ROUTE_START_M + i * self.config.place_spacing_m

    def region(self, segment: int) -> str:
        """The region (a key of :data:`REGIONS`) of a segment: one per ``REGION_SEGMENTS`` segments."""
        rng = np.random.default_rng([self.config.seed, 7, segment // REGION_SEGMENTS])
        return str(rng.choice(list(REGIONS), p=[0.3, 0.25, 0.25, 0.2]))

    def segment(self, k: int) -> tuple[Thing, ...]:
        """Objects with their near end in ``[40 k, 40 k + 40)`` m."""
        if k in self._segments:
            self._segments.move_to_end(k)
            return self._segments[k]
        density, spread, weights = REGIONS[self.region(k)]
        rng = np.random.default_rng([self.config.seed, 0, k])
        kinds = rng.choice(list(weights), size=rng.poisson(density * SEGMENT_M), p=list(weights.values()))
        things = tuple(_make_thing(str(kind), SEGMENT_M * (k + rng.random()), rng, spread) for kind in kinds)
        self._segments[k] = things
        if len(self._segments) > 16:
            self._segments.popitem(last=False)
        return things

    def things(self, c: float) -> list[tuple[float, Thing]]:
        """``(depth, thing)`` of the objects that may be in view from ``c``, far first."""
        ks = range(math.floor((c - 80.0) / SEGMENT_M), math.floor((c + Z_FAR) / SEGMENT_M) + 1)
        near = [(t.p - c, t) for k in ks for t in self.segment(k)]
        return sorted(((z, t) for z, t in near if z + t.length > Z_NEAR and z < Z_FAR), key=lambda zt: -zt[0])
