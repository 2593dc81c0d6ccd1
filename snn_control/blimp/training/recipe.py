"""Evolve a blimp PD-SNN or I-SNN with DEAP: imitation stage, optional closed-loop stage.

Stage 1 (the paper's): minimize MAE + 1 - Pearson against the PID's PD or I term on a freshly
recorded PID flight every generation. Stage 2 (optional, beyond the paper): minimize the tracking
cost of the network flying the twin together with a fixed partner (the PID's other term, or the
other evolved network), starting from stage 1's result. In each stage the best individual of every
generation and the optimizer's centre are candidates; every ``holdout_every`` generations they
are scored on the stage's held-out task and the best so far is kept: that genome is deployed.

A run writes into ``out_dir``: ``checkpoint.npz/.json`` every ``checkpoint_every`` generations
(resume with ``resume=True``), ``log.json`` (per-generation fitness, held-out scores) and
``fitness.png``.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from snn_control.blimp.plant import PlantDistribution
from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.training.data import ProfileSpec
from snn_control.blimp.training.fitness import ClosedLoopWeights
from snn_control.blimp.training.initial import designed_pd_genomes, initial_genome, random_genome
from snn_control.blimp.training.tasks import ClosedLoopTask, TaskSource
from snn_control.dictio import DictIO
from snn_control.evolve.checkpoint import has_checkpoint, load_checkpoint, save_checkpoint
from snn_control.evolve.log import EvolveLog, plot_fitness
from snn_control.evolve.loop import make_toolbox, run_generation
from snn_control.evolve.popmap import PopulationMap, evaluate_population, population_map
from snn_control.evolve.strategies import Individual, make_strategy

CHECKPOINT_KIND = "blimp_snn_checkpoint"
INITS = ("prior", "design", "random")
_RESUMABLE_CHANGES = {"generations", "closed_loop_generations", "workers", "checkpoint_every"}
STAGE_TITLES = {"imitation": "imitation: MAE + 1 - Pearson", "closed_loop": "closed loop: tracking cost"}


@dataclass(frozen=True)
class EvolveConfig(DictIO):
    """Settings of one run (defaults: a run of a few minutes on two cores)."""

    role: str = "pd"
    hidden: str = ""  # "" = the paper's kind for the role (lif for pd, iwta for i)
    n_pairs: int = 20
    block: bool = False
    readout: str = ""  # "" = the role's: leaky for pd, integrating for i
    readout_bound: float = 0.0  # 0 = the readout's: 1.5 (leaky, the paper's), 0.02 per spike (integrating)
    weight_bound: float = 1.5  # bound of the l0 and l1 weights and biases (the paper's 1.5)
    plants: str = "random"  # "random": every flight on a plant drawn from PlantDistribution; "nominal"
    algorithm: str = "cma"
    population: int = 48
    generations: int = 300
    sigma: float = 0.05  # initial step in [0, 1] gene coordinates (paper: 0.005)
    init: str = "prior"  # "prior" (active network + least-squares readout), "design" (pd), "random", or an
    #                      artifact path (.npz): start from that network (same layout), e.g. to refine it
    init_candidates: int = 32
    closed_loop_generations: int = 0
    closed_loop_sigma: float = 0.02
    partner: str = "pid"  # closed-loop partner: "pid" (its other term) or an artifact path
    train_segments: int = 4
    imitation_flights: int = 6  # PID flights per imitation generation (each on its own plant)
    pd_target: str = "clean"  # the PD-SNN imitates the PID's PD on the true error ("clean") or as sensed
    holdout_segments: int = 12
    closed_loop_segments: int = 4
    closed_loop_profiles: int = 3  # flights per individual per generation (cost averaged)
    holdout_profiles: int = 3  # held-out closed-loop flights (cost averaged)
    corner_flights: int = 0  # of closed_loop_profiles, flights on corner plants (every range at an end)
    holdout_corner_flights: int = 0  # of holdout_profiles, flights on corner plants
    corner_tail: float = 0.15  # a corner plant's parameters lie in this share of their ranges' ends
    sse_weight: float = 2.0
    overshoot_weight: float = 3.0
    overshoot_target_pct: float = 10.0
    du_weight: float = 0.0  # closed-loop cost per unit of mean |u[k] - u[k-1]| (beyond the PID's, versus_pid)
    floor_weight: float = 0.02  # closed-loop cost per second on the floor below the set-point
    versus_pid: bool = True  # closed-loop cost relative to the PID flying the same plant and profile
    worst_weight: float = 0.0  # closed-loop cost = (1 - w) mean + w max over a generation's flights
    step_weight: float = 0.0  # versus_pid: cost per point a step overshoots beyond the PID's on that step
    step_margin_pts: float = 0.0  # ... less this margin
    common_noise: bool = False  # closed loop: all genomes read one noise sequence per flight (common random numbers)
    imitation_weight: float = 0.0  # the paper's imitation fitness kept in the closed-loop cost, this weight
    min_pearson: float = 0.0  # closed-loop cost + pearson_weight * max(0, min_pearson - r) (r: vs the PID term)
    pearson_weight: float = 0.0
    holdout_every: int = 25
    checkpoint_every: int = 50
    workers: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        self.layout()  # validates role, hidden, n_pairs
        if self.pd_target not in ("clean", "sensed"):
            raise ValueError(f"EvolveConfig.pd_target must be 'clean' or 'sensed', got {self.pd_target!r}")
        if self.plants not in ("random", "nominal"):
            raise ValueError(f"EvolveConfig.plants must be 'random' or 'nominal', got {self.plants!r}")
        if (self.step_weight or self.step_margin_pts) and not self.versus_pid:
            raise ValueError("EvolveConfig.step_weight compares each step with the PID's: it needs versus_pid (--cost pid)")
        if not 0 < self.weight_bound < np.inf:
            raise ValueError(f"EvolveConfig.weight_bound must be > 0, got {self.weight_bound}")
        if not self.readout_bound >= 0:
            raise ValueError(f"EvolveConfig.readout_bound must be >= 0 (0: the readout's default), got {self.readout_bound}")
        if self.algorithm not in ("cma", "ga"):
            raise ValueError(f"EvolveConfig.algorithm must be 'cma' or 'ga', got {self.algorithm!r}")
        if self.init not in INITS and not str(self.init).endswith(".npz"):
            raise ValueError(f"EvolveConfig.init must be one of {INITS} or an artifact path (.npz), got {self.init!r}")
        if self.init == "design" and (self.role != "pd" or self.layout().adaptive):
            raise ValueError("EvolveConfig.init 'design' builds PD-SNNs with a LIF hidden layer (role pd)")
        for name in ("population", "holdout_every", "checkpoint_every", "workers", "init_candidates",
                     "closed_loop_profiles", "holdout_profiles", "imitation_flights"):
            if getattr(self, name) < 1:
                raise ValueError(f"EvolveConfig.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("generations", "closed_loop_generations"):
            if getattr(self, name) < 0:
                raise ValueError(f"EvolveConfig.{name} must be >= 0, got {getattr(self, name)}")
        if not 0 <= self.corner_flights <= self.closed_loop_profiles:
            raise ValueError(f"EvolveConfig.corner_flights must be in 0..closed_loop_profiles "
                             f"({self.closed_loop_profiles}), got {self.corner_flights}")
        if not 0 <= self.holdout_corner_flights <= self.holdout_profiles:
            raise ValueError(f"EvolveConfig.holdout_corner_flights must be in 0..holdout_profiles "
                             f"({self.holdout_profiles}), got {self.holdout_corner_flights}")
        if not 0 < self.corner_tail <= 0.5:
            raise ValueError(f"EvolveConfig.corner_tail must be in (0, 0.5], got {self.corner_tail}")
        if self.generations + self.closed_loop_generations < 1:
            raise ValueError("EvolveConfig: generations + closed_loop_generations must be >= 1")
        for name in ("sigma", "closed_loop_sigma"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"EvolveConfig.{name} must be in (0, 1], got {getattr(self, name)}")

    def layout(self) -> BlimpSNNLayout:
        readout = self.readout or ("integrating" if self.role == "i" else "leaky")
        bound = self.readout_bound or (0.02 if readout == "integrating" else 1.5)
        return BlimpSNNLayout.for_role(self.role, self.hidden or None, n_pairs=self.n_pairs, block=self.block,
                                       readout_bound=bound, readout=readout, weight_bound=self.weight_bound)

    def stages(self) -> list[tuple[str, int, int]]:
        """``(name, first generation, end generation)`` of each stage that runs."""
        out, g = [], 0
        for name, n in (("imitation", self.generations), ("closed_loop", self.closed_loop_generations)):
            if n:
                out.append((name, g, g + n))
                g += n
        return out



@dataclass
class EvolveResult:
    layout: BlimpSNNLayout
    genome: np.ndarray  # deployed genome (genes, not [0, 1] coordinates)
    holdout: dict[str, float]  # best held-out score per stage
    generations: int
    wall_s: float
    log: EvolveLog


def _partner(config: EvolveConfig) -> Any:
    if config.partner == "pid":
        return "pid_i" if config.role == "pd" else "pid_pd"
    from snn_control.blimp.snn.controller import load_blimp_snn

    other = "i" if config.role == "pd" else "pd"
    path = None if config.partner == "shipped" else config.partner
    if path is None:
        from snn_control.artifacts.store import shipped_artifact

        path = shipped_artifact("i_snn" if other == "i" else "pd_snn")
    layout, genome, _ = load_blimp_snn(path, role=other)
    return (layout.to_dict(), genome)


def _task_source(config: EvolveConfig, layout: BlimpSNNLayout) -> TaskSource:
    weights = ClosedLoopWeights(config.sse_weight, config.overshoot_weight, config.overshoot_target_pct,
                                config.du_weight, config.floor_weight, config.versus_pid,
                                worst=config.worst_weight, step_pts=config.step_weight,
                                step_margin_pts=config.step_margin_pts, common_noise=config.common_noise)
    partner = _partner(config) if config.closed_loop_generations else "pid_i"
    return TaskSource(
        layout,
        config.seed,
        train=ProfileSpec(n_segments=config.train_segments),
        holdout=ProfileSpec(n_segments=config.holdout_segments, segment_s=(25.0, 45.0)),
        closed_loop=ProfileSpec(n_segments=config.closed_loop_segments, segment_s=(15.0, 35.0)),
        partner=partner,
        weights=weights,
        closed_loop_profiles=config.closed_loop_profiles,
        holdout_profiles=config.holdout_profiles,
        plants=PlantDistribution() if config.plants == "random" else None,
        imitation_flights=config.imitation_flights if config.plants == "random" else 1,
        clean_pd=config.pd_target == "clean",
        imitation_weight=config.imitation_weight,
        min_pearson=config.min_pearson,
        pearson_weight=config.pearson_weight,
        corner_flights=config.corner_flights,
        holdout_corner_flights=config.holdout_corner_flights,
        corner_tail=config.corner_tail,
    )


class _Run:
    """Mutable state of a run: generation, optimizer, candidates, best genome per stage."""

    def __init__(self, layout: BlimpSNNLayout) -> None:
        self.layout = layout
        self.gen = 0
        self.stage = ""
        self.optimizer: Any = None
        self.candidates: list[np.ndarray] = []
        self.best: dict[str, np.ndarray] = {}
        self.best_score: dict[str, float] = {}
        self.init: np.ndarray | None = None  # the genome evolution started from
        self.wall_s = 0.0


def _initial_genome(run: _Run, config: EvolveConfig, source: TaskSource, pmap: PopulationMap) -> np.ndarray:
    layout, rng = run.layout, np.random.default_rng([config.seed, 3])
    if config.init not in INITS:
        return artifact_genome(config.init, layout)
    if config.init == "random":
        return random_genome(layout, rng)
    if config.init == "design":
        candidates = designed_pd_genomes(layout)
        task = ClosedLoopTask(layout, source.init_profiles(), "pid_i", 7, source.weights, source.init_plants())
        return candidates[int(np.argmin(evaluate_population(task, candidates, pmap)))]
    task = source.imitation(0)
    return initial_genome(layout, task.errors_m, task.target, rng, config.init_candidates)[0]


def artifact_genome(path: str | Path, layout: BlimpSNNLayout) -> np.ndarray:
    """The genome of the network artifact at ``path``, which must have ``layout``.

    Raises:
        ArtifactError: missing or corrupt files, or another role.
        ValueError: the artifact's layout differs from ``layout``.
    """
    from snn_control.blimp.snn.controller import load_blimp_snn

    other, genome, _ = load_blimp_snn(path, role=layout.role)
    mine, theirs = layout.to_dict(), other.to_dict()
    if mine != theirs:
        diff = {k: (v, mine.get(k)) for k, v in theirs.items() if mine.get(k) != v}
        raise ValueError(f"{path}: its layout differs from the run's (artifact, run): {diff}")
    return np.asarray(genome, dtype=float)


def _start_stage(run: _Run, config: EvolveConfig, stage: str, source: TaskSource, pmap: PopulationMap) -> None:
    if run.init is None:
        run.init = _initial_genome(run, config, source, pmap)
    genome, sigma = run.init, config.sigma
    if stage == "closed_loop":
        sigma = config.closed_loop_sigma
        if "imitation" in run.best:  # start from the better of stage 1's result and the initial genome
            pool = np.array([run.best["imitation"], run.init])
            scores = evaluate_population(source.closed_loop_holdout(), pool, pmap)
            genome = pool[int(np.argmin(scores))]
    run.stage = stage
    run.optimizer = make_strategy(config.algorithm, run.layout.normalize(genome), sigma, config.population)
    run.candidates = [np.asarray(genome, dtype=float)]


def _holdout(run: _Run, source: TaskSource, pmap: PopulationMap) -> float:
    task = source.imitation_holdout() if run.stage == "imitation" else source.closed_loop_holdout()
    pool = np.asarray(run.candidates + [run.layout.denormalize(run.optimizer.center)])
    scores = evaluate_population(task, pool, pmap)
    k = int(np.argmin(scores))
    if scores[k] < run.best_score.get(run.stage, np.inf):
        run.best[run.stage], run.best_score[run.stage] = pool[k].copy(), float(scores[k])
    run.candidates = []
    return float(scores[k])


def evolve(
    config: EvolveConfig,
    out_dir: str | Path,
    resume: bool = False,
    progress: bool = True,
    pmap: PopulationMap | None = None,
) -> EvolveResult:
    """Run (or resume) evolution; returns the deployed genome and the run's log."""
    from tqdm import tqdm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    layout = config.layout()
    source = _task_source(config, layout)
    run, log = _Run(layout), EvolveLog(config.to_dict())
    if resume and has_checkpoint(out):
        _load_checkpoint(out, config, run, log)
    total = config.generations + config.closed_loop_generations
    bar = tqdm(total=total, initial=run.gen, disable=not progress, desc=f"evolve {config.role}-snn", unit="gen")
    t_start = time.perf_counter() - run.wall_s
    with population_map(config.workers) if pmap is None else nullcontext(pmap) as pmap:
        for stage, first, end in config.stages():
            if run.gen >= end:
                continue
            if run.stage != stage:
                _start_stage(run, config, stage, source, pmap)
            toolbox = make_toolbox(run.optimizer, Individual, pmap.map)
            while run.gen < end:
                g = run.gen
                task = source.imitation(g) if stage == "imitation" else source.closed_loop_task(g)
                run.optimizer.rng = np.random.default_rng([config.seed, 4, g])  # resumable without rng state
                population, fitness = run_generation(
                    toolbox, lambda x: evaluate_population(task, layout.denormalize(x), pmap))
                run.candidates.append(layout.denormalize(population[int(np.argmin(fitness))]))
                run.gen += 1
                held = None
                if run.gen % config.holdout_every == 0 or run.gen == end:
                    held = _holdout(run, source, pmap)
                run.wall_s = time.perf_counter() - t_start
                log.add(g, fitness, stage=stage, sigma=float(run.optimizer.sigma), holdout=held, wall_s=run.wall_s)
                bar.update(1)
                bar.set_postfix(stage=stage, best=f"{fitness.min():.3f}",
                                holdout=f"{run.best_score.get(stage, np.nan):.3f}")
                if run.gen % config.checkpoint_every == 0 or run.gen == end:
                    _save_checkpoint(out, config, run, log)
    bar.close()
    final_stage = config.stages()[-1][0]
    return EvolveResult(layout, run.best[final_stage], dict(run.best_score), run.gen, run.wall_s, log)


