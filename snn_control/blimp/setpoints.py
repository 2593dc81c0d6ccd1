"""Time-stamped set-points: a set-point stamped t applies from the sensor sample stamped >= t.

A schedule publishes each change a little ahead, stamped with the time it takes effect, so a
controller applies it on exactly the right tick whatever the message order; a live source (the
coordinator) stamps with "now" and it applies on the next sample.
"""

from __future__ import annotations

import bisect
import math


class SetpointQueue:
    """Pending set-points ordered by effective time; :meth:`current` advances to a sample time."""

    def __init__(self, min_m: float = 0.0, max_m: float = math.inf) -> None:
        self.min_m = min_m
        self.max_m = max_m
        self._pending: list[tuple[float, int, float]] = []
        self._n = 0
        self.value_m: float | None = None

    def push(self, effective_s: float, setpoint_m: float) -> None:
        """Queue a set-point; raises ``ValueError`` for a non-finite or out-of-range value."""
        if not (math.isfinite(setpoint_m) and self.min_m <= setpoint_m <= self.max_m):
            raise ValueError(f"set-point {setpoint_m!r} m outside [{self.min_m}, {self.max_m}] m")
        if not math.isfinite(effective_s):
            raise ValueError(f"set-point time {effective_s!r} is not finite")
        self._n += 1
        bisect.insort(self._pending, (effective_s, self._n, float(setpoint_m)))

    def current(self, t_s: float) -> float | None:
        """Set-point in force at ``t_s`` (None before the first one)."""
        while self._pending and self._pending[0][0] <= t_s + 1e-9:
            self.value_m = self._pending.pop(0)[2]
        return self.value_m
