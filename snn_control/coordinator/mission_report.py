"""The mission's numbers: latency percentiles, set-point tracking, place and gesture accuracy, the JSON.

Everything takes plain lists or arrays (times in seconds on the mission clock) and returns plain
dicts; :func:`mission_json` assembles the report a mission run writes, with every non-finite
number as None so that the file is strict JSON. Conventions:

    percentiles     numpy's linear interpolation, in milliseconds
    tracking        one row per set-point change, over the interval until the next change;
                    ``reached_m`` the mean altitude over the interval's last ``hold_s``;
                    ``settled_s`` the delay from the change to the first instant from which
                    |z - set-point| < ``settle_band_m`` held for ``hold_s`` (None: never)
    place           pair each answer with the true place *of the frame it answered* (not the place
                    at the answer's arrival); no answer (None) counts as wrong
    gesture         a cue's window is [t, t + gesture_s + latency_s]; its majority label (ties:
                    the label seen first) must be the cue's; labels outside every window are false
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from snn_control.coordinator.mission import MissionSpec

LATENCY_KEYS = ("control_loop", "perception", "place")


def percentiles(samples_s: Iterable[float]) -> dict[str, Any]:
    """``{n, p50_ms, p90_ms, p99_ms, max_ms}`` of latencies in seconds (None values when empty).

    Raises:
        ValueError: a non-finite sample (filter dropped messages before).
    """
    x = np.asarray(list(samples_s), dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"percentiles: {int(np.sum(~np.isfinite(x)))} non-finite latency sample(s)")
    if x.size == 0:
        return {"n": 0, "p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    p50, p90, p99 = np.percentile(x, [50, 90, 99]) * 1e3
    return {"n": int(x.size), "p50_ms": float(p50), "p90_ms": float(p90), "p99_ms": float(p99),
            "max_ms": float(x.max() * 1e3)}


def _change(c: Any) -> tuple[float, float, str]:
    """``(t_s, setpoint_m, source)`` from a tuple, a SetpointChange or a summary dict."""
    if isinstance(c, Mapping):
        return float(c["t_s"]), float(c["setpoint_m"]), str(c.get("source", ""))
    return float(c[0]), float(c[1]), str(c[2]) if len(c) > 2 else ""


def _settle_time(t: np.ndarray, ok: np.ndarray, hold_s: float) -> float | None:
    """First ``t[i]`` from which ``ok`` holds for at least ``hold_s`` (within the samples given)."""
    start = None
    for i in range(t.size):
        if not ok[i]:
            start = None
            continue
        start = i if start is None else start
        if t[i] - t[start] >= hold_s - 1e-9:
            return float(t[start])
    return None


def setpoint_tracking(t_s: Sequence[float], z_m: Sequence[float], changes: Iterable[Any],
                      settle_band_m: float = 0.1, hold_s: float = 1.0, end_s: float | None = None,
                      merge_repeats: bool = True) -> list[dict]:
    """One row per set-point change ``(t_s, setpoint_m, source)`` (see the module docstring).

    ``merge_repeats`` drops a change to the set-point already in force (a mission re-asserting its
    region's altitude is not a change). Rows: ``t_s, end_s, source, commanded_m, reached_m,
    error_m, settled_s`` (None where the interval holds no samples or never settles).
    """
    t, z = np.asarray(t_s, dtype=float), np.asarray(z_m, dtype=float)
    if t.shape != z.shape or t.ndim != 1:
        raise ValueError(f"setpoint_tracking: t_s and z_m must be 1-D and alike, got {t.shape} and {z.shape}")
    end = float(t[-1]) if end_s is None and t.size else (end_s if end_s is not None else 0.0)
    kept: list[tuple[float, float, str]] = []
    for c in sorted((_change(c) for c in changes), key=lambda c: c[0]):
        if merge_repeats and kept and c[1] == kept[-1][1]:
            continue
        kept.append(c)
    rows = []
    for k, (t0, sp, source) in enumerate(kept):
        t1 = kept[k + 1][0] if k + 1 < len(kept) else end
        inside = (t >= t0) & ((t < t1) if k + 1 < len(kept) else (t <= t1))
        ti, zi = t[inside], z[inside]
        row = {"t_s": t0, "end_s": t1, "source": source, "commanded_m": sp, "reached_m": None, "error_m": None,
               "settled_s": None}
        if ti.size:
            last = zi[ti >= ti[-1] - hold_s]
            reached = float(np.mean(last)) if np.all(np.isfinite(last)) else None
            settled = _settle_time(ti, np.abs(zi - sp) < settle_band_m, hold_s)
            row.update(reached_m=reached, error_m=None if reached is None else reached - sp,
                       settled_s=None if settled is None else settled - t0)
        rows.append(row)
    return rows


def _accuracy(flags: list[bool]) -> dict[str, Any]:
    n = len(flags)
    return {"n": n, "correct": int(sum(flags)), "accuracy": (sum(flags) / n) if n else None}


def place_accuracy(pairs: Iterable[tuple[int, int | None]], tolerance: int = 0) -> dict[str, Any]:
    """``{n, correct, accuracy, n_none, mean_abs_error}`` over ``(true_place, recognized_place)``;
    correct when ``|recognized - true| <= tolerance`` (None: no answer, wrong)."""
    pairs = list(pairs)
    flags = [r is not None and abs(int(r) - int(p)) <= tolerance for p, r in pairs]
    errors = [abs(int(r) - int(p)) for p, r in pairs if r is not None]
    return {**_accuracy(flags), "tolerance": tolerance, "n_none": sum(r is None for _, r in pairs),
            "mean_abs_error": float(np.mean(errors)) if errors else None}


def region_accuracy(pairs: Iterable[tuple[int, int | None]], mission: MissionSpec) -> dict[str, Any]:
    """Like :func:`place_accuracy` for the region: correct when the recognized place lies in the
    true place's region (both in no region counts); ``per_region`` breaks it down by true region."""
    per: dict[str, list[bool]] = {}
    flags = []
    for p, r in pairs:
        true = mission.region_of(int(p))
        ok = r is not None and mission.region_of(int(r)) == true
        flags.append(ok)
        per.setdefault(true.name if true is not None else "(none)", []).append(ok)
    return {**_accuracy(flags), "per_region": {name: _accuracy(f) for name, f in per.items()}}


def _cue(c: Any) -> tuple[float, str]:
    if isinstance(c, Mapping):
        return float(c["t_s"]), str(c["label"])
    if hasattr(c, "t_s"):
        return float(c.t_s), str(c.label)
    return float(c[0]), str(c[1])


def gesture_accuracy(cues: Iterable[Any], recognized: Iterable[tuple[float, str]], gesture_s: float,
                     latency_s: float = 1.0) -> dict[str, Any]:
    """``{n, correct, accuracy, false_labels, per_cue}`` (see the module docstring); ``per_cue``
    rows: ``t_s, label, n, majority, votes, correct, first_correct_s`` (delay to the first
    correct label)."""
    cues = sorted((_cue(c) for c in cues), key=lambda c: c[0])
    labels = sorted(((float(t), str(lab)) for t, lab in recognized), key=lambda r: r[0])
    used = [False] * len(labels)
    rows = []
    for t0, want in cues:
        t1 = t0 + gesture_s + latency_s
        seen = []
        for i, (t, lab) in enumerate(labels):
            if t0 <= t <= t1:
                seen.append((t, lab))
                used[i] = True
        votes = Counter(lab for _, lab in seen)
        majority = votes.most_common(1)[0][0] if votes else None
        first = next((t - t0 for t, lab in seen if lab == want), None)
        rows.append({"t_s": t0, "label": want, "n": len(seen), "majority": majority, "votes": dict(votes),
                     "correct": majority == want, "first_correct_s": first})
    return {**_accuracy([r["correct"] for r in rows]), "false_labels": used.count(False),
            "window_s": gesture_s + latency_s, "per_cue": rows}


def command_stats(cmd: Sequence[float]) -> dict[str, Any]:
    """``{nan_cmds, max_abs_cmd}``: non-finite commands, and the largest finite |command|."""
    u = np.asarray(cmd, dtype=float)
    finite = np.isfinite(u)
    return {"nan_cmds": int(np.sum(~finite)), "max_abs_cmd": float(np.max(np.abs(u[finite]))) if finite.any() else None}


def jsonable(x: Any) -> Any:
    """Plain JSON data: tuples and arrays to lists, numpy scalars to Python, NaN/inf to None,
    enums and other objects with a ``__str__`` to their string."""
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if hasattr(x, "_asdict"):
        return jsonable(x._asdict())
    if isinstance(x, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in (x.tolist() if isinstance(x, np.ndarray) else x)]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)) and not hasattr(x, "name"):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if x is None or isinstance(x, str):
        return x
    return str(x)


