"""The one strategy module: seeded convergence on known functions in both fitness directions,
exact resume from the saved state, and no global random state touched."""

import random

import numpy as np
import pytest

from snn_control.evolve.strategies import (
    AdamES,
    FitnessMax,
    Individual,
    SeededCMA,
    centered_ranks,
    make_strategy,
    maximizing,
    strategy_from_state,
)

TARGET = np.linspace(0.2, 0.8, 6)


def _sphere(population):
    return np.sum((np.asarray(population) - TARGET) ** 2, axis=1)


def _generations(strategy, start, n, seed=0, maximize=False):
    ind_init = maximizing if maximize else Individual
    for g in range(start, start + n):
        strategy.rng = np.random.default_rng([seed, g])
        pop = strategy.generate(ind_init)
        for ind, f in zip(pop, _sphere(pop)):
            ind.fitness.values = (-float(f) if maximize else float(f),)
        strategy.update(pop)
    return strategy


@pytest.mark.parametrize("name,gens,tol", [("cma", 80, 1e-6), ("ga", 80, 1e-2), ("es", 400, 1e-2)])
@pytest.mark.parametrize("maximize", [False, True])
def test_converges_on_sphere_in_either_direction(name, gens, tol, maximize):
    kwargs = {"learning_rate": 0.02} if name == "es" else {}
    s = _generations(make_strategy(name, np.full(6, 0.5), 0.1 if name == "es" else 0.2, 16, **kwargs), 0, gens,
                     maximize=maximize)
    assert _sphere([s.center])[0] < tol


@pytest.mark.parametrize("name", ["cma", "ga", "es"])
def test_state_round_trip_continues_exactly(name):
    a = _generations(make_strategy(name, np.full(6, 0.5), 0.2, 8), 0, 5)
    arrays, scalars = a.state()
    b = strategy_from_state(name, {k: np.array(v) for k, v in arrays.items()}, dict(scalars))
    _generations(a, 5, 5)
    _generations(b, 5, 5)
    np.testing.assert_array_equal(a.center, b.center)


@pytest.mark.parametrize("name", ["cma", "ga", "es"])
def test_seeded_and_global_random_untouched(name):
    np_before, py_before = np.random.get_state()[1].copy(), random.getstate()
    a = _generations(make_strategy(name, np.full(6, 0.5), 0.2, 8), 0, 6, seed=3)
    b = _generations(make_strategy(name, np.full(6, 0.5), 0.2, 8), 0, 6, seed=3)
    c = _generations(make_strategy(name, np.full(6, 0.5), 0.2, 8), 0, 6, seed=4)
    np.testing.assert_array_equal(a.center, b.center)
    assert not np.array_equal(a.center, c.center)
    np.testing.assert_array_equal(np.random.get_state()[1], np_before)
    assert random.getstate() == py_before


def test_centered_ranks_and_mirrored_es_samples():
    np.testing.assert_allclose(centered_ranks([3.0, -1.0, 10.0, 0.0, 5.0]), [0.0, -0.5, 0.5, -0.25, 0.25])
    es = AdamES(np.ones(3), sigma=0.02, rng=np.random.default_rng(2), lambda_=6)
    pop = np.array(es.generate())
    np.testing.assert_allclose(pop[:3] - 1, -(pop[3:] - 1))
    assert isinstance(es.generate()[0].fitness, FitnessMax)


@pytest.mark.parametrize("bad", [{"name": "nelder"}, {"sigma": 0.0}, {"sigma": float("nan")}])
def test_bad_settings_name_the_field(bad):
    args = {"name": "cma", "centroid": np.ones(3), "sigma": 0.1, "lambda_": 4, **bad}
    with pytest.raises(ValueError, match="strategy" if "name" in bad else "sigma"):
        make_strategy(**args)
    with pytest.raises(ValueError, match="lambda_"):
        AdamES(np.ones(3), lambda_=7)
    with pytest.raises(ValueError, match="sigma"):
        SeededCMA(np.ones(3), 0.0, np.random.default_rng(0))


def test_run_generation_returns_the_population_in_the_order_it_was_scored():
    from snn_control.evolve.loop import make_toolbox, run_generation

    strategy = make_strategy("cma", np.full(6, 0.5), 0.2, 8, np.random.default_rng(0))
    genomes, fitness = run_generation(make_toolbox(strategy, Individual), _sphere)
    np.testing.assert_array_equal(fitness, _sphere(genomes))  # DEAP's update sorts its list in place
