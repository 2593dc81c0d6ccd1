"""Ask/tell strategies with DEAP's contract, each drawing from an explicit ``numpy.random.Generator``.

Every strategy has ``generate(ind_init) -> population`` and ``update(population)`` (DEAP's
``algorithms.eaGenerateUpdate`` contract), a ``rng`` attribute (a ``numpy.random.Generator``: set
it per generation for a run that must resume exactly without storing the generator, or keep one
for the whole run), ``center`` (the current estimate) and ``sigma``, and ``state()`` /
:func:`strategy_from_state` to keep its whole state in arrays and numbers, so a checkpoint is a
plain ``.npz`` + JSON artifact, never a pickle. Individuals are lists with a DEAP fitness:
:class:`FitnessMin` (costs, the blimp) or :class:`FitnessMax` (returns, the swimmer); every
strategy compares through DEAP's weighted fitness, so it works in either direction.

* ``cma``, :class:`SeededCMA`: ``deap.cma.Strategy`` (CMA-ES, Hansen 2001), sampling
  x_j = m + σ (z_j Bᵀ), z_j ~ N(0, I) from ``rng``; ``update`` is DEAP's own.
* ``ga``, :class:`GeneticAlgorithm`: generational GA on [0, 1] genes with one elite, DEAP's
  tournament selection (size 3), simulated-binary crossover and polynomial mutation (bounded). DEAP's
  operators call the ``random`` module; they get a private ``random.Random`` seeded from ``rng``
  for the call (:func:`deap_random`), so the global ``random`` state is never touched.
* ``es``, :class:`AdamES`: the NCAP paper's ES (Salimans et al. 2017 style): mirrored samples
  θ ± σ ε_j (j < λ/2), centered-rank shaping u ∈ [-0.5, 0.5], gradient g = Σ_j u_j ε_j / (λ σ) on
  the weighted fitness, and an Adam ascent step (β1 0.9, β2 0.999, ε 1e-8). Paper: λ 8, σ 0.02, lr 0.01.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
from deap import base, cma, tools
from deap.tools import crossover, mutation, selection


class FitnessMin(base.Fitness):
    weights = (-1.0,)


class FitnessMax(base.Fitness):
    weights = (1.0,)


class Individual(list):
    """A genome (list of floats) with a DEAP fitness; lower is better unless ``fitness=FitnessMax``."""

    def __init__(self, values: Iterable[float], fitness: type = FitnessMin) -> None:
        super().__init__(float(v) for v in values)
        self.fitness = fitness()


def maximizing(values: Iterable[float]) -> Individual:
    """``ind_init`` for a population whose fitness is maximized (episode returns)."""
    return Individual(values, FitnessMax)


def _check_sigma(sigma: float) -> float:
    if not (isinstance(sigma, (int, float)) and np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be > 0, got {sigma!r}")
    return float(sigma)


@contextmanager
def deap_random(seed: int) -> Iterator[random.Random]:
    """DEAP's selection, crossover and mutation operators draw from a private ``random.Random(seed)``."""
    rnd = random.Random(seed)
    modules = (selection, crossover, mutation)
    saved = [m.random for m in modules]
    for m in modules:
        m.random = rnd
    try:
        yield rnd
    finally:
        for m, r in zip(modules, saved):
            m.random = r


class SeededCMA(cma.Strategy):
    """``deap.cma.Strategy`` drawing its samples from ``rng``."""

    name = "cma"
    _ARRAYS = ("centroid", "C", "pc", "ps", "B", "diagD", "BD")

    def __init__(self, centroid: Sequence[float], sigma: float, rng: np.random.Generator | None = None,
                 **kwargs: Any) -> None:
        super().__init__(np.asarray(centroid, dtype=float), _check_sigma(sigma), **kwargs)
        self.rng = rng if rng is not None else np.random.default_rng()

    def generate(self, ind_init: Callable = Individual) -> list:
        z = self.rng.standard_normal((self.lambda_, self.dim))
        return [ind_init(x) for x in self.centroid + self.sigma * np.dot(z, self.BD.T)]

    @property
    def center(self) -> np.ndarray:
        return np.asarray(self.centroid, dtype=float)

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {f"cma_{k}": np.asarray(getattr(self, k), dtype=float) for k in self._ARRAYS}
        return arrays, {"sigma": float(self.sigma), "update_count": int(self.update_count),
                        "lambda_": int(self.lambda_)}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> "SeededCMA":
        obj = cls(arrays["cma_centroid"], scalars["sigma"], lambda_=int(scalars["lambda_"]))
        for k in cls._ARRAYS:
            setattr(obj, k, np.array(arrays[f"cma_{k}"]))
        obj.update_count = int(scalars["update_count"])
        return obj