def mission_json(mission: MissionSpec, *, seed: int | None, t_s: Sequence[float], z_m: Sequence[float],
                 cmd: Sequence[float], faults: list[dict], mode_s: Mapping[str, float],
                 setpoint_changes: Iterable[Any] = (), place_pairs: Iterable[tuple[int, int | None]] = (),
                 gesture_labels: Iterable[tuple[float, str]] = (),
                 latency_s: Mapping[str, Sequence[float]] | None = None, duration_s: float | None = None,
                 place_tolerance: int = 0, gesture_latency_s: float = 1.0, settle_band_m: float = 0.1,
                 hold_s: float = 1.0, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The mission report (strict-JSON-ready dict).

    Args:
        mission: The spec flown (its cues and regions judge the answers; written under "mission").
        seed: The run's seed.
        t_s, z_m, cmd: The true altitude and the motor command flown, sampled alike (one per tick).
        faults, mode_s: ``Coordinator.summary(schedule.injections())["faults"]`` and ``["mode_s"]``.
        setpoint_changes: ``summary["setpoints"]`` (dicts) or ``(t_s, setpoint_m, source)``.
        place_pairs: ``(true place of the frame, recognized place or None)``.
        gesture_labels: ``(t_s, label)`` as the recognizer published them.
        latency_s: ``{"control_loop": [...], "perception": [...], "place": [...]}`` in seconds;
            non-finite samples are dropped and counted (``n_dropped``).
        extra: More top-level keys (e.g. the command line); they may not replace the standard ones.
    """
    z = np.asarray(z_m, dtype=float)
    zf = z[np.isfinite(z)]
    place_pairs = list(place_pairs)
    latency = {}
    for key in dict.fromkeys([*LATENCY_KEYS, *(latency_s or {})]):
        x = np.asarray(list((latency_s or {}).get(key, ())), dtype=float)
        latency[key] = {**percentiles(x[np.isfinite(x)]), "n_dropped": int(np.sum(~np.isfinite(x)))}
    out = {
        "seed": seed,
        "duration_s": float(duration_s if duration_s is not None else mission.duration_s),
        "faults": list(faults),
        "all_recovered": all(f.get("recovered", False) for f in faults),
        **command_stats(cmd),
        "min_altitude_m": float(zf.min()) if zf.size else None,
        "max_altitude_m": float(zf.max()) if zf.size else None,
        "nan_altitudes": int(z.size - zf.size),
        "place_accuracy": place_accuracy(place_pairs, place_tolerance),
        "region_accuracy": region_accuracy(place_pairs, mission),
        "gesture_accuracy": gesture_accuracy(mission.gestures, gesture_labels, mission.gesture_s, gesture_latency_s),
        "setpoints": setpoint_tracking(t_s, z_m, setpoint_changes, settle_band_m, hold_s),
        "latency": latency,
        "mode_s": dict(mode_s),
        "mission": mission.to_dict(),
    }
    clash = set(extra or {}) & set(out)
    if clash:
        raise ValueError(f"mission_json: extra keys {sorted(clash)} would replace standard ones")
    out.update(extra or {})
    return jsonable(out)
