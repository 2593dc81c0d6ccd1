"""Fault injection for the mission: what ``--inject KIND[:DUR]@T[,...]`` asks for, and when.

Kinds (:data:`KINDS`) and what each does while active, from ``t_s`` for ``duration_s``:

    controller_crash   the SNN controller process dies (until restarted: duration 0)
    perception_crash   a perception node dies (until restarted: duration 0)
    sensor_dropout     no range readings at all                                   (2 s)
    sensor_nan         range readings are NaN                                     (1 s)
    sensor_stuck       the reading seen at the fault's start, repeated exactly    (3 s)
    sensor_spike       every other reading jumps up by ``spike_m``                (2 s)
    burst              each reading arrives ``burst_factor`` times                (2 s)
    clock_jump         range stamps run ``JUMP_S`` ahead (a driver clock stepped) (2 s)
    event_garbage      event packets carry garbage (:func:`garbage_events`)       (1 s)
    image_garbage      camera frames are noise (:func:`garbage_image`)            (1 s)

Crash faults are one-shot (:meth:`FaultSchedule.due`); the others are windows
(:meth:`FaultSchedule.active`). :class:`RangeFaults` turns one true range reading into the
messages a faulty sensor would publish. No ROS, no clock read here: every time is an argument.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np

KINDS = ("controller_crash", "sensor_dropout", "sensor_nan", "sensor_stuck", "sensor_spike", "burst",
         "clock_jump", "event_garbage", "image_garbage", "perception_crash")
CRASH_KINDS = ("controller_crash", "perception_crash")
DEFAULT_DURATION_S = {"controller_crash": 0.0, "perception_crash": 0.0, "sensor_dropout": 2.0,
                      "sensor_nan": 1.0, "sensor_stuck": 3.0, "sensor_spike": 2.0, "burst": 2.0,
                      "clock_jump": 2.0, "event_garbage": 1.0, "image_garbage": 1.0}
# Which stream a kind hits; random_faults keeps faults of one family apart.
FAMILY = {"controller_crash": "controller", "perception_crash": "perception", "event_garbage": "events",
          "image_garbage": "image", **{k: "range" for k in ("sensor_dropout", "sensor_nan", "sensor_stuck",
                                                              "sensor_spike", "burst", "clock_jump")}}
JUMP_S = 5.0  # s: how far a clock_jump moves the range stamps ahead
CRASH_SPAN_S = 5.0  # s: how long random_faults reserves after a crash (restart and recovery)

_TIME = re.compile(r"^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ms|s)?$")


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Fault:
    """One injection: ``kind`` at ``t_s`` for ``duration_s`` (0 for a crash: until restarted)."""

    kind: str
    t_s: float
    duration_s: float

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Fault.kind: unknown kind {self.kind!r} (kinds: {', '.join(KINDS)})")
        for f in ("t_s", "duration_s"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"Fault.{f} must be a finite number >= 0, got {v!r}")
        if self.kind in CRASH_KINDS and self.duration_s != 0:
            raise ValueError(f"Fault.duration_s: {self.kind} lasts until restarted (duration 0), got {self.duration_s}")
        if self.kind not in CRASH_KINDS and self.duration_s <= 0:
            raise ValueError(f"Fault.duration_s: {self.kind} needs a duration > 0, got {self.duration_s}")

    @property
    def end_s(self) -> float:
        """End of the window (``t_s`` for a crash)."""
        return self.t_s + self.duration_s

    @property
    def name(self) -> str:
        """``"sensor_dropout:2s"``: the kind as :func:`~snn_control.coordinator.report.fault_report`
        takes it (``"controller_crash"`` for a crash)."""
        return self.kind if self.kind in CRASH_KINDS else f"{self.kind}:{_fmt(self.duration_s)}s"

    @property
    def label(self) -> str:
        """``"sensor_dropout:2s@30"``: the ``--inject`` entry that makes this fault."""
        return f"{self.name}@{_fmt(self.t_s)}"

    def contains(self, t_s: float) -> bool:
        """``t_s`` in ``[t_s, t_s + duration_s)`` (never for a crash)."""
        return self.t_s <= t_s < self.end_s


def parse_time(text: str, what: str = "time") -> float:
    """``"2"``, ``"2s"``, ``"2.5s"``, ``"500ms"`` -> seconds; ``ValueError`` for anything else
    (negative, NaN, inf, other units)."""
    s = text.strip().lower()
    m = _TIME.match(s)
    if m is None:
        raise ValueError(f"bad {what} {text!r}: expected a number >= 0 of seconds like 2, 2.5s or 500ms")
    value = float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0)
    if not math.isfinite(value):
        raise ValueError(f"bad {what} {text!r}: not finite")
    return value


def parse_fault(entry: str) -> Fault:
    """One ``KIND[:DUR]@T`` entry. A duration on a crash kind is rejected (a crash lasts until
    the process is restarted)."""
    where = f"--inject entry {entry.strip()!r}"
    head, at, when = entry.partition("@")
    if not at:
        raise ValueError(f"{where}: expected KIND[:DUR]@T, e.g. sensor_dropout:2s@30")
    kind, colon, dur = (p.strip() for p in head.partition(":"))
    if kind not in KINDS:
        raise ValueError(f"{where}: unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    try:
        t = parse_time(when, "time")
        if colon and kind in CRASH_KINDS:
            raise ValueError(f"{kind} takes no duration (it lasts until restarted)")
        duration = parse_time(dur, "duration") if colon else DEFAULT_DURATION_S[kind]
        if colon and duration <= 0:
            raise ValueError(f"duration must be > 0, got {dur!r}")
        return Fault(kind, t, duration)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def parse_faults(text: str) -> tuple[Fault, ...]:
    """``"KIND[:DUR]@T,KIND[:DUR]@T"`` -> faults sorted by time (stable); ``""`` -> ``()``.

    Raises:
        ValueError: naming the bad entry (and listing :data:`KINDS` for an unknown kind).
    """
    if text is None or not text.strip():
        return ()
    entries = text.split(",")
    if any(not e.strip() for e in entries):
        raise ValueError(f"--inject {text!r}: empty entry (entries are KIND[:DUR]@T separated by commas)")
    return tuple(sorted((parse_fault(e) for e in entries), key=lambda f: f.t_s))


def format_faults(faults: Iterable[Fault]) -> str:
    """The ``--inject`` text that :func:`parse_faults` turns back into ``faults``."""
    return ",".join(f.label for f in faults)


def random_faults(rng: np.random.Generator, duration_s: float, n: int, kinds: Iterable[str] = KINDS,
                  margin_s: float = 10.0, gap_s: float = 5.0) -> tuple[Fault, ...]:
    """``n`` faults of kinds drawn from ``kinds``, at times (0.1 s grid) in
    ``[margin_s, duration_s - margin_s - their duration]``, with default durations.

    Faults of one stream family (:data:`FAMILY`) never overlap and stay ``gap_s`` apart (a crash
    reserves :data:`CRASH_SPAN_S`), so each one's detection and recovery can be told apart.

    Raises:
        ValueError: an unknown kind, or ``n`` faults that do not fit (after 1000 tries each).
    """
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f"random_faults: unknown or no kinds {bad} (kinds: {', '.join(KINDS)})")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"random_faults: n must be an int >= 0, got {n!r}")
    taken: list[tuple[str, float, float]] = []  # (family, start, end incl. gap)
    out = []
    for i in range(n):
        for _ in range(1000):
            kind = kinds[int(rng.integers(len(kinds)))]
            dur = DEFAULT_DURATION_S[kind]
            hi = duration_s - margin_s - dur
            if hi < margin_s:
                continue
            t = round(float(rng.uniform(margin_s, hi)), 1)
            span = (CRASH_SPAN_S if dur == 0 else dur) + gap_s
            fam = FAMILY[kind]
            if all(f != fam or t >= e or t + span <= s for f, s, e in taken):
                taken.append((fam, t, t + span))
                out.append(Fault(kind, t, dur))
                break
        else:
            raise ValueError(f"random_faults: cannot place fault {i + 1} of {n} in {duration_s} s "
                             f"(margin {margin_s} s, gap {gap_s} s)")
    return tuple(sorted(out, key=lambda f: f.t_s))


class FaultSchedule:
    """Questions about a set of faults at a time: which window is open, which crash is due."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self.faults: tuple[Fault, ...] = tuple(sorted(faults, key=lambda f: f.t_s))
        self._fired: set[int] = set()

    @classmethod
    def parse(cls, text: str) -> "FaultSchedule":
        return cls(parse_faults(text))

    def active(self, kind: str, t_s: float) -> Fault | None:
        """The fault of ``kind`` whose window ``[t_s, t_s + duration_s)`` holds ``t_s`` (the
        latest started, if several); crashes have no window (use :meth:`due`)."""
        self._check(kind)
        hits = [f for f in self.faults if f.kind == kind and f.contains(t_s)]
        return hits[-1] if hits else None

    def active_kinds(self, t_s: float) -> tuple[str, ...]:
        """Every kind with an open window at ``t_s``."""
        return tuple(k for k in KINDS if self.active(k, t_s) is not None)

    def due(self, kind: str, t_s: float) -> list[Fault]:
        """Faults of ``kind`` (crashes, or any kind's start) whose time has come by ``t_s`` and
        that were not returned before: each is returned once, never again."""
        self._check(kind)
        out = []
        for i, f in enumerate(self.faults):
            if f.kind == kind and f.t_s <= t_s and i not in self._fired:
                self._fired.add(i)
                out.append(f)
        return out

    def injections(self) -> list[tuple[str, float]]:
        """``[(name, t_s)]`` for :func:`~snn_control.coordinator.report.fault_report`."""
        return [(f.name, f.t_s) for f in self.faults]

    @staticmethod
    def _check(kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (kinds: {', '.join(KINDS)})")


class RangeFaults:
    """What a faulty range sensor publishes for one true reading.

    Composition, in this order, when several windows are open: ``sensor_dropout`` (nothing,
    whatever else is open) -> ``sensor_stuck`` (the value becomes the first true reading seen in
    the window) -> ``sensor_spike`` (+ ``spike_m`` on readings 0, 2, 4, ... of the window,
    counted from its start in periods) -> ``sensor_nan`` (the value becomes NaN) ->
    ``clock_jump`` (stamp + :data:`JUMP_S`) -> ``burst`` (``burst_factor`` copies, stamps
    ``stamp + k * period_s / burst_factor``). Deterministic: no clock, no randomness; the only
    memory is each stuck window's value.
    """

    def __init__(self, schedule: FaultSchedule, period_s: float = 0.1, spike_m: float = 2.5,
                 burst_factor: int = 10) -> None:
        if not (isinstance(period_s, (int, float)) and math.isfinite(period_s) and period_s > 0):
            raise ValueError(f"RangeFaults.period_s must be > 0, got {period_s!r}")
        if not (isinstance(spike_m, (int, float)) and math.isfinite(spike_m) and spike_m > 0):
            raise ValueError(f"RangeFaults.spike_m must be > 0, got {spike_m!r}")
        if isinstance(burst_factor, bool) or not isinstance(burst_factor, int) or burst_factor < 1:
            raise ValueError(f"RangeFaults.burst_factor must be an int >= 1, got {burst_factor!r}")
        self.schedule = schedule
        self.period_s = float(period_s)
        self.spike_m = float(spike_m)
        self.burst_factor = burst_factor
        self._stuck: dict[Fault, float] = {}

    def apply(self, value: float, stamp_s: float) -> list[tuple[float, float]]:
        """The ``(value, stamp)`` messages to publish for the true reading ``value`` at sim time
        ``stamp_s`` (see the class docstring)."""
        t, at = stamp_s, self.schedule.active  # every window is judged at the true stamp
        stuck = at("sensor_stuck", t)
        if stuck is not None:
            value = self._stuck.setdefault(stuck, value)
        if at("sensor_dropout", t) is not None:
            return []
        spike = at("sensor_spike", t)
        if spike is not None and math.floor((t - spike.t_s) / self.period_s + 1e-6) % 2 == 0:
            value = value + self.spike_m
        if at("sensor_nan", t) is not None:
            value = math.nan
        if at("clock_jump", t) is not None:
            stamp_s = stamp_s + JUMP_S
        if at("burst", t) is not None:
            step = self.period_s / self.burst_factor
            return [(value, stamp_s + k * step) for k in range(self.burst_factor)]
        return [(value, stamp_s)]


def garbage_events(rng: np.random.Generator, t0_s: float, t1_s: float, n: int,
                   width: int = 128, height: int = 128) -> np.ndarray:
    """``n`` uniformly random events in ``[t0_s, t1_s)`` over the sensor (an event_garbage packet:
    sensor noise with no structure), sorted by time, :data:`~snn_control.perception.events.types.EVENT_DTYPE`."""
    from snn_control.perception.events.types import make_events

    t = np.sort(rng.uniform(t0_s, t1_s, size=n))
    return make_events(rng.integers(0, width, n), rng.integers(0, height, n), t,
                       rng.choice(np.array([-1, 1], dtype=np.int8), n))


def garbage_image(rng: np.random.Generator, shape: tuple[int, ...], dtype=np.uint8) -> np.ndarray:
    """Uniform noise of ``shape`` (an image_garbage frame): full range for an integer dtype,
    [0, 1) for a float one."""
    dtype = np.dtype(dtype)
    if dtype.kind in "ui":
        info = np.iinfo(dtype)
        return rng.integers(info.min, int(info.max) + 1, size=shape, dtype=dtype)
    return rng.random(shape).astype(dtype)
