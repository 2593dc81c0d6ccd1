"""Stream monitoring: is a sensor stream fresh, finite, plausible, alive and on its own clock?

Each stream (the altitude range, place matches, gesture labels, event packets) has a
:class:`StreamSpec`; a :class:`StreamMonitor` takes its samples, ``update(value, stamp_s, now_s)``,
and says what is wrong, ``check(now_s) -> StreamStatus``. ``now_s`` is the receiver's clock (one
monotonic clock for the whole coordinator); ``stamp_s`` is the sample's header stamp (the data's
clock, which may jump). Rules for sample k received at now_k with value x_k (0 disables a check):

    accepted      x_k finite, lo <= x_k <= hi, and |x_k - a| <= max_step, a = last accepted value;
                  ``rejoin_n`` rejected samples in a row that agree with each other (steps <=
                  max_step) are accepted as a new level (the range really changed)
    stale         now - (receipt of the last accepted sample, or the arming time) > deadline_s
    nan           x_k not finite (nan_policy "fault"; "drop" ignores such samples), or a sample
                  its adapter found malformed (``reject``)                            [latched]
    out_of_range  finite x_k outside [lo, hi]                                       [latched]
    outlier       |x_k - a| > max_step                                              [latched]
    stuck         accepted values within stuck_eps of the run's first value for >= stuck_after_s
    burst         more than burst_factor * rate_hz * burst_window_s receipts within burst_window_s
    clock_jump    stamp_k < stamp_{k-1}, a non-finite stamp, or the receipt offset moving,
                  |(now_k - stamp_k) - (now_{k-1} - stamp_{k-1})| > max_clock_jump_s  [latched]

±inf follows REP 117 under ``inf_policy="bounds"`` (-inf: closer than the sensor's minimum -> lo,
+inf: no return -> hi); such a bound-coded sample never counts as a stuck value. A *latched* fault
stays flagged for ``latch_s`` after its sample (0: one period, 1 / rate_hz), so a caller that
checks less often than samples arrive cannot miss it. When several hold, the state reported is
the first of :data:`STATES` after "ok". ``StreamStatus.since_s`` is when the reported condition
began: the sample's receipt for sample faults, ``last + deadline`` for stale, ``run start +
stuck_after_s`` for stuck; the first ``check`` that reports it is its detection.
"""

from __future__ import annotations

import math
import numbers
from collections import deque
from dataclasses import dataclass

from snn_control.dictio import DictIO

STATES = ("ok", "stale", "nan", "out_of_range", "stuck", "outlier", "burst", "clock_jump")
EPS = 1e-9  # s: float slack on every time comparison (0.1 + 0.2 > 0.3)


