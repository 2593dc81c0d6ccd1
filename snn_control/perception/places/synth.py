"""The synthetic multi-traverse place benchmark: one seeded route seen under several conditions.

**Camera.** A forward-looking pinhole camera (focal length ``f`` = image height in pixels, 67
degrees across at 4:3) drives along a straight road ``CAM_H`` = 2 m above it, like Nordland's train
or RobotCar's car. In metres, a point ``x`` to the right, ``h`` up and ``p`` along the route lands
at ``u = W/2 + x f / z``, ``v = v_hor + (CAM_H - h) f / z`` with ``z = p - c`` for the camera at
``c``. Place ``i`` is seen from ``c = i * place_spacing_m`` (10 m) plus a fixed start: near
things leave the view between neighbouring places while the road and far things change slowly, so
neighbours share part of the view but are not the same place. Poles, signs and fences stand by the
road; buildings, trees and the rest 10-150 m from it, like a rural drive rather than a street canyon.

**World** (:class:`World`, a function of the seed only): objects on both sides of the road, drawn
per 40 m segment from ``default_rng([seed, 0, segment])`` in regions (town, village, forest, fields)
of 200 m: buildings (side and end walls, windows, doors, three kinds of roof), deciduous trees,
conifers, poles and street lights, signs of six shapes and five colours, fences along the road,
bushes, rocks, silos; two ranges of hills, tree lines, and a textured ground, road and road markings
from hashed value noise of the position. The first 600 places of a 10,000-place set are a 600-place
set.

**Conditions** (:data:`CONDITIONS`, one per traverse, on the same geometry): foliage colour (bare
trees in winter), snow on the ground, roofs and tops of things, sky colour, light level, the sun's
side (lit and shaded walls, cast shadows), fog that fades far things, rain streaks (fall), snow
flakes (winter), night (dark; lit windows, street lights and their light on the ground, a headlight
cone; strong gain and sensor noise). Per image, from ``default_rng([seed, 1, condition index, i])``
(:func:`image_rng`): clouds, other cars, a small similarity warp (translation, rotation, scale),
exposure jitter, Gaussian and salt-and-pepper noise; per traverse, the mounting of its vehicle's
camera (a fixed offset, roll and scale, :attr:`Condition.mount`).

The output folder is what :func:`snn_control.perception.places.data.open_traverses` reads:
``<traverse>/%05d.png`` (8-bit BGR), ``<traverse>/positions.csv`` (``file,x,y`` metres:
``x = i * place_spacing_m`` plus GPS-like noise, ``y`` noise) and ``manifest.json``.

**Difficulty** (measured on the written files, 600 places, 128 x 96): the SAD baseline (grayscale,
64 x 32, 8 x 8 patch normalization, mean absolute difference, best of the spring and fall
references) reaches Recall@1 0.51 / 0.45 / 0.41 for summer / winter / night queries with seed 0
and 0.49 / 0.53 / 0.41 with seed 1 at tolerance 0, and 0.52-0.56 / 0.48-0.55 / 0.44-0.47 at
tolerance 1. Its mean distance to the true place is 0.62-0.75, to the neighbour 0.74-0.84 and to
any place 0.80-0.89: a neighbour is only a little closer than a random place, because SAD on
patch-normalized images loses a place after a shift of a pixel or two. The fixed per-traverse
mounting (rather than a drawn one) keeps the figures within a few points from seed to seed.

**Speed**: 600 places x 5 traverses (3,000 images, 76 MB) in 7.7-9.4 s with one worker (320-390
images/s, PNG writing included) and 5.4 s with two, on the 2-core development machine.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from snn_control.dictio import DictIO

GENERATOR = "snn_control.perception.places.synth"
GENERATOR_VERSION = 1
MANIFEST_FILE = "manifest.json"
CONDITIONS = ("spring", "fall", "summer", "winter", "night")  # also the default traverses, in this order

HORIZON = 0.58  # horizon row as a fraction of the image height
CAM_H = 2.0  # camera height, m
Z_NEAR, Z_FAR = 1.5, 160.0  # drawn depth range, m
SEGMENT_M = 40.0
REGION_SEGMENTS = 5
ROAD_HALF_M = 3.5
ROUTE_START_M = 200.0  # place 0's camera position (no segment of negative index is needed)


# ----------------------------------------------------------------------------------------------
# configuration and conditions


@dataclass(frozen=True)
class PlaceBenchConfig(DictIO):
    """What to generate: ``places`` places of one route, each seen once per traverse.

    Attributes:
        places: Places per traverse.
        seed: The route and every random choice (same seed and config: byte-identical files).
        width, height: Image size in pixels.
        traverses: Conditions to render, distinct names of :data:`CONDITIONS`.
        place_spacing_m: Distance between neighbouring places along the route, metres.
        gps_noise_m: Standard deviation of the noise on the positions written to the CSV, metres.
        viewpoint: Scale of the per-image and per-traverse viewpoint change (1: a few pixels of
            translation, up to 2 degrees of rotation and 4 % of scale at 128 x 96; 0: none).
    """

    places: int = 600
    seed: int = 0
    width: int = 128
    height: int = 96
    traverses: tuple[str, ...] = CONDITIONS
    place_spacing_m: float = 10.0
    gps_noise_m: float = 1.0
    viewpoint: float = 1.0

    def __post_init__(self) -> None:
        ints = (("places", 1, 10**6), ("seed", 0, 2**63 - 1), ("width", 16, 4096), ("height", 16, 4096))
        for name, low, high in ints:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
                raise ValueError(f"PlaceBenchConfig.{name} must be an int in [{low}, {high}], got {v!r}")
        traverses = (self.traverses,) if isinstance(self.traverses, str) else tuple(self.traverses)
        unknown = [t for t in traverses if t not in CONDITIONS]
        if not traverses or unknown or len(set(traverses)) != len(traverses):
            raise ValueError(f"PlaceBenchConfig.traverses must be distinct names among {list(CONDITIONS)}, "
                             f"got {list(traverses)}" + (f" (unknown: {unknown})" if unknown else ""))
        object.__setattr__(self, "traverses", traverses)
        for name, low, high in (("place_spacing_m", 0.5, 200.0), ("gps_noise_m", 0.0, 100.0), ("viewpoint", 0.0, 3.0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not low <= v <= high:
                raise ValueError(f"PlaceBenchConfig.{name} must be a number in [{low}, {high}], got {v!r}")


@dataclass(frozen=True)
class Condition:
    """The appearance of one traverse. Colours are BGR albedos in 0..1.

    ``light`` scales every albedo (at night: the ambient level); ``sun`` in [-1, 1] is the sun's
    side (-1 left, 0 overcast): wall shading and cast shadows; ``fog`` is the extinction per metre
    (a colour goes to ``fog_colour`` by ``1 - exp(-fog z)``); ``foliage`` None means bare trees;
    ``gain`` is the sensor gain; ``noise`` the Gaussian sigma in 8-bit levels; ``salt`` the
    fraction of pixels set to 0 or 255; ``rain``, ``flakes``, ``clouds`` counts per image;
    ``mount`` the camera mounting of this traverse's vehicle: ``(dy_px at 128 px wide, roll_deg,
    log_scale)``, the same for every image (fixed, not drawn, so that no seed is luckier than another).
    """

    sky_top: tuple
    sky_low: tuple
    hill: tuple
    grass: tuple
    dirt: tuple
    foliage: tuple | None
    snow: bool
    light: float
    sun: float
    fog: float
    fog_colour: tuple
    gamma: float
    gain: float
    noise: float
    salt: float
    rain: int = 0
    flakes: int = 0
    clouds: int = 0
    night: bool = False
    mount: tuple = (0.0, 0.0, 0.0)


CONDITION_TABLE: dict[str, Condition] = {
    "spring": Condition(sky_top=(0.9, 0.7, 0.45), sky_low=(0.95, 0.88, 0.8), hill=(0.4, 0.6, 0.42),
                        grass=(0.3, 0.7, 0.45), dirt=(0.35, 0.45, 0.55),
                        foliage=((0.3, 0.78, 0.5), (0.35, 0.8, 0.6), (0.5, 0.6, 0.85)), snow=False,
                        light=1.0, sun=-0.7, fog=0.002, fog_colour=(0.9, 0.88, 0.85), gamma=1.0, gain=1.0,
                        noise=3.0, salt=0.0005, clouds=3),
    "fall": Condition(sky_top=(0.66, 0.66, 0.64), sky_low=(0.76, 0.76, 0.75), hill=(0.3, 0.42, 0.5),
                      grass=(0.25, 0.45, 0.5), dirt=(0.25, 0.33, 0.42),
                      foliage=((0.1, 0.5, 0.9), (0.1, 0.2, 0.75), (0.15, 0.75, 0.9), (0.2, 0.35, 0.5)),
                      snow=False, light=0.8, sun=0.0, fog=0.012, fog_colour=(0.72, 0.72, 0.72), gamma=1.1, gain=1.0,
                      noise=4.0, salt=0.001, rain=60, mount=(0.6, 0.3, 0.01)),
    "summer": Condition(sky_top=(0.85, 0.5, 0.2), sky_low=(0.95, 0.85, 0.7), hill=(0.25, 0.5, 0.3),
                        grass=(0.2, 0.58, 0.5), dirt=(0.4, 0.55, 0.65),
                        foliage=((0.15, 0.45, 0.2), (0.2, 0.5, 0.25), (0.12, 0.4, 0.28)), snow=False,
                        light=1.15, sun=0.9, fog=0.0015, fog_colour=(0.95, 0.9, 0.85), gamma=0.85, gain=1.0,
                        noise=3.0, salt=0.0005, clouds=2, mount=(-0.6, -0.3, 0.0)),
    "winter": Condition(sky_top=(0.8, 0.78, 0.76), sky_low=(0.88, 0.88, 0.87), hill=(0.9, 0.9, 0.9),
                        grass=(0.93, 0.93, 0.92), dirt=(0.55, 0.55, 0.57), foliage=None, snow=True,
                        light=0.95, sun=0.3, fog=0.008, fog_colour=(0.86, 0.86, 0.86), gamma=1.15, gain=1.0,
                        noise=4.0, salt=0.001, flakes=40, mount=(0.4, -0.4, -0.01)),
    "night": Condition(sky_top=(0.08, 0.06, 0.05), sky_low=(0.32, 0.34, 0.42), hill=(0.25, 0.3, 0.28),
                       grass=(0.25, 0.45, 0.35), dirt=(0.3, 0.35, 0.4), foliage=((0.2, 0.45, 0.25),),
                       snow=False, light=0.3, sun=0.0, fog=0.006, fog_colour=(0.15, 0.16, 0.19), gamma=1.3, gain=1.8,
                       noise=9.0, salt=0.003, night=True, mount=(-1.0, 0.5, 0.01)),
}


def get_condition(condition: str) -> Condition:
    """The :class:`Condition` of a traverse name."""
    if condition not in CONDITION_TABLE:
        raise ValueError(f"unknown condition {condition!r}; known: {list(CONDITIONS)}")
    return CONDITION_TABLE[condition]


# ----------------------------------------------------------------------------------------------
# the world


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


def _make_thing(kind: str, p: float, rng: np.random.Generator, spread: float = 1.0) -> Thing:
    """One object of ``kind`` with its near end at route position ``p``, ``spread`` times the usual
    distance from the road (poles and signs stay by the road); detail drawn from ``rng``."""
    u = rng.uniform
    sign = 1.0 if rng.random() < 0.5 else -1.0
    side = sign * spread
    variant = int(rng.integers(1 << 30))
    if kind == "building":
        w, h, length = u(6.0, 14.0), u(4.0, 12.0), u(8.0, 24.0)
        rows, cols = max(1, int(h / u(2.6, 3.4))), max(1, int(w / u(2.5, 3.5)))
        side_cols = max(1, int(length / u(2.5, 3.5)))
        parts = (int(rng.integers(3)), u(0.15, 0.4) * w, rows, cols, side_cols, u(0.35, 0.65), u(0.35, 0.6),
                 int(rng.integers(-1, side_cols)), ROOFS[rng.integers(len(ROOFS))])
        return Thing(kind, p, side * u(8.0, 25.0) + sign * w / 2, w, h, length,
                     _jitter(rng, WALLS[rng.integers(len(WALLS))]), parts, variant)
    if kind == "tree":
        r, trunk = u(1.5, 4.0), u(1.5, 4.0)
        blobs = tuple((u(-0.6, 0.6), u(-0.4, 0.5), u(0.45, 0.75)) for _ in range(int(rng.integers(4, 8))))
        branches = tuple((u(-0.9, 0.9), u(0.2, 1.2), u(0.1, 0.6)) for _ in range(int(rng.integers(4, 8))))
        return Thing(kind, p, side * u(6.0, 30.0), 2 * r, trunk + 1.6 * r, 0.0, TRUNK,
                     (r, trunk, u(0.25, 0.6), blobs, branches), variant)
    if kind == "conifer":
        return Thing(kind, p, side * u(6.0, 35.0), u(2.0, 5.0), u(5.0, 14.0), 0.0,
                     _jitter(rng, (0.18, 0.35, 0.15), 0.05), (int(rng.integers(3, 6)),), variant)
    if kind == "pole":
        return Thing(kind, p, sign * u(4.5, 5.5), 1.0, u(7.0, 10.0), 0.0, _jitter(rng, (0.45, 0.45, 0.48)),
                     (int(rng.integers(3)), -sign * u(1.0, 2.0)), variant)
    if kind == "sign":
        s = u(0.35, 0.6)
        colours = rng.choice(len(SIGNS), 2, replace=False)
        return Thing(kind, p, sign * u(4.0, 5.0), 2 * s, u(1.8, 2.8), 0.0, SIGNS[colours[0]],
                     (s, int(rng.integers(6)), SIGNS[colours[1]], int(rng.integers(3))), variant)
    if kind == "fence":
        return Thing(kind, p, side * u(5.0, 12.0), 0.1, u(1.0, 1.6), u(20.0, 80.0), FENCES[rng.integers(len(FENCES))],
                     (u(2.0, 4.0), int(rng.integers(1, 3))), variant)
    if kind == "bush":
        w = u(1.0, 3.0)
        blobs = tuple((u(-0.35, 0.35), u(0.3, 0.6), u(0.3, 0.55)) for _ in range(int(rng.integers(2, 5))))
        return Thing(kind, p, side * u(4.0, 20.0), w, u(0.6, 1.5), 0.0, (0.0, 0.0, 0.0), blobs, variant)
    if kind == "rock":
        angles = np.sort(rng.uniform(0.0, np.pi, 7))
        outline = tuple((float(np.cos(a)) * u(0.7, 1.0), float(np.sin(a)) * u(0.6, 1.0)) for a in angles)
        return Thing(kind, p, side * u(4.0, 15.0), u(0.6, 2.0), u(0.4, 1.2), 0.0, _jitter(rng, (0.5, 0.52, 0.55)),
                     outline, variant)
    if kind == "silo":
        return Thing(kind, p, side * u(15.0, 40.0), u(4.0, 7.0), u(8.0, 16.0), 0.0, _jitter(rng, (0.7, 0.7, 0.72)),
                     (), variant)
    raise ValueError(f"unknown kind {kind!r}")


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
        self._backdrops: OrderedDict[int, Backdrop] = OrderedDict()

    def camera_m(self, i: int) -> float:
        """Route position of place ``i``'s camera, metres."""
        return ROUTE_START_M + i * self.config.place_spacing_m

    def region(self, segment: int) -> str:
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


