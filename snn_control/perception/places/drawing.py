"""Drawing the scene: the camera's projection and one function per kind of object.

A point ``x`` m to the right of the road's centre line, ``h`` m up and ``z`` m ahead of the camera
lands at pixel ``u = W/2 + x f / z``, ``v = v_hor + (CAM_H - h) f / z`` (:meth:`View.pt`), with the
focal length ``f`` = image height in pixels and the horizon row ``v_hor = HORIZON * H``. Its colour
is the albedo times the condition's light and shading, faded into the fog by ``1 - exp(-fog z)``
(:meth:`View.colour`). Shapes are filled anti-aliased with OpenCV at 1/16 pixel (``shift=4``).

:data:`DRAW` maps a :attr:`Thing.kind` to its function ``draw(img, thing, view, z)``, which draws
the thing with its near end at depth ``z`` onto a uint8 BGR image; :func:`draw_cars` adds the other
traffic of one image.
"""

from __future__ import annotations

import math

import numpy as np

from snn_control.perception.places.conditions import Condition
from snn_control.perception.places.scene import CAM_H, HORIZON, TRUNK, Z_FAR, Z_NEAR, Thing

SNOW = (0.95, 0.95, 0.95)
LAMP = (0.6, 0.9, 1.0)  # lit windows and street lights at night


class View:
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


def fx(points) -> np.ndarray:
    """Points in pixels as int32 with 4 fractional bits (OpenCV's ``shift=4``)."""
    return np.rint(np.array(points, dtype=np.float64) * 16.0).astype(np.int32)


def _fx1(point: tuple[float, float]) -> tuple[int, int]:
    return round(point[0] * 16.0), round(point[1] * 16.0)


def poly(img: np.ndarray, points, colour) -> None:
    import cv2

    cv2.fillPoly(img, [fx(points)], colour, cv2.LINE_AA, 4)


def _line(img: np.ndarray, a, b, colour, thickness_px: float) -> None:
    import cv2

    cv2.line(img, _fx1(a), _fx1(b), colour, max(1, round(thickness_px)), cv2.LINE_AA, 4)


def _disc(img: np.ndarray, centre, radius_px: float, colour) -> None:
    import cv2

    cv2.circle(img, _fx1(centre), max(1, round(radius_px * 16.0)), colour, -1, cv2.LINE_AA, 4)


def _box(v: View, x0: float, x1: float, h0: float, h1: float, z: float) -> list:
    """A rectangle facing the camera at depth ``z``."""
    return [v.pt(x0, h0, z), v.pt(x1, h0, z), v.pt(x1, h1, z), v.pt(x0, h1, z)]


def _wall(v: View, x: float, h0: float, h1: float, z0: float, z1: float) -> list:
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


def _draw_building(img: np.ndarray, t: Thing, v: View, z: float) -> None:
    """A box: the long wall facing the road with its roof, windows and door, then the end wall
    facing the camera (gable or shed roof) when it is in front of the camera."""
    right = t.x > 0
    x0, x1 = t.x - t.w / 2, t.x + t.w / 2
    xs, xf = (x0, x1) if right else (x1, x0)  # the wall facing the road, and the far one
    _draw_side_wall(img, t, v, z, xs, xf)
    glass = (0.45, 0.38, 0.3) if not v.cond.night else (0.05, 0.05, 0.05)
    lamp = tuple(255.0 * c for c in LAMP)
    _draw_side_openings(img, t, v, z, xs, glass, lamp)
    if z >= Z_NEAR:
        _draw_end_wall(img, t, v, z, xs, xf, glass, lamp)


def _draw_side_wall(img: np.ndarray, t: Thing, v: View, z: float, xs: float, xf: float) -> None:
    """The wall facing the road at lateral ``xs`` (shaded by the sun's side) and its roof."""
    roof, roof_h, _, _, _, _, _, _, roof_colour = t.parts
    cond, right = v.cond, t.x > 0
    za, zb = max(z, Z_NEAR), z + t.length
    zm = 0.5 * (za + zb)
    poly(img, _wall(v, xs, 0.0, t.h, za, zb), v.colour(t.colour, zm, 1.0 - 0.3 * cond.sun * (1.0 if right else -1.0)))
    top = roof_colour if not cond.snow else SNOW
    if roof:
        ridge = t.x if roof == 1 else xf
        poly(img, [v.pt(xs, t.h, za), v.pt(ridge, t.h + roof_h, za), v.pt(ridge, t.h + roof_h, zb), v.pt(xs, t.h, zb)],
             v.colour(top, zm, 1.0 if roof == 1 else 0.9))
    else:
        _line(img, v.pt(xs, t.h, za), v.pt(xs, t.h, zb), v.colour(top, zm, 0.8), max(1.0, 0.3 * v.f / zm))


