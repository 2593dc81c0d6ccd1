"""Gesture commands: recognized gesture labels become altitude set-points.

The mapping is ``"label=action"`` strings over the recognizer's classes
(:data:`snn_control.perception.events.types.GESTURE_CLASSES`); actions:

    climb     setpoint + step_m          descend   setpoint - step_m
    hold      the current altitude       land      min_m (the envelope's floor)

and every set-point is clamped to the envelope [min_m, max_m] (a climb with no set-point yet
starts from the current altitude, or min_m). Debounce: a command fires when ``debounce_n``
consecutive windows carry the same mapped label with score >= ``min_score``, each within
``max_gap_s`` of the previous; any other window (another label, a low score, an unknown label)
restarts the count. After a command, labels are ignored for ``cooldown_s`` (keep waving to climb
again). An unknown label or action in the mapping is a configuration error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from snn_control.coordinator.streams import as_number
from snn_control.dictio import DictIO
from snn_control.perception.events.types import GESTURE_CLASSES

ACTIONS = ("climb", "descend", "hold", "land")


@dataclass(frozen=True)
class GestureParams(DictIO):
    mapping: tuple[str, ...] = ("right_hand_wave=climb", "left_hand_wave=descend", "hand_clap=hold", "arm_roll=land")
    step_m: float = 0.5
    min_score: float = 0.5
    debounce_n: int = 3
    max_gap_s: float = 1.5
    cooldown_s: float = 3.0
    min_m: float = 0.3
    max_m: float = 2.8
    classes: tuple[str, ...] = GESTURE_CLASSES

    def __post_init__(self) -> None:
        object.__setattr__(self, "mapping", tuple(self.mapping))
        object.__setattr__(self, "classes", tuple(self.classes))
        for f in ("step_m", "min_score", "max_gap_s", "cooldown_s", "min_m", "max_m"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"GestureParams.{f} must be a finite number >= 0, got {v!r}")
        if not self.min_m < self.max_m:
            raise ValueError(f"GestureParams.min_m must be below max_m, got [{self.min_m}, {self.max_m}]")
        if isinstance(self.debounce_n, bool) or not isinstance(self.debounce_n, int) or self.debounce_n < 1:
            raise ValueError(f"GestureParams.debounce_n must be an int >= 1, got {self.debounce_n!r}")
        self.actions()  # validates the mapping

    def actions(self) -> dict[str, str]:
        """``{label: action}``; ``ValueError`` naming the entry for anything malformed or unknown."""
        out: dict[str, str] = {}
        for entry in self.mapping:
            label, sep, action = entry.partition("=") if isinstance(entry, str) else ("", "", "")
            label, action = label.strip(), action.strip()
            if not sep:
                raise ValueError(f"GestureParams.mapping: {entry!r} is not 'label=action'")
            if label not in self.classes:
                raise ValueError(f"GestureParams.mapping: unknown label {label!r} (classes: {', '.join(self.classes)})")
            if action not in ACTIONS:
                raise ValueError(f"GestureParams.mapping: unknown action {action!r} for {label} "
                                 f"(actions: {', '.join(ACTIONS)})")
            if label in out:
                raise ValueError(f"GestureParams.mapping: {label} mapped twice")
            out[label] = action
        return out


class GestureCommand(NamedTuple):
    t_s: float
    label: str
    action: str
    setpoint_m: float
    reason: str


def gesture_setpoint(p: GestureParams, action: str, setpoint_m: float | None,
                     altitude_m: float | None) -> tuple[float, bool]:
    """``(set-point, clamped)`` that ``action`` asks for (see the module docstring)."""
    here = altitude_m if altitude_m is not None and math.isfinite(altitude_m) else None
    base = setpoint_m if setpoint_m is not None else (here if here is not None else p.min_m)
    wanted = {"climb": base + p.step_m, "descend": base - p.step_m,
              "hold": here if here is not None else base, "land": p.min_m}[action]
    value = min(max(wanted, p.min_m), p.max_m)
    return value, value != wanted


class GestureMapper:
    """Labels in, debounced and cooled-down :class:`GestureCommand` out."""

    def __init__(self, params: GestureParams = GestureParams()) -> None:
        self.params = params
        self.actions = params.actions()
        self._label: str | None = None
        self._count = 0
        self._last_s = -math.inf
        self._quiet_until = -math.inf
        self.n_rejected = 0

    def on_label(self, label: object, score: object, now_s: float, setpoint_m: float | None,
                 altitude_m: float | None) -> GestureCommand | None:
        """One recognized window; a command when the debounce completes outside the cooldown."""
        p = self.params
        s = as_number(score)
        if not isinstance(label, str) or label not in p.classes:
            self.n_rejected += 1
            label = None
        if now_s < self._quiet_until:
            return None
        if label not in self.actions or not (s >= p.min_score):
            self._label, self._count = None, 0
            return None
        if label == self._label and now_s - self._last_s <= p.max_gap_s:
            self._count += 1
        else:
            self._label, self._count = label, 1
        self._last_s = now_s
        if self._count < p.debounce_n:
            return None
        self._label, self._count = None, 0
        self._quiet_until = now_s + p.cooldown_s
        action = self.actions[label]
        value, clamped = gesture_setpoint(p, action, setpoint_m, altitude_m)
        why = f"{label} x{p.debounce_n} (score {s:.2f}): {action} -> {value:.2f} m"
        return GestureCommand(now_s, label, action, value, why + (" (clamped to the envelope)" if clamped else ""))
