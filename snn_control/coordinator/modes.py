"""The mode machine: NOMINAL, DEGRADED, FALLBACK, SAFE, with every transition logged and why.

Modes, by severity (who flies in each: :mod:`snn_control.coordinator.fallback`):

    NOMINAL   every stream and the controller are fine; the SNN controller flies
    DEGRADED  an auxiliary stream (place, gesture, events, ...) or the altitude's clock is faulty;
              the SNN still flies, the sensing policies fall back to their safe defaults
    FALLBACK  the controller is unhealthy, or the altitude has outliers or a burst: the PID flies
              on the accepted altitude samples only
    SAFE      no trustworthy altitude (stale, nan, out_of_range, stuck): a fixed gentle descent

Target rule (:func:`target_mode`): the most severe of SAFE if the altitude state is in
``safe_states``; FALLBACK if it is in ``fallback_states`` or the controller is not ok;
DEGRADED for any other fault of any stream; else NOMINAL.

Transitions (:class:`ModeMachine`): a more severe target is entered at once. A less severe one
only after hysteresis: mode L is left once the target has stayed below L for ``resume_s`` (L =
SAFE: the PID may fly as soon as the altitude has been trustworthy that long) or ``recover_s``
(L = FALLBACK or DEGRADED), the clocks counting from when the target last was at or above L; the
machine then steps down through every level whose clock has run out, so NOMINAL returns only
after every fault has been clear for ``recover_s``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Mapping, NamedTuple

from snn_control.coordinator.health import HealthStatus
from snn_control.coordinator.streams import STATES, StreamStatus
from snn_control.dictio import DictIO


class Mode(IntEnum):
    NOMINAL = 0
    DEGRADED = 1
    FALLBACK = 2
    SAFE = 3

    def __str__(self) -> str:
        return self.name.lower()


class ModeTransition(NamedTuple):
    t_s: float
    from_mode: Mode
    to_mode: Mode
    reason: str


@dataclass(frozen=True)
class ModeParams(DictIO):
    recover_s: float = 2.0
    resume_s: float = 0.5
    safe_states: tuple[str, ...] = ("stale", "nan", "out_of_range", "stuck")
    fallback_states: tuple[str, ...] = ("outlier", "burst")

    def __post_init__(self) -> None:
        for f in ("recover_s", "resume_s"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"ModeParams.{f} must be a finite number >= 0, got {v!r}")
        object.__setattr__(self, "safe_states", tuple(self.safe_states))
        object.__setattr__(self, "fallback_states", tuple(self.fallback_states))
        for f in ("safe_states", "fallback_states"):
            bad = [s for s in getattr(self, f) if s not in STATES[1:]]
            if bad:
                raise ValueError(f"ModeParams.{f}: unknown stream states {bad} (known: {', '.join(STATES[1:])})")
        if set(self.safe_states) & set(self.fallback_states):
            raise ValueError("ModeParams.safe_states and ModeParams.fallback_states must not overlap")


def target_mode(p: ModeParams, altitude: StreamStatus, controller: HealthStatus,
                others: Mapping[str, StreamStatus] = {}) -> tuple[Mode, str]:
    """The mode the statuses call for, and the reason (the most severe fault's)."""
    found = []
    if altitude.state in p.safe_states:
        found.append((Mode.SAFE, f"altitude {altitude.state}: {altitude.reason}"))
    elif altitude.state in p.fallback_states:
        found.append((Mode.FALLBACK, f"altitude {altitude.state}: {altitude.reason}"))
    elif not altitude.ok:
        found.append((Mode.DEGRADED, f"altitude {altitude.state}: {altitude.reason}"))
    if not controller.ok:
        found.append((Mode.FALLBACK, f"controller {controller.state}: {controller.reason}"))
    found += [(Mode.DEGRADED, f"{name} {s.state}: {s.reason}") for name, s in others.items() if not s.ok]
    return max(found, key=lambda f: f[0]) if found else (Mode.NOMINAL, "all streams and the controller ok")


class ModeMachine:
    """Hysteresis over :func:`target_mode`'s answers; ``log`` holds every transition."""

    def __init__(self, params: ModeParams = ModeParams(), mode: Mode = Mode.NOMINAL) -> None:
        self.params = params
        self.mode = mode
        self.log: list[ModeTransition] = []
        self._clear_since: dict[Mode, float | None] = {m: None for m in Mode}

    def dwell_s(self, level: Mode) -> float:
        """How long the target must stay below ``level`` before the machine leaves it."""
        return self.params.resume_s if level == Mode.SAFE else self.params.recover_s

    def update(self, target: Mode, reason: str, now_s: float) -> list[ModeTransition]:
        """Advance to ``now_s`` with the current target; returns the transitions made (0 or 1)."""
        for level in Mode:
            if target < level:
                if self._clear_since[level] is None:
                    self._clear_since[level] = now_s
            else:
                self._clear_since[level] = None
        new = self.mode
        if target > self.mode:
            new = target
        else:
            while new > target:
                since = self._clear_since[new]
                if since is None or now_s - since < self.dwell_s(new):
                    break
                new = Mode(new - 1)
            if new != self.mode:
                why = f"{self.mode} faults clear for {now_s - self._clear_since[self.mode]:.2f} s"
                if new > target:
                    why += f"; {new} until clear for {self.dwell_s(new):g} s"
                elif new > Mode.NOMINAL:
                    why += f"; still {reason}"
                reason = why
        if new == self.mode:
            return []
        t = ModeTransition(now_s, self.mode, new, reason)
        self.mode = new
        self.log.append(t)
        return [t]


def mode_at(transitions: list[ModeTransition], t_s: float, initial: Mode = Mode.NOMINAL) -> Mode:
    """The mode in force at ``t_s`` according to a transition log."""
    mode = initial
    for tr in transitions:
        if tr.t_s > t_s:
            break
        mode = tr.to_mode
    return mode