def _draw_side_openings(img: np.ndarray, t: Thing, v: View, z: float, xs: float, glass: tuple,
                        lamp: tuple) -> None:
    """The door and the windows (lit at night: ``lamp``) of the wall facing the road, those in front of the camera."""
    _, _, rows, _, side_cols, win_w, _, door, _ = t.parts
    cell_l, cell_h = t.length * 0.9 / side_cols, t.h * 0.8 / rows
    for r, (h0, h1) in enumerate(_window_rows(t)):
        for k in range(side_cols):
            zc = z + 0.05 * t.length + (k + 0.5) * cell_l
            if r == 0 and k == door:
                if zc - 0.3 * cell_l > Z_NEAR:
                    poly(img, _wall(v, xs, 0.0, min(2.2, 0.8 * cell_h), zc - 0.3 * cell_l, zc + 0.3 * cell_l),
                         v.colour((0.15, 0.2, 0.25), zc))
            elif zc - 0.5 * win_w * cell_l > Z_NEAR:
                lit = v.cond.night and _lit(t.variant, r * 64 + k)
                poly(img, _wall(v, xs, h0, h1, zc - 0.5 * win_w * cell_l, zc + 0.5 * win_w * cell_l),
                     lamp if lit else v.colour(glass, zc))


def _draw_end_wall(img: np.ndarray, t: Thing, v: View, z: float, xs: float, xf: float, glass: tuple,
                   lamp: tuple) -> None:
    """The end wall facing the camera at depth ``z``: its gable or shed roof and its windows."""
    roof, roof_h, _, cols, _, win_w, _, _, roof_colour = t.parts
    x0, x1 = t.x - t.w / 2, t.x + t.w / 2
    poly(img, _box(v, x0, x1, 0.0, t.h, z), v.colour(t.colour, z, 0.9))
    if roof:
        apex = t.x if roof == 1 else xf
        poly(img, [v.pt(x0, t.h, z), v.pt(apex, t.h + roof_h, z), v.pt(x1, t.h, z)], v.colour(t.colour, z, 0.85))
        top = roof_colour if not v.cond.snow else SNOW
        _line(img, v.pt(xs, t.h, z), v.pt(apex, t.h + roof_h, z), v.colour(top, z), max(1.0, 0.4 * v.f / z))
    cell_w = t.w * 0.84 / cols
    for r, (h0, h1) in enumerate(_window_rows(t)):
        for k in range(cols):
            q = x0 + 0.08 * t.w + (k + 0.5) * cell_w
            lit = v.cond.night and _lit(t.variant, 4096 + r * 64 + k)
            poly(img, _box(v, q - 0.5 * win_w * cell_w, q + 0.5 * win_w * cell_w, h0, h1, z),
                 lamp if lit else v.colour(glass, z))


def _draw_tree(img: np.ndarray, t: Thing, v: View, z: float) -> None:
    r, trunk, trunk_w, blobs, branches = t.parts
    px, cond = v.f / z, v.cond
    poly(img, _box(v, t.x - trunk_w / 2, t.x + trunk_w / 2, 0.0, trunk + 0.5 * r, z), v.colour(TRUNK, z))
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


def _draw_conifer(img: np.ndarray, t: Thing, v: View, z: float) -> None:
    (tiers,) = t.parts
    px = v.f / z
    poly(img, _box(v, t.x - 0.2, t.x + 0.2, 0.0, 0.15 * t.h, z), v.colour(TRUNK, z))
    for k in range(tiers):
        lo = 0.1 * t.h + 0.85 * t.h * k / tiers
        half = 0.5 * t.w * (1.0 - 0.6 * k / tiers)
        apex = v.pt(t.x, lo + 1.6 * 0.85 * t.h / tiers, z)
        poly(img, [v.pt(t.x - half, lo, z), v.pt(t.x + half, lo, z), apex], v.colour(t.colour, z, 1.0 - 0.05 * k))
        if v.cond.snow:
            _line(img, v.pt(t.x - 0.7 * half, lo + 0.2 * t.h / tiers, z), apex, v.colour(SNOW, z), 0.15 * px)


def _draw_pole(img: np.ndarray, t: Thing, v: View, z: float) -> None:
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


def _draw_sign(img: np.ndarray, t: Thing, v: View, z: float) -> None:
    s, shape, inner, mark = t.parts
    px = v.f / z
    _line(img, v.pt(t.x, 0.0, z), v.pt(t.x, t.h, z), v.colour((0.5, 0.5, 0.5), z), 0.08 * px)
    cx, ch = t.x, t.h + s
    if shape == 5:
        _disc(img, v.pt(cx, ch, z), s * px, v.colour(t.colour, z))
    else:
        poly(img, [v.pt(cx + a * s, ch + b * s, z) for a, b in SIGN_SHAPES[shape]], v.colour(t.colour, z))
    if mark == 1:
        _line(img, v.pt(cx - 0.5 * s, ch, z), v.pt(cx + 0.5 * s, ch, z), v.colour(inner, z), 0.3 * s * px)
    elif mark == 2:
        _disc(img, v.pt(cx, ch - 0.1 * s, z), 0.35 * s * px, v.colour(inner, z))


