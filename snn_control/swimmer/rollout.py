"""Swimmer episodes for a batch of policies, and whole populations over a pluggable ``map``.

:func:`episode_returns` steps one :class:`~snn_control.swimmer.env.SwimmerEnv` per (params, seed)
pair while the policy computes all torques at once (batch-first), so a population costs one policy
call per control step. :func:`evaluate_population` sends a population with its episode seeds
through the generic population map (:mod:`snn_control.evolve.popmap`: serial, a process pool, or
a cluster), as DEAP's ``toolbox.map`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from snn_control.evolve.popmap import PopulationMap
from snn_control.evolve.popmap import evaluate_population as generic_evaluate
from snn_control.swimmer.env import SwimmerEnv
from snn_control.swimmer.model import EPISODE_STEPS
from snn_control.swimmer.policy import SwimmerPolicy


def _as_batch(policy: SwimmerPolicy, params: np.ndarray, batch: int) -> np.ndarray:
    p = np.asarray(params, dtype=float)
    p = p[None] if p.ndim == 1 else p
    if p.ndim != 2 or p.shape[1] != policy.n_params or p.shape[0] not in (1, batch):
        raise ValueError(f"params must be shaped ({policy.n_params},) or ({batch}, {policy.n_params}), got {np.shape(params)}")
    if not np.all(np.isfinite(p)):
        raise ValueError("params must be finite")
    return p


def episode_returns(
    policy: SwimmerPolicy,
    params: np.ndarray,
    seeds: Sequence[int],
    episode_steps: int = EPISODE_STEPS,
) -> np.ndarray:
    """Return of one episode per seed; ``params`` (P,) for all, or (len(seeds), P) one each."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one episode")
    p = _as_batch(policy, params, len(seeds))
    envs = [SwimmerEnv(policy.n_joints + 1, episode_steps=episode_steps) for _ in seeds]
    dt = getattr(policy.config, "control_dt_s", None)  # the spiking NCAP's K ticks span one control step
    if dt is not None and abs(dt - envs[0].control_dt_s) > 1e-12:
        raise ValueError(f"the policy's control_dt_s {dt} s differs from the swimmer's control step "
                         f"{envs[0].control_dt_s} s")
    obs = np.stack([env.reset(s) for env, s in zip(envs, seeds)])
    state = policy.initial_state(len(seeds))
    returns = np.zeros(len(seeds))
    for _ in range(episode_steps):
        state, actions = policy.step(p, state, obs)
        for j, env in enumerate(envs):
            obs[j], reward, _, _ = env.step(actions[j])
            returns[j] += reward
    return returns


@dataclass(frozen=True)
class EpisodeTask:
    """A picklable population task: one episode per row of ``params`` with its seed."""

    policy: SwimmerPolicy
    episode_steps: int = EPISODE_STEPS

    def __call__(self, params: np.ndarray, seeds: Sequence[int]) -> np.ndarray:
        return episode_returns(self.policy, params, seeds, self.episode_steps)


def evaluate_population(
    policy: SwimmerPolicy,
    params: np.ndarray,
    seeds: Sequence[int],
    pmap: PopulationMap | None = None,
    episode_steps: int = EPISODE_STEPS,
) -> np.ndarray:
    """Returns ``(len(params),)``: row i of ``params`` (pop, P) for one episode of ``seeds[i]``."""
    p = np.asarray(params, dtype=float)
    if p.ndim != 2 or len(p) != len(seeds):
        raise ValueError(f"params must be shaped (len(seeds)={len(seeds)}, n_params), got {p.shape}")
    return generic_evaluate(EpisodeTask(policy, episode_steps), p, pmap, [int(s) for s in seeds])
