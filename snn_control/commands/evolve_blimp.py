"""``snn-control evolve blimp``: evolve the blimp PD-SNN or I-SNN with DEAP (CMA-ES or a GA).

    snn-control evolve blimp --controller pd|i [--generations N] [--closed-loop-generations N]
        [--population N] [--algorithm cma|ga] [--hidden lif|iwta|rlif|riwta] [--partner pid|shipped|F]
        [--seed N] [--workers N] [--backend serial|pool|ray] [--address ADDR] [--run-dir DIR] [--resume]
        [--out FILE.npz] [--ship] [--json]

Writes the deployed network as an artifact (``--out``, default ``runs/blimp/<role>_snn.npz``; with
``--ship`` into the package's shipped ``<role>_snn``), and into ``--run-dir`` checkpoints every
``--checkpoint-every`` generations, ``log.json`` and ``fitness.png``. Every training flight flies
its own plant, start altitude and sensor noise (``--plants random``, :class:`snn_control.blimp.plant.PlantDistribution`).
The artifact's provenance names the closed-loop partner (and a start artifact, ``--init-from``) by
its checksum. The shipped pair is :data:`RECIPE`, four runs in order: each network from scratch
beside the other's first version, then each refined in closed loop beside the other's final one
(the PD-SNN on slow and light blimps, the I-SNN beside that refined PD-SNN).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from snn_control.blimp.snn.network import HIDDEN_KINDS
from snn_control.evolve.popmap import add_backend_arguments

DEFAULTS = {  # per role: the first version of each network (RECIPE refines both), each run under 10 minutes
    # PD-SNN: the PID's gains by design, imitation, then tracking beside the PID's own I term
    "pd": {"generations": 150, "closed_loop_generations": 500, "init": "design", "sigma": 0.02, "partner": "pid",
           "cost": "absolute", "overshoot_weight": 3.0, "du_weight": 0.1, "floor_weight": 0.0,
           "imitation_weight": 0.0, "min_pearson": 0.0, "pearson_weight": 0.0},
    # I-SNN: imitation of the PID's I term, then tracking against the PID beside the PD-SNN, the
    # imitation fitness kept in the cost
    "i": {"generations": 400, "closed_loop_generations": 250, "init": "prior", "sigma": 0.05, "partner": "shipped",
          "cost": "pid", "overshoot_weight": 20.0, "du_weight": 2.0, "floor_weight": 0.02,
          "imitation_weight": 0.0, "min_pearson": 0.92, "pearson_weight": 10.0},
}


RECIPE = (  # (artifact, flags): the shipped pair, run in this order (README, "The recipe")
    ("pd_base", "--controller pd --out runs/blimp/pd_base.npz"),
    ("i_base", "--controller i --partner runs/blimp/pd_base.npz --out runs/blimp/i_base.npz"),
    ("pd_snn", "--controller pd --init-from runs/blimp/pd_base.npz --generations 0 --closed-loop-generations 150 "
               "--partner runs/blimp/i_base.npz --closed-loop-profiles 6 --corner-flights 2 --holdout-profiles 16 "
               "--holdout-corner-flights 6 --overshoot-weight 60 --du-weight 1 --workers 2 --out runs/blimp/pd_snn.npz"),
    ("i_snn", "--controller i --init-from runs/blimp/i_base.npz --generations 0 --closed-loop-generations 150 "
              "--partner runs/blimp/pd_snn.npz --closed-loop-profiles 6 --corner-flights 3 --holdout-profiles 16 "
              "--holdout-corner-flights 8 --overshoot-weight 40 --step-weight 0.1 --common-noise --workers 2 "
              "--out runs/blimp/i_snn.npz"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--controller", choices=("pd", "i"), required=True, help="which network to evolve")
    parser.add_argument("--hidden", choices=HIDDEN_KINDS, help="hidden layer (default: lif for pd, iwta for i)")
    parser.add_argument("--block", action="store_true", help="2x2 blocks within a pair from l0 to l1")
    parser.add_argument("--pairs", type=int, default=20, help="neuron pairs per layer (default 20: 80 neurons)")
    parser.add_argument("--readout", choices=("leaky", "integrating"),
                        help="readout (default: leaky for pd, the paper's; integrating for i)")
    parser.add_argument("--plants", choices=("random", "nominal"), default="random",
                        help="fly every training flight on a random plant, start altitude and sensor noise "
                        "(default), or on the nominal blimp from 0.5 m")
    parser.add_argument("--imitation-flights", type=int, default=6, help="PID flights per imitation generation")
    parser.add_argument("--du-weight", type=float,
                        help="closed-loop cost per unit of mean |du| (above the PID's with --cost pid; default: pd 0.1, i 2)")
    parser.add_argument("--overshoot-weight", type=float,
                        help="closed-loop cost per metre of excursion past a set-point (beyond 0.9 x the PID's, or "
                        "beyond 10 %% of the step with --cost absolute; default: pd 3, i 20)")
    parser.add_argument("--floor-weight", type=float,
                        help="closed-loop cost per second on the floor below the set-point (default: pd 0, i 0.02)")
    parser.add_argument("--step-weight", type=float, default=0.0,
                        help="with --cost pid: closed-loop cost per point a step overshoots beyond the PID's on the "
                        "same step (the robustness matrix's criterion; default 0)")
    parser.add_argument("--step-margin", type=float, default=0.0, help="points of that excess left free (default 0)")
    parser.add_argument("--common-noise", action="store_true",
                        help="closed loop: every genome of a generation (and the PID) reads the same sensor noise on "
                        "a flight (common random numbers; the result no longer depends on --workers)")
    parser.add_argument("--weight-bound", type=float, default=1.5,
                        help="bound of the l0 and l1 weights and biases (default 1.5, the paper's)")
    parser.add_argument("--worst-weight", type=float, default=0.0,
                        help="weight of the worst flight in a generation's closed-loop cost (0: the mean)")
    parser.add_argument("--imitation-weight", type=float,
                        help="the paper's imitation fitness kept in the closed-loop cost with this weight "
                        "(default 0)")
    parser.add_argument("--min-pearson", type=float,
                        help="closed-loop cost hinge: keep the Pearson r against the PID's term above this "
                        "(default: pd none, i 0.92)")
    parser.add_argument("--pearson-weight", type=float, help="weight of that hinge (default: pd 0, i 10)")
    parser.add_argument("--pd-target", choices=("sensed", "clean"),
                        help="PD-SNN imitation target: the PID's PD term as flown (sensed, default) or on the "
                        "true altitude (clean)")
    parser.add_argument("--cost", choices=("absolute", "pid"),
                        help="closed-loop cost in absolute terms (overshoot target 10 %%) or against the PID flying "
                        "the same plant and profile (default: pd absolute, i pid)")
    parser.add_argument("--algorithm", choices=("cma", "ga"), default="cma")
    parser.add_argument("--population", type=int, default=48)
    parser.add_argument("--generations", type=int, help="imitation generations (default: pd 150, i 300)")
    parser.add_argument("--closed-loop-generations", type=int, help="closed-loop generations (default: pd 500, i 300)")
    parser.add_argument("--closed-loop-profiles", type=int, default=3, help="closed-loop flights per generation")
    parser.add_argument("--corner-flights", type=int, default=0,
                        help="of those, flights on corner plants (every plant range at one of its ends)")
    parser.add_argument("--holdout-profiles", type=int, default=3,
                        help="held-out closed-loop flights that pick the deployed genome")
    parser.add_argument("--holdout-corner-flights", type=int, default=0, help="of those, flights on corner plants")
    parser.add_argument("--corner-tail", type=float, default=0.15,
                        help="a corner plant's parameters lie in this share of each range's ends")
    parser.add_argument("--sigma", type=float, help="initial CMA step in [0,1] gene units (default: pd 0.02, i 0.05)")
    parser.add_argument("--closed-loop-sigma", type=float, default=0.02)
    parser.add_argument("--init", choices=("prior", "design", "random"),
                        help="start: design (pd: from the PID gains), prior (least-squares readout), random")
    parser.add_argument("--init-from", metavar="FILE.npz",
                        help="start from this network artifact instead (same role and layout), e.g. to refine a "
                        "network in closed loop with --generations 0")
    parser.add_argument("--partner", help="closed-loop partner: pid (the PID's other term), shipped (the shipped "
                        "other network) or an artifact path (default: pd pid, i shipped)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="processes (chunks) for population evaluation")
    add_backend_arguments(parser)
    parser.add_argument("--checkpoint-every", type=int, default=50)
    parser.add_argument("--holdout-every", type=int, default=25)
    parser.add_argument("--run-dir", help="checkpoints, log.json, fitness.png (default runs/blimp/<role>_snn)")
    parser.add_argument("--resume", action="store_true", help="continue from the run dir's checkpoint")
    parser.add_argument("--out", help="artifact path (default runs/blimp/<role>_snn.npz)")
    parser.add_argument("--ship", action="store_true", help="also overwrite the package's shipped artifact")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print a JSON summary as the last line")


def _partner_provenance(config) -> dict:
    """The closed-loop partner, named by its artifact's checksum (the pair is reproducible)."""
    if not config.closed_loop_generations or config.partner == "pid":
        return {"kind": "pid", "term": "i" if config.role == "pd" else "pd"}
    from snn_control.artifacts.store import shipped_artifact

    other = "i_snn" if config.role == "pd" else "pd_snn"
    path = shipped_artifact(other) if config.partner == "shipped" else Path(config.partner)
    meta = json.loads(path.with_suffix(".json").read_text())
    return {"kind": "blimp_snn", "artifact": path.stem, "sha256": meta["sha256"]}


