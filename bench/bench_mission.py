"""The mission matrix of README's mission section: runs of ``snn-control launch mission`` over seeds,
plants, people and traverses, with every fault kind, and the two tables (per run, per fault kind).

    .venv/bin/python bench/bench_mission.py                 # all 16 runs, 150 simulated s each (~10 min)
    .venv/bin/python bench/bench_mission.py --runs all_s0 random_s2 --duration 60 --out runs.jsonl

Each run is one ``snn-control launch mission --fast --json`` process (so a run's faults, lifecycle
and latency are those of the real command); its JSON report goes to ``--out`` (JSON lines), the
tables to stdout (markdown). ``random_sN`` is ``--random-faults 5 --subject-seed 100N --seed N``;
the plant runs add ``--plant heavy|light|laggy --random-faults 6``; ``winter_s12`` and
``night_s13`` change the forward camera's traverse.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ALL_KINDS = ("controller_crash@20,sensor_dropout:2s@32,sensor_nan@42,sensor_stuck@52,sensor_spike@62,burst@72,"
             "clock_jump@82,event_garbage@92,image_garbage@102,perception_crash@112")
RUNS: dict[str, list[str]] = {
    "all_s0": ["--seed", "0", "--inject", ALL_KINDS],
    "all_s1": ["--seed", "1", "--inject", ALL_KINDS],
    "nominal_s0": ["--seed", "0"],
    **{f"random_s{n}": ["--seed", str(n), "--random-faults", "5", "--subject-seed", f"100{n}"] for n in range(1, 9)},
    "light_s10": ["--seed", "10", "--plant", "light", "--random-faults", "6"],
    "heavy_s9": ["--seed", "9", "--plant", "heavy", "--random-faults", "6"],
    "laggy_s11": ["--seed", "11", "--plant", "laggy", "--random-faults", "6"],
    "winter_s12": ["--seed", "12", "--traverse", "winter", "--random-faults", "5"],
    "night_s13": ["--seed", "13", "--traverse", "night", "--random-faults", "5"],
}


def run_one(name: str, duration: float | None) -> dict:
    cmd = [sys.executable, "-m", "snn_control.cli", "launch", "mission", "--fast", "--json", *RUNS[name]]
    if duration:
        cmd += ["--duration", str(duration)]
    env = {**os.environ, "ROS_AUTOMATIC_DISCOVERY_RANGE": os.environ.get("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST"),
           "MUJOCO_GL": os.environ.get("MUJOCO_GL", "egl")}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{name}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])


def run_row(name: str, r: dict) -> str:
    faults = ", ".join(f"{f['kind'].split(':')[0]}@{f['t_s']:.3g}" for f in r["faults"]) or "none"
    if name.startswith("all_"):
        faults = "all 10 kinds"
    pa, ga = r["place_accuracy"], r["gesture_accuracy"]
    cues = ga.get("per_cue", [])
    right = sum(1 for c in cues if c.get("correct"))
    lat = r["latency"]["control_loop"]
    recovered = all(f["recovered"] for f in r["faults"])
    up = max((v["bringup_s"] or 0.0) for v in r.get("lifecycle", {}).values()) if r.get("lifecycle") else None
    return (f"| {name} | {faults} | {r['min_altitude_m']:.2f}..{r['max_altitude_m']:.2f} | {r['nan_cmds']} | "
            f"{r['max_abs_cmd']:.2f} | {pa['accuracy']:.3f} ({pa['n']}) | {r['region_accuracy']['accuracy']:.3f} | "
            f"{right}/{len(cues)} | {recovered} | {lat['p50_ms']:.1f}/{lat['p99_ms']:.1f} | "
            f"{'-' if up is None else f'{up:.1f}'} |")


def fault_table(reports: list[dict]) -> list[str]:
    kinds: dict[str, list[dict]] = {}
    for r in reports:
        for f in r["faults"]:
            kinds.setdefault(f["kind"].split(":")[0], []).append(f)
    out = ["| fault | injections | detected, worst delay s | fallback after detection, worst s | recovered | "
           "worst recovery s | worst mode |", "|---|---|---|---|---|---|---|"]
    for kind, fs in sorted(kinds.items()):
        det = [f["detect_delay_s"] for f in fs if f["detect_delay_s"] is not None]
        fb = [f["fallback_after_detect_s"] for f in fs if f["fallback_after_detect_s"] is not None]
        rec = [f["recover_delay_s"] for f in fs if f["recover_delay_s"] is not None]
        modes = sorted({f["worst_mode"] for f in fs if f["worst_mode"] != "nominal"})
        n_det = len(det)
        out.append(f"| {kind} | {len(fs)} | {n_det}/{len(fs)}, {max(det, default=float('nan')):.2f} | "
                   f"{max(fb, default=0.0):.2f} | {sum(f['recovered'] for f in fs)}/{len(fs)} | "
                   f"{max(rec, default=float('nan')):.1f} | {', '.join(modes) or '-'} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", choices=sorted(RUNS), default=list(RUNS), metavar="RUN",
                        help=f"runs to make (default: all): {', '.join(RUNS)}")
    parser.add_argument("--duration", type=float, default=None, help="simulated seconds (default: the mission's)")
    parser.add_argument("--out", type=Path, default=None, help="write each run's JSON report here (JSON lines)")
    args = parser.parse_args()
    reports = []
    rows = ["| run | faults | altitude m (min..max) | NaN cmds | max abs cmd | place acc. (n) | region acc. | "
            "gestures | all recovered | loop p50/p99 ms | bring-up s |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for k, name in enumerate(args.runs, 1):
        t0 = time.monotonic()
        r = run_one(name, args.duration)
        r["run"] = name
        reports.append(r)
        rows.append(run_row(name, r))
        print(f"[{k}/{len(args.runs)}] {name}: {time.monotonic() - t0:.0f} s wall", file=sys.stderr, flush=True)
        if args.out:
            with args.out.open("a") as f:
                f.write(json.dumps(r) + "\n")
    print("\n".join(rows))
    print()
    print("\n".join(fault_table(reports)))
    worst = min(r["min_altitude_m"] for r in reports), max(r["max_altitude_m"] for r in reports)
    print(f"\naltitude over all runs {worst[0]:.2f}..{worst[1]:.2f} m; NaN commands "
          f"{sum(r['nan_cmds'] for r in reports)}; max |cmd| {max(r['max_abs_cmd'] for r in reports):.2f}")


if __name__ == "__main__":
    main()