def as_number(x: object) -> float:
    """``float(x)`` for a real number (numpy scalars included); NaN for anything else (None,
    strings, bools, arrays): garbage never raises in a callback."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return math.nan
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return math.nan


@dataclass(frozen=True)
class StreamSpec(DictIO):
    """What a stream should look like; see the module docstring for each rule (0 disables)."""

    name: str = "altitude"
    rate_hz: float = 10.0
    deadline_s: float = 0.3
    lo: float = -math.inf
    hi: float = math.inf
    max_step: float = 0.0
    rejoin_n: int = 3
    stuck_after_s: float = 0.0
    stuck_eps: float = 0.0
    nan_policy: str = "fault"
    inf_policy: str = "fault"
    burst_factor: float = 3.0
    burst_window_s: float = 0.5
    max_clock_jump_s: float = 0.5
    latch_s: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("StreamSpec.name must be a non-empty string")
        for f in ("rate_hz", "deadline_s", "max_step", "stuck_after_s", "stuck_eps", "burst_factor",
                  "burst_window_s", "max_clock_jump_s", "latch_s"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"StreamSpec.{f} must be a finite number >= 0, got {v!r}")
        if self.rate_hz <= 0:
            raise ValueError(f"StreamSpec.rate_hz must be > 0, got {self.rate_hz}")
        if isinstance(self.lo, bool) or isinstance(self.hi, bool) or not self.lo < self.hi:
            raise ValueError(f"StreamSpec.lo must be below StreamSpec.hi, got [{self.lo}, {self.hi}]")
        if isinstance(self.rejoin_n, bool) or not isinstance(self.rejoin_n, int) or self.rejoin_n < 1:
            raise ValueError(f"StreamSpec.rejoin_n must be an int >= 1, got {self.rejoin_n!r}")
        if self.nan_policy not in ("fault", "drop"):
            raise ValueError(f"StreamSpec.nan_policy must be 'fault' or 'drop', got {self.nan_policy!r}")
        if self.inf_policy not in ("fault", "bounds"):
            raise ValueError(f"StreamSpec.inf_policy must be 'fault' or 'bounds', got {self.inf_policy!r}")
        if self.inf_policy == "bounds" and not (math.isfinite(self.lo) and math.isfinite(self.hi)):
            raise ValueError("StreamSpec.inf_policy 'bounds' needs finite lo and hi")

    @property
    def latch_period_s(self) -> float:
        return self.latch_s or 1.0 / self.rate_hz


@dataclass(frozen=True)
class StreamStatus:
    """One stream at one instant: ``state`` (one of :data:`STATES`) and why."""

    name: str
    state: str
    reason: str
    since_s: float
    value: float | None  # last accepted value
    age_s: float  # since the last accepted sample (inf: none yet)
    n_samples: int
    n_rejected: int
    latency_s: float  # receipt minus stamp of the last sample (nan: none)

    @property
    def ok(self) -> bool:
        return self.state == "ok"


class StreamMonitor:
    """Samples of one stream in, :class:`StreamStatus` out; armed at ``start_s`` (or the first call)."""

    def __init__(self, spec: StreamSpec, start_s: float | None = None) -> None:
        self.spec = spec
        self.armed_s = start_s
        self.value: float | None = None  # last accepted value
        self.value_s = -math.inf  # its receipt time
        self.n_samples = self.n_rejected = 0
        self.latency_s = math.nan
        self._stamp: float | None = None
        self._offset: float | None = None
        self._rejected: list[float] = []  # the current run of rejected (but finite, in-range) values
        self._run: tuple[float, float] | None = None  # (value, start_s) of the constant run
        self._receipts: deque[float] = deque()
        self._burst_since: float | None = None
        self._latched: dict[str, tuple[float, float, str]] = {}  # state -> (first_s, until_s, reason)

    def update(self, value: object, stamp_s: object, now_s: float) -> bool:
        """Take one sample; True if its value was accepted (usable by a controller)."""
        s = self.spec
        if self.armed_s is None:
            self.armed_s = now_s
        x, stamp = as_number(value), as_number(stamp_s)
        self._check_clock(stamp, now_s)
        if math.isnan(x) and s.nan_policy == "drop":
            return False
        self.n_samples += 1
        self._count_receipt(now_s)
        coded = math.isinf(x) and s.inf_policy == "bounds"
        if coded:
            x = s.lo if x < 0 else s.hi
        if not math.isfinite(x):
            return self._reject("nan", f"non-finite value {x!r}", now_s)
        if not s.lo <= x <= s.hi:
            return self._reject("out_of_range", f"value {x:.4g} outside [{s.lo:g}, {s.hi:g}]", now_s)
        if s.max_step and self.value is not None and abs(x - self.value) > s.max_step:
            # a reading coded from +-inf ("no return", "too close") is never a new level: a run of
            # them must not re-join, or a blinded sensor would be trusted at the range's end; it
            # stays an outlier until the stream goes stale (SAFE)
            if coded or not self._rejoins(x):
                return self._reject("outlier", f"step {x - self.value:+.4g} from {self.value:.4g} "
                                               f"exceeds max_step {s.max_step:g}", now_s,
                                    keep=None if coded else x)
        self._rejected.clear()
        self._track_run(x, coded, now_s)
        self.value, self.value_s = x, now_s
        return True

    def reject(self, reason: str, stamp_s: object, now_s: float) -> None:
        """A sample its adapter found malformed: counted and flagged "nan" (unusable) with ``reason``."""
        if self.armed_s is None:
            self.armed_s = now_s
        self._check_clock(as_number(stamp_s), now_s)
        self.n_samples += 1
        self._count_receipt(now_s)
        self._reject("nan", reason, now_s)

    def check(self, now_s: float, deadline_s: float | None = None) -> StreamStatus:
        """The stream's state at ``now_s``; ``deadline_s`` overrides the spec's (policies tighten it)."""
        s = self.spec
        if self.armed_s is None:
            self.armed_s = now_s
        found = self._conditions(now_s, s.deadline_s if deadline_s is None else deadline_s)
        state, reason, since = min(found, key=lambda f: STATES.index(f[0])) if found else ("ok", "", now_s)
        return StreamStatus(s.name, state, reason, since, self.value, now_s - self.value_s,
                            self.n_samples, self.n_rejected, self.latency_s)

    # -- the rules ------------------------------------------------------------------------------
    def _conditions(self, now_s: float, deadline_s: float) -> list[tuple[str, str, float]]:
        s, out = self.spec, []
        last = max(self.value_s, self.armed_s)
        if deadline_s and now_s - last > deadline_s + EPS:
            what = "no usable sample" if self.n_samples else "no sample yet"
            out.append(("stale", f"{what} for {now_s - last:.3f} s > deadline {deadline_s:g} s", last + deadline_s))
        for state, (first, until, reason) in self._latched.items():
            if now_s <= until:
                out.append((state, reason, first))
        if s.stuck_after_s and self._run is not None and now_s - self._run[1] >= s.stuck_after_s - EPS:
            value, start = self._run
            out.append(("stuck", f"value {value:.4g} unchanged (within {s.stuck_eps:g}) for "
                                 f"{now_s - start:.2f} s >= {s.stuck_after_s:g} s", start + s.stuck_after_s))
        self._prune(now_s)
        if self._burst_since is not None:
            out.append(("burst", f"{len(self._receipts)} samples in {s.burst_window_s:g} s > "
                                 f"{s.burst_factor:g} x {s.rate_hz:g} Hz", self._burst_since))
        return out

    def _reject(self, state: str, reason: str, now_s: float, keep: float | None = None) -> bool:
        self.n_rejected += 1
        if keep is None:
            self._rejected.clear()
        else:
            self._rejected.append(keep)
        self._latch(state, reason, now_s)
        return False

    def _rejoins(self, x: float) -> bool:
        """A run of ``rejoin_n`` mutually consistent outliers (this one included) is a new level."""
        run = [*self._rejected, x]
        steps_ok = all(abs(b - a) <= self.spec.max_step for a, b in zip(run, run[1:]))
        if not steps_ok:  # only the last step can fail: the run so far was consistent
            self._rejected.clear()
            return False
        return len(run) >= self.spec.rejoin_n

    def _track_run(self, x: float, coded: bool, now_s: float) -> None:
        if coded:
            self._run = None  # "below minimum range" repeated is a blimp on the floor, not a stuck sensor
        elif self._run is None or abs(x - self._run[0]) > self.spec.stuck_eps:
            self._run = (x, now_s)

    def _check_clock(self, stamp: float, now_s: float) -> None:
        s = self.spec
        if not math.isfinite(stamp):
            self._latch("clock_jump", f"non-finite stamp {stamp!r}", now_s)
            return
        offset = now_s - stamp
        self.latency_s = offset
        if self._stamp is not None and stamp < self._stamp:
            self._latch("clock_jump", f"stamp went back {self._stamp - stamp:.3f} s", now_s)
        elif s.max_clock_jump_s and self._offset is not None and abs(offset - self._offset) > s.max_clock_jump_s:
            self._latch("clock_jump", f"stamp jumped {self._offset - offset:+.3f} s against the receipt "
                                      f"clock (bound {s.max_clock_jump_s:g} s)", now_s)
        self._stamp, self._offset = stamp, offset

    def _latch(self, state: str, reason: str, now_s: float) -> None:
        first, until, _ = self._latched.get(state, (now_s, -math.inf, ""))
        if now_s > until:
            first = now_s
        self._latched[state] = (first, now_s + self.spec.latch_period_s, reason)

    def _count_receipt(self, now_s: float) -> None:
        s = self.spec
        if not s.burst_factor:
            return
        self._receipts.append(now_s)
        self._prune(now_s)
        if len(self._receipts) > s.burst_factor * s.rate_hz * s.burst_window_s and self._burst_since is None:
            self._burst_since = now_s

    def _prune(self, now_s: float) -> None:
        s = self.spec
        while self._receipts and self._receipts[0] <= now_s - s.burst_window_s:
            self._receipts.popleft()
        if len(self._receipts) <= s.burst_factor * s.rate_hz * s.burst_window_s:
            self._burst_since = None
