"""``snn-control launch blimp``: the blimp graph (sim, controller, set-point schedule) in one process.

``--plant FILE|PRESET`` and ``--initial-altitude M`` set the simulated blimp: the plant is resolved
here (:func:`snn_control.blimp.config.pin_plant`: the parameter file's ``plant_file`` and plant
keys, then these flags) and written into every plant parameter of ``blimp_sim``, so a bad plant
stops the run, naming the file and key, before any node starts.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="ROS parameter file (default: the package's config/blimp.yaml)")
    p.add_argument("--duration", type=float, metavar="S", help="simulated seconds (default: the whole profile)")
    p.add_argument("--fast", action="store_true", help="run as fast as the machine allows (default: real time)")
    p.add_argument("--profile", metavar="FILE", help="set-point profile, YAML/JSON: setpoints_m, segment_s")
    p.add_argument("--seed", type=int, help="simulator seed (sensor noise)")
    p.add_argument("--controller", choices=["pid", "snn", "pd_snn+pid_i"], help="override the YAML's controller")
    p.add_argument("--plant", metavar="FILE|PRESET",
                   help="plant file (YAML/JSON) or preset: nominal, paper, light, heavy, laggy (overrides the YAML's)")
    p.add_argument("--initial-altitude", type=float, metavar="M", help="start altitude in m (overrides the plant's)")
    p.add_argument("--json", action="store_true", help="print the run's metrics as one JSON object on the last line")
    p.add_argument("--plot", metavar="FILE.png", help="plot altitude, set-point and command against time")


def build_params(args: argparse.Namespace) -> tuple[dict, "object", "object"]:
    """``(params, profile, plant)``: the graph's parameters with the flags applied."""
    from snn_control.bringup import load_graph_params
    from snn_control.blimp.config import pin_plant
    from snn_control.blimp.profiles import SetpointProfile

    file, params = load_graph_params("blimp", args.config)
    sim = params.setdefault("blimp_sim", {})
    plant, pinned = pin_plant(sim, f"{file}: blimp_sim", args.plant, args.initial_altitude)
    sim.update(pinned)
    sched = params.setdefault("setpoint_schedule", {})
    if args.profile:
        profile = SetpointProfile.load(args.profile)
        sched["setpoints_m"] = list(profile.setpoints_m)
        sched["segments_s"] = list(profile.segments_s)
    if args.fast:
        sim["real_time_factor"] = 0.0
    if args.seed is not None:
        sim["seed"] = args.seed
    if args.controller:
        params.setdefault("altitude_controller", {})["controller"] = args.controller
    from snn_control.blimp.config import SetpointScheduleConfig
    from snn_control.dictio import config_from_mapping

    profile = config_from_mapping(SetpointScheduleConfig, sched, "setpoint_schedule").profile()
    duration = args.duration if args.duration is not None else profile.duration_s
    if not (math.isfinite(duration) and duration > 0):
        raise ValueError(f"--duration must be > 0, got {duration}")
    sim["duration_s"] = float(duration)
    return params, profile, plant


def flight_metrics(sim_node, profile, wall_s: float) -> dict:
    from snn_control.blimp.metrics import tracking_metrics

    log = {k: np.asarray(v) for k, v in sim_node.log.items()}
    if log["t_s"].size == 0:
        raise RuntimeError("the simulator recorded no control tick (did the controller start?)")
    m = tracking_metrics(log["t_s"], log["z_m"], log["cmd"], profile)
    sim_s = float(sim_node.env.time_s)
    lat = np.asarray(sim_node.loop_latency_s, dtype=float) * 1e3
    m.update(
        loop_p50_ms=float(np.percentile(lat, 50)) if lat.size else None,
        loop_p99_ms=float(np.percentile(lat, 99)) if lat.size else None,
        n_cmd_msgs=int(sim_node.n_cmd_msgs),
        n_missed_cmds=int(sim_node.n_missed),
        sim_s=sim_s,
        wall_s=float(wall_s),
        real_time_factor=sim_s / wall_s if wall_s > 0 else float("inf"),
    )
    return m


def plot_flight(path: str, log: dict, profile, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.asarray(log["t_s"])
    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(10, 5.5), height_ratios=[2, 1])
    ax1.plot(t, profile.at(t), "k--", lw=1, label="set-point")
    ax1.plot(t, log["z_m"], lw=1.2, label="altitude")
    ax1.set_ylabel("altitude (m)")
    ax1.legend(loc="upper right")
    ax1.set_title(title)
    ax2.plot(t, log["cmd"], lw=0.8, color="tab:red")
    ax2.set_ylabel("motor cmd (units)")
    ax2.set_xlabel("sim time (s)")
    ax2.set_ylim(-10.5, 10.5)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    from snn_control.bringup import run_graph

    try:
        params, profile, plant = build_params(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"snn-control launch blimp: {exc}", file=sys.stderr)
        return 2
    duration = params["blimp_sim"]["duration_s"]
    controller = params.get("altitude_controller", {}).get("controller", "pid")
    fast = params["blimp_sim"].get("real_time_factor", 1.0) == 0
    print(f"launch blimp: {controller} controller, {plant.name} plant from {plant.initial_altitude_m:g} m, "
          f"{duration:.0f} s simulated, {'fast' if fast else 'real time'}", file=sys.stderr)
    progress = _progress(duration)
    try:
        result = run_graph(
            "blimp",
            params,
            until=lambda nodes: nodes["blimp_sim"].finished,
            on_spin=lambda nodes: progress(nodes["blimp_sim"].env.time_s),
        )
    except ValueError as exc:
        print(f"snn-control launch blimp: {exc}", file=sys.stderr)
        return 2
    finally:
        progress(None)
    sim = result.nodes["blimp_sim"]
    if not result.completed:
        print(f"launch blimp: stopped at {sim.env.time_s:.1f} s simulated; metrics of the part flown", file=sys.stderr)
    if not sim.log["t_s"]:
        return 1
    metrics = flight_metrics(sim, profile, result.wall_s)
    metrics["controller"] = controller
    metrics["plant"] = plant.name
    metrics["initial_altitude_m"] = plant.initial_altitude_m
    metrics["n_spiking_neurons"] = int(result.nodes["altitude_controller"].controller.controller.n_spiking_neurons)
    if args.plot:
        plot_flight(args.plot, sim.log, profile, f"blimp, {controller}: rmse {metrics['rmse_m']:.3f} m")
        print(f"plot: {args.plot}", file=sys.stderr)
    summary = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())
    print(summary, file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps({k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in metrics.items()}))
    return 0 if result.completed else 1


def _progress(total_s: float):
    """A tqdm bar over simulated seconds (on stderr; silent when not a terminal)."""
    from tqdm import tqdm

    bar = tqdm(total=round(total_s), unit="sim s", disable=not sys.stderr.isatty(), leave=False)

    def update(t_s):
        if t_s is None:
            bar.close()
            return
        step = int(t_s) - bar.n
        if step > 0:
            bar.update(step)

    return update
