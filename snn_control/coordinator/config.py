"""The coordinator's configuration: every stream's spec and every rule's parameters in one tree.

Streams the :class:`~snn_control.coordinator.coordinator.Coordinator` feeds by name:

    altitude  ``on_range``: /blimp/range (m); its faults decide SAFE and FALLBACK
    place     ``on_place``: /place/match, the match's confidence (>= 0)
    gesture   ``on_gesture``: /perception/action, the label's score in [0, 1]; sporadic (no
              deadline: labels come only while someone moves)
    events    ``on_event_rate``: one report per /camera/events packet, the camera's event rate
              (events/s; NaN for a malformed packet); its deadline scales with the throttle
    others    ``on_stream(name, ...)``: any extra stream (e.g. an ``image`` heartbeat)

Every stream but the altitude only degrades (mode DEGRADED). ``to_dict``/``from_dict`` round-trip
the whole tree (nested dicts; unknown keys rejected at every level).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from snn_control.blimp.pid import PIDParams
from snn_control.coordinator.fallback import ArbiterParams
from snn_control.coordinator.gestures import GestureParams
from snn_control.coordinator.health import HealthParams
from snn_control.coordinator.modes import ModeParams
from snn_control.coordinator.policies import DeadlineParams, SearchParams, ThrottleParams
from snn_control.coordinator.streams import StreamSpec
from snn_control.dictio import DictIO

ALTITUDE_STREAM = StreamSpec(
    # ToF at 10 Hz: 3 periods of deadline; a 5 m room; 0.5 m in one period is 5 m/s (a spike);
    # 1 s without the least change is a stuck sensor (1 cm noise on 1 cm steps repeats the last
    # value about 27 % of the time: ten equal readings in a row come by chance about once in 4 h
    # of perfectly still hovering at 10 Hz, and then cost a few seconds of SAFE).
    "altitude", rate_hz=10.0, deadline_s=0.3, lo=0.3, hi=5.0, max_step=0.5, stuck_after_s=1.0,
    inf_policy="bounds")
PERCEPTION_STREAMS = (
    StreamSpec("place", rate_hz=5.0, deadline_s=5.0, lo=0.0, hi=math.inf),
    StreamSpec("gesture", rate_hz=4.0, deadline_s=0.0, lo=0.0, hi=1.0),
    StreamSpec("events", rate_hz=20.0, deadline_s=0.5, lo=0.0, hi=1e9),
)
# The default watches only what every graph has; a graph with perception adds PERCEPTION_STREAMS
# (a stream that is watched but never fed goes stale and keeps the mode DEGRADED).
DEFAULT_STREAMS = (ALTITUDE_STREAM,)


def _nested(cls: type, data: Any, where: str) -> Any:
    if isinstance(data, cls):
        return data
    if not isinstance(data, dict):
        raise ValueError(f"CoordinatorConfig.{where} must be a mapping, got {type(data).__name__}")
    return cls.from_dict(data)


@dataclass(frozen=True)
class CoordinatorConfig(DictIO):
    """``initial_setpoint_m`` 0: adopt the first trustworthy altitude (the guard's rule);
    ``n_place_modules`` 0: no place search (the mission without place recognition);
    ``warmup_s``: the PID flies the first seconds (learning the trim) while the cold SNN runs
    alongside, then hands over with the arbiter's fading bias (0: the SNN flies from the start)."""

    control_period_s: float = 0.1
    initial_setpoint_m: float = 0.0
    warmup_s: float = 0.0
    n_place_modules: int = 0
    places_per_module: int = 0
    streams: tuple[StreamSpec, ...] = DEFAULT_STREAMS
    health: HealthParams = field(default_factory=HealthParams)
    modes: ModeParams = field(default_factory=ModeParams)
    arbiter: ArbiterParams = field(default_factory=ArbiterParams)
    pid: PIDParams = field(default_factory=PIDParams)
    search: SearchParams = field(default_factory=SearchParams)
    throttle: ThrottleParams = field(default_factory=ThrottleParams)
    deadline: DeadlineParams = field(default_factory=DeadlineParams)
    gestures: GestureParams = field(default_factory=GestureParams)

    def __post_init__(self) -> None:
        if not isinstance(self.streams, (list, tuple)):
            raise ValueError("CoordinatorConfig.streams must be a list of stream specs")
        object.__setattr__(self, "streams", tuple(_nested(StreamSpec, s, f"streams[{i}]")
                                                 for i, s in enumerate(self.streams)))
        for f in dataclasses.fields(self):
            if f.name != "streams" and isinstance(f.default_factory, type):  # the nested parameter sets
                object.__setattr__(self, f.name, _nested(f.default_factory, getattr(self, f.name), f.name))
        names = [s.name for s in self.streams]
        if "altitude" not in names or len(set(names)) != len(names):
            raise ValueError(f"CoordinatorConfig.streams must name 'altitude' and each stream once, got {names}")
        p = self.control_period_s
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not (math.isfinite(p) and p > 0):
            raise ValueError(f"CoordinatorConfig.control_period_s must be > 0, got {p!r}")
        if abs(self.pid.dt_s - p) > 1e-9:
            raise ValueError(f"CoordinatorConfig.pid.dt_s ({self.pid.dt_s}) must equal control_period_s ({p})")
        if self.health.u_max != self.arbiter.u_max:
            raise ValueError("CoordinatorConfig.health.u_max must equal arbiter.u_max")
        w = self.warmup_s
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not (math.isfinite(w) and w >= 0):
            raise ValueError(f"CoordinatorConfig.warmup_s must be a finite number >= 0, got {w!r}")
        sp = self.initial_setpoint_m
        g = self.gestures
        if sp != 0 and not (isinstance(sp, (int, float)) and not isinstance(sp, bool) and g.min_m <= sp <= g.max_m):
            raise ValueError(f"CoordinatorConfig.initial_setpoint_m must be 0 or in [{g.min_m}, {g.max_m}], got {sp!r}")
        for f in ("n_place_modules", "places_per_module"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"CoordinatorConfig.{f} must be an int >= 0, got {v!r}")
        if (self.n_place_modules == 0) != (self.places_per_module == 0):
            raise ValueError("CoordinatorConfig.n_place_modules and places_per_module must both be 0 or both > 0")

    def stream(self, name: str) -> StreamSpec:
        return next(s for s in self.streams if s.name == name)
