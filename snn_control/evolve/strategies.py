"""Ask/tell optimizers over [0, 1] gene coordinates, built from DEAP, with explicit seeds.

* :class:`CMAES`: ``deap.cma.Strategy`` (generate/update); sampling draws from a
  ``numpy.random.Generator`` given per generation instead of numpy's global state.
* :class:`GeneticAlgorithm`: DEAP's tournament selection, simulated-binary crossover and polynomial
  mutation (bounded to [0, 1]) with one elite. DEAP's GA operators draw from Python's ``random``
  module, which is reseeded from the run seed and the generation each generation.

Both keep their whole state in arrays and numbers (:meth:`state` / :meth:`from_state`) so a
checkpoint is a plain ``.npz`` + JSON artifact, never a pickle; a resumed run continues exactly.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from deap import base, cma, tools


class FitnessMin(base.Fitness):
    weights = (-1.0,)


class Individual(list):
    """A genome in [0, 1] coordinates with a DEAP fitness (lower is better)."""

    def __init__(self, values: Any) -> None:
        super().__init__(float(v) for v in values)
        self.fitness = FitnessMin()


class _SeededCMA(cma.Strategy):
    rng: np.random.Generator

    def generate(self, ind_init):
        arz = self.rng.standard_normal((self.lambda_, self.dim))
        arz = self.centroid + self.sigma * np.dot(arz, self.BD.T)
        return [ind_init(a) for a in arz]


class CMAES:
    """CMA-ES (DEAP) over ``dim`` genes, population ``lambda_``, started at ``centroid``."""

    name = "cma"
    _ARRAYS = ("centroid", "C", "pc", "ps", "B", "diagD", "BD")

    def __init__(self, centroid: np.ndarray, sigma: float, lambda_: int) -> None:
        self.strategy = _SeededCMA(centroid=np.asarray(centroid, dtype=float), sigma=float(sigma), lambda_=int(lambda_))

    def ask(self, rng: np.random.Generator) -> list[Individual]:
        self.strategy.rng = rng
        return self.strategy.generate(Individual)

    def tell(self, population: list[Individual]) -> None:
        self.strategy.update(population)

    @property
    def center(self) -> np.ndarray:
        return np.asarray(self.strategy.centroid, dtype=float)

    @property
    def sigma(self) -> float:
        return float(self.strategy.sigma)

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        s = self.strategy
        arrays = {f"cma_{k}": np.asarray(getattr(s, k), dtype=float) for k in self._ARRAYS}
        return arrays, {"sigma": float(s.sigma), "update_count": int(s.update_count), "lambda_": int(s.lambda_)}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> "CMAES":
        obj = cls(arrays["cma_centroid"], scalars["sigma"], scalars["lambda_"])
        for k in cls._ARRAYS:
            setattr(obj.strategy, k, np.array(arrays[f"cma_{k}"]))
        obj.strategy.update_count = int(scalars["update_count"])
        return obj


class GeneticAlgorithm:
    """Generational GA with one elite; bounded operators on [0, 1] from ``deap.tools``."""

    name = "ga"

    def __init__(self, centroid: np.ndarray, sigma: float, size: int, seed: int = 0,
                 cxpb: float = 0.6, mutpb: float = 0.3, eta: float = 15.0) -> None:
        self.size, self.cxpb, self.mutpb, self.eta, self.seed = int(size), cxpb, mutpb, eta, seed
        self._sigma = float(sigma)
        self._centroid = np.asarray(centroid, dtype=float)
        self.genomes: np.ndarray | None = None  # last evaluated population
        self.fitness: np.ndarray | None = None

    def ask(self, rng: np.random.Generator) -> list[Individual]:
        if self.genomes is None:
            noise = rng.normal(0.0, self._sigma, (self.size, self._centroid.size))
            start = np.clip(self._centroid + noise, 0.0, 1.0)
            start[0] = np.clip(self._centroid, 0.0, 1.0)
            return [Individual(g) for g in start]
        random.seed(int(rng.integers(2**31)))
        parents = [Individual(g) for g in self.genomes]
        for ind, f in zip(parents, self.fitness):
            ind.fitness.values = (float(f),)
        elite = tools.selBest(parents, 1)[0]
        chosen = [Individual(ind) for ind in tools.selTournament(parents, self.size - 1, tournsize=3)]
        for a, b in zip(chosen[::2], chosen[1::2]):
            if random.random() < self.cxpb:
                tools.cxSimulatedBinaryBounded(a, b, eta=self.eta, low=0.0, up=1.0)
        for ind in chosen:
            if random.random() < self.mutpb:
                tools.mutPolynomialBounded(ind, eta=self.eta, low=0.0, up=1.0, indpb=0.05)
        return [Individual(elite)] + chosen

    def tell(self, population: list[Individual]) -> None:
        self.genomes = np.asarray(population, dtype=float)
        self.fitness = np.array([ind.fitness.values[0] for ind in population])

    @property
    def center(self) -> np.ndarray:
        if self.genomes is None:
            return self._centroid
        return self.genomes[int(np.argmin(self.fitness))]

    @property
    def sigma(self) -> float:
        return float(np.mean(np.std(self.genomes, axis=0))) if self.genomes is not None else self._sigma

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {"ga_centroid": self._centroid}
        if self.genomes is not None:
            arrays.update(ga_genomes=self.genomes, ga_fitness=self.fitness)
        return arrays, {"sigma": self._sigma, "size": self.size, "seed": self.seed}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], scalars: dict[str, Any]) -> "GeneticAlgorithm":
        obj = cls(arrays["ga_centroid"], scalars["sigma"], scalars["size"], scalars.get("seed", 0))
        if "ga_genomes" in arrays:
            obj.genomes, obj.fitness = np.array(arrays["ga_genomes"]), np.array(arrays["ga_fitness"])
        return obj


ALGORITHMS = {"cma": CMAES, "ga": GeneticAlgorithm}


def make_optimizer(name: str, centroid: np.ndarray, sigma: float, population: int, seed: int = 0):
    if name == "cma":
        return CMAES(centroid, sigma, population)
    if name == "ga":
        return GeneticAlgorithm(centroid, sigma, population, seed)
    raise ValueError(f"unknown algorithm {name!r}; choose from {sorted(ALGORITHMS)}")


def optimizer_from_state(name: str, arrays: dict[str, np.ndarray], scalars: dict[str, Any]):
    if name not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {name!r} in checkpoint")
    return ALGORITHMS[name].from_state(arrays, scalars)
