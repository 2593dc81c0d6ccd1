"""The one efficiency table: each spiking model beside its non-spiking equivalents, per decision.

Rows (``group`` pairs each spiking model with its equivalents):

    blimp      PD-SNN + I-SNN (closed-loop twin flights)  | PID | the pair's graph as a rate network
    swimmer    spiking NCAP (MuJoCo episodes)             | rate NCAP (same episodes) | MLP 64-64
    gestures   SpikePoint (event windows)                 | SpikePoint as an ANN

Every figure is per decision, mean and max over the run, counted by the rule of
:mod:`snn_control.efficiency.counts`.
"""

from __future__ import annotations

from typing import Any

from snn_control.efficiency.counts import PJ_PER_AC, PJ_PER_MAC

RULE = (f"AC (synaptic operations) = spikes x the synapses each drives; MAC = each product of a real value "
        f"and a weight; energy = {PJ_PER_AC} pJ x AC + {PJ_PER_MAC} pJ x MAC (45 nm, Horowitz 2014); neuron "
        f"updates (leak, bias, threshold, reset) and the unweighted decoding of output spikes (a spike-count "
        f"rate, a vote mean) left out for every model")


def efficiency_table(seed: int = 0, blimp_flights: int = 3, episodes: int = 2, spikepoint: bool = True,
                     gesture_data: str | None = None, gesture_trials: int = 10, progress=None) -> dict[str, Any]:
    """Measure every model; returns ``{"rule": ..., "rows": [...]}`` (rows as the model functions give).

    Seeds: the blimp flies seeds ``seed .. seed + blimp_flights - 1`` (five plants each), the swimmer
    ``episodes`` episodes from ``seed``, SpikePoint samples its windows' points and spikes with ``seed``.
    """
    import os

    if spikepoint and gesture_data is None:  # renders gestures: the GL backend must be set before MuJoCo loads
        os.environ.setdefault("MUJOCO_GL", "egl")
        os.environ.setdefault("LP_NUM_THREADS", "0")
    from snn_control.efficiency import blimp, swimmer

    say = progress or (lambda _msg: None)
    rows = []
    say("blimp: flying the SNN pair")
    rows.append({"group": "blimp", **blimp.blimp_pair(seeds=range(seed, seed + blimp_flights))})
    rows.append({"group": "blimp", **blimp.pid()})
    rows.append({"group": "blimp", **blimp.blimp_pair_dense()})
    say("swimmer: NCAP episodes")
    ep = range(seed, seed + episodes)
    rows.append({"group": "swimmer", **swimmer.ncap_spiking(seeds=ep)})
    rows.append({"group": "swimmer", **swimmer.ncap_rate(seeds=ep)})
    rows.append({"group": "swimmer", **swimmer.mlp()})
    if spikepoint:
        say("gestures: SpikePoint windows")
        from snn_control.efficiency.spikepoint import spikepoint as run_spikepoint

        snn, ann = run_spikepoint(seed=seed, data=gesture_data, trials=gesture_trials)
        rows += [{"group": "gestures", **snn}, {"group": "gestures", **ann}]
    return {"rule": RULE, "rows": rows}


def _num(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f} M"
    if float(x).is_integer():
        return f"{int(x):,}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def _cell(row: dict[str, Any], key: str) -> str:
    mean, top = row[key], row[f"{key}_max"]
    same = row["decisions"] is None or abs(top - mean) <= 1e-9 * max(abs(top), 1.0)
    return _num(mean) if same else f"{_num(mean)} ({_num(top)})"


COLUMNS = ("model", "per", "neurons", "AC (synops)", "MAC", "spikes", "energy nJ")


def table_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    """Cells of the printed table: mean per decision, the max in parentheses where it differs."""
    return [[r["model"], r["decision"], f"{r['neurons']:,}" if r["neurons"] else "-", _cell(r, "synops"), _cell(r, "macs"),
             _cell(r, "spikes"), _cell(r, "energy_nj")] for r in rows]


def format_table(rows: list[dict[str, Any]], markdown: bool = False) -> str:
    """The table as aligned text, or as a Markdown table."""
    cells = [list(COLUMNS)] + table_rows(rows)
    if markdown:
        lines = ["| " + " | ".join(c) + " |" for c in cells]
        lines.insert(1, "|" + "|".join(["---"] * 2 + ["---:"] * (len(COLUMNS) - 2)) + "|")
        return "\n".join(lines)
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    out = []
    for n, c in enumerate(cells):
        out.append("  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(c, widths))))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