def _init_provenance(config) -> dict:
    """The artifact a run started from, named by its checksum (none for the built-in starts)."""
    from snn_control.blimp.training.recipe import INITS

    if config.init in INITS:
        return {}
    path = Path(config.init)
    meta = json.loads(path.with_suffix(".json").read_text())
    return {"init": {"kind": "blimp_snn", "artifact": path.stem, "sha256": meta["sha256"]}}


def _pick(value, default):
    return default if value is None else value


def build_config(args: argparse.Namespace):
    """The run's :class:`EvolveConfig`: the role's recipe defaults (:data:`DEFAULTS`) under the flags."""
    from snn_control.blimp.training.recipe import EvolveConfig

    role = args.controller
    defaults = DEFAULTS[role]
    if args.init and args.init_from:
        raise ValueError("--init and --init-from exclude each other")
    return EvolveConfig(
        role=role, hidden=args.hidden or "", n_pairs=args.pairs, block=args.block, readout=args.readout or "",
        plants=args.plants, imitation_flights=args.imitation_flights,
        du_weight=_pick(args.du_weight, defaults["du_weight"]),
        overshoot_weight=_pick(args.overshoot_weight, defaults["overshoot_weight"]),
        floor_weight=_pick(args.floor_weight, defaults["floor_weight"]),
        versus_pid=_pick(args.cost, defaults["cost"]) == "pid", worst_weight=args.worst_weight,
        step_weight=args.step_weight, step_margin_pts=args.step_margin, weight_bound=args.weight_bound,
        common_noise=args.common_noise,
        imitation_weight=_pick(args.imitation_weight, defaults["imitation_weight"]),
        min_pearson=_pick(args.min_pearson, defaults["min_pearson"]),
        pearson_weight=_pick(args.pearson_weight, defaults["pearson_weight"]),
        pd_target=args.pd_target or "sensed",
        algorithm=args.algorithm, population=args.population,
        generations=_pick(args.generations, defaults["generations"]),
        closed_loop_generations=_pick(args.closed_loop_generations, defaults["closed_loop_generations"]),
        closed_loop_profiles=args.closed_loop_profiles, corner_flights=args.corner_flights,
        holdout_profiles=args.holdout_profiles, holdout_corner_flights=args.holdout_corner_flights,
        corner_tail=args.corner_tail,
        sigma=_pick(args.sigma, defaults["sigma"]), closed_loop_sigma=args.closed_loop_sigma,
        init=args.init_from or _pick(args.init, defaults["init"]), partner=_pick(args.partner, defaults["partner"]),
        holdout_every=args.holdout_every, checkpoint_every=args.checkpoint_every, workers=args.workers,
        seed=args.seed,
    )


