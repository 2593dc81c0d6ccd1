"""``snn-control launch swimmer``: the swimmer graph (MuJoCo sim, NCAP controller) in one process."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="ROS parameter file (default: the package's config/swimmer.yaml)")
    p.add_argument("--links", type=int, help="number of links (the controller is moved to this body)")
    p.add_argument("--variant", choices=["rate", "spiking"], help="NCAP variant")
    p.add_argument("--artifact", metavar="FILE", help="policy artifact (default: the shipped 6-link one)")
    p.add_argument("--untrained", action="store_true", help="the initial weights (+1, +1, +1, -1)")
    p.add_argument("--duration", type=float, metavar="S", help="simulated seconds (default: one 30 s episode)")
    p.add_argument("--fast", action="store_true", help="run as fast as the machine allows (default: real time)")
    p.add_argument("--seed", type=int, help="episode seed (initial heading and joints)")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object on the last line")


def build_params(args: argparse.Namespace) -> dict:
    from snn_control.bringup import load_graph_params

    _, params = load_graph_params("swimmer", args.config)
    sim = params.setdefault("swimmer_sim", {})
    ctl = params.setdefault("ncap_controller", {})
    if args.links is not None:
        sim["n_links"] = ctl["n_links"] = args.links
    if args.variant:
        ctl["variant"] = args.variant
    if args.artifact:
        ctl["artifact"] = args.artifact
    if args.untrained:
        ctl["untrained"] = True
    if args.fast:
        sim["real_time_factor"] = 0.0
    if args.seed is not None:
        sim["seed"] = args.seed
    if args.duration is not None:
        if not args.duration > 0:
            raise ValueError(f"--duration must be > 0, got {args.duration}")
        sim["episode_steps"] = max(1, int(round(args.duration / 0.03)))
    if sim.get("n_links", 6) != ctl.get("n_links", 6):
        raise ValueError("swimmer_sim.n_links and ncap_controller.n_links differ")
    return params


def run(args: argparse.Namespace) -> int:
    from snn_control.bringup import run_graph

    try:
        params = build_params(args)
        result = run_graph("swimmer", params, until=lambda nodes: nodes["swimmer_sim"].finished)
    except (ValueError, FileNotFoundError) as exc:
        print(f"snn-control launch swimmer: {exc}", file=sys.stderr)
        return 2
    sim, ctl = result.nodes["swimmer_sim"], result.nodes["ncap_controller"]
    metrics = {
        "return": sim.episode_return,
        "mean_speed_mps": float(np.mean(sim.speeds)) if sim.speeds else 0.0,
        "n_params": int(ctl.controller.params.size) if hasattr(ctl.controller, "params") else None,
        "n_links": sim.env.n_links,
        "variant": ctl.config.variant,
        "steps": sim.env.t,
        "n_cmd_msgs": sim.n_cmd_msgs,
        "n_missed_cmds": sim.n_missed,
        "sim_s": sim.sim_time_s,
        "wall_s": result.wall_s,
    }
    print(", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()),
          file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(metrics))
    return 0 if result.completed else 1