def _draw_fence(img: np.ndarray, t: Thing, v: View, z: float) -> None:
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


def _draw_bush(img: np.ndarray, t: Thing, v: View, z: float) -> None:
    px, cond = v.f / z, v.cond
    leaves = (0.3, 0.35, 0.4) if cond.foliage is None else cond.foliage[t.variant % len(cond.foliage)]
    base = tuple(0.8 * c for c in leaves)
    for dx, dy, s in t.parts:
        centre = v.pt(t.x + dx * t.w, dy * t.h * 1.5, z)
        _disc(img, centre, s * t.w * px, v.colour(base, z, 1.0 + 0.3 * cond.sun * dx))
        if cond.snow:
            _disc(img, (centre[0], centre[1] - 0.5 * s * t.w * px), 0.5 * s * t.w * px, v.colour(SNOW, z))


def _draw_rock(img: np.ndarray, t: Thing, v: View, z: float) -> None:
    poly(img, [v.pt(t.x + a * t.w / 2, b * t.h, z) for a, b in t.parts], v.colour(t.colour, z))
    if v.cond.snow:
        poly(img, [v.pt(t.x + 0.8 * a * t.w / 2, max(b, 0.7) * t.h, z) for a, b in t.parts], v.colour(SNOW, z))


def _draw_silo(img: np.ndarray, t: Thing, v: View, z: float) -> None:
    import cv2

    px = v.f / z
    poly(img, _box(v, t.x - t.w / 2, t.x + t.w / 2, 0.0, t.h, z), v.colour(t.colour, z, 1.0 + 0.1 * v.cond.sun))
    dome = v.colour(SNOW if v.cond.snow else tuple(0.7 * c for c in t.colour), z)
    cv2.ellipse(img, _fx1(v.pt(t.x, t.h, z)), _fx1((t.w / 2 * px, 0.3 * t.w * px)), 0.0, 180.0, 360.0,
                dome, -1, cv2.LINE_AA, 4)
    for k in (0.3, 0.6):
        _line(img, v.pt(t.x - t.w / 2, k * t.h, z), v.pt(t.x + t.w / 2, k * t.h, z), v.colour(t.colour, z, 0.6),
              0.1 * px)


DRAW = {"building": _draw_building, "tree": _draw_tree, "conifer": _draw_conifer, "pole": _draw_pole,
        "sign": _draw_sign, "fence": _draw_fence, "bush": _draw_bush, "rock": _draw_rock, "silo": _draw_silo}


CARS = ((0.15, 0.15, 0.7), (0.7, 0.7, 0.72), (0.1, 0.1, 0.12), (0.6, 0.35, 0.15), (0.9, 0.9, 0.92))


def draw_cars(img: np.ndarray, v: View, rng: np.random.Generator) -> None:
    """Other traffic, new in every image: cars ahead in our lane (tail lights at night) and oncoming
    ones in the other (headlights at night), far first."""
    n = int(rng.poisson(0.8))
    zs, lanes = np.sort(rng.uniform(12.0, 90.0, n))[::-1], rng.random(n) < 0.5
    colours = rng.integers(len(CARS), size=n)
    for z, oncoming, k in zip(zs, lanes, colours):
        x = -1.8 if oncoming else 1.8
        px = v.f / z
        poly(img, _box(v, x - 0.9, x + 0.9, 0.3, 1.0, z), v.colour(CARS[k], z))
        poly(img, _box(v, x - 0.7, x + 0.6, 1.0, 1.45, z), v.colour(CARS[k], z, 0.7))
        if v.cond.night:
            lamp, r = ((255.0, 255.0, 240.0), 0.35) if oncoming else ((40.0, 40.0, 230.0), 0.2)
            for dx in (-0.7, 0.7):
                _disc(img, v.pt(x + dx, 0.6, z), 2.5 * r * px, tuple(0.35 * c for c in lamp))
                _disc(img, v.pt(x + dx, 0.6, z), r * px, lamp)


def in_view(t: Thing, z: float, v: View) -> bool:
    """Whether any of ``t`` can be in the image (and more than a pixel or so tall)."""
    if t.kind == "building":
        near_wall = abs(t.x) - t.w / 2
        return near_wall * v.f / (z + t.length) < v.cx + 2.0
    if t.kind == "fence":
        return abs(t.x) * v.f / (z + t.length) < v.cx + 2.0
    if z < Z_NEAR or (t.h + 1.0) * v.f / z < 1.5:
        return False
    return (abs(t.x) - t.w / 2 - 2.0) * v.f / z < v.cx