class GeneticAlgorithm:
    """Generational GA with one elite; bounded operators on [0, 1] from ``deap.tools``."""

    name = "ga"

    def __init__(self, centroid: Sequence[float], sigma: float, lambda_: int, rng: np.random.Generator | None = None,
                 cxpb: float = 0.6, mutpb: float = 0.3, eta: float = 15.0) -> None:
        self.lambda_, self.cxpb, self.mutpb, self.eta = int(lambda_), cxpb, mutpb, eta
        self._sigma = _check_sigma(sigma)
        self._centroid = np.asarray(centroid, dtype=float)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.genomes: np.ndarray | None = None  # last evaluated population
        self.fitness: list | None = None  # their DEAP fitness values

    def generate(self, ind_init: Callable = Individual) -> list:
        if self.genomes is None:
            start = np.clip(self._centroid + self.rng.normal(0.0, self._sigma, (self.lambda_, self._centroid.size)),
                            0.0, 1.0)
            start[0] = np.clip(self._centroid, 0.0, 1.0)
            return [ind_init(g) for g in start]
        with deap_random(int(self.rng.integers(2**31))) as rnd:
            parents = [ind_init(g) for g in self.genomes]
            for ind, f in zip(parents, self.fitness):
                ind.fitness.values = f
            elite = tools.selBest(parents, 1)[0]
            chosen = [ind_init(ind) for ind in tools.selTournament(parents, self.lambda_ - 1, tournsize=3)]
            for a, b in zip(chosen[::2], chosen[1::2]):
                if rnd.random() < self.cxpb:
                    tools.cxSimulatedBinaryBounded(a, b, eta=self.eta, low=0.0, up=1.0)
            for ind in chosen:
                if rnd.random() < self.mutpb:
                    tools.mutPolynomialBounded(ind, eta=self.eta, low=0.0, up=1.0, indpb=0.05)
        return [ind_init(elite)] + chosen

    def update(self, population: list) -> None:
        self.genomes = np.asarray(population, dtype=float)
        self.fitness = [tuple(ind.fitness.values) for ind in population]
        self._best = max(range(len(population)), key=lambda k: population[k].fitness)

    @property
    def center(self) -> np.ndarray:
        return self._centroid if self.genomes is None else self.genomes[self._best]

    @property
    def sigma(self) -> float:
        return float(np.mean(np.std(self.genomes, axis=0))) if self.genomes is not None else self._sigma

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {"ga_centroid": self._centroid}
        if self.genomes is not None:
            arrays.update(ga_genomes=self.genomes, ga_fitness=np.asarray(self.fitness, dtype=float),
                          ga_best=np.array(self._best))
        return arrays, {"sigma": self._sigma, "lambda_": self.lambda_}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> "GeneticAlgorithm":
        obj = cls(arrays["ga_centroid"], scalars["sigma"], scalars["lambda_"])
        if "ga_genomes" in arrays:
            obj.genomes = np.array(arrays["ga_genomes"])
            obj.fitness = [tuple(float(x) for x in row) for row in np.atleast_2d(arrays["ga_fitness"])]
            obj._best = int(arrays["ga_best"])
        return obj


def centered_ranks(fitness: np.ndarray) -> np.ndarray:
    """Ranks mapped linearly to [-0.5, 0.5] (ties broken by order)."""
    f = np.asarray(fitness, dtype=float)
    ranks = np.empty(len(f))
    ranks[np.argsort(f, kind="stable")] = np.arange(len(f))
    return ranks / max(len(f) - 1, 1) - 0.5


class AdamES:
    """Mirrored-sampling ES with rank shaping and Adam (the NCAP paper's ES)."""

    name = "es"
    _ARRAYS = ("centroid", "_m", "_v")

    def __init__(self, centroid: Sequence[float], sigma: float = 0.02, rng: np.random.Generator | None = None,
                 lambda_: int = 8, learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        if isinstance(lambda_, bool) or not isinstance(lambda_, (int, np.integer)) or lambda_ < 2 or lambda_ % 2:
            raise ValueError(f"lambda_ must be an even integer >= 2 (mirrored pairs), got {lambda_!r}")
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        self.centroid = np.array(centroid, dtype=float)
        self.sigma = _check_sigma(sigma)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.lambda_, self.learning_rate = int(lambda_), float(learning_rate)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self._m, self._v = np.zeros_like(self.centroid), np.zeros_like(self.centroid)
        self.update_count = 0

    @property
    def center(self) -> np.ndarray:
        return self.centroid.copy()

    def generate(self, ind_init: Callable = maximizing) -> list:
        half = self.rng.standard_normal((self.lambda_ // 2, len(self.centroid)))
        return [ind_init(x) for x in self.centroid + self.sigma * np.concatenate([half, -half])]

    def update(self, population: Sequence) -> None:
        x = np.array([list(ind) for ind in population], dtype=float)
        f = np.array([ind.fitness.wvalues[0] for ind in population])
        grad = centered_ranks(f) @ ((x - self.centroid) / self.sigma) / (len(f) * self.sigma)
        self.update_count += 1
        self._m = self.beta1 * self._m + (1 - self.beta1) * grad
        self._v = self.beta2 * self._v + (1 - self.beta2) * grad**2
        m_hat = self._m / (1 - self.beta1**self.update_count)
        v_hat = self._v / (1 - self.beta2**self.update_count)
        self.centroid = self.centroid + self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {f"es_{k.lstrip('_')}": np.asarray(getattr(self, k), dtype=float) for k in self._ARRAYS}
        keys = ("sigma", "lambda_", "learning_rate", "beta1", "beta2", "eps", "update_count")
        return arrays, {k: getattr(self, k) for k in keys}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> "AdamES":
        s = dict(scalars)
        count = int(s.pop("update_count"))
        obj = cls(arrays["es_centroid"], **s)
        obj._m, obj._v, obj.update_count = np.array(arrays["es_m"]), np.array(arrays["es_v"]), count
        return obj


STRATEGIES = {"cma": SeededCMA, "ga": GeneticAlgorithm, "es": AdamES}


def make_strategy(name: str, centroid: np.ndarray, sigma: float, lambda_: int,
                  rng: np.random.Generator | None = None, **kwargs: Any) -> Any:
    """A strategy by name (:data:`STRATEGIES`) with population size ``lambda_``."""
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; choose from {sorted(STRATEGIES)}")
    if name == "cma":
        return SeededCMA(centroid, sigma, rng, lambda_=int(lambda_), **kwargs)
    return STRATEGIES[name](centroid, sigma, rng=rng, lambda_=int(lambda_), **kwargs)


def strategy_from_state(name: str, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> Any:
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r} in checkpoint; known: {sorted(STRATEGIES)}")
    return STRATEGIES[name].from_state(arrays, scalars)
