"""Configuration schemas of the perception graph's nodes, validated without ROS.

One frozen dataclass per node (``event_camera``, ``action_recognition``): the fields are the
node's ROS parameters, ``__post_init__`` checks their values, and
:func:`snn_control.dictio.validate_params` checks ``config/perception.yaml`` against them before any
node exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from snn_control.dictio import DictIO
from snn_control.perception.events.types import GESTURE_CLASSES

SOURCES = ("scene", "replay")


def _finite_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be > 0, got {value}")


@dataclass(frozen=True)
class EventCameraConfig(DictIO):
    """``event_camera``: emulated DVS events of a scripted gesture scene, or a replayed recording.

    ``source: scene`` renders a person (drawn from ``subject_seed``, never a training subject of
    the shipped data set's seed) performing ``script`` (gesture names, each ``gesture_s`` long)
    in the MuJoCo gesture scene and runs the frames through the event emulator; ``replay`` plays
    ``replay_file`` (a ``.npy`` of the event record). Events go out in packets of ``packet_s``
    simulated seconds, paced by ``real_time_factor`` (0: as fast as the graph allows); with
    ``lockstep`` the camera waits, after each packet, for the recognizer's acknowledgement on
    ``/diagnostics`` (at most ``lockstep_timeout_s`` of wall time), so a fast run drops nothing.
    """

    source: str = "scene"
    script: tuple[str, ...] = ("right_hand_wave", "hand_clap", "left_arm_clockwise", "air_drums")
    gesture_s: float = 2.0
    subject_seed: int = 90210
    replay_file: str = ""
    seed: int = 0
    packet_s: float = 0.05
    real_time_factor: float = 1.0
    lockstep: bool = False
    lockstep_timeout_s: float = 2.0
    frame_id: str = "event_camera"

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {self.source!r}")
        if self.source == "replay" and not self.replay_file:
            raise ValueError("replay_file must name a .npy event file when source is replay")
        if self.source == "scene":
            if not self.script:
                raise ValueError("script must list at least one gesture")
            unknown = [g for g in self.script if g not in GESTURE_CLASSES]
            if unknown:
                raise ValueError(f"script: unknown gesture {unknown[0]!r} (known: {', '.join(GESTURE_CLASSES)})")
        _finite_positive("gesture_s", self.gesture_s)
        _finite_positive("packet_s", self.packet_s)
        _finite_positive("lockstep_timeout_s", self.lockstep_timeout_s)
        if not (math.isfinite(self.real_time_factor) and self.real_time_factor >= 0):
            raise ValueError(f"real_time_factor must be >= 0, got {self.real_time_factor}")


@dataclass(frozen=True)
class ActionRecognitionConfig(DictIO):
    """``action_recognition``: SpikePoint over a live event stream.

    ``model`` empty: the shipped weights (the sensor size is the model's). ``early_exit`` 0 runs
    all T time steps; a threshold in (0, 1] stops a window's time steps once the decoded
    confidence passes it. A packet over ``max_events_per_packet`` events is subsampled (a burst);
    at most ``max_windows_per_push`` windows are classified per packet (older ones are skipped as
    a backlog), which bounds the time one callback holds the executor; ``num_threads`` caps
    torch's threads. ``record`` keeps every decision and latency (for scoring a run).
    """

    model: str = ""
    early_exit: float = 0.0
    max_events_per_packet: int = 200_000
    max_windows_per_push: int = 2
    num_threads: int = 1
    record: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.early_exit) and 0.0 <= self.early_exit <= 1.0):
            raise ValueError(f"early_exit must be in [0, 1] (0 = off), got {self.early_exit}")
        if self.max_events_per_packet < 1:
            raise ValueError(f"max_events_per_packet must be >= 1, got {self.max_events_per_packet}")
        if self.num_threads < 1:
            raise ValueError(f"num_threads must be >= 1, got {self.num_threads}")
        if self.max_windows_per_push < 1:
            raise ValueError(f"max_windows_per_push must be >= 1, got {self.max_windows_per_push}")
