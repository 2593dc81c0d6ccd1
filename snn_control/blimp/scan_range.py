"""Gazebo's downward lidar as our ToF: one ``sensor_msgs/LaserScan`` -> one ``sensor_msgs/Range`` reading.

ros_gz_bridge converts ``gz.msgs.LaserScan`` only to ``sensor_msgs/LaserScan`` (it has no
``sensor_msgs/Range`` conversion), so the ``scan_to_range`` node turns each scan of the few rays
in the ToF's cone into the reading the topic contract carries on ``/blimp/range``:

    reading = min{ r_i : range_min <= r_i <= range_max }   the nearest return in the cone;
            = -inf  when no ray is in range and one is below range_min (too close, REP 117);
            = +inf  when no ray is in range and one is beyond range_max or +inf (no return);
            = NaN   when every ray is NaN (no reading at all).

The field of view is the scan's angular span, or ``field_of_view_rad`` for a one-ray scan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from snn_control.dictio import DictIO


@dataclass(frozen=True)
class ScanToRangeConfig(DictIO):
    """``scan_to_range``: how a scan becomes a Range message."""

    frame_id: str = "tof"  # empty: keep the scan's frame
    field_of_view_rad: float = 0.04  # a one-ray scan spans no angle: the ToF's cone (ToFSensor's)

    def __post_init__(self) -> None:
        fov = self.field_of_view_rad
        if isinstance(fov, bool) or not isinstance(fov, (int, float)) or not math.isfinite(fov) or fov <= 0:
            raise ValueError(f"ScanToRangeConfig.field_of_view_rad must be a finite number > 0, got {fov!r}")


def scan_reading(ranges: Sequence[float] | np.ndarray, range_min_m: float, range_max_m: float) -> float:
    """The ToF reading (m, or the REP 117 codes ``-inf``/``+inf``/NaN) of one scan's ``ranges``.

    Raises:
        ValueError: ``range_min_m``/``range_max_m`` are not finite with 0 <= min < max, or
            ``ranges`` is empty.
    """
    if not (math.isfinite(range_min_m) and math.isfinite(range_max_m) and 0 <= range_min_m < range_max_m):
        raise ValueError(f"scan range limits must satisfy 0 <= min < max, got [{range_min_m}, {range_max_m}]")
    r = np.asarray(ranges, dtype=float).ravel()
    if r.size == 0:
        raise ValueError("a scan with no rays has no reading")
    r = r[~np.isnan(r)]
    if r.size == 0:
        return math.nan
    in_range = r[(r >= range_min_m) & (r <= range_max_m)]
    if in_range.size:
        return float(in_range.min())
    return -math.inf if bool(np.any(r < range_min_m)) else math.inf


def scan_field_of_view(angle_min_rad: float, angle_max_rad: float, config: ScanToRangeConfig) -> float:
    """The cone the scan's rays span (rad); ``config.field_of_view_rad`` when it spans none."""
    span = abs(float(angle_max_rad) - float(angle_min_rad))
    return span if math.isfinite(span) and span > 0 else float(config.field_of_view_rad)
