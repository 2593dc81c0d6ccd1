"""Sensor and command guard around any altitude controller: no bad reading becomes a bad command.

Each control tick the guard classifies the range reading (sensor_msgs/Range conventions, REP 117):

* valid: finite and within [min_range_m, max_range_m] -> the controller steps on it;
* too close: ``-inf`` (the sensor's "below minimum range" code) -> the controller steps on
  ``min_range_m``, the best bound the sensor gives, and the status is WARN;
* invalid: NaN, ``+inf``, negative or out-of-range numbers -> the controller does not step (its
  state must not integrate garbage); the last command is held for ``hold_s`` after the last good
  reading, then ``fallback_cmd`` (a slow, safe descent of the heavier-than-air blimp) is sent.

The same hold-then-fallback applies when readings stop arriving: a reading older than ``hold_s``
misses the sensor deadline (:meth:`GuardedController.on_clock`). A controller that returns a
non-finite command is replaced by the fallback. Every command is finite and within ``±u_max``.
Before the first set-point the guard holds the altitude it first reads (the "no set-point yet"
policy of :meth:`GuardedController.step`).

The rules are batch-first functions (:func:`guard_input`, :func:`guard_output`) over a
:class:`GuardState` of arrays, so the flight loop of evolution (thousands of twins at once) and the
ROS node (one blimp, :class:`GuardedController`) run the same guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np


from snn_control.dictio import DictIO, require_numbers

OK, WARN, ERROR = 0, 1, 2  # diagnostic_msgs/DiagnosticStatus levels
# What a tick did, per row (codes of GuardState.event)
TRACKING, BELOW_MIN, NONFINITE, HOLD, FALLBACK = 0, 1, 2, 3, 4
LEVELS = np.array([OK, WARN, ERROR, WARN, ERROR])


class AltitudeController(Protocol):
    """A controller the guard can fly: stateful, one blimp at a time."""

    n_spiking_neurons: int

    def reset(self) -> None: ...

    def step(self, altitude_m: float, setpoint_m: float) -> float: ...


@dataclass(frozen=True)
class GuardParams(DictIO):
    min_range_m: float = 0.3
    max_range_m: float = 12.0
    hold_s: float = 0.5  # hold the last command this long after the last good reading (the deadline)
    fallback_cmd: float = 2.0
    u_max: float = 10.0

    def __post_init__(self) -> None:
        require_numbers(self)
        if not 0 <= self.min_range_m < self.max_range_m:
            raise ValueError("GuardParams.min_range_m must be in [0, max_range_m)")
        if self.hold_s < 0 or self.u_max <= 0 or abs(self.fallback_cmd) > self.u_max:
            raise ValueError("GuardParams: need hold_s >= 0, u_max > 0 and |fallback_cmd| <= u_max")


class GuardState(NamedTuple):
    """Per-row guard state, arrays shaped ``(batch,)``."""

    last_cmd: np.ndarray
    last_good_s: np.ndarray  # time of the last reading the controller stepped on (-inf: none yet)
    event: np.ndarray  # what the last tick did (TRACKING ... FALLBACK)
    n_invalid: np.ndarray
    n_fallback: np.ndarray


def guard_initial_state(batch: int) -> GuardState:
    z = np.zeros(batch, dtype=np.int64)
    return GuardState(np.zeros(batch), np.full(batch, -np.inf), z.copy(), z.copy(), z.copy())


def guard_input(p: GuardParams, reading_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(altitude_m, steps, below_min)`` for readings ``(batch,)``: where ``steps`` is False the
    controller must not step (``altitude_m`` is then meaningless)."""
    r = np.asarray(reading_m, dtype=float)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(r) & (r >= p.min_range_m) & (r <= p.max_range_m)
    below = r == -np.inf
    return np.where(below, p.min_range_m, r), valid | below, below


