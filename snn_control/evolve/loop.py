"""One generation of ask/tell evolution with DEAP's toolbox, the step both robots' runs repeat.

``toolbox.generate()`` asks the strategy for a population, ``evaluate(population_array)`` scores
it (through the population map, vectorized), the fitness is written into the individuals, and
``toolbox.update(population)`` tells the strategy. The robot's loop around it decides the rest:
what each generation is scored on, held-out selection, logging and checkpoints
(:mod:`snn_control.evolve.checkpoint`, :mod:`snn_control.evolve.log`).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from deap import base


def make_toolbox(strategy: Any, ind_init: Callable, pmap_map: Callable = map) -> base.Toolbox:
    """DEAP toolbox with ``generate``/``update`` of ``strategy`` and the population map's ``map``."""
    toolbox = base.Toolbox()
    toolbox.register("map", pmap_map)
    toolbox.register("generate", strategy.generate, ind_init)
    toolbox.register("update", strategy.update)
    return toolbox


def run_generation(toolbox: base.Toolbox, evaluate: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Ask, evaluate every individual at once, tell; returns the population as asked, ``(n, d)``,
    and its fitness ``(n,)`` in the same order (a strategy's ``update`` may reorder the list)."""
    population = toolbox.generate()
    genomes = np.asarray(population, dtype=float)
    fitness = np.asarray(evaluate(genomes.copy()), dtype=float)
    if fitness.shape != (len(population),):
        raise ValueError(f"evaluate returned shape {fitness.shape} for {len(population)} individuals")
    for ind, f in zip(population, fitness):
        ind.fitness.values = (float(f),)
    toolbox.update(population)
    return genomes, fitness
