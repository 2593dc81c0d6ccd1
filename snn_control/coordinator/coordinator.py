"""The coordinator: streams in, one decision per tick out (what flies, where, what to sense).

A node (or a test, or an offline mission) feeds it messages as they arrive and ticks it:

    on_range(value, stamp_s, now_s)            /blimp/range
    on_controller_cmd(u, stamp_s, now_s)       the SNN controller's motor command
    on_place(place, confidence, stamp_s, now_s), on_gesture(label, score, stamp_s, now_s),
    on_event_rate(rate, now_s), on_stream(name, value, stamp_s, now_s), set_setpoint(z, now_s)
    tick(now_s) -> Decision

``now_s`` is one monotonic clock for every call (a node's steady or sim clock; never read here);
stamps are the messages' own. Call ``tick`` after each controller command and on a timer of period
<= control_period_s - health.answer_s (0.06 s: 20 Hz will do): a controller that stops answering
is then replaced within answer_s + that period <= one control period of the unanswered reading.

Per tick: the altitude deadline (tightened after set-point changes), every stream's status, the
controller's health, the mode (:mod:`.modes`), the PID step and the arbitration (:mod:`.fallback`),
the place search window and the event throttle (:mod:`.policies`); ``reject(name, reason, ...)``
takes a message the adapter found malformed, ``summary(faults)`` the per-fault report.

``Decision.command`` is what the motors should get; ``Decision.motor_cmd`` is the same but None
while the SNN's own command stands (a graph where the controller publishes straight to the
motors); the node publishes whichever its topology needs.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Iterable, NamedTuple

import numpy as np

from snn_control.coordinator.config import CoordinatorConfig
from snn_control.coordinator.fallback import Arbiter
from snn_control.coordinator.gestures import GestureCommand, GestureMapper
from snn_control.coordinator.health import ControllerHealth, HealthStatus
from snn_control.coordinator.modes import Mode, ModeMachine, ModeTransition, target_mode
from snn_control.coordinator.policies import (
    PlaceTracker, SearchWindow, ThrottleState, altitude_deadline, throttle_step,
)
from snn_control.coordinator.report import FaultEvent, fault_report, mode_durations
from snn_control.coordinator.streams import StreamMonitor, StreamStatus, as_number

OK, WARN, ERROR = 0, 1, 2  # diagnostic_msgs/DiagnosticStatus levels
MODE_LEVEL = {Mode.NOMINAL: OK, Mode.DEGRADED: WARN, Mode.FALLBACK: WARN, Mode.SAFE: ERROR}


class SetpointChange(NamedTuple):
    t_s: float
    setpoint_m: float
    source: str  # "initial", "gesture", "mission", ...
    reason: str


@dataclass(frozen=True)
class Decision:
    t_s: float
    mode: Mode
    command: float  # what the motors should get: finite, within ±u_max
    source: str  # who produced it: "snn", "pid" or "safe"
    motor_cmd: float | None  # command when the coordinator must override the SNN, else None
    setpoint_m: float | None
    search: SearchWindow | None  # None: no place recognition configured
    keep_one_of: int  # event packets: keep 1 of N
    altitude_deadline_s: float
    streams: dict[str, StreamStatus]
    controller: HealthStatus
    transitions: tuple[ModeTransition, ...]  # made this tick
    events: tuple[FaultEvent, ...]  # state changes seen this tick
    setpoints: tuple[SetpointChange, ...]  # set-point changes since the last tick

    @property
    def active_modules(self) -> tuple[int, ...] | None:
        return None if self.search is None else self.search.modules

    def diagnostics(self) -> list[tuple[str, int, str, dict[str, str]]]:
        """``(name, level, message, values)`` per stream, the controller and the mode: one
        /diagnostics status each."""
        out = [("coordinator/mode", MODE_LEVEL[self.mode], str(self.mode), {
            "command": f"{self.command:+.3f}", "source": self.source, "setpoint_m": f"{self.setpoint_m}",
            "keep_one_of": str(self.keep_one_of), "altitude_deadline_s": f"{self.altitude_deadline_s:g}",
            "active_modules": "all" if self.search is None or self.search.all_modules else
            ",".join(map(str, self.active_modules or ())),
        })]
        for name, s in self.streams.items():
            level = OK if s.ok else (ERROR if name == "altitude" else WARN)
            out.append((f"coordinator/stream/{name}", level, s.state + (f": {s.reason}" if s.reason else ""), {
                "value": f"{s.value}", "age_s": f"{s.age_s:.3f}", "samples": str(s.n_samples),
                "rejected": str(s.n_rejected), "latency_s": f"{s.latency_s:.4f}"}))
        c = self.controller
        out.append(("coordinator/controller", OK if c.ok else ERROR, c.state + (f": {c.reason}" if c.reason else ""),
                    {"last_cmd": f"{c.last_cmd}", "age_s": f"{c.age_s:.3f}", "latency_s": f"{c.latency_s:.4f}"}))
        return out


class Coordinator:
    """See the module docstring. ``start_s`` arms every deadline (a grace of one deadline)."""

    def __init__(self, config: CoordinatorConfig = CoordinatorConfig(), start_s: float = 0.0) -> None:
        c = self.config = config
        self.start_s = self._now = float(start_s)
        self.monitors = {s.name: StreamMonitor(s, start_s) for s in c.streams}
        self.health = ControllerHealth(c.health, start_s)
        self.machine = ModeMachine(c.modes)
        self.arbiter = Arbiter(c.arbiter, c.pid)
        self.gestures = GestureMapper(c.gestures)
        self.places = PlaceTracker(c.search, c.n_place_modules, c.places_per_module) if c.n_place_modules else None
        self.throttle = ThrottleState()
        self._keep_grace: tuple[int, float] | None = None  # (old keep, until) after a throttle drop
        self._trusted: deque[tuple[float, float]] = deque()  # (t, z) of the last 3 s of trusted altitude
        self.setpoint_m: float | None = c.initial_setpoint_m or None
        self.setpoint_changed_s: float | None = None
        self.events: list[FaultEvent] = []
        self.setpoints: list[SetpointChange] = []
        self._states = {name: "ok" for name in [*self.monitors, "controller"]}
        self._pending: list[SetpointChange] = []
        self._source = "snn"
        self.arbiter.arm_handback()  # the SNN starts cold
        if self.setpoint_m is not None:  # a configured start set-point goes out on the first tick
            self.setpoint_m = None
            self._set(float(c.initial_setpoint_m), self.start_s, "initial", "configured start set-point")

    @property
    def mode(self) -> Mode:
        return self.machine.mode

    @property
    def transitions(self) -> list[ModeTransition]:
        return self.machine.log

    # -- inputs ---------------------------------------------------------------------------------
    def on_range(self, value: object, stamp_s: object, now_s: float) -> None:
        self._advance(now_s)
        self.monitors["altitude"].update(value, stamp_s, now_s)
        self.health.on_sample(now_s)

    def on_controller_cmd(self, u: object, stamp_s: object, now_s: float) -> None:
        self._advance(now_s)
        self.health.on_output(u, stamp_s, now_s)

    def on_place(self, place: object, confidence: object, stamp_s: object, now_s: float) -> None:
        """A place match; a place off the route or a bad confidence is a malformed sample."""
        self._advance(now_s)
        if self.places is None or self.places.on_match(place, confidence, now_s):
            self._feed("place", confidence, stamp_s, now_s)
        elif "place" in self.monitors:
            why = f"malformed match: place {place!r}, confidence {confidence!r}"
            self.monitors["place"].reject(why, stamp_s, now_s)

    def on_gesture(self, label: object, score: object, stamp_s: object, now_s: float) -> GestureCommand | None:
        """A recognized window; returns the gesture command if one fired (the set-point is set)."""
        self._advance(now_s)
        known = isinstance(label, str) and label in self.config.gestures.classes
        self._feed("gesture", score if known else math.nan, stamp_s, now_s)
        if known:
            self._set_throttle(ThrottleState(), now_s)  # a gesture under way: full event rate at once
        cmd = self.gestures.on_label(label, score, now_s, self.setpoint_m, self._altitude())
        if cmd is not None:
            self._set(cmd.setpoint_m, now_s, "gesture", cmd.reason)
        return cmd

    def on_event_rate(self, rate: object, now_s: float, stamp_s: object = None) -> None:
        """One event packet's report: the camera's event rate (events/s), NaN for a malformed packet."""
        self._advance(now_s)
        self._feed("events", rate, now_s if stamp_s is None else stamp_s, now_s)
        self._set_throttle(throttle_step(self.config.throttle, self.throttle, rate, now_s), now_s)

    def on_stream(self, name: str, value: object, stamp_s: object, now_s: float) -> None:
        """A sample of any configured stream (the extra ones, e.g. an image heartbeat)."""
        if name not in self.monitors:
            raise ValueError(f"unknown stream {name!r} (configured: {', '.join(self.monitors)})")
        self._advance(now_s)
        self.monitors[name].update(value, stamp_s, now_s)

    def reject(self, name: str, reason: str, stamp_s: object, now_s: float) -> None:
        """A message of stream ``name`` that its adapter found malformed (a PointCloud2 with wrong
        fields, an image without contrast): flagged as state "nan" with ``reason``."""
        if name not in self.monitors:
            raise ValueError(f"unknown stream {name!r} (configured: {', '.join(self.monitors)})")
        self._advance(now_s)
        self.monitors[name].reject(reason, stamp_s, now_s)

    def set_setpoint(self, setpoint_m: object, now_s: float, source: str = "mission") -> float | None:
        """A set-point from the mission (region altitudes): clamped to the gesture envelope;
        a non-finite one is ignored (None returned)."""
        self._advance(now_s)
        z = as_number(setpoint_m)
        if not math.isfinite(z):
            return None
        g = self.config.gestures
        value = min(max(z, g.min_m), g.max_m)
        self._set(value, now_s, source, f"{source}: {z:.2f} m" + (" (clamped)" if value != z else ""))
        return value

    # -- the tick -------------------------------------------------------------------------------
    def tick(self, now_s: float) -> Decision:
        self._advance(now_s)
        c = self.config
        deadline = altitude_deadline(c.deadline, c.stream("altitude").deadline_s, self.setpoint_changed_s, now_s)
        streams = {name: m.check(now_s, self._deadline(name, deadline)) for name, m in self.monitors.items()}
        altitude = streams["altitude"]
        z = self._altitude(altitude)
        if self.setpoint_m is None and z is not None:
            self._set(min(max(z, c.gestures.min_m), c.gestures.max_m), now_s, "initial", "first trustworthy altitude")
        error = self.setpoint_m - z if z is not None and self.setpoint_m is not None else math.nan
        self.health.on_tracking(error, self._source == "snn", now_s)
        controller = self.health.check(now_s)
        others = {n: s for n, s in streams.items() if n != "altitude"}
        target, reason = target_mode(c.modes, altitude, controller, others)
        was_safe = self.mode == Mode.SAFE
        transitions = self.machine.update(target, reason, now_s)
        self._track_trust(altitude, z, was_safe, now_s)
        self.arbiter.pid_step(z, self.setpoint_m, now_s)
        warming = now_s < self.start_s + c.warmup_s and self.mode <= Mode.DEGRADED
        cmd = self.arbiter.select(Mode.FALLBACK if warming else self.mode,
                                  controller.last_cmd if controller.ok else None)
        self._source = cmd.source
        events = self._log_changes(streams, controller, now_s)
        events_ok = "events" not in streams or streams["events"].ok
        pending, self._pending = tuple(self._pending), []
        return Decision(now_s, self.mode, cmd.u, cmd.source, None if cmd.source == "snn" else cmd.u,
                        self.setpoint_m, self._search(streams.get("place"), now_s),
                        self.throttle.keep_one_of if events_ok else 1, deadline,
                        streams, controller, tuple(transitions), events, pending)

    def controller_restarted(self) -> None:
        """The SNN controller was restarted (it is cold): its next hand-back gets the arbiter's
        fading bias (:mod:`.fallback`)."""
        self.arbiter.arm_handback()

    def summary(self, faults: Iterable[tuple[str, float]] = (), end_s: float | None = None) -> dict:
        """Per-fault detect / fallback / recover times (:func:`.report.fault_report`), time per
        mode, and the logs, as plain data for a JSON report."""
        end = self._now if end_s is None else end_s
        return {
            "faults": fault_report(faults, self.events, self.transitions, end),
            "mode_s": mode_durations(self.transitions, self.start_s, end),
            "transitions": [{"t_s": t.t_s, "from": str(t.from_mode), "to": str(t.to_mode), "reason": t.reason}
                            for t in self.transitions],
            "events": [e._asdict() for e in self.events],
            "setpoints": [s._asdict() for s in self.setpoints],
        }

    # -- helpers --------------------------------------------------------------------------------
    def _advance(self, now_s: float) -> None:
        t = as_number(now_s)
        if not math.isfinite(t) or t < self._now - 1e-9:
            raise ValueError(f"now_s must be finite and never decrease: got {now_s!r} after {self._now}")
        self._now = max(self._now, t)

    def _feed(self, name: str, value: object, stamp_s: object, now_s: float) -> None:
        if name in self.monitors:
            self.monitors[name].update(value, stamp_s, now_s)

    def _deadline(self, name: str, altitude_deadline_s: float) -> float | None:
        if name == "altitude":
            return altitude_deadline_s
        if name == "events":
            keep = self.throttle.keep_one_of
            if self._keep_grace is not None and self._now < self._keep_grace[1]:
                keep = max(keep, self._keep_grace[0])
            return self.monitors[name].spec.deadline_s * keep
        return None

    def _track_trust(self, altitude: StreamStatus, z: float | None, was_safe: bool, now_s: float) -> None:
        """Keep the trusted altitude samples; entering SAFE, tell the arbiter how the blimp moved
        over the last second before the fault's onset (:mod:`.fallback`, blind braking)."""
        if altitude.ok and z is not None and (not self._trusted or now_s > self._trusted[-1][0]):
            self._trusted.append((now_s, z))
        while self._trusted and self._trusted[0][0] < now_s - 3.0:
            self._trusted.popleft()
        if self.mode == Mode.SAFE and not was_safe:
            spec = self.config.stream("altitude")
            onset = altitude.since_s
            if altitude.state == "stuck":
                onset -= spec.stuck_after_s
            elif altitude.state == "stale":
                onset -= altitude.age_s if math.isfinite(altitude.age_s) else 0.0
                onset = min(onset, now_s)
            window = [(t, v) for t, v in self._trusted if onset - 1.0 - 1e-9 <= t <= onset + 1e-9]
            if len(window) >= 3:
                t = np.array([w[0] for w in window])
                y = np.array([w[1] for w in window])
                v0, z0 = np.polyfit(t - t[-1], y, 1)
                self.arbiter.enter_safe(float(z0), float(v0), float(t[-1]), now_s)
            else:
                self.arbiter.enter_safe(None, None, onset, now_s)
        elif self.mode != Mode.SAFE and was_safe:
            self.arbiter.leave_safe()

    def _set_throttle(self, new: ThrottleState, now_s: float) -> None:
        """A lower throttle takes a packet period of the old one to reach the camera: until then
        the events' deadline stays the old one's."""
        old = self.throttle.keep_one_of
        if new.keep_one_of < old:
            spec = self.monitors["events"].spec if "events" in self.monitors else None
            span = (spec.deadline_s if spec else 0.0) * old + old * self.config.control_period_s
            self._keep_grace = (old, now_s + span)
        self.throttle = new

    def _search(self, place: StreamStatus | None, now_s: float) -> SearchWindow | None:
        """The place search window; every module while the place stream itself is faulty."""
        if self.places is None:
            return None
        search = self.places.window(now_s)
        if place is not None and not place.ok and not search.all_modules:
            search = search._replace(modules=tuple(range(self.places.n_modules)), all_modules=True,
                                     reason=f"place stream {place.state}: search everything")
        return search

    def _altitude(self, status: StreamStatus | None = None) -> float | None:
        """The altitude a controller may use now: the last accepted sample, unless the stream's
        state calls for SAFE."""
        mon = self.monitors["altitude"]
        status = status or mon.check(self._now)
        return None if status.state in self.config.modes.safe_states else mon.value

    def _set(self, value: float, now_s: float, source: str, reason: str) -> None:
        change = SetpointChange(now_s, value, source, reason)
        if self.setpoint_m is not None and value != self.setpoint_m:
            self.setpoint_changed_s = now_s
        self.setpoint_m = value
        self.setpoints.append(change)
        self._pending.append(change)

    def _log_changes(self, streams: dict[str, StreamStatus], controller: HealthStatus, now_s: float) -> tuple:
        new = []
        for name, state, reason in [*((n, s.state, s.reason) for n, s in streams.items()),
                                    ("controller", controller.state, controller.reason)]:
            if state != self._states[name]:
                new.append(FaultEvent(now_s, name, state, reason or "cleared"))
                self._states[name] = state
        self.events += new
        return tuple(new)

