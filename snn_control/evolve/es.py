"""Evolution strategies with DEAP's ask/tell contract (``generate(ind_init)``, ``update(population)``).

Both strategies below plug into DEAP's ``algorithms.eaGenerateUpdate`` or the loop of
:mod:`snn_control.swimmer.training`; individuals carry a DEAP ``fitness`` (maximized).

:class:`SeededCMA` is ``deap.cma.Strategy`` (CMA-ES, Hansen 2001) sampling from an explicit
``numpy.random.Generator`` instead of numpy's global state (``update`` is DEAP's own).

:class:`AdamES` is the simple ES of the NCAP paper (Salimans et al. 2017 style): mirrored samples
θ ± σ ε_j (j < λ/2, ε_j ~ N(0, I)), centered-rank fitness shaping u ∈ [-0.5, 0.5], gradient
estimate g = Σ_j (u_j^+ - u_j^-) ε_j / (λ σ), and an Adam ascent step on θ (β1 0.9, β2 0.999,
ε 1e-8). Paper settings: λ = 8, σ = 0.02, learning rate 0.01.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np
from deap import base, cma


class FitnessMax(base.Fitness):
    weights = (1.0,)


class Individual(list):
    """A parameter vector with a DEAP fitness (no ``creator`` classes needed)."""

    def __init__(self, values: Iterable[float]) -> None:
        super().__init__(float(v) for v in values)
        self.fitness = FitnessMax()


class SeededCMA(cma.Strategy):
    """``deap.cma.Strategy`` drawing its samples from ``rng``."""

    def __init__(self, centroid: Sequence[float], sigma: float, rng: np.random.Generator, **kwargs) -> None:
        if not sigma > 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        super().__init__(centroid, sigma, **kwargs)
        self.rng = rng

    def generate(self, ind_init: Callable = Individual) -> list:
        arz = self.rng.standard_normal((self.lambda_, self.dim))
        return [ind_init(a) for a in self.centroid + self.sigma * arz @ self.BD.T]

    @property
    def mean(self) -> np.ndarray:
        return np.asarray(self.centroid, dtype=float)


def centered_ranks(fitness: np.ndarray) -> np.ndarray:
    """Ranks mapped linearly to [-0.5, 0.5] (ties broken by order)."""
    f = np.asarray(fitness, dtype=float)
    ranks = np.empty(len(f))
    ranks[np.argsort(f, kind="stable")] = np.arange(len(f))
    return ranks / max(len(f) - 1, 1) - 0.5


class AdamES:
    """Mirrored-sampling ES with rank shaping and Adam (the NCAP paper's ES)."""

    def __init__(
        self,
        centroid: Sequence[float],
        sigma: float = 0.02,
        rng: np.random.Generator | None = None,
        lambda_: int = 8,
        learning_rate: float = 0.01,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        if not sigma > 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        if isinstance(lambda_, bool) or not isinstance(lambda_, (int, np.integer)) or lambda_ < 2 or lambda_ % 2:
            raise ValueError(f"lambda_ must be an even integer >= 2 (mirrored pairs), got {lambda_!r}")
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        self.centroid = np.array(centroid, dtype=float)
        self.sigma = float(sigma)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.lambda_ = int(lambda_)
        self.learning_rate = float(learning_rate)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self._m = np.zeros_like(self.centroid)
        self._v = np.zeros_like(self.centroid)
        self.update_count = 0

    @property
    def mean(self) -> np.ndarray:
        return self.centroid.copy()

    def generate(self, ind_init: Callable = Individual) -> list:
        half = self.rng.standard_normal((self.lambda_ // 2, len(self.centroid)))
        noise = np.concatenate([half, -half])
        return [ind_init(x) for x in self.centroid + self.sigma * noise]

    def update(self, population: Sequence) -> None:
        x = np.array([list(ind) for ind in population], dtype=float)
        f = np.array([ind.fitness.values[0] for ind in population])
        noise = (x - self.centroid) / self.sigma
        grad = centered_ranks(f) @ noise / (len(f) * self.sigma)
        self.update_count += 1
        self._m = self.beta1 * self._m + (1 - self.beta1) * grad
        self._v = self.beta2 * self._v + (1 - self.beta2) * grad**2
        m_hat = self._m / (1 - self.beta1**self.update_count)
        v_hat = self._v / (1 - self.beta2**self.update_count)
        self.centroid = self.centroid + self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