def guard_output(
    p: GuardParams, state: GuardState, steps: np.ndarray, below_min: np.ndarray, u: np.ndarray, t_s: float
) -> tuple[GuardState, np.ndarray]:
    """Commands ``(batch,)`` from the controller's ``u`` (used where ``steps``) at time ``t_s``."""
    u = np.asarray(u, dtype=float)
    finite = steps & np.isfinite(u)
    nonfinite = steps & ~finite
    holding = ~steps & (t_s - state.last_good_s <= p.hold_s)
    fallback = nonfinite | (~steps & ~holding)
    clipped = np.clip(np.where(finite, u, 0.0), -p.u_max, p.u_max)
    cmd = np.where(finite, clipped, np.where(holding, state.last_cmd, p.fallback_cmd))
    event = np.where(finite, np.where(below_min, BELOW_MIN, TRACKING),
                     np.where(nonfinite, NONFINITE, np.where(holding, HOLD, FALLBACK)))
    return GuardState(
        cmd, np.where(finite, t_s, state.last_good_s), event,
        state.n_invalid + ~steps, state.n_fallback + fallback,
    ), cmd


def guard_missing(p: GuardParams, state: GuardState, t_s: float) -> tuple[GuardState, np.ndarray]:
    """Commands when no reading arrived (the sensor deadline passed): hold, then fall back."""
    steps = np.zeros(state.last_cmd.shape, dtype=bool)
    new, cmd = guard_output(p, state, steps, steps, np.zeros(steps.shape), t_s)
    return new._replace(n_invalid=state.n_invalid), cmd


@dataclass(frozen=True)
class GuardStatus:
    level: int
    message: str


class GuardedController:
    """One controller behind the guard: what the ROS altitude controller holds.

    ``step(reading, setpoint_or_None, t)`` each reading; ``on_clock(now)`` each control period (it
    returns a command only when the sensor deadline has passed).
    """

    def __init__(self, controller: AltitudeController, params: GuardParams = GuardParams()) -> None:
        self.controller = controller
        self.params = params
        self.reset()

    def reset(self) -> None:
        self.controller.reset()
        self.state = guard_initial_state(1)
        self.setpoint_m: float | None = None
        self.last_reading_s: float | None = None
        self.status = GuardStatus(OK, "waiting for the first reading")

    @property
    def last_cmd(self) -> float:
        return float(self.state.last_cmd[0])

    @property
    def n_invalid(self) -> int:
        return int(self.state.n_invalid[0])

    @property
    def n_fallback(self) -> int:
        return int(self.state.n_fallback[0])

    def step(self, reading_m: float, setpoint_m: float | None, t_s: float) -> float:
        """Command for a reading taken at ``t_s`` (s) toward ``setpoint_m``.

        ``setpoint_m=None`` (no set-point received yet) keeps the last one; before any, the guard
        adopts the first valid reading (the altitude the blimp is at) as its set-point, and steps
        toward ``min_range_m`` while the reading is only "too close".
        """
        p = self.params
        self.last_reading_s = float(t_s)
        reading = np.array([float(reading_m)])
        altitude, steps, below = guard_input(p, reading)
        if setpoint_m is not None:
            self.setpoint_m = float(setpoint_m)
        elif self.setpoint_m is None and steps[0] and not below[0]:
            self.setpoint_m = float(altitude[0])
        u = np.zeros(1)
        if steps[0]:
            u[0] = self.controller.step(float(altitude[0]), self.setpoint_m if self.setpoint_m is not None else p.min_range_m)
        self.state, cmd = guard_output(p, self.state, steps, below, u, float(t_s))
        self.status = self._describe(float(reading_m), "invalid range reading")
        return float(cmd[0])

    def on_timeout(self, t_s: float) -> float:
        """Command when no reading arrived within the deadline."""
        self.state, cmd = guard_missing(self.params, self.state, float(t_s))
        self.status = self._describe(None, "range reading missing")
        return float(cmd[0])

    def on_clock(self, now_s: float) -> float | None:
        """The sensor deadline: a command if the last reading is older than ``hold_s``, else None."""
        if self.last_reading_s is None or now_s - self.last_reading_s <= self.params.hold_s:
            return None
        return self.on_timeout(now_s)

    def _describe(self, reading: float | None, why: str) -> GuardStatus:
        event, p = int(self.state.event[0]), self.params
        if reading is not None and event in (HOLD, FALLBACK):
            why = f"{why} {reading!r}"
        text = {
            TRACKING: "tracking",
            BELOW_MIN: f"below sensor minimum {p.min_range_m} m",
            NONFINITE: "controller produced a non-finite command: fallback",
            HOLD: f"{why}: holding last command",
            FALLBACK: f"{why}: fallback command {p.fallback_cmd} (safe descent)",
        }[event]
        return GuardStatus(int(LEVELS[event]), text)
