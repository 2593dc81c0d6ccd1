"""The swimmer env: conformance, seeded determinism, and agreement with dm_control's swimmer."""

from __future__ import annotations

import numpy as np
import pytest

from snn_control.swimmer.env import SwimmerEnv
from snn_control.swimmer.model import body_velocities, joint_limit_rad, observation_size, swim_reward, swimmer_xml


def _rollout(env: SwimmerEnv, seed: int, steps: int, action_seed: int = 0):
    rng = np.random.default_rng(action_seed)
    obs = [env.reset(seed)]
    rewards = []
    for _ in range(steps):
        o, r, _, _ = env.step(rng.uniform(-1, 1, env.n_joints))
        obs.append(o)
        rewards.append(r)
    return np.array(obs), np.array(rewards)


def test_conforms():
    env = SwimmerEnv(n_links=4, episode_steps=20)
    assert (env.n_links, env.n_joints) == (4, 3)
    obs = env.reset(1)
    assert obs.shape == (observation_size(3),) == (env.observation_size,) == (3 + 3 * 4,)
    assert np.all(np.isfinite(obs))
    np.testing.assert_array_equal(obs[:3], env.joint_angles)
    done, steps = False, 0
    while not done:
        obs, reward, done, info = env.step(np.ones(3))
        steps += 1
        assert np.all(np.isfinite(obs)) and 0.0 <= reward <= 1.0
        assert info["step"] == steps and info["time_s"] == pytest.approx(0.03 * steps)
    assert steps == 20
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(3))
    for name in ("head", "nose", "ground"):
        assert env.model.geom(name) is not None


@pytest.mark.parametrize("n_links", [3, 6, 15])
def test_model_shape(n_links):
    env = SwimmerEnv(n_links)
    n = n_links - 1
    assert (env.model.nq, env.model.nv, env.model.nu) == (n + 3, n + 3, n)
    np.testing.assert_allclose(env.model.jnt_range[3:], [[-2 * np.pi / n_links, 2 * np.pi / n_links]] * n)
    assert env.n_substeps == 15 and env.model.opt.timestep == 0.002
    np.testing.assert_allclose(env.model.actuator_gear[:, 0], 5e-4)
    assert "joint_4" in swimmer_xml(5) and "joint_5" not in swimmer_xml(5)


def test_seeded_reset_is_reproducible_and_in_range():
    env = SwimmerEnv(6)
    a_obs, a_rew = _rollout(env, seed=7, steps=30)
    b_obs, b_rew = _rollout(env, seed=7, steps=30)
    np.testing.assert_array_equal(a_obs, b_obs)
    np.testing.assert_array_equal(a_rew, b_rew)
    c_obs, _ = _rollout(env, seed=8, steps=30)
    assert not np.array_equal(a_obs[0], c_obs[0])
    headings, joints = [], []
    for seed in range(200):
        env.reset(seed)
        headings.append(env.heading_rad)
        joints.append(env.joint_angles)
    joints = np.array(joints)
    assert -np.pi <= min(headings) and max(headings) < np.pi and np.ptp(headings) > 5.5
    assert np.all(np.abs(joints) <= joint_limit_rad(5)) and np.ptp(joints) > 0.9 * 2 * joint_limit_rad(5)
    np.testing.assert_array_equal(env.data.qvel, 0.0)


def test_reward_and_velocity_helpers():
    np.testing.assert_allclose(swim_reward([-0.1, 0.0, 0.05, 0.1, 0.3]), [0.0, 0.0, 0.5, 1.0, 1.0])
    sensordata = np.arange(12.0)  # two links: velocimeter (3) + gyro (3) each
    np.testing.assert_array_equal(body_velocities(sensordata), [0, 1, 5, 6, 7, 11])


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="n_links"):
        SwimmerEnv(2)
    with pytest.raises(ValueError, match="n_links"):
        SwimmerEnv(6.0)
    with pytest.raises(ValueError, match="episode_steps"):
        SwimmerEnv(6, episode_steps=0)
    env = SwimmerEnv(6)
    with pytest.raises(ValueError, match="action"):
        env.step(np.zeros(4))
    with pytest.raises(ValueError, match="finite"):
        env.step(np.array([0, 0, np.nan, 0, 0]))
    with pytest.raises(ValueError, match="qpos"):
        env.set_state(np.zeros(3), np.zeros(8))


@pytest.mark.parametrize("n_links", [3, 6, 9])
def test_agrees_with_dm_control(n_links):
    """Same body, same stepping: trajectories from a dm_control state match exactly."""
    swimmer = pytest.importorskip("dm_control.suite.swimmer")
    dm_env = swimmer.swimmer(n_links=n_links, random=np.random.RandomState(n_links))
    dm_env.reset()
    physics = dm_env.physics
    env = SwimmerEnv(n_links)
    env.set_state(physics.data.qpos.copy(), physics.data.qvel.copy())
    for field in ("body_mass", "body_inertia", "body_pos", "body_quat", "jnt_range", "jnt_pos", "dof_armature",
                  "dof_damping", "actuator_gear", "actuator_ctrlrange"):
        np.testing.assert_array_equal(getattr(env.model, field), getattr(physics.model, field), err_msg=field)
    np.testing.assert_array_equal(
        [env.model.opt.timestep, env.model.opt.density, env.model.opt.viscosity],
        [physics.model.opt.timestep, physics.model.opt.density, physics.model.opt.viscosity],
    )
    rng = np.random.default_rng(0)
    for _ in range(150):
        action = rng.uniform(-1, 1, n_links - 1)
        step = dm_env.step(action)
        obs, reward, _, _ = env.step(action)
        np.testing.assert_allclose(env.data.qpos, physics.data.qpos, atol=1e-12)
        np.testing.assert_allclose(obs[: n_links - 1], step.observation["joints"], atol=1e-12)
        np.testing.assert_allclose(obs[n_links - 1 :], step.observation["body_velocities"], atol=1e-12)
        v_forward = -physics.named.data.sensordata["head_vel"][1]
        assert reward == pytest.approx(float(np.clip(v_forward / 0.1, 0, 1)), abs=1e-12)
