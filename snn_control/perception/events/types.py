"""The event record shared by the emulator, the data sets, SpikePoint and the ROS nodes.

An event stream is a 1-D numpy structured array of :data:`EVENT_DTYPE`, sorted by ``t``:
``x`` and ``y`` in pixels (``uint16``, origin top-left, ``0 <= x < width``), ``t`` in seconds
(``float64``), ``p`` the polarity (``int8``, +1 ON / -1 OFF). It is the layout of the
``/camera/events`` PointCloud2 fields, so a message converts without copying field by field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EVENT_DTYPE = np.dtype([("x", "<u2"), ("y", "<u2"), ("t", "<f8"), ("p", "i1")])
SENSOR_WIDTH = 128
SENSOR_HEIGHT = 128

# The ten DVS128 Gesture actions, in the data set's label order (label 1..10 there, 0..9 here).
GESTURE_CLASSES: tuple[str, ...] = (
    "hand_clap",
    "right_hand_wave",
    "left_hand_wave",
    "right_arm_clockwise",
    "right_arm_counter_clockwise",
    "left_arm_clockwise",
    "left_arm_counter_clockwise",
    "arm_roll",
    "air_drums",
    "air_guitar",
)


def make_events(x, y, t, p) -> np.ndarray:
    """Pack four equal-length sequences into an :data:`EVENT_DTYPE` array (no sorting, no checks)."""
    x = np.asarray(x)
    out = np.empty(x.shape[0], dtype=EVENT_DTYPE)
    out["x"], out["y"], out["t"], out["p"] = x, y, t, p
    return out


@dataclass(frozen=True)
class EventSample:
    """One labelled recording: ``events`` of :data:`EVENT_DTYPE`, ``label`` in ``0..9``.

    ``subject`` names the performer (DVS128: ``"user03"``; synthetic: ``"s017"``), ``lighting``
    the lighting condition, ``source`` the file it came from (for error messages).
    """

    events: np.ndarray
    label: int
    subject: str
    lighting: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.events.dtype != EVENT_DTYPE:
            raise ValueError(f"{self.source or 'EventSample'}: events must have EVENT_DTYPE, got {self.events.dtype}")
        if not 0 <= int(self.label) < len(GESTURE_CLASSES):
            raise ValueError(f"{self.source or 'EventSample'}: label {self.label} outside 0..{len(GESTURE_CLASSES) - 1}")