def _save_checkpoint(out: Path, config: EvolveConfig, run: _Run, log: EvolveLog) -> None:
    arrays = {f"best_{stage}": genome for stage, genome in run.best.items()}
    arrays["candidates"] = np.asarray(run.candidates).reshape(-1, run.layout.n_genes)
    if run.init is not None:
        arrays["init_genome"] = run.init
    meta = {"stage": run.stage, "best_score": run.best_score, "wall_s": run.wall_s}
    save_checkpoint(out, CHECKPOINT_KIND, config.to_dict(), run.gen, run.optimizer, arrays, meta)
    log.write(out / "log.json")
    plot_fitness(log, out / "fitness.png", STAGE_TITLES)


def _load_checkpoint(out: Path, config: EvolveConfig, run: _Run, log: EvolveLog) -> None:
    ck = load_checkpoint(out, CHECKPOINT_KIND, config.to_dict(), _RESUMABLE_CHANGES)
    run.gen, run.optimizer = ck.generation, ck.strategy
    run.stage, run.wall_s = str(ck.meta["stage"]), float(ck.meta["wall_s"])
    run.best = {k[5:]: v for k, v in ck.arrays.items() if k.startswith("best_")}
    run.best_score = {k: float(v) for k, v in ck.meta["best_score"].items()}
    run.candidates = list(ck.arrays["candidates"])
    run.init = ck.arrays.get("init_genome")
    log.load(out / "log.json", upto=run.gen)
