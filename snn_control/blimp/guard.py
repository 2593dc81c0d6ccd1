"""Sensor and command guard around any altitude controller: no bad reading becomes a bad command.

Each control tick the guard classifies the range reading (sensor_msgs/Range conventions, REP 117):

* valid: finite and within [min_range_m, max_range_m] -> the controller steps on it;
* too close: ``-inf`` (the sensor's "below minimum range" code) -> the controller steps on
  ``min_range_m``, the best bound the sensor gives, and the status is WARN;
* invalid: NaN, ``+inf``, negative or out-of-range numbers -> the controller does not step (its
  state must not integrate garbage); the last command is held for ``hold_s`` after the last good
  reading, then ``fallback_cmd`` (a slow, safe descent of the heavier-than-air blimp) is sent.

The same hold-then-fallback applies when readings stop arriving (:meth:`GuardedController.on_timeout`),
and a controller that returns a non-finite command is replaced by the fallback. Every command is
finite and within ``±u_max``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np

OK, WARN, ERROR = 0, 1, 2  # diagnostic_msgs/DiagnosticStatus levels


class AltitudeController(Protocol):
    n_spiking_neurons: int

    def reset(self) -> None: ...

    def step(self, altitude_m: float, setpoint_m: float) -> float: ...


@dataclass(frozen=True)
class GuardParams:
    min_range_m: float = 0.3
    max_range_m: float = 12.0
    hold_s: float = 0.5
    fallback_cmd: float = 2.0
    u_max: float = 10.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
                raise ValueError(f"GuardParams.{f.name} must be a finite number, got {v!r}")
        if not 0 <= self.min_range_m < self.max_range_m:
            raise ValueError("GuardParams.min_range_m must be in [0, max_range_m)")
        if self.hold_s < 0 or self.u_max <= 0 or abs(self.fallback_cmd) > self.u_max:
            raise ValueError("GuardParams: need hold_s >= 0, u_max > 0 and |fallback_cmd| <= u_max")


@dataclass(frozen=True)
class GuardStatus:
    level: int
    message: str


class GuardedController:
    """Wraps a controller with reading validation, hold and fallback."""

    def __init__(self, controller: AltitudeController, params: GuardParams = GuardParams()) -> None:
        self.controller = controller
        self.params = params
        self.reset()

    def reset(self) -> None:
        self.controller.reset()
        self.last_cmd = 0.0
        self.last_good_s: float | None = None
        self.n_invalid = 0
        self.n_fallback = 0
        self.status = GuardStatus(OK, "waiting for the first reading")

    def step(self, reading_m: float, setpoint_m: float, t_s: float) -> float:
        """Command for a reading taken at ``t_s`` (s) toward ``setpoint_m``."""
        p = self.params
        r = float(reading_m)
        if np.isfinite(r) and p.min_range_m <= r <= p.max_range_m:
            return self._control(r, setpoint_m, t_s, GuardStatus(OK, "tracking"))
        if r == -np.inf:
            return self._control(
                p.min_range_m, setpoint_m, t_s, GuardStatus(WARN, f"below sensor minimum {p.min_range_m} m")
            )
        self.n_invalid += 1
        return self._hold_or_fallback(t_s, f"invalid range reading {r!r}")

    def on_timeout(self, t_s: float) -> float:
        """Command when no reading arrived within the deadline."""
        return self._hold_or_fallback(t_s, "range reading missing")

    def _control(self, altitude_m: float, setpoint_m: float, t_s: float, status: GuardStatus) -> float:
        u = float(self.controller.step(altitude_m, setpoint_m))
        if not np.isfinite(u):
            self.n_fallback += 1
            self.status = GuardStatus(ERROR, "controller produced a non-finite command: fallback")
            self.last_cmd = self.params.fallback_cmd
            return self.last_cmd
        self.last_good_s = t_s
        self.status = status
        self.last_cmd = float(np.clip(u, -self.params.u_max, self.params.u_max))
        return self.last_cmd

    def _hold_or_fallback(self, t_s: float, why: str) -> float:
        if self.last_good_s is not None and t_s - self.last_good_s <= self.params.hold_s:
            self.status = GuardStatus(WARN, f"{why}: holding last command")
            return self.last_cmd
        self.n_fallback += 1
        self.status = GuardStatus(ERROR, f"{why}: fallback command {self.params.fallback_cmd} (safe descent)")
        self.last_cmd = self.params.fallback_cmd
        return self.last_cmd