# ----------------------------------------------------------------------------------------------
# drawing: every function draws one thing at depth z (m) onto a uint8 BGR image


class _View:
    """Projection of the camera into a ``width`` x ``height`` image, and the colours of a condition."""

    def __init__(self, width: int, height: int, cond: Condition) -> None:
        self.f, self.cx, self.hor, self.cond = float(height), 0.5 * width, HORIZON * height, cond

    def pt(self, x: float, h: float, z: float) -> tuple[float, float]:
        return self.cx + x * self.f / z, self.hor + (CAM_H - h) * self.f / z

    def colour(self, albedo: tuple, z: float, shade: float = 1.0) -> tuple:
        """BGR 0..255 of an albedo at depth ``z`` (light, shading, fog)."""
        cond = self.cond
        k, e = cond.light * shade * 255.0 * math.exp(-cond.fog * z), 255.0 * (1.0 - math.exp(-cond.fog * z))
        (b, g, r), (fb, fg, fr) = albedo, cond.fog_colour
        return min(255.0, b * k) + fb * e, min(255.0, g * k) + fg * e, min(255.0, r * k) + fr * e


def _fx(points) -> np.ndarray:
    """Points in pixels as int32 with 4 fractional bits (OpenCV's ``shift=4``)."""
    return np.rint(np.array(points, dtype=np.float64) * 16.0).astype(np.int32)


