"""Bad input in event streams: one set of rules for live packets and for files.

:func:`sanitize_events` takes one packet as it arrives (from a driver, a ROS message, a file) and
returns a clean :data:`EVENT_DTYPE` array plus a list of short human-readable problems. It never
raises on bad *data* (only on a bad ``width``/``height``/``max_events``, which are programming
errors). The rules, applied in this order:

1. Wrong container or fields: not a 1-D numpy structured array with numeric fields ``x``, ``y``,
   ``t``, ``p`` → empty result and one problem. Other field types (``float32`` t, ``int32`` x,
   fields in another order) are converted; x, y that are not whole numbers are dropped in step 3.
2. ``t`` not finite (NaN, inf) → event dropped.
3. ``x``, ``y`` outside ``0 <= x < width``, ``0 <= y < height`` → event dropped.
4. ``p`` not +1 or -1 → event dropped (a stream that sends 0/1 polarity says so every packet
   rather than silently halving its OFF events or guessing the convention).
5. ``t`` earlier than ``t_floor`` (the end of the previous accepted packet) → dropped as *late*:
   the consumer has already processed that time.
6. Out-of-order ``t`` inside the packet → **sorted** (stable), not dropped. Jitter among events
   of one packet is a readout artefact of real events; dropping them would bias the stream
   towards the pixels read first. A backward jump larger than a packet (a camera restart) shows
   up as late events (rule 5) when the caller passes ``t_floor``.
7. More than ``max_events`` → an evenly spaced subsample in time order (deterministic, keeps the
   temporal density profile) of exactly ``max_events``.

:func:`require_clean_events` applies the same rules to data that must already be clean (a data set
file) and raises :class:`EventFileError` naming the source and every problem.
"""

from __future__ import annotations

import numpy as np

from .types import EVENT_DTYPE

class EventFileError(ValueError):
    """A file of events or labels is missing, truncated, corrupt, or not in the expected layout."""


DEFAULT_MAX_EVENTS = 200_000  # ~ a DVS128 at 6 Mev/s for 33 ms; bursts above are flicker or faults


def _empty() -> np.ndarray:
    return np.empty(0, dtype=EVENT_DTYPE)


def _as_fields(arr: object) -> tuple[dict[str, np.ndarray] | None, str]:
    """The four fields as float64 arrays, or ``(None, problem)``."""
    if not isinstance(arr, np.ndarray):
        return None, f"packet is a {type(arr).__name__}, not a numpy structured array; packet dropped"
    names = arr.dtype.names or ()
    missing = [f for f in EVENT_DTYPE.names if f not in names]
    if missing:
        return None, f"packet lacks fields {missing} (has {list(names)}); packet dropped"
    if arr.ndim != 1:
        return None, f"packet has shape {arr.shape}, expected 1-D; packet dropped"
    for name in EVENT_DTYPE.names:
        kind = arr.dtype[name].kind
        if kind not in "biuf" or arr.dtype[name].shape:
            return None, f"field {name!r} has dtype {arr.dtype[name]}, not a number; packet dropped"
    return {name: arr[name].astype(np.float64) for name in EVENT_DTYPE.names}, ""


def sanitize_events(
    arr: object,
    width: int,
    height: int,
    max_events: int | None = DEFAULT_MAX_EVENTS,
    t_floor: float | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Clean one packet of events (see the module docstring for the rules and their order).

    Args:
        arr: The packet, ideally an :data:`EVENT_DTYPE` array; anything else is handled.
        width, height: Sensor size in pixels.
        max_events: Largest packet kept whole (None: no cap).
        t_floor: Events with ``t < t_floor`` are late and dropped (None: no floor).

    Returns:
        ``(events, problems)``: an :data:`EVENT_DTYPE` array sorted by ``t`` (a new array, never a
        view of ``arr``), and one short string per kind of problem found (empty if none).
    """
    if int(width) <= 0 or int(height) <= 0:
        raise ValueError(f"width and height must be > 0, got {width}x{height}")
    if max_events is not None and int(max_events) <= 0:
        raise ValueError(f"max_events must be > 0 or None, got {max_events}")
    fields, problem = _as_fields(arr)
    if fields is None:
        return _empty(), [problem]
    x, y, t, p = fields["x"], fields["y"], fields["t"], fields["p"]
    problems: list[str] = []
    checks = (
        (~np.isfinite(t), "with non-finite t"),
        (~((x >= 0) & (x < width) & (y >= 0) & (y < height) & (x == np.floor(x)) & (y == np.floor(y))),
         f"outside the {width}x{height} sensor"),
        (~((p == 1) | (p == -1)), "with polarity not +1/-1"),
    )
    keep = np.ones(t.shape[0], dtype=bool)
    for bad, what in checks:
        bad &= keep
        if bad.any():
            problems.append(f"{int(bad.sum())} events {what} dropped")
            keep &= ~bad
    if t_floor is not None:
        late = keep & (t < t_floor)
        if late.any():
            problems.append(f"{int(late.sum())} late events (t < {t_floor:.6f} s) dropped")
            keep &= ~late
    idx = np.flatnonzero(keep)
    if idx.size > 1 and np.any(np.diff(t[idx]) < 0):
        problems.append(f"{int(np.sum(np.diff(t[idx]) < 0))} events out of time order; packet sorted")
        idx = idx[np.argsort(t[idx], kind="stable")]
    if max_events is not None and idx.size > max_events:
        problems.append(f"burst of {idx.size} events over the cap {max_events}; kept an even subsample")
        idx = idx[np.round(np.linspace(0, idx.size - 1, int(max_events))).astype(np.int64)]
    out = np.empty(idx.size, dtype=EVENT_DTYPE)
    out["x"], out["y"], out["t"], out["p"] = x[idx], y[idx], t[idx], p[idx]
    return out, problems


def require_clean_events(arr: object, width: int, height: int, source: str) -> np.ndarray:
    """``arr`` as :data:`EVENT_DTYPE` if it breaks none of :func:`sanitize_events`'s rules (no cap);
    else :class:`EventFileError` starting with ``source`` and listing the problems."""
    clean, problems = sanitize_events(arr, width, height, max_events=None)
    if problems:
        raise EventFileError(f"{source}: " + "; ".join(problems))
    return clean
