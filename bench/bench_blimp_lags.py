"""Which plant change makes the SNN pair overshoot more than the PID? One change at a time.

    python bench/bench_blimp_lags.py [--pd-artifact F] [--i-artifact F] [--seeds N]

Flies the robustness profile (:data:`snn_control.blimp.robustness.ROBUSTNESS_PROFILE`) from four
start altitudes and N noise seeds on the nominal blimp with one parameter moved to the ``laggy`` or
``light`` preset's value (then both together), the SNN pair beside the PID, and prints per plant the
pair's mean and worst overshoot, the PID's mean, and how many cells fail the matrix's bar (overshoot
more than 5 points over the PID's, or any other criterion of :class:`~snn_control.blimp.robustness.Criteria`).
"""

from __future__ import annotations

import argparse

import numpy as np

from snn_control.blimp.plant import BlimpPlant
from snn_control.blimp.robustness import RobustnessSpec, run_matrix

VARIANTS = {
    "nominal": {},
    "noise 0.02 m": {"range_noise_std_m": 0.02},
    "motor lag 0.3 s": {"motor_tau_s": 0.3},
    "servo flip 0.6 s": {"servo_flip_s": 0.6},
    "dead zone 0.5": {"dead_zone": 0.5},
    "motor lag + servo": {"motor_tau_s": 0.3, "servo_flip_s": 0.6},
    "laggy (all four)": {"motor_tau_s": 0.3, "servo_flip_s": 0.6, "dead_zone": 0.5, "range_noise_std_m": 0.02},
    "light (hover 1.5)": {"hover_units": 1.5},
    "light + noise 0.02 m": {"hover_units": 1.5, "range_noise_std_m": 0.02},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pd-artifact", default=None)
    parser.add_argument("--i-artifact", default=None)
    parser.add_argument("--seeds", type=int, default=8, help="noise seeds per plant and start (default 8)")
    args = parser.parse_args()
    plants = tuple(BlimpPlant.from_dict(v, name=k) for k, v in VARIANTS.items())
    result = run_matrix("snn", RobustnessSpec(plants=plants, seeds=tuple(range(args.seeds))),
                        pd_artifact=args.pd_artifact, i_artifact=args.i_artifact)
    print("| plant | SNN overshoot % mean (worst) | PID mean | cells failing |")
    print("|---|---|---|---|")
    for name in VARIANTS:
        rows = [r for r in result["rows"] if r["plant"] == name]
        snn = np.array([r["overshoot_pct"] for r in rows])
        pid = np.array([r["pid_overshoot_pct"] for r in rows])
        failing = sum(bool(r["fails"]) for r in rows)
        print(f"| {name} | {snn.mean():.1f} ({snn.max():.1f}) | {pid.mean():.1f} | {failing} / {len(rows)} |")


if __name__ == "__main__":
    main()
