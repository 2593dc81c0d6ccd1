"""``snn_control/Swimmer-v0``: the NCAP swimmer's "swim" task over :class:`SwimmerEnv`.

One :meth:`SwimmerGymEnv.step` is one control step (0.03 s) of
:class:`snn_control.swimmer.env.SwimmerEnv` with N = ``n_links - 1`` joints:

    observation  [q_0 .. q_{N-1}, vx_0, vy_0, wz_0, ..., vx_N, vy_N, wz_N]   (``SwimmerEnv.observation()``)
    action       normalized joint torques in [-1, 1]^N
    reward       clip(v_fwd / 0.1 m/s, 0, 1)                                 (``swim_reward``, NCAP)
    truncated    after ``episode_steps`` (1000, 30 s); terminated is always False

Seeding: ``reset(seed=s)`` is ``SwimmerEnv.reset(s)`` (heading and joint angles drawn from
``default_rng(s)``); ``reset()`` draws the swimmer's seed from ``self.np_random``; the ``seed``
kwarg is the seed of a first ``reset()``.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from snn_control.swimmer.model import CONTROL_DT_S, EPISODE_STEPS


class SwimmerGymEnv(gymnasium.Env):
    """dm_control's N-link swimmer with the NCAP "swim" reward.

    Args:
        n_links: number of links (>= 3).
        episode_steps: control steps per episode (truncation).
        seed: seed of the first ``reset()`` called without one.
        render_mode: ``None`` or ``"rgb_array"`` (``SwimmerEnv.render``; ``MUJOCO_GL=egl`` headless).

    Raises:
        ValueError: a bad kwarg, named in the message.
    """

    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 1.0 / CONTROL_DT_S}

    def __init__(
        self,
        n_links: int = 6,
        episode_steps: int = EPISODE_STEPS,
        seed: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        from snn_control.swimmer.env import SwimmerEnv

        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.render_mode = render_mode
        self.sim = SwimmerEnv(n_links=n_links, episode_steps=episode_steps)
        self.n_links, self.n_joints = self.sim.n_links, self.sim.n_joints
        self.episode_steps = self.sim.episode_steps
        self._seed = seed
        self.action_space = spaces.Box(-1.0, 1.0, shape=(self.n_joints,), dtype=np.float64)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(self.sim.observation_size,), dtype=np.float64)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Start an episode from a random heading and joint angles (same seed, same episode)."""
        if seed is None and self._np_random is None:
            seed = self._seed
        super().reset(seed=seed)
        sim_seed = seed if seed is not None else int(self.np_random.integers(2**63))
        obs = self.sim.reset(sim_seed)
        return obs, {"time_s": self.sim.time_s, "step": 0}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Hold normalized torques ``action`` (N,) for one control step."""
        obs, reward, done, info = self.sim.step(action)
        return obs, reward, False, done, info

    def render(self) -> np.ndarray | None:
        """An RGB frame (240, 320, 3) uint8 in ``"rgb_array"`` mode; ``None`` without a render mode."""
        if self.render_mode is None:
            return None
        return self.sim.render()

    def close(self) -> None:
        self.sim.close()
