"""Training swimmer policies (NCAP rate/spiking, MLP baseline) with DEAP strategies.

One generation (:func:`snn_control.evolve.loop.run_generation`): the strategy generates λ
individuals, each swims one episode of a seed shared by the whole generation (common random
numbers, a fresh seed every generation), the population is evaluated at once through the
population map (:func:`snn_control.swimmer.rollout.evaluate_population`), fitness = episode
return (maximized), then the strategy is told. The budget counts training env steps: λ · episode_steps per generation.
Every ``eval_every`` generations the strategy's mean is scored on ``eval_episodes`` validation
episodes (seeds from 1,000,000 up, apart from training seeds and from the test seeds 0, 1, ... of
``snn-control eval ncap``); the result keeps the best-validated mean (``select="best"``) or the last.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from snn_control.dictio import DictIO
from snn_control.evolve.checkpoint import has_checkpoint, load_checkpoint, save_checkpoint
from snn_control.evolve.log import EvolveLog
from snn_control.evolve.loop import make_toolbox, run_generation
from snn_control.evolve.popmap import PopulationMap
from snn_control.evolve.strategies import make_strategy, maximizing
from snn_control.swimmer.policy import VARIANTS, SwimmerPolicy, make_policy
from snn_control.swimmer.rollout import evaluate_population

ALGORITHMS = ("es", "cma")
VALIDATION_SEED0 = 1_000_000


@dataclass(frozen=True)
class NCAPTrainConfig(DictIO):
    n_links: int = 6
    variant: str = "rate"
    algorithm: str = "es"
    population: int = 8
    sigma: float = 0.02
    learning_rate: float = 0.01  # AdamES only
    step_budget: int = 640_000
    episode_steps: int = 1000
    init: str = "canonical"
    seed: int = 0
    eval_every: int = 10  # generations; 0: only after the last one
    eval_episodes: int = 5
    select: str = "best"
    policy_config: dict = field(default_factory=dict)  # architecture overrides (shared, population, ...)

    def __post_init__(self) -> None:
        checks = {
            "variant": self.variant in VARIANTS,
            "algorithm": self.algorithm in ALGORITHMS,
            "init": self.init in ("canonical", "random"),
            "select": self.select in ("best", "last"),
            "policy_config": isinstance(self.policy_config, dict),
        }
        for name in ("n_links", "population", "step_budget", "episode_steps", "seed", "eval_every", "eval_episodes"):
            value = getattr(self, name)
            checks[name] = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0
        checks["n_links"] = checks["n_links"] and self.n_links >= 3
        checks["population"] = checks["population"] and self.population >= 2
        checks["eval_episodes"] = checks["eval_episodes"] and self.eval_episodes >= 1
        checks["episode_steps"] = checks["episode_steps"] and self.episode_steps >= 1
        checks["sigma"] = isinstance(self.sigma, (int, float)) and np.isfinite(self.sigma) and self.sigma > 0
        checks["learning_rate"] = isinstance(self.learning_rate, (int, float)) and self.learning_rate > 0
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"NCAPTrainConfig.{name} is invalid: {getattr(self, name)!r}")
        if self.algorithm == "es" and self.population % 2:
            raise ValueError(f"NCAPTrainConfig.population must be even for es (mirrored pairs), got {self.population}")
        if self.step_budget < self.steps_per_generation:
            raise ValueError(
                f"NCAPTrainConfig.step_budget {self.step_budget} is below one generation "
                f"({self.population} x {self.episode_steps} steps)"
            )

    @property
    def steps_per_generation(self) -> int:
        return self.population * self.episode_steps

    @property
    def generations(self) -> int:
        return self.step_budget // self.steps_per_generation



@dataclass
class TrainResult:
    config: NCAPTrainConfig
    policy: SwimmerPolicy
    params: np.ndarray  # the selected weights
    initial_params: np.ndarray
    history: list[dict[str, Any]]
    best_validation: float
    wall_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "policy": self.policy.to_dict(),
            "n_params": self.policy.n_params,
            "params": self.params.tolist() if self.policy.n_params <= 64 else None,
            "initial_params": self.initial_params.tolist() if self.policy.n_params <= 64 else None,
            "best_validation": self.best_validation,
            "train_env_steps": self.config.generations * self.config.steps_per_generation,
            "wall_s": self.wall_s,
            "history": self.history,
        }


CHECKPOINT_KIND = "ncap_checkpoint"
_RESUMABLE_CHANGES = {"step_budget"}


def train_swimmer(cfg: NCAPTrainConfig, pmap: PopulationMap | None = None, progress: bool = True,
                  run_dir: str | Path | None = None, resume: bool = False, checkpoint_every: int = 10) -> TrainResult:
    """Run the strategy for ``cfg.generations`` generations; returns the selected weights and the log.

    With ``run_dir`` a checkpoint (strategy, generator, best weights, log) is written every
    ``checkpoint_every`` generations and at the end; ``resume=True`` continues from it exactly.
    """
    from tqdm import tqdm

    pmap = pmap or PopulationMap(map)
    policy = make_policy(cfg.variant, cfg.n_links, **cfg.policy_config)
    rng = np.random.default_rng(cfg.seed)
    theta0 = policy.initial_params(cfg.init, rng)
    extra = {"learning_rate": cfg.learning_rate} if cfg.algorithm == "es" else {}
    strategy = make_strategy(cfg.algorithm, theta0, cfg.sigma, cfg.population, rng, **extra)
    val_seeds = list(range(VALIDATION_SEED0, VALIDATION_SEED0 + cfg.eval_episodes))

    def validate(theta: np.ndarray) -> float:
        params = np.repeat(theta[None], len(val_seeds), axis=0)
        return float(np.mean(evaluate_population(policy, params, val_seeds, pmap, cfg.episode_steps)))

    def evaluate(x: np.ndarray) -> np.ndarray:
        seed = int(rng.integers(2**20, 2**31))  # common random numbers: one episode seed per generation
        return evaluate_population(policy, x, [seed] * len(x), pmap, cfg.episode_steps)

    log, first, wall0 = EvolveLog(cfg.to_dict(), minimize=False), 1, 0.0
    if resume and run_dir is not None and has_checkpoint(run_dir):
        ck = load_checkpoint(run_dir, CHECKPOINT_KIND, cfg.to_dict(), _RESUMABLE_CHANGES)
        strategy, rng = ck.strategy, ck.rng
        strategy.rng = rng
        best_params, best_val = ck.arrays["best_params"], float(ck.meta["best_validation"])
        log.rows, first, wall0 = list(ck.meta["history"]), ck.generation + 1, float(ck.meta["wall_s"])
    else:
        best_val, best_params = validate(theta0), theta0.copy()
        log.add(0, env_steps=0, validation=best_val, wall_s=0.0)
    toolbox = make_toolbox(strategy, maximizing, pmap.map)
    start = time.perf_counter() - wall0
    bar = tqdm(range(first, cfg.generations + 1), desc=f"{cfg.variant}/{cfg.algorithm}", disable=not progress,
               unit="gen")
    for gen in bar:
        _, fitness = run_generation(toolbox, evaluate)
        record = log.add(gen, fitness, env_steps=gen * cfg.steps_per_generation, sigma=float(strategy.sigma),
                         wall_s=time.perf_counter() - start)
        if (cfg.eval_every and gen % cfg.eval_every == 0) or gen == cfg.generations:
            theta = strategy.center
            record["validation"] = validate(theta)
            if record["validation"] > best_val:
                best_val, best_params = record["validation"], theta.copy()
            if policy.n_params <= 64:
                record["mean_params"] = theta.tolist()
        if run_dir is not None and (gen % checkpoint_every == 0 or gen == cfg.generations):
            meta = {"best_validation": best_val, "history": log.rows, "wall_s": time.perf_counter() - start}
            save_checkpoint(run_dir, CHECKPOINT_KIND, cfg.to_dict(), gen, strategy,
                            {"best_params": best_params, "initial_params": theta0}, meta, rng)
        bar.set_postfix(mean=f"{record['mean']:.0f}", best_val=f"{best_val:.0f}")
    final = best_params if cfg.select == "best" else strategy.center
    return TrainResult(cfg, policy, final, theta0, log.rows, best_val, time.perf_counter() - start)


def write_log(path: str | Path, result: TrainResult, **extra: Any) -> Path:
    """JSON log of a run: :meth:`TrainResult.to_dict` plus ``extra`` keys (e.g. the command line)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**result.to_dict(), **extra}, indent=1) + "\n")
    return path


def plot_learning_curves(path: str | Path, logs: list[dict[str, Any]], title: str = "") -> Path:
    """PNG of population-mean and validation return against training env steps, one colour per log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for k, log in enumerate(logs):
        color = f"C{k}"
        hist = log["history"]
        cfg = log["config"]
        label = f"{cfg['variant']} ({log['n_params']} params, {cfg['algorithm']}, seed {cfg['seed']})"
        steps = [h["env_steps"] for h in hist if "mean" in h]
        ax.plot(steps, [h["mean"] for h in hist if "mean" in h], color=color, alpha=0.35, lw=1)
        val = [(h["env_steps"], h["validation"]) for h in hist if "validation" in h]
        ax.plot(*zip(*val), color=color, marker="o", ms=3, lw=1.5, label=label)
    ax.set_xlabel("training env steps")
    ax.set_ylabel("episode return (of 1000)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title or "swimmer: population mean (thin) and validation of the mean (dots)", fontsize=9)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
