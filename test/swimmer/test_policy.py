"""Swimmer policy adapter and artifacts: round trips, corrupt files, shipped models, ROS parity."""

from __future__ import annotations

import json

import numpy as np
import pytest

from snn_control.artifacts.store import ArtifactError, shipped_artifact
from snn_control.swimmer.ncap import NCAPController
from snn_control.swimmer.policy import SwimmerPolicy, load_controller, load_policy, make_policy, save_policy
from snn_control.swimmer.ncap_spiking import SpikingNCAPController
from snn_control.swimmer.env import SwimmerEnv
from snn_control.swimmer.rollout import episode_returns


@pytest.mark.parametrize(
    "variant, kwargs", [("rate", {}), ("rate", {"shared": False}), ("spiking", {"population": 2}), ("mlp", {})]
)
def test_artifact_round_trip(tmp_path, variant, kwargs):
    policy = make_policy(variant, 5, **kwargs)
    params = policy.initial_params("random", 3) if variant != "mlp" else policy.initial_params(rng=3)
    save_policy(tmp_path / "p", policy, params, {"training": {"note": "test"}})
    loaded, loaded_params, meta = load_policy(tmp_path / "p.npz")
    assert loaded == policy
    np.testing.assert_array_equal(loaded_params, params)
    assert meta["training"] == {"note": "test"} and meta["variant"] == variant


def test_corrupt_or_mismatched_artifacts_are_rejected(tmp_path):
    policy = make_policy("rate", 6)
    path = save_policy(tmp_path / "p", policy, policy.initial_params())
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ArtifactError, match="checksum"):
        load_policy(path)
    path = save_policy(tmp_path / "q", policy, policy.initial_params())
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta["metadata"]["variant"] = "quantum"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="variant"):
        load_policy(path)
    meta["metadata"]["variant"] = "rate"
    meta["metadata"]["config"]["n_joints"] = 7  # params no longer fit? (4 shared weights still do)
    meta["metadata"]["config"]["shared"] = False
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="params"):
        load_policy(path)
    with pytest.raises(ValueError, match="params"):
        save_policy(tmp_path / "r", policy, np.zeros(5))
    with pytest.raises(ArtifactError, match="not found|no shipped"):
        load_policy(tmp_path / "missing")


def test_policy_validation_and_transfer():
    with pytest.raises(ValueError, match="variant"):
        make_policy("lstm", 6)
    with pytest.raises(ValueError, match="n_links"):
        make_policy("rate", 2)
    with pytest.raises(ValueError, match="config"):
        SwimmerPolicy("spiking", make_policy("rate", 6).config)
    rate = make_policy("rate", 6)
    assert rate.with_joints(9).n_joints == 9 and rate.with_joints(9).n_params == 4
    with pytest.raises(ValueError, match="n_joints"):
        make_policy("rate", 6, shared=False).with_joints(9)
    with pytest.raises(ValueError, match="n_joints"):
        make_policy("mlp", 6).with_joints(9)
    assert SwimmerPolicy.from_dict(make_policy("spiking", 8).to_dict()) == make_policy("spiking", 8)


@pytest.mark.parametrize("name, cls", [("ncap_rate_6link", NCAPController), ("ncap_spiking_6link", SpikingNCAPController)])
def test_shipped_artifacts(name, cls):
    path = shipped_artifact(name)
    assert path.stat().st_size < 4096 and path.with_suffix(".json").stat().st_size < 16384
    policy, params, meta = load_policy(name)
    assert policy.n_joints == 5 and policy.config.shared and policy.n_params == 4
    assert params[:3].min() > 0 and params[3] < 0  # a trained circuit keeps the prior's signs
    assert meta["training"]["config"]["n_links"] == 6 and "evaluation" in meta
    controller = load_controller(name, n_links=10)
    assert isinstance(controller, cls) and controller.n_joints == 9


@pytest.mark.parametrize("variant", ["rate", "spiking"])
def test_a_stepwise_episode_equals_the_offline_rollout(variant):
    """What a ROS node does (controller.step on joint angles) returns exactly the offline return."""
    policy, params, _ = load_policy(f"ncap_{variant}_6link")
    seeds = [11, 12, 13]
    offline = episode_returns(policy, np.repeat(params[None], 3, axis=0), seeds, episode_steps=200)
    controller = policy.controller(params)
    env = SwimmerEnv(6, episode_steps=200)
    for seed, expected in zip(seeds, offline):
        env.reset(seed)
        controller.reset()
        total, done = 0.0, False
        while not done:
            _, reward, done, _ = env.step(controller.step(env.joint_angles))
            total += reward
        assert total == expected
