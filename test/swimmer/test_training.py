"""ES strategies (seeded convergence on known functions), population evaluation, real training runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from snn_control.swimmer.policy import make_policy
from snn_control.evolve.popmap import PopulationMap, population_map
from snn_control.swimmer.rollout import episode_returns, evaluate_population
from snn_control.swimmer.training import NCAPTrainConfig, plot_learning_curves, train_swimmer, write_log

def test_population_evaluation_is_the_same_however_it_is_mapped():
    policy = make_policy("rate", 5)
    rng = np.random.default_rng(0)
    params = policy.initial_params() + 0.3 * rng.normal(size=(5, 4))
    seeds = [3, 3, 4, 4, 5]
    serial = evaluate_population(policy, params, seeds, PopulationMap(map, 1), episode_steps=60)
    chunked = evaluate_population(policy, params, seeds, PopulationMap(map, 3), episode_steps=60)
    np.testing.assert_array_equal(serial, chunked)
    singles = [episode_returns(policy, params[i], [seeds[i]], 60)[0] for i in range(5)]
    np.testing.assert_array_equal(serial, singles)
    with pytest.raises(ValueError, match="params"):
        evaluate_population(policy, params[:3], seeds)
    with pytest.raises(ValueError, match="params"):
        episode_returns(policy, np.zeros(5), [1])
    slow = make_policy("spiking", 5, control_dt_s=0.05)  # its ticks would not span the body's 0.03 s step
    with pytest.raises(ValueError, match="control_dt_s"):
        episode_returns(slow, slow.initial_params(), [1], 5)


@pytest.mark.slow
def test_process_pool_map_agrees_with_serial():
    policy = make_policy("spiking", 4)
    params = np.repeat(policy.initial_params()[None], 4, axis=0) * [[1.0], [0.9], [1.1], [1.2]]
    serial = evaluate_population(policy, params, [1, 2, 3, 4], PopulationMap(map, 2), episode_steps=50)
    with population_map(2) as pmap:
        assert pmap.backend == "pool"
        pooled = evaluate_population(policy, params, [1, 2, 3, 4], pmap, episode_steps=50)
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


def test_swimmer_training_checkpoints_and_resumes_exactly(tmp_path):
    cfg = NCAPTrainConfig(n_links=4, variant="rate", algorithm="es", population=4, sigma=0.05,
                          step_budget=4 * 60 * 4, episode_steps=60, eval_every=2, eval_episodes=1, seed=2)
    whole = train_swimmer(cfg, progress=False)
    short = NCAPTrainConfig(**{**cfg.to_dict(), "step_budget": 4 * 60 * 2})
    train_swimmer(short, progress=False, run_dir=tmp_path, checkpoint_every=1)
    resumed = train_swimmer(cfg, progress=False, run_dir=tmp_path, resume=True)
    np.testing.assert_array_equal(resumed.params, whole.params)
    assert [h["generation"] for h in resumed.history] == [0, 1, 2, 3, 4]
    assert resumed.history[-1]["best"] == whole.history[-1]["best"]
    other = NCAPTrainConfig(**{**cfg.to_dict(), "sigma": 0.1})
    from snn_control.artifacts.store import ArtifactError

    with pytest.raises(ArtifactError, match="sigma"):
        train_swimmer(other, progress=False, run_dir=tmp_path, resume=True)


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
