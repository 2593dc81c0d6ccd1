"""``snn-control evolve ncap``: train an NCAP (rate or spiking) or MLP swimmer policy with ES.

    snn-control evolve ncap --links 6 --variant rate --algorithm cma --sigma 0.2 --population 16 \\
        --steps 640000 --seed 0 --workers 2 [--backend serial|pool|ray] [--address ADDR] --out runs/ncap \\
        [--artifact PATH] [--compare LOG ...]

Writes ``OUT/STEM.npz/.json`` (the policy artifact; ``--artifact`` puts it elsewhere, e.g.
``snn_control/artifacts/data/ncap_rate_6link`` to regenerate a shipped one), ``OUT/STEM_log.json``
(config, per-generation fitness and validation) and ``OUT/STEM_curve.png`` (learning curve; add
other runs' logs with ``--compare``). Prints a summary; ``--json`` puts it as JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from snn_control.evolve.popmap import add_backend_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--links", type=int, default=6, help="links of the swimmer body (joints = links - 1)")
    parser.add_argument("--variant", choices=("rate", "spiking", "mlp"), default="rate")
    parser.add_argument("--algorithm", choices=("es", "cma"), default="es", help="paper's Adam ES or DEAP CMA-ES")
    parser.add_argument("--population", type=int, default=8, help="individuals per generation (es: even)")
    parser.add_argument("--sigma", type=float, default=0.02, help="es: perturbation std; cma: initial step size")
    parser.add_argument("--lr", type=float, default=0.01, help="es: Adam learning rate")
    parser.add_argument("--steps", type=int, default=640_000, help="training budget in env steps")
    parser.add_argument("--episode-steps", type=int, default=1000)
    parser.add_argument("--init", choices=("canonical", "random"), default="canonical", help="NCAP initial weights")
    parser.add_argument("--no-shared", action="store_true", help="NCAP: 6N unshared weights instead of 4")
    parser.add_argument("--no-sign-constraints", action="store_true", help="NCAP ablation")
    parser.add_argument("--spiking-population", type=int, default=None, help="spiking: LIF neurons per unit")
    parser.add_argument("--ticks", type=int, default=None, help="spiking: LIF ticks per control step")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="processes (chunks) evaluating the population")
    add_backend_arguments(parser)
    parser.add_argument("--eval-every", type=int, default=10, help="validate the mean every N generations")
    parser.add_argument("--eval-episodes", type=int, default=5)
    parser.add_argument("--select", choices=("best", "last"), default="best", help="weights to save")
    parser.add_argument("--test-episodes", type=int, default=0,
                        help="score the saved weights on test seeds 0..N-1 (as eval ncap does) and record it")
    parser.add_argument("--out", type=Path, default=Path("runs/ncap"), help="folder for artifact, log and plot")
    parser.add_argument("--stem", default=None, help="file stem (default ncap_VARIANT_Llink_ALGO_seedS)")
    parser.add_argument("--artifact", type=Path, default=None, help="where to write the artifact instead")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="checkpoints (default OUT/STEM_run); --resume continues from there")
    parser.add_argument("--resume", action="store_true", help="continue from the run dir's checkpoint")
    parser.add_argument("--checkpoint-every", type=int, default=10, help="generations between checkpoints")
    parser.add_argument("--compare", type=Path, nargs="*", default=[], help="other runs' logs to plot alongside")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on the last line")


def _policy_config(args: argparse.Namespace) -> dict:
    cfg: dict = {}
    if args.variant == "mlp":
        if args.no_shared or args.no_sign_constraints or args.spiking_population or args.ticks:
            raise ValueError("--no-shared/--no-sign-constraints/--spiking-population/--ticks apply to NCAP variants only")
        return cfg
    if args.no_shared:
        cfg["shared"] = False
    if args.no_sign_constraints:
        cfg["sign_constraints"] = False
    if args.variant == "spiking":
        if args.spiking_population is not None:
            cfg["population"] = args.spiking_population
        if args.ticks is not None:
            cfg["ticks_per_step"] = args.ticks
    elif args.spiking_population is not None or args.ticks is not None:
        raise ValueError("--spiking-population/--ticks apply to --variant spiking only")
    return cfg


def run(args: argparse.Namespace) -> int:
    from snn_control.evolve.popmap import population_map
    from snn_control.swimmer.policy import save_policy
    from snn_control.swimmer.training import NCAPTrainConfig, plot_learning_curves, train_swimmer, write_log

    try:
        cfg = NCAPTrainConfig(
            n_links=args.links, variant=args.variant, algorithm=args.algorithm, population=args.population,
            sigma=args.sigma, learning_rate=args.lr, step_budget=args.steps, episode_steps=args.episode_steps,
            init=args.init, seed=args.seed, eval_every=args.eval_every, eval_episodes=args.eval_episodes,
            select=args.select, policy_config=_policy_config(args),
        )
        if args.workers < 1 or args.test_episodes < 0 or args.checkpoint_every < 1:
            raise ValueError("--workers and --checkpoint-every must be >= 1 and --test-episodes >= 0")
        compare = [json.loads(Path(p).read_text()) for p in args.compare]
    except (ValueError, OSError) as exc:
        print(f"snn-control evolve ncap: {exc}", file=sys.stderr)
        return 2
    stem = args.stem or f"ncap_{cfg.variant}_{cfg.n_links}link_{cfg.algorithm}_seed{cfg.seed}"
    run_dir = args.run_dir or args.out / f"{stem}_run"
    try:
        with population_map(args.workers, args.backend, args.address) as pmap:
            result = train_swimmer(cfg, pmap, progress=not args.no_progress, run_dir=run_dir, resume=args.resume,
                                   checkpoint_every=args.checkpoint_every)
            test_returns = _test_returns(result, cfg, args.test_episodes, pmap) if args.test_episodes > 0 else None
    except (ValueError, ImportError, ConnectionError) as exc:
        print(f"snn-control evolve ncap: {exc}", file=sys.stderr)
        return 2
    command = "snn-control evolve ncap " + " ".join(sys.argv[3:] if sys.argv[1:3] == ["evolve", "ncap"] else [])
    log_path = write_log(args.out / f"{stem}_log.json", result, command=command.strip())
    log = json.loads(log_path.read_text())
    plot_path = plot_learning_curves(args.out / f"{stem}_curve.png", [log, *compare])
    meta = {
        "training": {k: log[k] for k in ("config", "best_validation", "train_env_steps", "wall_s", "command")},
    }
    if test_returns is not None:
        meta["evaluation"] = {
            "links": cfg.n_links, "episodes": len(test_returns), "seed": 0,
            "mean_return": float(test_returns.mean()), "std_return": float(test_returns.std()),
        }
    artifact = save_policy(args.artifact or args.out / stem, result.policy, result.params, meta)
    summary = {
        "variant": cfg.variant, "links": cfg.n_links, "algorithm": cfg.algorithm, "n_params": result.policy.n_params,
        "train_env_steps": log["train_env_steps"], "best_validation": result.best_validation,
        "wall_s": round(result.wall_s, 2), "artifact": str(artifact), "log": str(log_path), "plot": str(plot_path),
        "run_dir": str(run_dir),
    }
    if result.policy.n_params <= 64:
        summary["params"] = result.params.tolist()
    if "evaluation" in meta:
        summary["test_mean_return"] = meta["evaluation"]["mean_return"]
        summary["test_std_return"] = meta["evaluation"]["std_return"]
    print(f"{cfg.variant}/{cfg.algorithm}: validation {result.best_validation:.1f} after "
          f"{summary['train_env_steps']} steps ({result.wall_s:.1f} s) -> {artifact}")
    if args.json:
        print(json.dumps(summary))
    return 0


def _test_returns(result, cfg, episodes: int, pmap):
    """Returns of the saved weights on test seeds ``0..episodes-1`` (as ``eval ncap`` scores them)."""
    import numpy as np

    from snn_control.swimmer.rollout import evaluate_population

    seeds = list(range(episodes))
    return evaluate_population(result.policy, np.repeat(result.params[None], len(seeds), axis=0), seeds, pmap,
                               cfg.episode_steps)
