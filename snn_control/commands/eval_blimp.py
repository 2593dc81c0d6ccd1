"""``snn-control eval blimp``: fly a controller through a set-point profile offline and print metrics.

    snn-control eval blimp [--controller snn|pid|pd_snn+pid_i] [--profile FILE] [--seed N]
                           [--sim mujoco|twin] [--plant FILE|PRESET] [--initial-altitude M]
                           [--pd-artifact F] [--i-artifact F] [--json]
                           [--plot FILE.png] [--step-response FILE.png]

The closed loop is the ROS graph's without ROS: simulator -> ToF reading -> guarded controller ->
motor command (:func:`snn_control.blimp.flight.fly`). Every flight flies the plant of ``--plant``
(a preset of ``config/plants/`` or a plant file: dynamics, sensor noise, start altitude; default
nominal), started at ``--initial-altitude`` when given. With ``--json`` the metrics
(rmse_m, sse_m, overshoot_pct, max_abs_cmd, mean_abs_du, n_spiking_neurons, sim_s, wall_s) and the
plant (``plant``, ``initial_altitude_m``) are one JSON object on the last stdout line. ``--plot``
draws the controller's altitude beside the PID's on the same run and plant; ``--step-response``
compares the PD-SNN with the PID's PD part on ±0.5 m and ±1 m steps (both with the PID's I term,
as the paper's step tests), on the same plant.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from snn_control.blimp.controllers import CONTROLLERS

if TYPE_CHECKING:
    from snn_control.blimp.plant import BlimpPlant


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--controller", choices=CONTROLLERS, default="snn")
    parser.add_argument("--profile", help="set-point profile YAML/JSON (default: the paper's 10 x 70 s)")
    parser.add_argument("--seed", type=int, default=0, help="sensor-noise seed")
    parser.add_argument("--sim", choices=("mujoco", "twin"), default="mujoco")
    parser.add_argument("--plant", metavar="FILE|PRESET",
                        help="plant file (YAML/JSON) or preset: nominal, paper, light, heavy, laggy (default nominal)")
    parser.add_argument("--initial-altitude", type=float, metavar="M",
                        help="start altitude in m (default: the plant's, 0.5 for the presets)")
    parser.add_argument("--pd-artifact", help="PD-SNN artifact (.npz; default: the shipped pd_snn)")
    parser.add_argument("--i-artifact", help="I-SNN artifact (.npz; default: the shipped i_snn)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON (last line)")
    parser.add_argument("--plot", metavar="FILE.png", help="altitude of the controller and the PID")
    parser.add_argument("--step-response", metavar="FILE.png", help="PD-SNN vs PID-PD step responses")
    from snn_control.commands.eval_blimp_reports import add_report_arguments

    add_report_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from snn_control.commands.eval_blimp_reports import run_report

    code = run_report(args)
    if code is not None:  # --robustness or --imitation
        return code
    from snn_control.artifacts.store import ArtifactError
    from snn_control.blimp.controllers import make_altitude_controller
    from snn_control.blimp.flight import fly, flight_metrics
    from snn_control.blimp.profiles import PAPER_PROFILE, SetpointProfile

    try:
        profile = SetpointProfile.load(args.profile) if args.profile else PAPER_PROFILE
        plant = load_plant_args(args)
        controller = make_altitude_controller(args.controller, args.pd_artifact, args.i_artifact)
    except (ArtifactError, ValueError) as exc:
        print(f"snn-control eval blimp: {exc}", file=sys.stderr)
        return 2
    flight = fly(controller, profile, sim=args.sim, seed=args.seed, plant=plant)
    metrics = flight_metrics(flight, profile, controller)
    result = {"controller": args.controller, "sim": args.sim, "seed": args.seed, "plant": plant.name,
              "initial_altitude_m": plant.initial_altitude_m, **metrics}
    if args.plot:
        from snn_control.blimp.pid import PIDController

        pid_flight = fly(PIDController(), profile, sim=args.sim, seed=args.seed, plant=plant)
        plot_flights({args.controller: flight, "pid": pid_flight}, args.plot)
        result["plot"] = args.plot
    if args.step_response:
        result["step_response"] = step_response_figure(args.pd_artifact, args.step_response, plant=plant)
    if not args.json:
        print(f"{'plant':>18}: {plant.name}, from {plant.initial_altitude_m:g} m")
        for key in ("rmse_m", "sse_m", "overshoot_pct", "max_abs_cmd", "mean_abs_du", "n_spiking_neurons", "sim_s",
                    "wall_s", "controller_us_per_tick"):
            print(f"{key:>18}: {result[key]:.4g}" if isinstance(result[key], float) else f"{key:>18}: {result[key]}")
    print(json.dumps(result) if args.json else "", end="\n" if args.json else "")
    return 0


def load_plant_args(args: argparse.Namespace) -> "BlimpPlant":
    """The plant of ``--plant`` started at ``--initial-altitude`` (when given); ValueError naming
    the file and key, or the flag."""
    from snn_control.blimp.plant import load_plant

    plant = load_plant(args.plant)
    if args.initial_altitude is None:
        return plant
    try:
        return plant.with_start(args.initial_altitude)
    except ValueError as exc:
        raise ValueError(f"--initial-altitude: {exc}") from None


def plot_flights(flights: dict[str, Any], path: str) -> None:
    """Altitude (and commands) of several flights of the same profile."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, bx) = plt.subplots(2, 1, figsize=(11, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    first = next(iter(flights.values()))
    ax.plot(first.t_s, first.setpoint_m, "k--", lw=1, label="set-point")
    for name, f in flights.items():
        ax.plot(f.t_s, f.z_m, lw=1, label=name)
        bx.plot(f.t_s, f.u, lw=0.5, label=name)
    ax.set(ylabel="altitude (m)", title="blimp altitude: " + " vs ".join(flights))
    bx.set(xlabel="time (s)", ylabel="motor command")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def step_response_figure(pd_artifact: str | None, path: str, sim: str = "twin",
                         plant: "BlimpPlant | None" = None) -> list[dict[str, Any]]:
    """PD-SNN (+ PID I) vs PID (PD + I) on the four steps of ``plant`` (default nominal); saves the
    figure, returns the figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from snn_control.blimp.snn.controller import PDSNNPlusPIDI
    from snn_control.blimp.flight import STEPS, step_response
    from snn_control.blimp.pid import PIDController
    from snn_control.blimp.plant import BlimpPlant

    plant = plant or BlimpPlant()
    controllers = {"PD-SNN + PID-I": PDSNNPlusPIDI.from_artifact(pd_artifact), "PID (PD + I)": PIDController()}
    fig, axes = plt.subplots(1, len(STEPS), figsize=(4 * len(STEPS), 3.5))
    rows = []
    for ax, (start, step) in zip(axes, STEPS):
        ax.axhline(start + step, color="k", ls="--", lw=1)
        for name, ctrl in controllers.items():
            r = step_response(ctrl, start, step, sim=sim, plant=plant)
            ax.plot(r["t_s"], r["z_m"], lw=1.2, label=f"{name}: {r['reach_s']:.1f} s, {r['overshoot_pct']:.0f}%")
            rows.append({"controller": name, "start_m": start, "step_m": step,
                         "reach_s": r["reach_s"], "overshoot_pct": r["overshoot_pct"]})
        ax.set(title=f"{step:+.1f} m from {start:.1f} m", xlabel="time after step (s)", ylabel="altitude (m)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return rows