def run(args: argparse.Namespace) -> int:
    from snn_control.artifacts.store import ArtifactError
    from snn_control.blimp.snn.controller import save_blimp_snn
    from snn_control.blimp.training.recipe import evolve
    from snn_control.evolve.popmap import population_map

    role = args.controller
    try:
        config = build_config(args)
        run_dir = Path(args.run_dir or f"runs/blimp/{role}_snn")
        with population_map(config.workers, args.backend, args.address) as pmap:
            result = evolve(config, run_dir, resume=args.resume, progress=not args.no_progress, pmap=pmap)
    except (ArtifactError, ValueError, ImportError, ConnectionError) as exc:
        print(f"snn-control evolve blimp: {exc}", file=sys.stderr)
        return 2
    meta = {
        "provenance": {"command": "snn-control evolve blimp", "config": config.to_dict(),
                       "generations_run": result.generations, "wall_s": round(result.wall_s, 1),
                       "partner": _partner_provenance(config), **_init_provenance(config)},
        "holdout": result.holdout,
    }
    out = Path(args.out or f"runs/blimp/{role}_snn.npz")
    paths = [str(save_blimp_snn(out, result.layout, result.genome, meta))]
    if args.ship:
        data_dir = Path(__file__).resolve().parent.parent / "artifacts" / "data"
        paths.append(str(save_blimp_snn(data_dir / f"{role}_snn", result.layout, result.genome, meta)))
    summary = {"controller": role, "artifact": paths, "run_dir": str(run_dir), "holdout": result.holdout,
               "generations": result.generations, "wall_s": round(result.wall_s, 1),
               "backend": pmap.backend, "workers": config.workers,
               "n_genes": result.layout.n_genes, "n_spiking_neurons": result.layout.n_spiking_neurons}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"evolved {role}-snn in {summary['wall_s']} s: held-out {result.holdout}; wrote {', '.join(paths)}")
    return 0
