"""The backdrop of one place: sky, hills, tree lines, ground, road and its markings.

:func:`backdrop` computes the condition-free geometry (:class:`Backdrop`) once per place: per
column, the top rows of two ranges of hills (sums of sines of the viewing direction and the route
position at 600 m and 300 m) and of the tree lines (value noise, 25-60 m from the road); per ground
row ``v`` below the horizon, its depth ``z = CAM_H f / (v - v_hor)`` and at each pixel the ground's
position, from which the ground textures, the road and its markings follow.
:func:`paint_backdrop` colours it for a condition, with cast shadows or light pools on the ground.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from snn_control.perception.places.drawing import View, fx, poly
from snn_control.perception.places.scene import CAM_H, HORIZON, ROAD_HALF_M, Z_NEAR, Thing, World, value_noise


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
    if i in world.backdrop_cache:
        return world.backdrop_cache[i]
    cfg, c = world.config, world.camera_m(i)
    f, cx, hor = float(cfg.height), 0.5 * cfg.width, HORIZON * cfg.height
    xs = np.arange(cfg.width, dtype=np.float64) + 0.5 - cx
    out = Backdrop(_skyline(world, c, xs, f, hor), *_ground(world.salt, c, xs, f, hor, cfg.height))
    world.backdrop_cache[i] = out
    if len(world.backdrop_cache) > 4:
        world.backdrop_cache.popitem(last=False)
    return out


def _skyline(world: World, c: float, xs: np.ndarray, f: float, hor: float) -> np.ndarray:
    """:attr:`Backdrop.layers` seen from route position ``c`` (``xs``: column centres from the image centre, px)."""
    salt = world.salt
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
    layers = np.zeros((rows.size, xs.size), np.uint8)
    for k, top in enumerate(tops):
        layers[rows >= top[None, :]] = k + 1
    return layers


def _ground(salt: int, c: float, xs: np.ndarray, f: float, hor: float, height: int) -> tuple[np.ndarray, ...]:
    """The fields of :class:`Backdrop` after ``layers``, for the ground rows seen from route position ``c``."""
    rows = np.arange(math.ceil(hor), height, dtype=np.float64) + 0.5
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
    return z_rows, patches, grain, drifts, ax < ROAD_HALF_M, markings, beam.astype(np.float32)


def paint_backdrop(world: World, i: int, v: View, things: list[tuple[float, Thing]]) -> np.ndarray:
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


def _ground_light(things: list[tuple[float, Thing]], v: View, width: int, height: int) -> np.ndarray:
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
                poly(mask, [v.pt(a, 0.0, b) for a, b in ring], 255)
        elif t.kind not in ("fence", "rock") and z < 80.0:
            shift = 0.8 * t.h
            x0, x1 = t.x - t.w / 2, t.x + t.w / 2
            corners = [(x0, z), (x1, z), (x0, z + t.length), (x1, z + t.length)]
            corners += [(a - sun * shift, b + 0.3 * shift) for a, b in corners]
            pts = fx([v.pt(a, 0.0, max(1.0, b)) for a, b in corners])
            cv2.fillConvexPoly(mask, cv2.convexHull(pts), shadow, cv2.LINE_AA, 4)
    return mask.astype(np.float32) / 128.0
