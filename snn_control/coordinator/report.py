"""What happened to each injected fault: detected when, fallen back when, recovered when.

From the coordinator's fault events and mode transitions (its logs), for each injection
``(kind, t_s)`` (``kind`` as ``--inject`` writes it, ``sensor_dropout:2s`` included):

    detected_s   the first fault event at or after t_s from a source the kind can show up in
                 (:data:`FAULT_SOURCES`; any source for a kind not listed)
    fallback_s   when the mode first was FALLBACK or SAFE at or after the detection and before
                 the recovery (the detection itself if the mode already was; None for a fault
                 handled without leaving the SNN, e.g. a degraded perception stream)
    recovered_s  the first transition to NOMINAL after the detection
    worst_mode   the most severe mode between t_s and the recovery (or the end of the log)

Delays are relative to t_s; ``fallback_after_detect_s`` is the issue's "fallback within 0.1 s
of detection". None where the thing did not happen.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from snn_control.coordinator.modes import Mode, ModeTransition, mode_at

FAULT_SOURCES: dict[str, tuple[str, ...]] = {
    "controller_crash": ("controller",),
    "sensor_dropout": ("altitude",),
    "sensor_nan": ("altitude",),
    "sensor_stuck": ("altitude",),
    "sensor_spike": ("altitude",),
    "burst": ("altitude",),
    "clock_jump": ("altitude",),
    "event_garbage": ("events", "gesture", "action_recognition"),
    "image_garbage": ("place", "image", "place_recognition"),
    "perception_crash": ("events", "gesture", "place", "image", "place_recognition", "action_recognition"),
}


class FaultEvent(NamedTuple):
    """A source's state changed: ``state`` "ok" when its fault cleared."""

    t_s: float
    source: str
    state: str
    reason: str


def fault_report(faults: Iterable[tuple[str, float]], events: list[FaultEvent],
                 transitions: list[ModeTransition], end_s: float) -> list[dict]:
    """One dict per injection (see the module docstring), in the order given."""
    out = []
    for kind, t in faults:
        sources = FAULT_SOURCES.get(kind.split(":")[0])
        hit = next((e for e in events if e.t_s >= t and e.state != "ok"
                    and (sources is None or e.source in sources)), None)
        row = {"kind": kind, "t_s": float(t), "detected_s": None, "detect_delay_s": None, "detected_by": None,
               "fallback_s": None, "fallback_delay_s": None, "fallback_after_detect_s": None,
               "recovered": False, "recovered_s": None, "recover_delay_s": None,
               "worst_mode": str(mode_at(transitions, t))}
        if hit is None:
            out.append(row)
            continue
        row.update(detected_s=hit.t_s, detect_delay_s=hit.t_s - t,
                   detected_by=f"{hit.source} {hit.state}: {hit.reason}")
        rec = next((tr.t_s for tr in transitions if tr.t_s >= hit.t_s and tr.to_mode == Mode.NOMINAL), None)
        until = rec if rec is not None else end_s  # a later fault's fallback is not this one's
        fb = hit.t_s if mode_at(transitions, hit.t_s) >= Mode.FALLBACK else next(
            (tr.t_s for tr in transitions if hit.t_s <= tr.t_s <= until and tr.to_mode >= Mode.FALLBACK), None)
        if fb is not None:
            row.update(fallback_s=fb, fallback_delay_s=fb - t, fallback_after_detect_s=fb - hit.t_s)
        if rec is not None:
            row.update(recovered=True, recovered_s=rec, recover_delay_s=rec - t)
        stop = rec if rec is not None else end_s
        modes = [mode_at(transitions, t)] + [tr.to_mode for tr in transitions if t <= tr.t_s <= stop]
        row["worst_mode"] = str(max(modes))
        out.append(row)
    return out


def mode_durations(transitions: list[ModeTransition], start_s: float, end_s: float) -> dict[str, float]:
    """Seconds spent in each mode between ``start_s`` and ``end_s``."""
    out = {str(m): 0.0 for m in Mode}
    mode, t = mode_at(transitions, start_s), start_s
    for tr in transitions:
        if start_s < tr.t_s <= end_s:
            out[str(mode)] += tr.t_s - t
            mode, t = tr.to_mode, tr.t_s
    out[str(mode)] += max(0.0, end_s - t)
    return out
