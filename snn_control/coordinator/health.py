"""Controller health: is the altitude controller alive, answering, sane and converging?

The coordinator sees the controller through its commands (``on_output``), the range samples it
must answer (``on_sample``) and the tracking error of the loop (``on_tracking``). Rules, with
receipt times on the coordinator's clock (0 disables a rule):

    nonfinite      the last command is NaN, inf or not a number at all              [latched]
    out_of_limits  |u| > u_max                                                      [latched]
    silent         now - (receipt of the last command, or the arming time) > heartbeat_s
    late           a range sample received at t_r is unanswered for > answer_s, where a command
                   received at t_c answers every sample received before t_c + race_s (so a command
                   that overtakes its reading, two subscribers of one topic, still answers it)
    diverging      while the controller's command is applied: |e| > diverge_error_m throughout
                   the last diverge_s (and, if ``saturation`` > 0, |u| >= saturation * u_max
                   throughout), and |e| grew by >= growth_m over that span: |e(now)| -
                   |e(now - diverge_s)| >= growth_m. A slow but converging controller, or one
                   stalled short of the set-point, is not diverging; one driving the error up is.
    stalled        while the controller's command is applied: |e| >= stall_error_m throughout the
                   last stall_s, and |e| fell by less than stall_gain_m over that span (a blimp
                   sitting on the floor, where the ToF reads its 0.3 m minimum, under a controller
                   whose integrator is too slow to lift it).

A latched fault stays flagged for ``heartbeat_s`` after the command that caused it. Precedence:
the first of :data:`HEALTH_STATES` after "ok". ``since_s`` is when the condition began.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from snn_control.coordinator.streams import EPS, as_number
from snn_control.dictio import DictIO, require_numbers

HEALTH_STATES = ("ok", "nonfinite", "out_of_limits", "silent", "late", "diverging", "stalled")


@dataclass(frozen=True)
class HealthParams(DictIO):
    u_max: float = 10.0
    heartbeat_s: float = 0.25
    answer_s: float = 0.04
    race_s: float = 0.02
    diverge_error_m: float = 0.3
    diverge_s: float = 1.0
    growth_m: float = 0.1
    saturation: float = 0.0
    stall_error_m: float = 0.25
    stall_s: float = 5.0
    stall_gain_m: float = 0.1

    def __post_init__(self) -> None:
        require_numbers(self, minimum=0)
        if self.u_max <= 0 or self.heartbeat_s <= 0:
            raise ValueError("HealthParams.u_max and HealthParams.heartbeat_s must be > 0")
        if self.saturation > 1:
            raise ValueError(f"HealthParams.saturation must be in [0, 1], got {self.saturation}")


@dataclass(frozen=True)
class HealthStatus:
    state: str
    reason: str
    since_s: float
    last_cmd: float | None  # the last finite, in-limit command
    age_s: float  # since the last command of any kind (inf: none yet)
    latency_s: float  # receipt minus stamp of the last command

    @property
    def ok(self) -> bool:
        return self.state == "ok"


class ControllerHealth:
    """The rules of the module docstring over one controller's command stream."""

    def __init__(self, params: HealthParams = HealthParams(), start_s: float | None = None) -> None:
        self.params = params
        self.armed_s = start_s
        self.last_cmd: float | None = None
        self.cmd_s = -math.inf  # receipt of the last command of any kind
        self.latency_s = math.nan
        self._unanswered_s: float | None = None  # receipt of the oldest unanswered sample
        self._latched: dict[str, tuple[float, float, str]] = {}
        self._errors: deque[tuple[float, float]] = deque()  # (t, |e|) while the divergence condition holds
        self._stall: deque[tuple[float, float]] = deque()  # (t, |e|) while the stall condition holds

    def on_output(self, u: object, stamp_s: object, now_s: float) -> None:
        p = self.params
        self._arm(now_s)
        x = as_number(u)
        self.cmd_s = now_s
        self.latency_s = now_s - as_number(stamp_s)
        if self._unanswered_s is not None and self._unanswered_s < now_s + p.race_s:
            self._unanswered_s = None
        if not math.isfinite(x):
            self._latch("nonfinite", f"command {x!r} is not finite", now_s)
        elif abs(x) > p.u_max:
            self._latch("out_of_limits", f"command {x:+.4g} outside ±{p.u_max:g}", now_s)
        else:
            self.last_cmd = x

    def on_sample(self, now_s: float) -> None:
        """A range sample arrived that the controller must answer."""
        self._arm(now_s)
        if self._unanswered_s is None and now_s > self.cmd_s + self.params.race_s:
            self._unanswered_s = now_s

    def on_tracking(self, error_m: float, applied: bool, now_s: float) -> None:
        """The loop's tracking error (set-point - altitude) this tick; ``applied``: the controller's
        own command is the one flying (divergence is judged only then)."""
        p = self.params
        a = abs(error_m)
        saturated = not p.saturation or (self.last_cmd is not None and abs(self.last_cmd) >= p.saturation * p.u_max)
        if applied and p.stall_s and math.isfinite(a) and a >= p.stall_error_m - EPS:
            self._stall.append((now_s, a))
            while len(self._stall) > 1 and self._stall[1][0] <= now_s - p.stall_s:
                self._stall.popleft()
        else:
            self._stall.clear()
        if not (applied and p.diverge_s and math.isfinite(a) and a > p.diverge_error_m and saturated):
            self._errors.clear()
            return
        self._errors.append((now_s, a))
        while len(self._errors) > 1 and self._errors[1][0] <= now_s - p.diverge_s:
            self._errors.popleft()  # keep one sample at or before the span's start

    def check(self, now_s: float) -> HealthStatus:
        p = self.params
        self._arm(now_s)
        found = [(s, r, first) for s, (first, until, r) in self._latched.items() if now_s <= until]
        last = max(self.cmd_s, self.armed_s)
        if now_s - last > p.heartbeat_s + EPS:
            found.append(("silent", f"no command for {now_s - last:.3f} s > heartbeat {p.heartbeat_s:g} s",
                          last + p.heartbeat_s))
        if p.answer_s and self._unanswered_s is not None and now_s - self._unanswered_s > p.answer_s + EPS:
            found.append(("late", f"range sample unanswered for {now_s - self._unanswered_s:.3f} s > "
                                  f"{p.answer_s:g} s", self._unanswered_s + p.answer_s))
        if self._errors and now_s - self._errors[0][0] >= p.diverge_s - EPS > 0:
            (t0, a0), a1 = self._errors[0], self._errors[-1][1]
            if a1 - a0 >= p.growth_m:
                found.append(("diverging", f"|error| above {p.diverge_error_m:g} m for {now_s - t0:.2f} s and "
                                           f"grew {a0:.2f} -> {a1:.2f} m", self._errors[-1][0]))
        if self._stall and now_s - self._stall[0][0] >= p.stall_s - EPS > 0:
            (t0, a0), a1 = self._stall[0], self._stall[-1][1]
            if a0 - a1 < p.stall_gain_m:
                found.append(("stalled", f"|error| at or above {p.stall_error_m:g} m for {now_s - t0:.2f} s, "
                                         f"{a0:.2f} -> {a1:.2f} m", self._stall[-1][0]))
        state, reason, since = min(found, key=lambda f: HEALTH_STATES.index(f[0])) if found else ("ok", "", now_s)
        return HealthStatus(state, reason, since, self.last_cmd, now_s - self.cmd_s, self.latency_s)

    def _arm(self, now_s: float) -> None:
        if self.armed_s is None:
            self.armed_s = now_s

    def _latch(self, state: str, reason: str, now_s: float) -> None:
        first, until, _ = self._latched.get(state, (now_s, -math.inf, ""))
        self._latched[state] = (first if now_s <= until else now_s, now_s + self.params.heartbeat_s, reason)
