"""DEAP-based optimizers: seeded convergence on a known function, exact resume from their state."""

import numpy as np
import pytest

from snn_control.evolve.strategies import make_optimizer, optimizer_from_state

TARGET = np.linspace(0.2, 0.8, 6)


def _sphere(population):
    x = np.asarray(population)
    return np.sum((x - TARGET) ** 2, axis=1)


def _generations(opt, start, n, seed=0):
    for g in range(start, start + n):
        pop = opt.ask(np.random.default_rng([seed, g]))
        for ind, f in zip(pop, _sphere(pop)):
            ind.fitness.values = (float(f),)
        opt.tell(pop)
    return opt


@pytest.mark.parametrize("name,gens,tol", [("cma", 80, 1e-6), ("ga", 80, 1e-2)])
def test_converges_on_sphere(name, gens, tol):
    opt = _generations(make_optimizer(name, np.full(6, 0.5), 0.2, 16, seed=1), 0, gens)
    assert _sphere([opt.center])[0] < tol


@pytest.mark.parametrize("name", ["cma", "ga"])
def test_state_round_trip_continues_exactly(name):
    a = _generations(make_optimizer(name, np.full(6, 0.5), 0.2, 8), 0, 5)
    arrays, scalars = a.state()
    b = optimizer_from_state(name, {k: np.array(v) for k, v in arrays.items()}, dict(scalars))
    _generations(a, 5, 5)
    _generations(b, 5, 5)
    np.testing.assert_array_equal(a.center, b.center)
