"""The one configuration of a SpikePoint model: windows, grouping, widths, time steps, classes.

It is the ``config`` of the model artifact, so whatever reads a trained model (evaluation, the
streaming recognizer, the ROS node) preprocesses events exactly as training did.

Presets (widths of the local extractor, the two global stages and the final layer, Ren et al.
2024): ``small`` = [32, 64, 128, 256] (0.16 M parameters, the paper's Daily DVS / DVS Action
size) and ``large`` = [64, 128, 256, 512] (0.58 M with 10 classes, the paper's DVS128 Gesture
model). The paper samples 1024 points per window and PAPERS.md gives its local input as
"[1024 groups, 24, 6]": 1024 centroids. Read with N = 1024 sampled points that makes every point a
centroid (G = N, allowed here; farthest-point sampling then only orders them); the full text that
would say whether the 1024 centroids come from a larger cloud was not available to us. The
default is G = N / 2, the first-stage ratio of PointNet++ and PointMLP. The network's cost grows
with G x K (the local branch runs on every neighbour of every group), not with N, so CPU training
uses fewer groups (``snn-control train spikepoint --groups``; its log records the time per epoch).
Every value is recorded in the artifact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from snn_control.dictio import DictIO
from snn_control.perception.events.types import GESTURE_CLASSES, SENSOR_HEIGHT, SENSOR_WIDTH

PRESETS: dict[str, tuple[int, int, int, int]] = {
    "small": (32, 64, 128, 256),
    "large": (64, 128, 256, 512),
}


@dataclass(frozen=True)
class SpikePointConfig(DictIO):
    """Everything that fixes a SpikePoint model's inputs and shape.

    Attributes:
        preset: ``small`` or ``large`` (see :data:`PRESETS`); ``widths`` follows from it.
        points: N, points sampled per window (with replacement when the window has fewer events).
        groups: G, centroids chosen by farthest-point sampling (``0``: N // 2).
        neighbors: K, points per group (k nearest neighbours of the centroid, itself included).
        time_steps: T, Bernoulli rate-coding steps per window.
        classes: class names, in label order.
        voters: output neurons per class (their mean spike rate is the class score).
        window_s, stride_s: sliding window length and stride over an event stream, seconds.
        sensor_width, sensor_height: pixels; x / width and y / height normalize the coordinates.
        min_events: a window with fewer events is skipped (too little to classify).
        tau_init: initial membrane time constant of every parametric LIF layer (in time steps).
        confidence_scale: beta of the early-exit confidence softmax(beta * running vote rate).
        exit_min_steps: early exit may stop a window only from this step on. After one step each
            class score is a count of 10 voters (0, 0.1, ..., 1), so a confidence read there says
            little: the shipped model is often wrong and sure after 1-3 steps.
    """

    preset: str = "small"
    points: int = 1024
    groups: int = 0
    neighbors: int = 24
    time_steps: int = 16
    classes: tuple[str, ...] = GESTURE_CLASSES
    voters: int = 10
    window_s: float = 0.5
    stride_s: float = 0.25
    sensor_width: int = SENSOR_WIDTH
    sensor_height: int = SENSOR_HEIGHT
    min_events: int = 32
    tau_init: float = 2.0
    confidence_scale: float = 10.0
    exit_min_steps: int = 1

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {self.preset!r}")
        object.__setattr__(self, "classes", tuple(str(c) for c in self.classes))
        if self.groups == 0:
            object.__setattr__(self, "groups", self.points // 2)
        for name in ("points", "groups", "neighbors", "time_steps", "voters", "sensor_width", "sensor_height",
                     "min_events", "exit_min_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if self.exit_min_steps > self.time_steps:
            raise ValueError(f"exit_min_steps must be <= time_steps ({self.time_steps}), got {self.exit_min_steps}")
        if self.groups > self.points:
            raise ValueError(f"groups must be <= points ({self.points}), got {self.groups}")
        if self.neighbors > self.points:
            raise ValueError(f"neighbors must be <= points ({self.points}), got {self.neighbors}")
        if len(self.classes) < 2 or len(set(self.classes)) != len(self.classes):
            raise ValueError(f"classes must name at least two distinct classes, got {list(self.classes)}")
        for name in ("window_s", "stride_s", "tau_init", "confidence_scale"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        if self.tau_init <= 1.0:
            raise ValueError(f"tau_init must be > 1 (decay 1/tau in (0, 1)), got {self.tau_init}")

    @property
    def widths(self) -> tuple[int, int, int, int]:
        return PRESETS[self.preset]

    @property
    def n_classes(self) -> int:
        return len(self.classes)