def _fx1(point: tuple[float, float]) -> tuple[int, int]:
    return round(point[0] * 16.0), round(point[1] * 16.0)


def _poly(img: np.ndarray, points, colour) -> None:
    import cv2

    cv2.fillPoly(img, [_fx(points)], colour, cv2.LINE_AA, 4)


def _line(img: np.ndarray, a, b, colour, thickness_px: float) -> None:
    import cv2

    cv2.line(img, _fx1(a), _fx1(b), colour, max(1, round(thickness_px)), cv2.LINE_AA, 4)


def _disc(img: np.ndarray, centre, radius_px: float, colour) -> None:
    import cv2

    cv2.circle(img, _fx1(centre), max(1, round(radius_px * 16.0)), colour, -1, cv2.LINE_AA, 4)


def _box(v: _View, x0: float, x1: float, h0: float, h1: float, z: float) -> list:
    """A rectangle facing the camera at depth ``z``."""
    return [v.pt(x0, h0, z), v.pt(x1, h0, z), v.pt(x1, h1, z), v.pt(x0, h1, z)]


def _wall(v: _View, x: float, h0: float, h1: float, z0: float, z1: float) -> list:
    """A rectangle along the route at lateral ``x`` between depths ``z0`` and ``z1``."""
    return [v.pt(x, h0, z0), v.pt(x, h1, z0), v.pt(x, h1, z1), v.pt(x, h0, z1)]


def _lit(variant: int, k: int) -> bool:
    """Whether window ``k`` of a building is lit at night (about a third are)."""
    return (((variant * 0x9E3779B1 + k * 0x85EBCA6B) & 0xFFFFFFFF) >> 16) % 100 < 35


def _window_rows(t: Thing) -> list[tuple[float, float]]:
    """Bottom and top height of each row of windows, m."""
    _, _, rows, _, _, _, win_h, _, _ = t.parts
    cell_h = t.h * 0.8 / rows
    return [(0.1 * t.h + (r + 0.5 - 0.5 * win_h) * cell_h, 0.1 * t.h + (r + 0.5 + 0.5 * win_h) * cell_h)
            for r in range(rows)]


