"""The mission timeline figure: altitude, place, gestures, modes and faults on one time axis.

``plot_mission(path, log)`` draws four panels sharing the time axis:

    (a) altitude: the true altitude, the set-point, the 0.2 / 3.0 m limits
    (b) place: the true route place (line) and the recognized places (dots), regions shaded
    (c) gestures: the scripted cues (bars) and the recognized labels (markers), one row per label
    (d) mode: a colored band (nominal green, degraded yellow, fallback orange, safe red) and
        every injected fault as a vertical line with its label (the lines run through all panels)

``log`` is a dict of plain lists (times in seconds on the mission clock); only ``t_s`` and ``z_m``
are required, a missing key leaves its part out:

    t_s, z_m              the true altitude, one sample per tick
    setpoint_m            the set-point in force at each t_s (None/NaN before the first)
    mode_t_s, mode        when the mode changed and to what ("nominal", ... as str(Mode)); the
                          first entry is the initial mode (see :func:`mode_track`)
    place_t_s, place_true, place_recognized
                          per place answer: its time, the true place of its frame, the answer
                          (None: no answer)
    gesture_t_s, gesture_label
                          per recognized window: its time and label
    cues                  the scripted gestures: ``{"t_s", "label"}`` dicts or (t_s, label)
    gesture_s             how long each cue lasts (default 2.0)
    regions               ``{"name", "first_place", "last_place", "altitude_m"}`` dicts
    faults                ``{"t_s", "label"}`` dicts (``Fault.label``)
    duration_s            the x range (default: the last t_s)
    title                 the figure's title
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

MODE_COLORS = {"nominal": "#4caf50", "degraded": "#fdd835", "fallback": "#fb8c00", "safe": "#e53935"}
LIMITS_M = (0.2, 3.0)
REGION_COLORS = ("#e3f2fd", "#fff3e0", "#e8f5e9", "#f3e5f5", "#fffde7", "#e0f7fa", "#fbe9e7")


def mode_track(transitions: Iterable[Mapping[str, Any]], start_s: float = 0.0,
               initial: str = "nominal") -> tuple[list[float], list[str]]:
    """``(mode_t_s, mode)`` for ``log`` from ``Coordinator.summary()["transitions"]``."""
    times, modes = [float(start_s)], [initial]
    for tr in transitions:
        times.append(float(tr["t_s"]))
        modes.append(str(tr["to"]))
    return times, modes


def _floats(values: Iterable[Any]) -> np.ndarray:
    return np.array([math.nan if v is None else float(v) for v in values], dtype=float)


def _pair(c: Any) -> tuple[float, str]:
    return (float(c["t_s"]), str(c["label"])) if isinstance(c, Mapping) else (float(c[0]), str(c[1]))


def _altitude(ax, log: Mapping[str, Any]) -> None:
    t = _floats(log["t_s"])
    ax.plot(t, _floats(log["z_m"]), color="#1565c0", lw=1.2, label="altitude")
    if "setpoint_m" in log:
        ax.step(t, _floats(log["setpoint_m"]), where="post", color="k", lw=1.0, ls="--", label="set-point")
    for y in LIMITS_M:
        ax.axhline(y, color="#c62828", lw=0.8, ls=":")
    ax.text(t[0] if t.size else 0.0, LIMITS_M[1], " limits 0.2 / 3.0 m", color="#c62828", va="bottom", fontsize=8)
    ax.set_ylabel("altitude (m)")
    ax.set_ylim(0.0, LIMITS_M[1] + 0.3)
    ax.legend(loc="upper right", fontsize=8, ncol=2)


def _places(ax, log: Mapping[str, Any]) -> None:
    regions = list(log.get("regions", ()))
    for i, r in enumerate(regions):
        ax.axhspan(r["first_place"], r["last_place"] + 1, color=REGION_COLORS[i % len(REGION_COLORS)], zorder=0)
        ax.text(0.005, (r["first_place"] + r["last_place"] + 1) / 2, f" {r['name']} ({r['altitude_m']:g} m)",
                transform=ax.get_yaxis_transform(), fontsize=7, va="center", color="#424242")
    t = _floats(log.get("place_t_s", ()))
    true = _floats(log.get("place_true", ()))
    seen = _floats(log.get("place_recognized", ()))
    span = [*true[np.isfinite(true)], *(x for r in regions for x in (r["first_place"], r["last_place"] + 1))]
    if span:  # zoom on the route; answers far off it are drawn clipped at the edges
        lo, hi = min(span), max(span)
        pad = max(5.0, 0.08 * (hi - lo))
        ax.set_ylim(lo - pad, hi + pad)
        lo, hi = lo - 0.6 * pad, hi + 0.6 * pad
    else:
        lo, hi = -math.inf, math.inf
    if true.size:
        ax.plot(t, true, color="k", lw=1.0, label="true place")
    if seen.size:
        inside = (seen >= lo) & (seen <= hi)
        ax.plot(t[inside], seen[inside], ".", ms=3, color="#d81b60", label="recognized")
        off = np.isfinite(seen) & ~inside
        if off.any():
            ax.plot(t[off], np.clip(seen[off], lo, hi), "|", ms=6, color="#d81b60", alpha=0.6,
                    label=f"recognized off the route ({int(off.sum())}, at the edge)")
    if true.size or seen.size:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_ylabel("place")


def _gestures(ax, log: Mapping[str, Any]) -> None:
    cues = [_pair(c) for c in log.get("cues", ())]
    seen = list(zip(_floats(log.get("gesture_t_s", ())), log.get("gesture_label", ())))
    rows = list(dict.fromkeys([lab for _, lab in cues] + [str(lab) for _, lab in seen]))
    y = {lab: i for i, lab in enumerate(rows)}
    width = float(log.get("gesture_s", 2.0))
    for t0, lab in cues:
        ax.barh(y[lab], width, left=t0, height=0.6, color="#90caf9", edgecolor="#1565c0")
    if seen:
        ax.plot([t for t, _ in seen], [y[str(lab)] for _, lab in seen], "x", ms=4, color="#d81b60")
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    ax.set_ylim(-0.7, max(len(rows), 1) - 0.3)
    ax.set_ylabel("gesture")
    ax.text(1.0, 1.0, "bars: scripted   x: recognized", transform=ax.transAxes, ha="right", va="bottom", fontsize=7)


def _modes(ax, log: Mapping[str, Any], end_s: float) -> None:
    times, modes = list(log.get("mode_t_s", ())), list(log.get("mode", ()))
    for k, (t0, m) in enumerate(zip(times, modes)):
        t1 = times[k + 1] if k + 1 < len(times) else end_s
        ax.axvspan(t0, t1, color=MODE_COLORS.get(str(m), "#9e9e9e"), lw=0)
    ax.set_yticks([])
    ax.set_ylabel("mode")
    handles = [ax.fill_between([], [], color=c, label=m) for m, c in MODE_COLORS.items()]
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=4, fontsize=8, frameon=False,
              borderaxespad=0.1)


def plot_mission(path: str | Path, log: Mapping[str, Any]) -> Path:
    """Write the timeline PNG to ``path`` (see the module docstring for ``log``); returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = _floats(log["t_s"])
    end = float(log.get("duration_s", t[-1] if t.size else 1.0))
    fig, axes = plt.subplots(4, 1, figsize=(12, 9), dpi=110, sharex=True,
                             gridspec_kw={"height_ratios": [3, 3, 2, 0.6]})
    try:
        _altitude(axes[0], log)
        _places(axes[1], log)
        _gestures(axes[2], log)
        _modes(axes[3], log, end)
        for f in log.get("faults", ()):
            for ax in axes:
                ax.axvline(float(f["t_s"]), color="#6a1b9a", lw=0.9, ls="-.")
            axes[0].text(float(f["t_s"]), LIMITS_M[1] + 0.25, f" {f['label']}", rotation=90, va="top", ha="left",
                         fontsize=7, color="#6a1b9a", bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 1})
        axes[-1].set_xlabel("mission time (s)")
        axes[-1].set_xlim(0.0, end)
        if "title" in log:
            import textwrap

            fig.suptitle("\n".join(textwrap.wrap(str(log["title"]), 130)), fontsize=10)
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path
