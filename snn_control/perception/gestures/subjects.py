"""Synthetic subjects: who performs the gestures, where, under which light, seen by which camera.

A :class:`Subject` fixes everything that stays the same over one person's trials: body size,
place in the frame, lighting, background, camera (frame noise, blur, event threshold and
background event rate), how fast and how big they move,
and their :class:`~snn_control.perception.gestures.motions.Style`. :func:`draw_subjects` draws them
from one ``numpy.random.Generator``; :func:`split_subjects` splits by subject (as DVS128 Gesture
does: users 1-23 train, 24-29 test), so no test subject is ever seen in training.

Lighting conditions (DVS128 has three or more per subject; here one per subject):
``dim`` (key light 0.12-0.3), ``normal`` (0.45-0.75), ``bright`` (0.8-1.0), drawn 1 : 2 : 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from snn_control.dictio import DictIO
from snn_control.perception.gestures.motions import Style, draw_style

LIGHTING_LEVELS: dict[str, tuple[float, float]] = {"dim": (0.12, 0.3), "normal": (0.45, 0.75), "bright": (0.8, 1.0)}
_LIGHTING_P = (0.25, 0.5, 0.25)
_MIN_CONTRAST = 0.15  # |shirt - wall| grey level, so the body is always visible against the wall

# field -> (low, high) accepted by Subject, the range draw_subjects draws from (inclusive).
_RANGES: dict[str, tuple[float, float]] = {
    "body_scale": (0.85, 1.15),
    "arm_scale": (0.9, 1.1),
    "distance_m": (1.35, 1.9),
    "shift_x_m": (-0.15, 0.15),
    "shift_z_m": (-0.1, 0.1),
    "light_intensity": (0.12, 1.0),
    "light_azimuth_deg": (-60.0, 60.0),
    "light_elevation_deg": (15.0, 70.0),
    "fill_ratio": (0.1, 0.45),
    "background_level": (0.15, 0.85),
    "background_contrast": (0.0, 0.25),
    "shirt_level": (0.08, 0.92),
    "skin_level": (0.45, 0.95),
    "noise_std": (0.0005, 0.004),
    "event_threshold": (0.18, 0.32),
    "event_noise_hz": (0.02, 0.3),
    "blur_px": (0.4, 1.0),
    "speed_scale": (0.8, 1.25),
    "amplitude_scale": (0.85, 1.15),
}


@dataclass(frozen=True)
class Subject(DictIO):
    """One synthetic performer and their recording conditions (lengths in m, angles in deg,
    grey levels and noise in image units [0, 1])."""

    name: str = "s000"
    body_scale: float = 1.0  # all body lengths
    arm_scale: float = 1.0  # arm lengths, on top of body_scale
    distance_m: float = 1.6  # camera to the person's mid-plane
    shift_x_m: float = 0.0  # person to the image's right
    shift_z_m: float = 0.0  # person up in the image
    lighting: str = "normal"
    light_intensity: float = 0.6  # key light diffuse; ambient and fill scale with it
    light_azimuth_deg: float = 20.0  # 0: from the camera; + from the image's right
    light_elevation_deg: float = 40.0
    fill_ratio: float = 0.25
    background_level: float = 0.5
    background_contrast: float = 0.1  # rms of the wall's smooth texture
    background_seed: int = 0
    shirt_level: float = 0.3
    skin_level: float = 0.75
    noise_std: float = 0.002  # per-frame Gaussian noise of the rendered intensity
    event_threshold: float = 0.25  # the event sensor's contrast threshold C (log units)
    event_noise_hz: float = 0.05  # the event sensor's background events per pixel per second
    blur_px: float = 0.6  # optical blur sigma, pixels; also smooths the unantialiased render
    speed_scale: float = 1.0  # gesture periods are divided by it
    amplitude_scale: float = 1.0
    style: Style = field(default_factory=Style)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Subject.name must be a non-empty string, got {self.name!r}")
        if self.lighting not in LIGHTING_LEVELS:
            raise ValueError(f"Subject.lighting must be one of {sorted(LIGHTING_LEVELS)}, got {self.lighting!r}")
        for name, (low, high) in _RANGES.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not low <= v <= high:
                raise ValueError(f"Subject.{name} must be a number in [{low:g}, {high:g}], got {v!r}")
        low, high = LIGHTING_LEVELS[self.lighting]
        if not low <= self.light_intensity <= high:
            raise ValueError(f"Subject.light_intensity {self.light_intensity!r} is outside the {self.lighting!r} "
                             f"range [{low:g}, {high:g}]")
        if not isinstance(self.background_seed, int) or self.background_seed < 0:
            raise ValueError(f"Subject.background_seed must be an int >= 0, got {self.background_seed!r}")
        if not isinstance(self.style, Style):
            raise ValueError(f"Subject.style must be a Style, got {type(self.style).__name__}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Subject":
        data = dict(data)
        if isinstance(data.get("style"), dict):
            data["style"] = Style.from_dict(data["style"])
        return super().from_dict(data)


def draw_subject(name: str, rng: np.random.Generator) -> Subject:
    """One subject with every attribute drawn uniformly from its range (lighting 1 : 2 : 1)."""
    values = {k: float(rng.uniform(low, high)) for k, (low, high) in _RANGES.items()}
    lighting = str(rng.choice(list(LIGHTING_LEVELS), p=_LIGHTING_P))
    values["light_intensity"] = float(rng.uniform(*LIGHTING_LEVELS[lighting]))
    gap = values["shirt_level"] - values["background_level"]
    if abs(gap) < _MIN_CONTRAST:  # push the shirt away from the wall, staying in range
        up = values["background_level"] + _MIN_CONTRAST
        values["shirt_level"] = up if up <= _RANGES["shirt_level"][1] else values["background_level"] - _MIN_CONTRAST
    return Subject(name=name, lighting=lighting, background_seed=int(rng.integers(2**31)),
                   style=draw_style(rng), **values)


def draw_subjects(n: int, rng: np.random.Generator) -> tuple[Subject, ...]:
    """``n`` subjects named ``s000``, ``s001``, ...; the same generator state gives the same ones."""
    if n < 1:
        raise ValueError(f"draw_subjects: n must be >= 1, got {n}")
    return tuple(draw_subject(f"s{i:03d}", rng) for i in range(n))


def split_subjects(subjects: tuple[Subject, ...], test_fraction: float = 0.2) -> dict[str, tuple[Subject, ...]]:
    """``{"train": ..., "test": ...}``: the last ``round(test_fraction * n)`` subjects (at least one
    of each) are test subjects. Subjects are drawn independently, so the last ones are as random
    as any; the split never depends on the data."""
    n = len(subjects)
    if n < 2:
        raise ValueError(f"split_subjects: need at least 2 subjects for a train/test split, got {n}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"split_subjects: test_fraction must be in (0, 1), got {test_fraction}")
    n_test = min(max(1, round(test_fraction * n)), n - 1)
    return {"train": tuple(subjects[: n - n_test]), "test": tuple(subjects[n - n_test:])}