def _draw_building(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    """A box: the long wall facing the road with its roof, windows and door, then the end wall
    facing the camera (gable or shed roof) when it is in front of the camera."""
    roof, roof_h, rows, cols, side_cols, win_w, win_h, door, roof_colour = t.parts
    cond, right = v.cond, t.x > 0
    x0, x1 = t.x - t.w / 2, t.x + t.w / 2
    xs, xf = (x0, x1) if right else (x1, x0)  # the wall facing the road, and the far one
    za, zb = max(z, Z_NEAR), z + t.length
    zm = 0.5 * (za + zb)
    _poly(img, _wall(v, xs, 0.0, t.h, za, zb), v.colour(t.colour, zm, 1.0 - 0.3 * cond.sun * (1.0 if right else -1.0)))
    top = roof_colour if not cond.snow else SNOW
    if roof:
        ridge = t.x if roof == 1 else xf
        _poly(img, [v.pt(xs, t.h, za), v.pt(ridge, t.h + roof_h, za), v.pt(ridge, t.h + roof_h, zb), v.pt(xs, t.h, zb)],
              v.colour(top, zm, 1.0 if roof == 1 else 0.9))
    else:
        _line(img, v.pt(xs, t.h, za), v.pt(xs, t.h, zb), v.colour(top, zm, 0.8), max(1.0, 0.3 * v.f / zm))
    glass = (0.45, 0.38, 0.3) if not cond.night else (0.05, 0.05, 0.05)
    lamp = tuple(255.0 * c for c in LAMP)
    cell_l, cell_h = t.length * 0.9 / side_cols, t.h * 0.8 / rows
    for r, (h0, h1) in enumerate(_window_rows(t)):
        for k in range(side_cols):
            zc = z + 0.05 * t.length + (k + 0.5) * cell_l
            if r == 0 and k == door:
                if zc - 0.3 * cell_l > Z_NEAR:
                    _poly(img, _wall(v, xs, 0.0, min(2.2, 0.8 * cell_h), zc - 0.3 * cell_l, zc + 0.3 * cell_l),
                          v.colour((0.15, 0.2, 0.25), zc))
            elif zc - 0.5 * win_w * cell_l > Z_NEAR:
                lit = cond.night and _lit(t.variant, r * 64 + k)
                _poly(img, _wall(v, xs, h0, h1, zc - 0.5 * win_w * cell_l, zc + 0.5 * win_w * cell_l),
                      lamp if lit else v.colour(glass, zc))
    if z >= Z_NEAR:
        _draw_end_wall(img, t, v, z, xs, xf, glass, lamp)


def _draw_end_wall(img: np.ndarray, t: Thing, v: _View, z: float, xs: float, xf: float, glass: tuple,
                   lamp: tuple) -> None:
    roof, roof_h, rows, cols, side_cols, win_w, win_h, door, roof_colour = t.parts
    x0, x1 = t.x - t.w / 2, t.x + t.w / 2
    _poly(img, _box(v, x0, x1, 0.0, t.h, z), v.colour(t.colour, z, 0.9))
    if roof:
        apex = t.x if roof == 1 else xf
        _poly(img, [v.pt(x0, t.h, z), v.pt(apex, t.h + roof_h, z), v.pt(x1, t.h, z)], v.colour(t.colour, z, 0.85))
        top = roof_colour if not v.cond.snow else SNOW
        _line(img, v.pt(xs, t.h, z), v.pt(apex, t.h + roof_h, z), v.colour(top, z), max(1.0, 0.4 * v.f / z))
    cell_w = t.w * 0.84 / cols
    for r, (h0, h1) in enumerate(_window_rows(t)):
        for k in range(cols):
            q = x0 + 0.08 * t.w + (k + 0.5) * cell_w
            lit = v.cond.night and _lit(t.variant, 4096 + r * 64 + k)
            _poly(img, _box(v, q - 0.5 * win_w * cell_w, q + 0.5 * win_w * cell_w, h0, h1, z),
                  lamp if lit else v.colour(glass, z))


def _draw_tree(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    r, trunk, trunk_w, blobs, branches = t.parts
    px, cond = v.f / z, v.cond
    _poly(img, _box(v, t.x - trunk_w / 2, t.x + trunk_w / 2, 0.0, trunk + 0.5 * r, z), v.colour(TRUNK, z))
    if cond.foliage is None:
        for bx, by, thin in branches:
            end = v.pt(t.x + bx * r, trunk + by * r, z)
            _line(img, v.pt(t.x, trunk, z), end, v.colour(TRUNK, z), max(1.0, thin * trunk_w * px))
            if cond.snow:
                _disc(img, end, 0.15 * px, v.colour(SNOW, z))
        return
    base = cond.foliage[t.variant % len(cond.foliage)]
    for dx, dy, s in blobs:
        _disc(img, v.pt(t.x + dx * r, trunk + 0.8 * r + dy * r, z), s * r * px,
              v.colour(base, z, 1.0 + 0.3 * cond.sun * dx))


def _draw_conifer(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    (tiers,) = t.parts
    px = v.f / z
    _poly(img, _box(v, t.x - 0.2, t.x + 0.2, 0.0, 0.15 * t.h, z), v.colour(TRUNK, z))
    for k in range(tiers):
        lo = 0.1 * t.h + 0.85 * t.h * k / tiers
        half = 0.5 * t.w * (1.0 - 0.6 * k / tiers)
        apex = v.pt(t.x, lo + 1.6 * 0.85 * t.h / tiers, z)
        _poly(img, [v.pt(t.x - half, lo, z), v.pt(t.x + half, lo, z), apex], v.colour(t.colour, z, 1.0 - 0.05 * k))
        if v.cond.snow:
            _line(img, v.pt(t.x - 0.7 * half, lo + 0.2 * t.h / tiers, z), apex, v.colour(SNOW, z), 0.15 * px)


def _draw_pole(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    kind, arm = t.parts
    px = v.f / z
    colour = v.colour(t.colour, z)
    _line(img, v.pt(t.x, 0.0, z), v.pt(t.x, t.h, z), colour, 0.2 * px)
    if kind == 1:  # utility pole: a cross bar
        _line(img, v.pt(t.x - 0.8, t.h - 0.5, z), v.pt(t.x + 0.8, t.h - 0.5, z), colour, 0.15 * px)
    elif kind == 2:  # street light, its arm over the road
        head = v.pt(t.x + arm, t.h - 0.2, z)
        _line(img, v.pt(t.x, t.h, z), head, colour, 0.12 * px)
        if v.cond.night:
            _disc(img, head, 0.6 * px, tuple(120.0 * c for c in LAMP))
            _disc(img, head, 0.25 * px, (255.0, 255.0, 255.0))
        else:
            _disc(img, head, 0.2 * px, v.colour((0.8, 0.8, 0.75), z))


SIGN_SHAPES = {0: [(0, 1), (0.87, -0.5), (-0.87, -0.5)], 1: [(0, -1), (0.87, 0.5), (-0.87, 0.5)],
               2: [(-1, -1), (1, -1), (1, 1), (-1, 1)], 3: [(0, -1.2), (1.2, 0), (0, 1.2), (-1.2, 0)],
               4: [(-1.8, -0.7), (1.8, -0.7), (1.8, 0.7), (-1.8, 0.7)]}  # shape 5 is a disc


def _draw_sign(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    s, shape, inner, mark = t.parts
    px = v.f / z
    _line(img, v.pt(t.x, 0.0, z), v.pt(t.x, t.h, z), v.colour((0.5, 0.5, 0.5), z), 0.08 * px)
    cx, ch = t.x, t.h + s
    if shape == 5:
        _disc(img, v.pt(cx, ch, z), s * px, v.colour(t.colour, z))
    else:
        _poly(img, [v.pt(cx + a * s, ch + b * s, z) for a, b in SIGN_SHAPES[shape]], v.colour(t.colour, z))
    if mark == 1:
        _line(img, v.pt(cx - 0.5 * s, ch, z), v.pt(cx + 0.5 * s, ch, z), v.colour(inner, z), 0.3 * s * px)
    elif mark == 2:
        _disc(img, v.pt(cx, ch - 0.1 * s, z), 0.35 * s * px, v.colour(inner, z))


def _draw_fence(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    spacing, rails = t.parts
    ks = [k for k in range(int(t.length / spacing) + 1) if Z_NEAR * 2 <= z + k * spacing <= Z_FAR]
    if not ks:
        return
    za, zb = z + ks[0] * spacing, z + ks[-1] * spacing
    for k in ks:
        zk = z + k * spacing
        _line(img, v.pt(t.x, 0.0, zk), v.pt(t.x, t.h, zk), v.colour(t.colour, zk), 0.12 * v.f / zk)
    for r in range(rails):
        hh = t.h * (0.9 - 0.45 * r)
        colour = v.colour(SNOW if v.cond.snow and r == 0 else t.colour, 0.5 * (za + zb))
        _line(img, v.pt(t.x, hh, za), v.pt(t.x, hh, zb), colour, 0.08 * v.f / za)


def _draw_bush(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    px, cond = v.f / z, v.cond
    leaves = (0.3, 0.35, 0.4) if cond.foliage is None else cond.foliage[t.variant % len(cond.foliage)]
    base = tuple(0.8 * c for c in leaves)
    for dx, dy, s in t.parts:
        centre = v.pt(t.x + dx * t.w, dy * t.h * 1.5, z)
        _disc(img, centre, s * t.w * px, v.colour(base, z, 1.0 + 0.3 * cond.sun * dx))
        if cond.snow:
            _disc(img, (centre[0], centre[1] - 0.5 * s * t.w * px), 0.5 * s * t.w * px, v.colour(SNOW, z))


def _draw_rock(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    _poly(img, [v.pt(t.x + a * t.w / 2, b * t.h, z) for a, b in t.parts], v.colour(t.colour, z))
    if v.cond.snow:
        _poly(img, [v.pt(t.x + 0.8 * a * t.w / 2, max(b, 0.7) * t.h, z) for a, b in t.parts], v.colour(SNOW, z))


def _draw_silo(img: np.ndarray, t: Thing, v: _View, z: float) -> None:
    import cv2

    px = v.f / z
    _poly(img, _box(v, t.x - t.w / 2, t.x + t.w / 2, 0.0, t.h, z), v.colour(t.colour, z, 1.0 + 0.1 * v.cond.sun))
    dome = v.colour(SNOW if v.cond.snow else tuple(0.7 * c for c in t.colour), z)
    cv2.ellipse(img, _fx1(v.pt(t.x, t.h, z)), _fx1((t.w / 2 * px, 0.3 * t.w * px)), 0.0, 180.0, 360.0,
                dome, -1, cv2.LINE_AA, 4)
    for k in (0.3, 0.6):
        _line(img, v.pt(t.x - t.w / 2, k * t.h, z), v.pt(t.x + t.w / 2, k * t.h, z), v.colour(t.colour, z, 0.6),
              0.1 * px)


DRAW = {"building": _draw_building, "tree": _draw_tree, "conifer": _draw_conifer, "pole": _draw_pole,
        "sign": _draw_sign, "fence": _draw_fence, "bush": _draw_bush, "rock": _draw_rock, "silo": _draw_silo}


CARS = ((0.15, 0.15, 0.7), (0.7, 0.7, 0.72), (0.1, 0.1, 0.12), (0.6, 0.35, 0.15), (0.9, 0.9, 0.92))


def _draw_cars(img: np.ndarray, v: _View, rng: np.random.Generator) -> None:
    """Other traffic, new in every image: cars ahead in our lane (tail lights at night) and oncoming
    ones in the other (headlights at night), far first."""
    n = int(rng.poisson(0.8))
    zs, lanes = np.sort(rng.uniform(12.0, 90.0, n))[::-1], rng.random(n) < 0.5
    colours = rng.integers(len(CARS), size=n)
    for z, oncoming, k in zip(zs, lanes, colours):
        x = -1.8 if oncoming else 1.8
        px = v.f / z
        _poly(img, _box(v, x - 0.9, x + 0.9, 0.3, 1.0, z), v.colour(CARS[k], z))
        _poly(img, _box(v, x - 0.7, x + 0.6, 1.0, 1.45, z), v.colour(CARS[k], z, 0.7))
        if v.cond.night:
            lamp, r = ((255.0, 255.0, 240.0), 0.35) if oncoming else ((40.0, 40.0, 230.0), 0.2)
            for dx in (-0.7, 0.7):
                _disc(img, v.pt(x + dx, 0.6, z), 2.5 * r * px, tuple(0.35 * c for c in lamp))
                _disc(img, v.pt(x + dx, 0.6, z), r * px, lamp)


def _in_view(t: Thing, z: float, v: _View) -> bool:
    """Whether any of ``t`` can be in the image (and more than a pixel or so tall)."""
    if t.kind == "building":
        near_wall = abs(t.x) - t.w / 2
        return near_wall * v.f / (z + t.length) < v.cx + 2.0
    if t.kind == "fence":
        return abs(t.x) * v.f / (z + t.length) < v.cx + 2.0
    if z < Z_NEAR or (t.h + 1.0) * v.f / z < 1.5:
        return False
    return (abs(t.x) - t.w / 2 - 2.0) * v.f / z < v.cx


# ----------------------------------------------------------------------------------------------
# one image


class Backdrop(NamedTuple):
    """The condition-free geometry behind the objects of one place."""

    layers: np.ndarray  # above the ground: 0 sky, 1 far hills, 2 near hills, 3 tree lines (uint8)
    z_rows: np.ndarray  # depth of each ground row, m (rows from ``ceil(horizon)`` down)
    patches: np.ndarray  # low-frequency ground noise in [0, 1), (ground rows, W), flattened far away
    grain: np.ndarray  # high-frequency ground noise in [-0.5, 0.5), faded far away
    drifts: np.ndarray  # the same for snow: another pattern (snow hides the ground's own)
    road: np.ndarray  # bool: the road
    markings: np.ndarray  # bool: road markings
    beam: np.ndarray  # headlight intensity on the ground: about 2 m wide at the car, reaching some 40 m


def _smoothstep(a: float, b: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - a) / (b - a), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def backdrop(world: World, i: int) -> Backdrop:
    """Hills, tree lines and ground of place ``i`` (the last few cached: every traverse needs them)."""
    if i in world._backdrops:
        return world._backdrops[i]
    cfg, c, salt = world.config, world.camera_m(i), world.salt
    f, cx, hor = float(cfg.height), 0.5 * cfg.width, HORIZON * cfg.height
    xs = np.arange(cfg.width, dtype=np.float64) + 0.5 - cx
    tops = []
    for d, amps, lam_x, lam_p, phases in world.hills:
        h = sum(a * 0.5 * (1.0 + np.sin(2 * np.pi * (xs * d / f / lx + c / lp) + ph))
                for a, lx, lp, ph in zip(amps, lam_x, lam_p, phases))
        tops.append(hor + (CAM_H - h) * f / d)
    side_salt = salt + 3 + (xs > 0)  # tree lines left and right, 25-60 m from the road (varying along it,
    z = 45.0 * f / np.maximum(np.abs(xs), 1e-3)  # evaluated where a line at 45 m would be seen)
    z = np.clip((25.0 + 35.0 * value_noise((c + z) / 150.0, side_salt + 11)) * f / np.maximum(np.abs(xs), 1e-3),
                10.0, 2000.0)
    p = c + z
    gate = np.clip((value_noise(p / 80.0, side_salt) - 0.4) * 3.0, 0.0, 1.0)
    tops.append(hor + (CAM_H - gate * (8.0 + 10.0 * value_noise(p / 6.0, side_salt + 7))) * f / z)
    rows = np.arange(math.ceil(hor), dtype=np.float64)[:, None] + 0.5
    layers = np.zeros((rows.size, cfg.width), np.uint8)
    for k, top in enumerate(tops):
        layers[rows >= top[None, :]] = k + 1
    rows = np.arange(math.ceil(hor), cfg.height, dtype=np.float64) + 0.5
    z_rows = CAM_H * f / (rows - hor)
    x = xs[None, :] * z_rows[:, None] / f
    p = c + np.broadcast_to(z_rows[:, None], x.shape)
    zr = z_rows[:, None].astype(np.float32)
    patches = 0.5 + (value_noise(p / 12.0, salt + 1, x / 12.0) - 0.5) * np.minimum(80.0 / zr, 1.0)
    grain = (value_noise(p * 1.5, salt + 2, x * 1.5) - 0.5) * np.minimum(15.0 / zr, 1.0)
    drifts = (value_noise(p * 0.8, salt + 5, x * 2.5) - 0.5) * np.minimum(15.0 / zr, 1.0)
    ax = np.abs(x)
    markings = (p < c + 60.0) & (((ax < 0.12) & (p % 9.0 < 3.0)) | ((ax > 3.1) & (ax < 3.3)))
    beam = (np.exp(-0.5 * (x / (1.0 + 0.15 * z_rows[:, None])) ** 2) / (1.0 + (z_rows[:, None] / 35.0) ** 2))
    out = Backdrop(layers, z_rows, patches, grain, drifts, ax < ROAD_HALF_M, markings, beam.astype(np.float32))
    world._backdrops[i] = out
    if len(world._backdrops) > 4:
        world._backdrops.popitem(last=False)
    return out


def _paint_backdrop(world: World, i: int, v: _View, things: list[tuple[float, Thing]]) -> np.ndarray:
    """Sky, hills, tree lines, ground and road with shadows or light pools: float32 BGR 0..255."""
    cfg, b, cond = world.config, backdrop(world, i), v.cond
    height, width = cfg.height, cfg.width
    g0 = b.layers.shape[0]
    img = np.empty((height, width, 3), np.float32)
    t = ((np.arange(g0, dtype=np.float32) + 0.5) / v.hor)[:, None]
    trees = (0.45, 0.45, 0.47) if cond.foliage is None else tuple(0.6 * c for c in cond.foliage[0])
    palette = np.empty((g0, 4, 3), np.float32)  # per row: sky, far hills, near hills, tree lines
    palette[:, 0] = 255.0 * ((1 - t) * np.float32(cond.sky_top) + t * np.float32(cond.sky_low))
    palette[:, 1:] = [v.colour(cond.hill, 600.0), v.colour(cond.hill, 300.0), v.colour(trees, 60.0)]
    img[:g0] = palette[np.arange(g0)[:, None], b.layers]
    dirt = _smoothstep(0.75, 0.85, b.patches) if cond.snow else _smoothstep(0.55, 0.7, b.patches)
    grass, soil = np.float32(cond.grass), np.float32(cond.dirt)
    ground = grass + dirt[..., None] * (soil - grass)
    grain = 0.5 * (b.grain + b.drifts) if cond.snow else b.grain
    ground *= 1.0 + grain[..., None] * (0.3 if cond.snow else 0.6)
    asphalt = (0.7, 0.7, 0.72) if cond.snow else (0.33, 0.33, 0.35)
    ground[b.road] = np.float32(asphalt) * (1.0 + 0.6 * grain[b.road])[..., None]
    if not cond.snow:
        ground[b.markings] = 0.85
    light = np.exp(-cond.fog * b.z_rows).astype(np.float32)[:, None]
    haze = (1.0 - light)[..., None] * (255.0 * np.float32(cond.fog_colour))
    light = light * np.float32(255.0 * cond.light)
    if cond.sun or cond.night:
        light = light * _ground_light(things, v, width, height)[g0:]
    if cond.night:
        light = light * (1.0 + 0.8 * b.beam)
    img[g0:] = ground * light[..., None] + haze
    return img


def _ground_light(things: list[tuple[float, Thing]], v: _View, width: int, height: int) -> np.ndarray:
    """Multiplier of the ground: shadows cast away from the sun, light pools under street lights."""
    import cv2

    mask = np.full((height, width), 128, np.uint8)
    sun = v.cond.sun
    shadow = int(128 * (1 - 0.45 * abs(sun)))
    for z, t in things:
        if v.cond.night:
            if t.kind == "pole" and t.parts[0] == 2 and z > Z_NEAR:
                q = t.x + t.parts[1]
                ring = [(q + 4.0 * math.cos(a), max(1.0, z + 4.0 * math.sin(a))) for a in np.arange(8) * np.pi / 4]
                _poly(mask, [v.pt(a, 0.0, b) for a, b in ring], 255)
        elif t.kind not in ("fence", "rock") and z < 80.0:
            shift = 0.8 * t.h
            x0, x1 = t.x - t.w / 2, t.x + t.w / 2
            corners = [(x0, z), (x1, z), (x0, z + t.length), (x1, z + t.length)]
            corners += [(a - sun * shift, b + 0.3 * shift) for a, b in corners]
            pts = _fx([v.pt(a, 0.0, max(1.0, b)) for a, b in corners])
            cv2.fillConvexPoly(mask, cv2.convexHull(pts), shadow, cv2.LINE_AA, 4)
    return mask.astype(np.float32) / 128.0


def _clouds(img: np.ndarray, cond: Condition, rng: np.random.Generator, hor: float) -> None:
    import cv2

    width = img.shape[1]
    for _ in range(int(rng.integers(0, cond.clouds + 1))):
        centre = (int(rng.uniform(0, width) * 16), int(rng.uniform(0.05, 0.5) * hor * 16))
        axes = (int(rng.uniform(0.08, 0.25) * width * 16), int(rng.uniform(0.03, 0.07) * width * 16))
        cv2.ellipse(img, centre, axes, 0.0, 0.0, 360.0, (250, 248, 245), -1, cv2.LINE_AA, 4)


def _weather(img: np.ndarray, cond: Condition, rng: np.random.Generator) -> np.ndarray:
    """Rain streaks (blended) and snow flakes."""
    import cv2

    height, width = img.shape[:2]
    if cond.rain:
        streaks = img.copy()
        x, y = rng.uniform(0, width, cond.rain), rng.uniform(0, height, cond.rain)
        for a, b, n in zip(x, y, rng.uniform(0.05, 0.12, cond.rain) * height):
            cv2.line(streaks, (int(a), int(b)), (int(a + 0.25 * n), int(b + n)), (200, 200, 200), 1, cv2.LINE_AA)
        img = cv2.addWeighted(img, 0.65, streaks, 0.35, 0.0)
    for a, b in zip(rng.uniform(0, width, cond.flakes), rng.uniform(0, height, cond.flakes)):
        cv2.circle(img, (int(a), int(b)), 1, (245, 245, 245), -1)
    return img


GAUSS_LUT = np.array([NormalDist().inv_cdf((k + 0.5) / 256) for k in range(256)], np.float32)  # a byte -> N(0, 1)


def _camera(img: np.ndarray, world: World, condition: str, rng: np.random.Generator) -> np.ndarray:
    """Sun falloff, exposure, gamma, viewpoint warp, sensor noise: uint8 BGR in and out.

    ``(v * sun(x) * exposure) ** gamma`` is computed as ``lut[v] * sun(x) ** gamma``."""
    import cv2

    cond, cfg = CONDITION_TABLE[condition], world.config
    height, width = img.shape[:2]
    exposure = cond.gain * math.exp(rng.normal(0.0, 0.07)) / 255.0
    lut = np.power(np.arange(256, dtype=np.float32) * np.float32(exposure), np.float32(cond.gamma)) * np.float32(255.0)
    img = cv2.LUT(img, lut)
    if cond.sun:
        x = (np.arange(width, dtype=np.float32) + 0.5) / width - 0.5
        img *= ((1.0 + 0.25 * cond.sun * x) ** np.float32(cond.gamma))[None, :, None]
    (mount_dy, mount_roll, mount_scale), vp, px = cond.mount, cfg.viewpoint, width / 128.0
    dx, dy = rng.normal(0.0, 1.0) * vp * px, (mount_dy + rng.normal(0.0, 0.6)) * vp * px
    angle = (mount_roll + rng.uniform(-1.5, 1.5)) * vp
    scale = math.exp((mount_scale + rng.uniform(-0.03, 0.03)) * vp)
    m = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
    m[:, 2] += (dx, dy)
    img = cv2.warpAffine(img, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    uniform = np.frombuffer(rng.bytes(img.size), np.uint8).reshape(img.shape)
    img += cv2.LUT(uniform, GAUSS_LUT * np.float32(cond.noise))  # Gaussian noise, 8x faster than standard_normal
    n_salt = int(rng.binomial(height * width, cond.salt))
    if n_salt:
        idx = rng.integers(0, height * width, n_salt)
        img.reshape(-1, 3)[idx] = np.where(rng.random(n_salt) < 0.5, 0.0, 255.0)[:, None]
    return np.clip(img + 0.5, 0.0, 255.0, out=img).astype(np.uint8)


def render_place(world: World, i: int, condition: str, rng: np.random.Generator) -> np.ndarray:
    """Place ``i`` of ``world`` as traverse ``condition`` sees it: BGR uint8 ``(height, width, 3)``.

    ``rng`` draws what changes per image (clouds, rain, viewpoint jitter, exposure, noise);
    :func:`image_rng` gives the one the generator uses.
    """
    cfg = world.config
    v = _View(cfg.width, cfg.height, get_condition(condition))
    things = [(z, t) for z, t in world.things(world.camera_m(i)) if _in_view(t, z, v)]
    canvas = np.clip(_paint_backdrop(world, i, v, things) + 0.5, 0, 255).astype(np.uint8)
    if v.cond.clouds:
        _clouds(canvas, v.cond, rng, v.hor)
    for z, t in things:
        DRAW[t.kind](canvas, t, v, z)
    _draw_cars(canvas, v, rng)
    return _camera(_weather(canvas, v.cond, rng), world, condition, rng)


def image_rng(seed: int, condition: str, i: int) -> np.random.Generator:
    """The generator of image ``i`` of traverse ``condition`` (independent of every other image)."""
    return np.random.default_rng([seed, 1, CONDITIONS.index(condition), i])


# ----------------------------------------------------------------------------------------------
# the data set on disk

POSITIONS_FILE = "positions.csv"
IMAGE_NAME = re.compile(r"^\d{5,}\.png$")


def image_name(i: int) -> str:
    return f"{i:05d}.png"


def is_place_benchmark(folder: str | Path) -> bool:
    """Whether ``folder`` holds a manifest written by this generator (complete or not)."""
    try:
        return json.loads((Path(folder) / MANIFEST_FILE).read_text()).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def _write_manifest(out: Path, config: PlaceBenchConfig, complete: bool) -> None:
    manifest = {"generator": GENERATOR, "version": GENERATOR_VERSION, "complete": complete, "seed": config.seed,
                "n_places": config.places, "traverses": list(config.traverses), "images": "<traverse>/%05d.png",
                "positions": f"<traverse>/{POSITIONS_FILE}: file,x,y in metres", "config": config.to_dict()}
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1) + "\n")


def _clear_previous(out: Path, traverses: Sequence[str]) -> None:
    """Remove the images and positions a previous run wrote, so no stale place survives a smaller run."""
    old = []
    if is_place_benchmark(out):
        old = json.loads((out / MANIFEST_FILE).read_text()).get("traverses", [])
    for name in {*traverses, *(t for t in old if t in CONDITIONS)}:
        folder = out / name
        if folder.is_dir():
            for path in folder.iterdir():
                if IMAGE_NAME.match(path.name) or path.name == POSITIONS_FILE:
                    path.unlink()
            if name not in traverses and not any(folder.iterdir()):
                folder.rmdir()


def write_positions(path: Path, config: PlaceBenchConfig, traverse: str) -> None:
    """``file,x,y``: x = i * place_spacing_m and y = 0 m, each plus N(0, gps_noise_m) noise."""
    rng = np.random.default_rng([config.seed, 3, CONDITIONS.index(traverse)])
    noise = rng.normal(0.0, config.gps_noise_m, (config.places, 2))
    rows = [f"{image_name(i)},{i * config.place_spacing_m + dx:.3f},{dy:.3f}" for i, (dx, dy) in enumerate(noise)]
    path.write_text("file,x,y\n" + "\n".join(rows) + "\n")


def _render_chunk(job: tuple[str, dict, int, int]) -> list[tuple[int, str]]:
    """Render and write places ``[start, stop)`` of every traverse; returns ``(place, traverse)`` done."""
    import cv2

    out, config_dict, start, stop = job
    config = PlaceBenchConfig.from_dict(config_dict)
    world, done = World(config), []
    for i in range(start, stop):
        for name in config.traverses:
            path = Path(out) / name / image_name(i)
            if not cv2.imwrite(str(path), render_place(world, i, name, image_rng(config.seed, name, i))):
                raise OSError(f"{path}: cannot write the image")
            done.append((i, name))
    return done


def generate_places(out: str | Path, config: PlaceBenchConfig, workers: int = 1,
                    on_image: Callable[[int, str], None] | None = None) -> dict[str, Any]:
    """Write the benchmark under ``out`` (see the module docstring); the same config gives the same bytes.

    Args:
        out: Output folder (created). Images and positions of a previous run there are replaced.
        config: What to generate.
        workers: Processes rendering chunks of places in parallel (1: this process). Every image has
            its own generator, so the files do not depend on it.
        on_image: Called as ``on_image(place, traverse)`` after each image is written (a progress bar).

    Returns:
        A summary: ``n_places``, ``traverses``, ``images``, ``wall_s``, ``images_per_s`` and more.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int >= 1, got {workers!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clear_previous(out, config.traverses)
    _write_manifest(out, config, complete=False)
    for name in config.traverses:
        (out / name).mkdir(exist_ok=True)
        write_positions(out / name / POSITIONS_FILE, config, name)
    chunk = max(1, min(50, math.ceil(config.places / (8 * workers))))
    jobs = [(str(out), config.to_dict(), a, min(a + chunk, config.places)) for a in range(0, config.places, chunk)]
    start, images = time.perf_counter(), 0
    if workers == 1:
        results = map(_render_chunk, jobs)
        pool = None
    else:
        import multiprocessing

        pool = multiprocessing.get_context("spawn").Pool(min(workers, len(jobs)))
        results = pool.imap(_render_chunk, jobs)
    try:
        for done in results:
            for i, name in done:
                images += 1
                if on_image is not None:
                    on_image(i, name)
    finally:
        if pool is not None:
            pool.terminate()
    wall = time.perf_counter() - start
    _write_manifest(out, config, complete=True)
    return {"out": str(out), "n_places": config.places, "traverses": list(config.traverses), "images": images,
            "seed": config.seed, "size": [config.width, config.height], "wall_s": round(wall, 2),
            "images_per_s": round(images / max(wall, 1e-9), 1), "workers": workers, "version": GENERATOR_VERSION}


def write_preview(out_png: str | Path, source: str | Path | PlaceBenchConfig,
                  places: Sequence[int] = (0, 1, 2, 100, 300)) -> Path:
    """A grid PNG: one row per place (those that exist), one column per traverse.

    ``source`` is a data set folder (any layout :func:`open_traverses` reads) or a
    :class:`PlaceBenchConfig`, rendered in memory.
    """
    import cv2

    if isinstance(source, PlaceBenchConfig):
        world, names, n = World(source), source.traverses, source.places
        def image(i: int, name: str) -> np.ndarray:
            return render_place(world, i, name, image_rng(source.seed, name, i))
    else:
        from snn_control.perception.places.data import open_traverses, read_gray

        tset = open_traverses(source)
        names, n = tset.names, tset.n_places
        if is_place_benchmark(source):  # the generator's order (spring, fall, summer, winter, night)
            listed = json.loads((Path(source) / MANIFEST_FILE).read_text()).get("traverses", [])
            names = tuple(t for t in listed if t in tset.files) + tuple(t for t in names if t not in listed)
        def image(i: int, name: str) -> np.ndarray:
            img = cv2.imread(str(tset.files[name][i]), cv2.IMREAD_COLOR)
            return img if img is not None else cv2.cvtColor(read_gray(tset.files[name][i]), cv2.COLOR_GRAY2BGR)
    rows = [i for i in places if 0 <= i < n]
    if not rows:
        raise ValueError(f"write_preview: none of the places {list(places)} exists (the set has {n})")
    first = image(rows[0], names[0])
    cell_w, label_w, head_h = 256, 90, 24
    cell_h = max(16, round(cell_w * first.shape[0] / first.shape[1]))
    grid = np.full((head_h + len(rows) * (cell_h + 4), label_w + len(names) * (cell_w + 4), 3), 255, np.uint8)
    for col, name in enumerate(names):
        cv2.putText(grid, name, (label_w + col * (cell_w + 4) + 6, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1,
                    cv2.LINE_AA)
    for row, i in enumerate(rows):
        y = head_h + row * (cell_h + 4)
        cv2.putText(grid, f"place {i}", (6, y + cell_h // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        for col, name in enumerate(names):
            x = label_w + col * (cell_w + 4)
            cell = cv2.resize(image(i, name), (cell_w, cell_h), interpolation=cv2.INTER_AREA)
            grid[y:y + cell_h, x:x + cell_w] = cell
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out_png), grid):
        raise OSError(f"{out_png}: cannot write the preview")
    return out_png
