"""The swimmer in MuJoCo, one control step at a time (task "swim", see :mod:`.swimmer_model`).

``SwimmerEnv(n_links)`` owns an ``MjModel``/``MjData`` pair for a body of ``n_links`` links
(``n_joints = n_links - 1``). Each :meth:`SwimmerEnv.step` holds the normalized torques for 0.03 s
(15 physics steps of 0.002 s) and then brings the sensors up to date (``mj_step1``), as
dm_control's ``control.Environment`` does. An episode is 1000 steps (30 s).

Observation (flat, float64): ``[q_0 .. q_{N-1}, vx_0, vy_0, wz_0, ..., vx_N, vy_N, wz_N]``, the N
joint angles (rad, head joint first) then each link's velocity in its own frame, head first.
:attr:`SwimmerEnv.joint_angles` gives the first part alone (what a ROS ``JointState`` carries).

Reset: heading uniform in [-π, π), each joint uniform in its range ±2π/(N+1), drawn from
``numpy.random.default_rng(seed)``: the same seed gives the same episode.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from snn_control.swimmer.model import (
    CONTROL_DT_S,
    EPISODE_STEPS,
    body_velocities,
    check_n_joints,
    joint_limit_rad,
    swim_reward,
    swimmer_xml,
)


@functools.lru_cache(maxsize=32)
def _model(n_joints: int):
    import mujoco

    return mujoco.MjModel.from_xml_string(swimmer_xml(n_joints))


class SwimmerEnv:
    """dm_control's swimmer with N joints and the "swim" reward.

    Args:
        n_links: number of links (>= 3); the body has ``n_links - 1`` actuated joints.
        episode_steps: control steps per episode (``done`` after that many).
        seed: default seed of :meth:`reset`.
    """

    def __init__(self, n_links: int = 6, episode_steps: int = EPISODE_STEPS, seed: int | None = 0) -> None:
        import mujoco

        if isinstance(n_links, bool) or not isinstance(n_links, (int, np.integer)):
            raise ValueError(f"n_links must be an integer, got {n_links!r}")
        self.n_joints = check_n_joints(int(n_links) - 1, field="n_links - 1")
        self.n_links = self.n_joints + 1
        if isinstance(episode_steps, bool) or not isinstance(episode_steps, (int, np.integer)) or episode_steps < 1:
            raise ValueError(f"episode_steps must be a positive integer, got {episode_steps!r}")
        self._mujoco = mujoco
        self.model = _model(self.n_joints)
        self.data = mujoco.MjData(self.model)
        self.episode_steps = int(episode_steps)
        self.control_dt_s = CONTROL_DT_S
        self.n_substeps = int(round(CONTROL_DT_S / self.model.opt.timestep))
        self.joint_limit_rad = joint_limit_rad(self.n_joints)
        self.observation_size = self.n_joints + 3 * self.n_links
        self._head_vel = self.model.sensor("head_vel").adr[0]
        self._seed = seed
        self._renderer = None
        self.reset(seed)

    def reset(self, seed: int | None = None) -> np.ndarray:
        """Start an episode from a random heading and joint angles; returns the observation."""
        rng = np.random.default_rng(self._seed if seed is None else seed)
        heading = rng.uniform(-np.pi, np.pi)
        joints = rng.uniform(-self.joint_limit_rad, self.joint_limit_rad, size=self.n_joints)
        qpos = np.concatenate([[0.0, 0.0, heading], joints])
        return self.set_state(qpos, np.zeros(self.model.nv))

    def set_state(self, qpos: np.ndarray, qvel: np.ndarray) -> np.ndarray:
        """Start an episode from an explicit state (e.g. one copied from dm_control)."""
        qpos, qvel = np.asarray(qpos, dtype=float), np.asarray(qvel, dtype=float)
        if qpos.shape != (self.model.nq,) or qvel.shape != (self.model.nv,):
            raise ValueError(f"qpos/qvel must be shaped ({self.model.nq},)/({self.model.nv},), got {qpos.shape}/{qvel.shape}")
        self._mujoco.mj_resetData(self.model, self.data)
        self.data.qpos[:] = qpos
        self.data.qvel[:] = qvel
        self._mujoco.mj_forward(self.model, self.data)
        self.t = 0
        self.episode_return = 0.0
        return self.observation()

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, dict[str, Any]]:
        """Hold normalized torques ``action`` (N,) in [-1, 1] for one control step."""
        if self.t >= self.episode_steps:
            raise RuntimeError("episode is over (done was True): call reset() first")
        a = np.asarray(action, dtype=float)
        if a.shape != (self.n_joints,):
            raise ValueError(f"action must be shaped ({self.n_joints},), got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"action must be finite, got {a}")
        self.data.ctrl[:] = np.clip(a, -1.0, 1.0)
        self._mujoco.mj_step(self.model, self.data, self.n_substeps)
        self._mujoco.mj_step1(self.model, self.data)  # sensors of the new state, as dm_control
        self.t += 1
        v = self.forward_velocity_mps
        reward = float(swim_reward(v))
        self.episode_return += reward
        info = {"v_forward_mps": v, "time_s": float(self.data.time), "step": self.t}
        return self.observation(), reward, self.t >= self.episode_steps, info

    def observation(self) -> np.ndarray:
        return np.concatenate([self.joint_angles, body_velocities(self.data.sensordata)])

    @property
    def joint_angles(self) -> np.ndarray:
        """Joint angles (rad), head joint first, shape (N,)."""
        return self.data.qpos[3:].copy()

    @property
    def forward_velocity_mps(self) -> float:
        """Head velocity along the nose (m/s)."""
        return float(-self.data.sensordata[self._head_vel + 1])

    @property
    def heading_rad(self) -> float:
        return float(self.data.qpos[2])

    @property
    def time_s(self) -> float:
        return float(self.data.time)

    def render(self, width: int = 320, height: int = 240, camera: str = "tracking1") -> np.ndarray:
        """RGB frame (height, width, 3) uint8; headless with ``MUJOCO_GL=egl``."""
        if self._renderer is None or (self._renderer.width, self._renderer.height) != (width, height):
            if self._renderer is not None:
                self._renderer.close()
            self._renderer = self._mujoco.Renderer(self.model, height=height, width=width)
        self._renderer.update_scene(self.data, camera=camera)
        return self._renderer.render()

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
