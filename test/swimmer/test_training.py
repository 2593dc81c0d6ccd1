"""ES strategies (seeded convergence on known functions), population evaluation, real training runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from snn_control.swimmer.policy import make_policy
from snn_control.evolve.es import AdamES, Individual, SeededCMA, centered_ranks
from snn_control.swimmer.rollout import episode_returns, evaluate_population, process_map
from snn_control.swimmer.training import NCAPTrainConfig, plot_learning_curves, train_swimmer, write_log

TARGET = np.array([0.5, -1.5, 2.0, 0.25])


def _optimize(strategy, generations):
    for _ in range(generations):
        population = strategy.generate(Individual)
        for ind in population:
            ind.fitness.values = (-float(np.sum((np.array(ind) - TARGET) ** 2)),)
        strategy.update(population)
    return strategy.mean


def test_centered_ranks():
    np.testing.assert_allclose(centered_ranks([3.0, -1.0, 10.0, 0.0, 5.0]), [0.0, -0.5, 0.5, -0.25, 0.25])


def test_adam_es_converges_and_is_seeded():
    a = _optimize(AdamES(np.zeros(4), sigma=0.1, rng=np.random.default_rng(0), lambda_=8, learning_rate=0.05), 300)
    b = _optimize(AdamES(np.zeros(4), sigma=0.1, rng=np.random.default_rng(0), lambda_=8, learning_rate=0.05), 300)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, TARGET, atol=0.1)


def test_seeded_cma_converges_without_global_random_state():
    before = np.random.get_state()[1].copy()
    a = _optimize(SeededCMA(np.zeros(4), 0.5, np.random.default_rng(1), lambda_=8), 80)
    b = _optimize(SeededCMA(np.zeros(4), 0.5, np.random.default_rng(1), lambda_=8), 80)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, TARGET, atol=1e-3)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_adam_es_samples_are_mirrored_and_validated():
    es = AdamES(np.ones(3), sigma=0.02, rng=np.random.default_rng(2), lambda_=6)
    pop = np.array(es.generate(Individual))
    np.testing.assert_allclose(pop[:3] - 1, -(pop[3:] - 1))
    with pytest.raises(ValueError, match="lambda_"):
        AdamES(np.ones(3), lambda_=7)
    with pytest.raises(ValueError, match="sigma"):
        SeededCMA(np.ones(3), 0.0, np.random.default_rng(0))


def test_population_evaluation_is_the_same_however_it_is_mapped():
    policy = make_policy("rate", 5)
    rng = np.random.default_rng(0)
    params = policy.initial_params() + 0.3 * rng.normal(size=(5, 4))
    seeds = [3, 3, 4, 4, 5]
    serial = evaluate_population(policy, params, seeds, map, 1, episode_steps=60)
    chunked = evaluate_population(policy, params, seeds, map, 3, episode_steps=60)
    np.testing.assert_array_equal(serial, chunked)
    singles = [episode_returns(policy, params[i], [seeds[i]], 60)[0] for i in range(5)]
    np.testing.assert_array_equal(serial, singles)
    with pytest.raises(ValueError, match="params"):
        evaluate_population(policy, params[:3], seeds)
    with pytest.raises(ValueError, match="params"):
        episode_returns(policy, np.zeros(5), [1])


@pytest.mark.slow
def test_process_pool_map_agrees_with_serial():
    policy = make_policy("spiking", 4)
    params = np.repeat(policy.initial_params()[None], 4, axis=0) * [[1.0], [0.9], [1.1], [1.2]]
    serial = evaluate_population(policy, params, [1, 2, 3, 4], map, 2, episode_steps=50)
    with process_map(2) as pool_map:
        pooled = evaluate_population(policy, params, [1, 2, 3, 4], pool_map, 2, episode_steps=50)
    np.testing.assert_array_equal(serial, pooled)


def test_small_training_run_is_seeded_and_logged(tmp_path):
    cfg = NCAPTrainConfig(
        n_links=4, variant="rate", algorithm="cma", population=4, sigma=0.1, step_budget=4 * 100 * 3,
        episode_steps=100, eval_every=1, eval_episodes=2, seed=5,
    )
    first = train_swimmer(cfg, progress=False)
    second = train_swimmer(cfg, progress=False)
    np.testing.assert_array_equal(first.params, second.params)
    assert [h["generation"] for h in first.history] == [0, 1, 2, 3]
    assert first.history[-1]["env_steps"] == 1200 and "validation" in first.history[-1]
    assert first.best_validation == max(h["validation"] for h in first.history)
    log = json.loads(write_log(tmp_path / "log.json", first).read_text())
    assert log["train_env_steps"] == 1200 and log["n_params"] == 4
    png = plot_learning_curves(tmp_path / "curve.png", [log, log])
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "kwargs, field",
    [({"variant": "lstm"}, "variant"), ({"algorithm": "ga"}, "algorithm"), ({"population": 7}, "population"),
     ({"step_budget": 10}, "step_budget"), ({"sigma": -1.0}, "sigma"), ({"n_links": 2}, "n_links"),
     ({"eval_episodes": 0}, "eval_episodes")],
)
def test_train_config_validation_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        NCAPTrainConfig(**kwargs)


@pytest.mark.slow
def test_a_real_training_run_improves_the_untrained_circuit():
    """Paper ES (λ 8, σ 0.02, Adam 0.01) plus CMA-ES on the 6-link swimmer, full episodes."""
    cfg = NCAPTrainConfig(algorithm="cma", population=8, sigma=0.05, step_budget=8 * 1000 * 6, eval_every=2,
                          eval_episodes=3, seed=0)
    result = train_swimmer(cfg, progress=False)
    assert result.history[0]["validation"] == pytest.approx(799, abs=10)
    assert result.best_validation > result.history[0]["validation"] + 15
