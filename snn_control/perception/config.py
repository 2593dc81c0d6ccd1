"""Configuration schemas of the perception graph's nodes, validated without ROS.

One frozen dataclass per node (``event_camera``, ``action_recognition``, ``image_replay``,
``place_recognition``): the fields are the node's ROS parameters, ``__post_init__`` checks their
values, and :func:`snn_control.dictio.validate_params` checks ``config/perception.yaml`` against
them before any node exists.
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
    autostart: bool = True  # configure and activate at start (false: a lifecycle manager brings it up)

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
    torch's threads. ``samplings`` K > 1 averages each window's scores over K draws of its points
    (K times the work per window; with ``early_exit`` 0 only). ``record`` keeps every decision and
    latency (for scoring a run).
    """

    model: str = ""
    early_exit: float = 0.0
    max_events_per_packet: int = 200_000
    max_windows_per_push: int = 2
    num_threads: int = 1
    samplings: int = 1
    autostart: bool = True  # configure and activate at start (false: a lifecycle manager brings it up)
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
        if self.samplings < 1:
            raise ValueError(f"samplings must be >= 1, got {self.samplings}")
        if self.samplings > 1 and self.early_exit > 0.0:
            raise ValueError("samplings > 1 does not combine with early_exit (yet): set one of them")


REPLAY_SOURCES = ("synth", "folder")


@dataclass(frozen=True)
class PlaceRecognitionConfig(DictIO):
    """``place_recognition``: the modular place SNN over ``/camera/image``.

    ``model`` empty: the shipped model (``places_synth``). ``active_modules``: the module indices
    searched (empty: all; ``place/active_modules`` changes the set at run time). A match's x/y
    variance is ``(place_spacing_m / (1 + confidence))**2``, with ``place_spacing_m`` 0 meaning the
    spacing of the model's reference places. ``image_width``/``image_height`` (0: any) reject
    images of another size; an image with a side under ``min_side_px``, or whose grey levels vary by
    less than ``min_contrast`` (standard deviation: a blank, covered or saturated frame), is always
    rejected. A match whose confidence (best minus runner-up score) is below ``min_confidence`` is
    withheld (counted, not published); a negative value means the model's own, chosen on its
    calibration traverse for 90 % precision, and 0 publishes every match.
    ``frame_id`` is the frame of the published pose (the reference places' map). ``record`` keeps
    every answer (for scoring a run).
    """

    model: str = ""
    frame_id: str = "map"
    active_modules: tuple[int, ...] = ()
    place_spacing_m: float = 0.0
    image_width: int = 0
    image_height: int = 0
    min_side_px: int = 16
    min_contrast: float = 2.0
    autostart: bool = True  # configure and activate at start (false: a lifecycle manager brings it up)
    min_confidence: float = -1.0
    record: bool = False

    def __post_init__(self) -> None:
        bad = [m for m in self.active_modules if m < 0]
        if bad:
            raise ValueError(f"active_modules must be module indices >= 0, got {bad[0]}")
        if not (math.isfinite(self.place_spacing_m) and self.place_spacing_m >= 0):
            raise ValueError(f"place_spacing_m must be >= 0 (0: from the model), got {self.place_spacing_m}")
        for name in ("image_width", "image_height"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0 (0: any), got {getattr(self, name)}")
        if self.min_side_px < 1:
            raise ValueError(f"min_side_px must be >= 1, got {self.min_side_px}")
        if not (math.isfinite(self.min_contrast) and self.min_contrast >= 0):
            raise ValueError(f"min_contrast must be >= 0 grey levels, got {self.min_contrast}")
        if not math.isfinite(self.min_confidence):
            raise ValueError(f"min_confidence must be finite (negative: the model's), got {self.min_confidence}")
        if not self.frame_id:
            raise ValueError("frame_id must name the map frame of the reference places")


@dataclass(frozen=True)
class ImageReplayConfig(DictIO):
    """``image_replay``: a query traverse as ``/camera/image`` (mono8), with its true places.

    ``source: folder`` plays traverse ``traverse`` of the data set ``folder`` (one subfolder of
    images per traverse, :mod:`snn_control.perception.places.data`); ``synth`` renders condition
    ``traverse`` of the synthetic benchmark (route ``synth_seed``, ``synth_width`` x
    ``synth_height`` pixels) on the fly. Images ``first_place`` .. ``first_place + n_images - 1``
    go out at ``rate_hz`` simulated images per second, paced by ``real_time_factor`` (0: as fast as
    the graph allows); ``n_images`` 0 plays a folder traverse to its end. With ``lockstep`` the
    replay waits, after each image, for the recognizer's answer on ``/diagnostics`` (at most
    ``lockstep_timeout_s`` of wall time), so a fast run drops nothing.
    """

    source: str = "synth"
    folder: str = ""
    traverse: str = "summer"
    first_place: int = 200
    n_images: int = 40
    synth_seed: int = 0
    synth_width: int = 128
    synth_height: int = 96
    rate_hz: float = 5.0
    real_time_factor: float = 1.0
    lockstep: bool = False
    lockstep_timeout_s: float = 2.0

    def __post_init__(self) -> None:
        if self.source not in REPLAY_SOURCES:
            raise ValueError(f"source must be one of {', '.join(REPLAY_SOURCES)}, got {self.source!r}")
        if self.source == "folder" and not self.folder:
            raise ValueError("folder must name a data set folder when source is folder")
        if not self.traverse:
            raise ValueError("traverse must name the query traverse")
        if self.source == "synth":
            from snn_control.perception.places.synth import CONDITIONS

            if self.traverse not in CONDITIONS:
                raise ValueError(f"traverse: unknown synthetic condition {self.traverse!r} "
                                 f"(known: {', '.join(CONDITIONS)})")
            if self.n_images < 1:
                raise ValueError(f"n_images must be >= 1 when source is synth, got {self.n_images}")
            for name in ("synth_width", "synth_height"):
                if not 16 <= getattr(self, name) <= 4096:
                    raise ValueError(f"{name} must be in [16, 4096] pixels, got {getattr(self, name)}")
        if self.first_place < 0 or self.n_images < 0 or self.synth_seed < 0:
            raise ValueError("first_place, n_images and synth_seed must be >= 0, got "
                             f"{self.first_place}, {self.n_images}, {self.synth_seed}")
        _finite_positive("rate_hz", self.rate_hz)
        _finite_positive("lockstep_timeout_s", self.lockstep_timeout_s)
        if not (math.isfinite(self.real_time_factor) and self.real_time_factor >= 0):
            raise ValueError(f"real_time_factor must be >= 0, got {self.real_time_factor}")
