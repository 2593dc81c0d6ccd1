"""The motor-command arbiter: which command flies, kept bumpless, finite and within ±u_max.

Per mode (:mod:`snn_control.coordinator.modes`):

    NOMINAL, DEGRADED   the SNN controller's command when it is usable, else the PID's
    FALLBACK            the PID's command
    SAFE                the safe command: trim - safe_margin_units once a trim is known, else
                        safe_cmd; trim is the mean applied command while hovering steadily (|e| <
                        trim_error_m, and |e| moved less than trim_steady_m over the last second),
                        an exponential average with time constant trim_tau_s, known after
                        trim_tau_s of such hovering

and every command is ``finite_clip``-ed: clipped to ±u_max, and a non-finite one replaced by the
safe command. The nominal blimp hovers at 3 motor units (g_b / k = 0.3 / 0.1); the default
``safe_cmd`` is the guard's fallback descent (:class:`snn_control.blimp.guard.GuardParams`, 2
units: a net -0.1 m/s^2, a terminal sink of sqrt(0.1 / 1.3) = 0.28 m/s). The trim is learned in
flight, so it follows a heavier or lighter blimp; the margin of 0.3 units is then a net -0.03
m/s^2 on the nominal thrust gain (0.1 m/s^2 per unit), a sink of sqrt(0.03 / 1.3) = 0.15 m/s.

The PID (:func:`snn_control.blimp.pid.pid_step`, the paper's) is stepped once per control period
(on a grid of periods; a tick up to ``JITTER`` of a period early counts) on the same accepted
altitude and set-point whichever controller flies (kept warm), so it can take over on the tick the
mode changes. While another command flies, its integral *tracks* that command
(back-calculation, Astrom & Hagglund's bumpless transfer):

    sum_e <- clip((u_applied - PD) / (Ki * dt), ±i_limit / (Ki * dt))

so at the switch the PID's output is the last applied command plus the change of its own P and D
terms since the last step (exactly the applied command while hovering; the soft limit aside).

Blind braking and the floor. Entering SAFE the altitude is no longer trusted, but how the blimp
was moving when trust was lost is known (``enter_safe``: the altitude z0 and vertical speed v0
fitted over the last second of trusted samples before the fault's onset). The safe command then
also brakes that motion and, near the floor, holds instead of descending:

    u = base - clip(brake_gain * v0, +-brake_max) * exp(-(t - t_safe) / brake_tau_s)
    base = trim - safe_margin_units   if z0 + v0 (t_safe - t_onset) >= safe_low_m, else trim

(a blimp falling when its sensor stuck is still falling when the stuck reading is found out; a
blind descent from 0.3 m would sit it on the floor).

Sensor floor. The ToF reads nothing below its minimum range (``floor_reading_m``, 0.3 m): it
reports the minimum. A blimp below it is blind where it matters most: the reading stops moving,
so a PD's braking (the derivative) vanishes and its proportional part sees a fixed error, and the
PID or the SNN pair lies on the floor while an integral unwinds (measured: 12 s on the floor after
a fast descent to a 0.6 m set-point). While the accepted altitude is within 2 cm of the floor
reading, or falls fast enough to reach it within ``floor_horizon_s`` (a lagging motor needs the
time to reverse), and the set-point is at least 0.1 m above it, whichever command flies is raised to at
least ``trim + floor_climb_units`` (before a trim is known: ``safe_cmd + floor_climb_units``), a
climb that lifts the blimp back into the sensor's range; then at least the trim until the blimp is
``FLOOR_CLEAR_M`` above the floor reading (or at its set-point), so a controller braking the climb
(its derivative sees the reading jump) cannot drop it back; then the controller alone again.
``floor_climb_units`` 0: no floor rule.

Hand-back. The SNN's integrator cannot be set from outside (it is spiking state), so when the SNN
gets the motors back after a fallback its command may differ from the one flying (a restarted,
cold controller lacks the hover trim). The difference at the switch is kept as a bias that fades,

    u = u_snn + b exp(-(t - t_switch) / handback_tau_s),   b = u_before - u_snn(t_switch),

so the command is continuous and the SNN's own integrator takes the trim over while the bias
fades. Only a *cold* SNN gets the bias (:meth:`Arbiter.arm_handback`: at start and after the
controller restarted): a warm one's integrator already holds the trim, and a bias taken from one
noisy command would be an offset it must first unwind. ``u_before`` and ``u_snn`` are each
averaged over the last second (the SNN's command is spiky). ``handback_tau_s`` 0: no bias.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from snn_control.blimp.guard import GuardParams
from snn_control.blimp.pid import PIDParams, PIDState, pid_initial_state, pid_step
from snn_control.coordinator.modes import Mode
from snn_control.dictio import DictIO, require_numbers

JITTER = 0.1  # a tick up to 10 % of a period early still steps the PID (timer jitter)
FLOOR_CLEAR_M = 0.15  # the floor rule holds at least the trim until this far above the floor reading


@dataclass(frozen=True)
class ArbiterParams(DictIO):
    u_max: float = 10.0
    safe_cmd: float = GuardParams().fallback_cmd
    safe_margin_units: float = 0.3
    trim_tau_s: float = 5.0
    trim_error_m: float = 0.15
    trim_steady_m: float = 0.05
    handback_tau_s: float = 60.0
    safe_low_m: float = 1.0
    brake_gain: float = 12.0
    brake_max: float = 4.0
    brake_tau_s: float = 1.5
    floor_reading_m: float = 0.3
    floor_climb_units: float = 3.0
    floor_horizon_s: float = 0.6

    def __post_init__(self) -> None:
        require_numbers(self)
        if self.u_max <= 0 or abs(self.safe_cmd) > self.u_max:
            raise ValueError("ArbiterParams: need u_max > 0 and |safe_cmd| <= u_max")
        for f in ("safe_margin_units", "trim_tau_s", "trim_error_m", "trim_steady_m", "handback_tau_s",
                  "safe_low_m", "brake_gain", "brake_max", "brake_tau_s", "floor_reading_m", "floor_climb_units", "floor_horizon_s"):
            if getattr(self, f) < 0:
                raise ValueError(f"ArbiterParams.{f} must be >= 0, got {getattr(self, f)}")


class Command(NamedTuple):
    u: float
    source: str  # "snn", "pid" or "safe"


def finite_clip(u: object, u_max: float, default: float) -> float:
    """``u`` clipped to ±u_max; ``default`` (itself clipped) when ``u`` is not a finite number."""
    try:
        x = float(u)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        x = math.nan
    if not math.isfinite(x):
        x = default if math.isfinite(default) else 0.0
    return min(max(x, -u_max), u_max)


def arbitrate(mode: Mode, snn_cmd: float | None, pid_cmd: float | None, safe_cmd: float,
              u_max: float) -> Command:
    """The command to fly in ``mode`` (see the module docstring); always finite, within ±u_max."""
    def usable(u: float | None) -> bool:
        return u is not None and isinstance(u, (int, float)) and math.isfinite(u)

    if mode <= Mode.DEGRADED and usable(snn_cmd):
        return Command(finite_clip(snn_cmd, u_max, safe_cmd), "snn")
    if mode <= Mode.FALLBACK and usable(pid_cmd):
        return Command(finite_clip(pid_cmd, u_max, safe_cmd), "pid")
    return Command(finite_clip(safe_cmd, u_max, 0.0), "safe")


class Arbiter:
    """The PID kept warm and bumpless, the trim estimate, and :func:`arbitrate`."""

    def __init__(self, params: ArbiterParams = ArbiterParams(), pid: PIDParams = PIDParams()) -> None:
        self.params, self.pid = params, pid
        self.period_s = pid.dt_s
        self.state: PIDState = pid_initial_state(1)
        self.pid_cmd: float | None = None
        self.pd = 0.0
        self.trim: float | None = None
        self.trim_weight = 0.0
        self._next_s: float | None = None
        self._stepped = False
        self._error = math.inf  # set-point - altitude at the last PID step
        self._errors: deque[float] = deque(maxlen=int(round(1.0 / self.period_s)) + 1)  # the last second's
        self._now = -math.inf
        self._last: Command | None = None
        self._bias = 0.0
        self._bias_s = 0.0
        self._armed = False
        self._blind: tuple[float, float, float] | None = None  # (z predicted at SAFE entry, v0, entry time)
        self._avg: dict[str, float] = {}  # 1 s averages of the SNN's and the applied commands
        self._altitude: float | None = None  # the last accepted altitude and set-point
        self._floor_climb = False  # lifting off the sensor's floor (until FLOOR_CLEAR_M above it)
        self._altitudes: deque[float] = deque(maxlen=4)  # accepted altitudes of the last PID steps
        self._setpoint: float | None = None

    def pid_step(self, altitude_m: float | None, setpoint_m: float | None, now_s: float) -> float | None:
        """Step the PID if a control period has passed since its last step and an altitude and a
        set-point are known (``None``: not stepped, its state is kept); returns its command."""
        self._stepped = False
        self._now = max(self._now, now_s)
        if altitude_m is not None:
            self._altitude = altitude_m
        if setpoint_m is not None:
            self._setpoint = setpoint_m
        due = self._next_s is None or now_s >= self._next_s - JITTER * self.period_s
        if not due or altitude_m is None or setpoint_m is None:
            return self.pid_cmd
        self._now = max(self._now, now_s)
        self.state, out = pid_step(self.pid, self.state, np.array([setpoint_m - altitude_m]))
        self.pid_cmd, self.pd = float(out.u[0]), float(out.pd[0])
        on_grid = self._next_s is not None and now_s - self._next_s < self.period_s
        self._next_s = (self._next_s if on_grid else now_s) + self.period_s  # a late tick re-anchors the grid
        self._stepped = True
        self._error = setpoint_m - altitude_m
        self._errors.append(self._error)
        self._altitudes.append(altitude_m)
        return self.pid_cmd

    def enter_safe(self, z0_m: float | None, v0_mps: float | None, onset_s: float, now_s: float) -> None:
        """SAFE begins at ``now_s``; the blimp was at ``z0_m`` moving at ``v0_mps`` when trust was
        lost at ``onset_s`` (None: unknown; no braking, the plain safe command)."""
        if z0_m is None or v0_mps is None or not (math.isfinite(z0_m) and math.isfinite(v0_mps)):
            self._blind = None
            return
        self._blind = (z0_m + v0_mps * max(0.0, now_s - onset_s), v0_mps, now_s)

    def leave_safe(self) -> None:
        self._blind = None

    @property
    def safe_cmd(self) -> float:
        p = self.params
        trimmed = self.trim is not None and self.trim_weight >= 1.0 - math.exp(-1.0)
        base = self.trim - p.safe_margin_units if trimmed else p.safe_cmd
        if self._blind is not None:
            z, v, t0 = self._blind
            if trimmed and z < p.safe_low_m:
                base = self.trim
            brake = min(max(p.brake_gain * v, -p.brake_max), p.brake_max)
            if p.brake_tau_s:
                base -= brake * math.exp(-max(0.0, self._now - t0) / p.brake_tau_s)
        return finite_clip(base, p.u_max, p.safe_cmd)

    def select(self, mode: Mode, snn_cmd: float | None) -> Command:
        """The command for ``mode``; then, on a tick that stepped the PID, track and learn the trim."""
        cmd = self._floor(self._handback(arbitrate(mode, snn_cmd, self.pid_cmd, self.safe_cmd, self.params.u_max),
                                         snn_cmd), mode)
        self._last = cmd
        self._average("applied", cmd.u)
        if self._stepped and abs(self._error) < self.params.trim_error_m:
            if cmd.source != "pid":
                self._track(cmd.u)
            self._learn_trim(cmd.u)
        return cmd

    @property
    def on_floor(self) -> bool:
        """The accepted altitude sits at the sensor's floor reading, or will within
        ``floor_horizon_s`` at its speed over the last PID steps, while the set-point is above it."""
        p, z, sp = self.params, self._altitude, self._setpoint
        if not (p.floor_climb_units and z is not None and sp is not None and sp >= p.floor_reading_m + 0.1):
            return False
        zs = self._altitudes
        v = (zs[-1] - zs[0]) / ((len(zs) - 1) * self.period_s) if len(zs) >= 2 else 0.0
        return z <= p.floor_reading_m + 0.02 or (v < 0 and z + v * p.floor_horizon_s <= p.floor_reading_m)

    def _floor(self, cmd: Command, mode: Mode) -> Command:
        p, z, sp = self.params, self._altitude, self._setpoint
        at_floor = self.on_floor
        if at_floor:
            self._floor_climb = True
        elif not (self._floor_climb and z is not None and sp is not None and sp >= p.floor_reading_m + 0.1
                  and z < min(p.floor_reading_m + FLOOR_CLEAR_M, sp)):
            self._floor_climb = False  # clear of the floor: the controller alone again
        if mode >= Mode.SAFE or not self._floor_climb:
            return cmd  # SAFE trusts no altitude: its own rule (blind braking) holds
        trimmed = self.trim is not None and self.trim_weight >= 1.0 - math.exp(-1.0)
        least = self.trim if trimmed else p.safe_cmd
        if at_floor:
            least += p.floor_climb_units
        if cmd.u >= least:
            return cmd
        return Command(finite_clip(least, p.u_max, p.safe_cmd), cmd.source)

    @property
    def handback_bias(self) -> float:
        """The hand-back bias added to the SNN's command now (module docstring)."""
        tau = self.params.handback_tau_s
        if not tau or not self._bias:
            return 0.0
        return self._bias * math.exp(-max(0.0, self._now - self._bias_s) / tau)

    def arm_handback(self) -> None:
        """The SNN controller is cold (just started): bias its next hand-back (module docstring)."""
        self._armed = True
        self._avg.pop("snn", None)

    def _average(self, key: str, u: float) -> float:
        alpha = 1.0 - math.exp(-self.period_s / 1.0) if self._stepped else 0.0
        self._avg[key] = u if key not in self._avg else self._avg[key] + alpha * (u - self._avg[key])
        return self._avg[key]

    def _handback(self, cmd: Command, snn_cmd: float | None) -> Command:
        if snn_cmd is not None and math.isfinite(snn_cmd):
            snn_avg = self._average("snn", min(max(float(snn_cmd), -self.params.u_max), self.params.u_max))
        else:
            snn_avg = None
        if cmd.source != "snn" or not self.params.handback_tau_s:
            return cmd
        if self._armed and self._last is not None and self._last.source != "snn" and snn_avg is not None:
            self._bias, self._bias_s, self._armed = self._avg.get("applied", self._last.u) - snn_avg, self._now, False
        bias = self.handback_bias
        if not bias:
            return cmd
        return Command(finite_clip(cmd.u + bias, self.params.u_max, self.safe_cmd), "snn")

    def _track(self, u_applied: float) -> None:
        p = self.pid
        if p.ki == 0:
            return
        limit = p.i_limit / (p.ki * p.dt_s)
        sum_e = float(np.clip((u_applied - self.pd) / (p.ki * p.dt_s), -limit, limit))
        self.state = self.state._replace(error_sum=np.array([sum_e]))

    def _learn_trim(self, u_applied: float) -> None:
        p = self.params
        steady = len(self._errors) == self._errors.maxlen and abs(self._errors[-1] - self._errors[0]) < p.trim_steady_m
        if not (p.trim_tau_s and steady):
            return
        alpha = 1.0 - math.exp(-self.period_s / p.trim_tau_s)
        self.trim = u_applied if self.trim is None else self.trim + alpha * (u_applied - self.trim)
        self.trim_weight += alpha * (1.0 - self.trim_weight)
