"""Time-of-flight altitude sensor (TFmini-like): noise, resolution, and out-of-range codes.

reading = round((d + n) / resolution) * resolution, n ~ N(0, noise_std^2), reported as
``-inf`` below ``min_m`` (target too close) and ``+inf`` above ``max_m`` (no return), the
conventions of sensor_msgs/Range (REP 117).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from snn_control.dictio import require_numbers


@dataclass(frozen=True)
class ToFSensor:
    """Range sensor parameters, metres."""

    min_m: float = 0.3
    max_m: float = 12.0
    resolution_m: float = 0.01
    noise_std_m: float = 0.01
    field_of_view_rad: float = 0.04

    def __post_init__(self) -> None:
        require_numbers(self, minimum=0)
        if not 0 < self.min_m < self.max_m:
            raise ValueError(f"ToFSensor.min_m must be in (0, max_m), got {self.min_m}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def tof_reading(distance_m: np.ndarray | float, rng: np.random.Generator, sensor: ToFSensor,
                noise_std_m: np.ndarray | float | None = None) -> np.ndarray:
    """Noisy, quantized readings for true distances (any shape); ``noise_std_m`` (broadcasting to
    the distances) overrides the sensor's noise, e.g. one value per blimp of a batch."""
    d = np.asarray(distance_m, dtype=float)
    std = sensor.noise_std_m if noise_std_m is None else noise_std_m
    noisy = d + std * rng.standard_normal(d.shape)
    if sensor.resolution_m > 0:
        noisy = np.round(noisy / sensor.resolution_m) * sensor.resolution_m
    return np.where(noisy < sensor.min_m, -np.inf, np.where(noisy > sensor.max_m, np.inf, noisy))
