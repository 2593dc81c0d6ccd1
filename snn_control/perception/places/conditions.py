"""Appearance conditions of the place benchmark: one per traverse, on the same geometry.

Each :class:`Condition` sets the season (foliage colour, bare trees, snow on the ground, roofs and
tops of things), the light (sky colour, light level, the sun's side, night with lit windows and
street lights), the weather (fog that fades far things by ``1 - exp(-fog z)``, rain streaks, snow
flakes, clouds) and the sensor (gain, gamma, Gaussian and salt-and-pepper noise, the camera
mounting of the traverse's vehicle). The scene is drawn by :mod:`.drawing` and :mod:`.backdrop`
with these colours; :func:`draw_clouds`, :func:`draw_weather` and :func:`apply_camera` add what
changes from image to image, drawn from the image's own generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

CONDITIONS = ("spring", "fall", "summer", "winter", "night")  # also the default traverses, in this order


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
# per image: clouds, weather and the camera


def draw_clouds(img: np.ndarray, cond: Condition, rng: np.random.Generator, hor: float) -> None:
    """Up to ``cond.clouds`` white ellipses in the upper half of the sky (``hor``: the horizon row)."""
    import cv2

    width = img.shape[1]
    for _ in range(int(rng.integers(0, cond.clouds + 1))):
        centre = (int(rng.uniform(0, width) * 16), int(rng.uniform(0.05, 0.5) * hor * 16))
        axes = (int(rng.uniform(0.08, 0.25) * width * 16), int(rng.uniform(0.03, 0.07) * width * 16))
        cv2.ellipse(img, centre, axes, 0.0, 0.0, 360.0, (250, 248, 245), -1, cv2.LINE_AA, 4)


def draw_weather(img: np.ndarray, cond: Condition, rng: np.random.Generator) -> np.ndarray:
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


def apply_camera(img: np.ndarray, condition: str, viewpoint: float, rng: np.random.Generator) -> np.ndarray:
    """Sun falloff, exposure, gamma, viewpoint warp, sensor noise: uint8 BGR in and out.

    ``viewpoint`` scales the warp (:attr:`PlaceBenchConfig.viewpoint`). ``(v * sun(x) * exposure) ** gamma``
    is computed as ``lut[v] * sun(x) ** gamma``."""
    import cv2

    cond = CONDITION_TABLE[condition]
    height, width = img.shape[:2]
    exposure = cond.gain * math.exp(rng.normal(0.0, 0.07)) / 255.0
    lut = np.power(np.arange(256, dtype=np.float32) * np.float32(exposure), np.float32(cond.gamma)) * np.float32(255.0)
    img = cv2.LUT(img, lut)
    if cond.sun:
        x = (np.arange(width, dtype=np.float32) + 0.5) / width - 0.5
        img *= ((1.0 + 0.25 * cond.sun * x) ** np.float32(cond.gamma))[None, :, None]
    (mount_dy, mount_roll, mount_scale), vp, px = cond.mount, viewpoint, width / 128.0
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
