"""Parameters of the mission graph's coordinator and fault-injector nodes (schemas, no ROS).

Flat fields, as ROS parameters are; the coordinator's full rule tree
(:class:`~snn_control.coordinator.config.CoordinatorConfig`) comes from ``settings_file`` (YAML or
JSON, the tree's ``to_dict`` form) or its defaults, completed here from the graph: the perception
streams when ``perception`` is on, the place model's module layout, the mission's route speed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

from snn_control.coordinator.config import ALTITUDE_STREAM, PERCEPTION_STREAMS, CoordinatorConfig
from snn_control.coordinator.streams import StreamSpec
from snn_control.dictio import DictIO

# Heartbeats of the managed perception nodes (their /diagnostics statuses, one per input), and of
# the camera image stream (its value is the frame's grey-level contrast: a blank or garbage frame
# is out of range).
NODE_STREAMS = (
    StreamSpec("place_recognition", rate_hz=5.0, deadline_s=1.5, lo=0.0, hi=2.0, burst_factor=0.0),
    # one status per event packet: 20 Hz, 2.5 Hz at the throttle's deepest level (1 of 8 packets)
    StreamSpec("action_recognition", rate_hz=20.0, deadline_s=2.0, lo=0.0, hi=2.0, burst_factor=0.0),
    StreamSpec("image", rate_hz=5.0, deadline_s=1.5, lo=2.0, hi=math.inf, rejoin_n=1, burst_factor=0.0),
)
SUPERVISED = ("altitude_controller", "action_recognition", "place_recognition")


def _positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def _non_negative(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True)
class CoordinatorNodeConfig(DictIO):
    """``coordinator``: arbitrates the motor command, sets the altitude, steers sensing.

    ``answer_wall_s``: in lockstep, the wall time a live SNN controller's command may take before
    the coordinator answers the reading itself; ``reading_wall_s``: the wall time after a period's
    ``/clock`` by which its reading must have arrived, else the coordinator answers (its clock then
    moves to the reading plus the health rule's ``answer_s``, so the controller is judged late). ``restart_after_s``: a supervised node
    silent this long (simulated seconds) is asked to restart (0: never). ``mission_file``: the
    route's regions and altitudes (empty: the package's ``config/missions/corridor.yaml``).
    ``place_deadline_s`` replaces the place stream's deadline (matches under the confidence gate
    are withheld, so gaps of several seconds are normal on a route); ``gesture_debounce_n`` the
    gesture rule's (windows in a row that fire a command; a 2 s gesture gives about four); ``warmup_s`` the
    rule tree's (the PID flies first while the cold SNN pair runs alongside); ``floor_m`` the
    lowest set-point any command may give (a gesture's "land" descends to it): the ToF reads
    nothing below 0.3 m (it reports its minimum), so a set-point there would sit on the floor.

    ``managed_nodes`` (empty: none) are the lifecycle nodes the coordinator brings up, in this
    order, and keeps a heartbeat on (:mod:`snn_control.coordinator.lifecycle`): ``get_state``
    every ``heartbeat_s``, an answer due within ``lifecycle_timeout_s``, a failed transition
    retried after ``lifecycle_retry_s``; a managed node down for ``restart_after_s`` (on the wall
    clock here) is restarted, at most ``max_restarts`` times.

    ``range_deadline_wall_s`` (0: none, the default) is the ROS 2 QoS deadline requested on
    ``blimp/range``: a reading missing that long on the wall clock (a stalled or vanished simulator
    or sensor driver) is a DDS deadline event, counted on ``/diagnostics``. DDS matches a publisher
    only if it offers a deadline at most this long (the simulator and the fault injector offer
    their ``range_deadline_wall_s``; a sensor driver that offers none would not match), so the
    default requests none and the mission graph sets it; a mismatch is reported as an error.
    """

    control_period_s: float = 0.1
    answer_wall_s: float = 0.5
    reading_wall_s: float = 0.05
    tick_period_s: float = 0.05
    settings_file: str = ""
    perception: bool = True
    place_model: str = ""
    mission_file: str = ""
    events_packet_s: float = 0.05
    restart_after_s: float = 2.0
    region_confirm_n: int = 2
    place_deadline_s: float = 15.0
    gesture_debounce_n: int = 2
    warmup_s: float = 10.0
    floor_m: float = 0.5
    record: bool = True
    managed_nodes: tuple[str, ...] = ()
    heartbeat_s: float = 0.5
    lifecycle_timeout_s: float = 2.0
    lifecycle_retry_s: float = 1.0
    max_restarts: int = 3
    range_deadline_wall_s: float = 0.0

    def __post_init__(self) -> None:
        for f in ("control_period_s", "answer_wall_s", "reading_wall_s", "tick_period_s", "events_packet_s"):
            _positive(f, getattr(self, f))
        for f in ("restart_after_s", "range_deadline_wall_s", "warmup_s"):
            _non_negative(f, getattr(self, f))
        _positive("place_deadline_s", self.place_deadline_s)
        _positive("floor_m", self.floor_m)
        if isinstance(self.gesture_debounce_n, bool) or self.gesture_debounce_n < 1:
            raise ValueError(f"gesture_debounce_n must be an int >= 1, got {self.gesture_debounce_n!r}")
        if isinstance(self.region_confirm_n, bool) or self.region_confirm_n < 1:
            raise ValueError(f"region_confirm_n must be an int >= 1, got {self.region_confirm_n!r}")
        self.lifecycle_config()  # validates the lifecycle fields

    def lifecycle_config(self):
        """The lifecycle manager's rules (:class:`~snn_control.coordinator.lifecycle.LifecycleManagerConfig`)."""
        from snn_control.coordinator.lifecycle import LifecycleManagerConfig

        try:
            return LifecycleManagerConfig(
                nodes=tuple(self.managed_nodes), heartbeat_s=self.heartbeat_s, timeout_s=self.lifecycle_timeout_s,
                retry_s=self.lifecycle_retry_s, restart_after_s=self.restart_after_s, max_restarts=self.max_restarts)
        except ValueError as exc:
            raise ValueError(str(exc).replace("LifecycleManagerConfig.", "")) from None

    def coordinator_config(self, n_modules: int = 0, places_per_module: int = 0,
                           advance_places_per_s: float = 0.0, initial_setpoint_m: float = 0.0) -> CoordinatorConfig:
        """The rule tree: ``settings_file`` (or the defaults) plus what the graph tells."""
        if self.settings_file:
            path = Path(self.settings_file)
            try:
                text = path.read_text()
            except OSError as exc:
                raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
            try:
                if path.suffix == ".json":
                    data = json.loads(text)
                else:
                    import yaml

                    data = yaml.safe_load(text) or {}
                base = CoordinatorConfig.from_dict(data)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{path}: {exc}") from None
            except Exception as exc:  # yaml.YAMLError
                raise ValueError(f"{path}: malformed: {exc}") from None
        else:
            base = CoordinatorConfig(control_period_s=self.control_period_s)
        if self.perception:
            names = {s.name for s in base.streams}
            extra = tuple(replace(s, deadline_s=self.place_deadline_s) if s.name == "place" else s
                          for s in (*PERCEPTION_STREAMS, *NODE_STREAMS) if s.name not in names)
            base = replace(base, streams=(*base.streams, *extra),
                           gestures=replace(base.gestures, debounce_n=int(self.gesture_debounce_n)))
        changes: dict = {}
        if n_modules and not base.n_place_modules:
            changes.update(n_place_modules=int(n_modules), places_per_module=int(places_per_module))
        if advance_places_per_s and not base.search.advance_places_per_s:
            changes["search"] = replace(base.search, advance_places_per_s=float(advance_places_per_s))
        if self.floor_m != base.gestures.min_m:
            changes["gestures"] = replace(changes.get("gestures", base.gestures), min_m=float(self.floor_m))
        if self.warmup_s and not base.warmup_s:
            changes["warmup_s"] = float(self.warmup_s)
        if initial_setpoint_m and not base.initial_setpoint_m:
            changes["initial_setpoint_m"] = float(initial_setpoint_m)
        return replace(base, **changes) if changes else base


@dataclass(frozen=True)
class FaultInjectorConfig(DictIO):
    """``fault_injector``: sits on the range sensor's path (``blimp/range_raw`` -> ``blimp/range``)
    and corrupts it, and sends garbage on the camera topics, as ``inject`` says
    (``KIND[:DUR]@T,...``, :func:`snn_control.coordinator.faults.parse_faults`). Crash faults are
    carried out by the graph's supervisor, not here."""

    inject: str = ""
    control_period_s: float = 0.1
    seed: int = 0
    range_deadline_wall_s: float = 2.0  # the QoS deadline its blimp/range offers (wall s; 0: none)

    def __post_init__(self) -> None:
        _positive("control_period_s", self.control_period_s)
        _non_negative("range_deadline_wall_s", self.range_deadline_wall_s)
        from snn_control.coordinator.faults import parse_faults

        parse_faults(self.inject)  # a malformed list stops the graph before any node starts

    def faults(self):
        from snn_control.coordinator.faults import parse_faults

        return parse_faults(self.inject)


@dataclass(frozen=True)
class CueCameraConfig(DictIO):
    """``cue_camera``: the mission's event camera. A person (``subject_seed``) performs the
    mission's gesture cues at their times (:func:`~snn_control.perception.gestures.script.render_cues`);
    packets of ``packet_s`` go out as the simulator's ``/clock`` passes their end, merged
    ``keep_one_of`` at a time while the coordinator throttles the stream (``camera/keep_one_of``)."""

    mission_file: str = ""
    subject_seed: int = 90210
    seed: int = 0
    packet_s: float = 0.05
    frame_id: str = "event_camera"

    def __post_init__(self) -> None:
        _positive("packet_s", self.packet_s)


@dataclass(frozen=True)
class RouteCameraConfig(DictIO):
    """``route_camera``: the mission's forward camera. At simulated time t it shows the query
    traverse's image of the route place ``mission.place_at(t)``, ``mission.image_rate_hz`` frames
    per simulated second (``source``/``traverse``/``synth_*``/``folder`` as ``image_replay``).
    Frames are stamped on this node's clock (place recognition measures its latency on it) and
    carry their true place as ``frame_id`` ``place:<i>``."""

    mission_file: str = ""
    source: str = "synth"
    folder: str = ""
    traverse: str = "summer"
    synth_seed: int = 0
    synth_width: int = 128
    synth_height: int = 96
