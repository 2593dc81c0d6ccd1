"""Side-by-side closed-loop figures of the shipped SNN pair, the PD-SNN + PID-I hybrid and the PID.

    .venv/bin/python bench/bench_blimp_eval.py [--sim mujoco|twin]

Runs (profile, sensor seed): the paper's profile with seed 0, ``profiles/alt_steps.yaml`` with
seed 1, ``profiles/low_high.yaml`` with seed 2; prints the metrics of ``snn-control eval blimp``
and checks the issue's bar: sse_m <= 0.03, rmse_m <= 1.15 x the PID's, overshoot_pct <= 15,
n_spiking_neurons <= 160.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from snn_control.blimp.controllers import make_altitude_controller as build_controller
from snn_control.blimp.flight import flight_metrics, fly
from snn_control.blimp.profiles import PAPER_PROFILE, SetpointProfile

HERE = Path(__file__).resolve().parent
RUNS = (("paper", None, 0), ("alt_steps", HERE / "profiles/alt_steps.yaml", 1),
        ("low_high", HERE / "profiles/low_high.yaml", 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim", choices=("mujoco", "twin"), default="mujoco")
    args = parser.parse_args()
    print(f"{'profile':<10} {'seed':>4} {'controller':<13} {'rmse_m':>7} {'x PID':>6} {'sse_m':>7} "
          f"{'overshoot%':>10} {'max|u|':>6} {'neurons':>7}  bar")
    for name, path, seed in RUNS:
        profile = SetpointProfile.load(path) if path else PAPER_PROFILE
        results = {}
        for ctrl in ("pid", "snn", "pd_snn+pid_i"):
            controller = build_controller(ctrl)
            results[ctrl] = flight_metrics(fly(controller, profile, sim=args.sim, seed=seed), profile, controller)
        for ctrl, m in results.items():
            ratio = m["rmse_m"] / results["pid"]["rmse_m"]
            ok = m["sse_m"] <= 0.03 and ratio <= 1.15 and m["overshoot_pct"] <= 15 and m["n_spiking_neurons"] <= 160
            print(f"{name:<10} {seed:>4} {ctrl:<13} {m['rmse_m']:7.4f} {ratio:6.3f} {m['sse_m']:7.4f} "
                  f"{m['overshoot_pct']:10.1f} {m['max_abs_cmd']:6.2f} {m['n_spiking_neurons']:>7}  "
                  f"{'-' if ctrl == 'pid' else ('met' if ok else 'MISSED')}")


if __name__ == "__main__":
    main()
