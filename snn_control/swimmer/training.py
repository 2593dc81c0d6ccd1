"""Training swimmer policies (NCAP rate/spiking, MLP baseline) with DEAP strategies.

One generation: the strategy generates λ individuals (``toolbox.generate``), each swims one
episode of a seed shared by the whole generation (common random numbers, a fresh seed every
generation), the population is evaluated at once through ``toolbox.map`` (serial or a process pool,
:func:`snn_control.swimmer.rollout.evaluate_population`), fitness = episode return, then
``toolbox.update``. The budget counts training env steps: λ · episode_steps per generation.
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
from deap import base

from snn_control.swimmer.policy import VARIANTS, SwimmerPolicy, make_policy
from snn_control.evolve.es import AdamES, Individual, SeededCMA
from snn_control.swimmer.rollout import MapFn, evaluate_population
from snn_control.dictio import DictIO

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


def make_strategy(cfg: NCAPTrainConfig, centroid: np.ndarray, rng: np.random.Generator):
    if cfg.algorithm == "cma":
        return SeededCMA(centroid, cfg.sigma, rng, lambda_=cfg.population)
    return AdamES(centroid, cfg.sigma, rng, lambda_=cfg.population, learning_rate=cfg.learning_rate)


def make_toolbox(cfg: NCAPTrainConfig, policy: SwimmerPolicy, strategy, map_fn: MapFn, n_chunks: int) -> base.Toolbox:
    toolbox = base.Toolbox()
    toolbox.register("map", map_fn)
    toolbox.register("generate", strategy.generate, Individual)
    toolbox.register("update", strategy.update)
    toolbox.register(
        "evaluate_population",
        lambda params, seeds: evaluate_population(policy, params, seeds, toolbox.map, n_chunks, cfg.episode_steps),
    )
    return toolbox


def train_swimmer(cfg: NCAPTrainConfig, map_fn: MapFn = map, n_chunks: int = 1, progress: bool = True) -> TrainResult:
    """Run the strategy for ``cfg.generations`` generations; returns the selected weights and the log."""
    from tqdm import tqdm

    policy = make_policy(cfg.variant, cfg.n_links, **cfg.policy_config)
    rng = np.random.default_rng(cfg.seed)
    theta0 = policy.initial_params(cfg.init, rng)
    strategy = make_strategy(cfg, theta0, rng)
    toolbox = make_toolbox(cfg, policy, strategy, map_fn, n_chunks)
    val_seeds = list(range(VALIDATION_SEED0, VALIDATION_SEED0 + cfg.eval_episodes))

    def validate(theta: np.ndarray) -> float:
        returns = toolbox.evaluate_population(np.repeat(theta[None], len(val_seeds), axis=0), val_seeds)
        return float(np.mean(returns))

    start = time.perf_counter()
    best_val, best_params = validate(theta0), theta0.copy()
    history = [{"generation": 0, "env_steps": 0, "validation": best_val, "wall_s": 0.0}]
    bar = tqdm(range(1, cfg.generations + 1), desc=f"{cfg.variant}/{cfg.algorithm}", disable=not progress, unit="gen")
    for gen in bar:
        population = toolbox.generate()
        seed = int(rng.integers(2**20, 2**31))
        fitness = toolbox.evaluate_population(np.array(population, dtype=float), [seed] * len(population))
        for ind, f in zip(population, fitness):
            ind.fitness.values = (float(f),)
        toolbox.update(population)
        record = {
            "generation": gen,
            "env_steps": gen * cfg.steps_per_generation,
            "mean": float(fitness.mean()),
            "max": float(fitness.max()),
            "min": float(fitness.min()),
            "sigma": float(strategy.sigma),
            "wall_s": time.perf_counter() - start,
        }
        if (cfg.eval_every and gen % cfg.eval_every == 0) or gen == cfg.generations:
            theta = strategy.mean
            record["validation"] = validate(theta)
            if record["validation"] > best_val:
                best_val, best_params = record["validation"], theta.copy()
            if policy.n_params <= 64:
                record["mean_params"] = theta.tolist()
        history.append(record)
        bar.set_postfix(mean=f"{record['mean']:.0f}", best_val=f"{best_val:.0f}")
    final = best_params if cfg.select == "best" else strategy.mean
    return TrainResult(cfg, policy, final, theta0, history, best_val, time.perf_counter() - start)


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
