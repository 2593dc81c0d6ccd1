"""Swimmer episodes for a batch of policies, and whole populations over a pluggable ``map``.

:func:`episode_returns` steps one :class:`~snn_control.swimmer.env.SwimmerEnv` per (params, seed)
pair while the policy computes all torques at once (batch-first), so a population costs one policy
call per control step. :func:`evaluate_population` cuts a population into chunks and hands them to
``map_fn`` (the builtin ``map``, a process pool's ``map`` from :func:`process_map`, or a cluster's),
as DEAP's ``toolbox.map`` does.
"""

from __future__ import annotations

import multiprocessing
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np

from snn_control.swimmer.policy import SwimmerPolicy
from snn_control.swimmer.env import SwimmerEnv
from snn_control.swimmer.model import EPISODE_STEPS

MapFn = Callable[..., Iterator]


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
class EpisodeJob:
    """A picklable chunk of work: one episode per row of ``params`` with its seed."""

    policy: SwimmerPolicy
    params: np.ndarray
    seeds: tuple[int, ...]
    episode_steps: int = EPISODE_STEPS


def run_job(job: EpisodeJob) -> np.ndarray:
    return episode_returns(job.policy, job.params, job.seeds, job.episode_steps)


def evaluate_population(
    policy: SwimmerPolicy,
    params: np.ndarray,
    seeds: Sequence[int],
    map_fn: MapFn = map,
    n_chunks: int = 1,
    episode_steps: int = EPISODE_STEPS,
) -> np.ndarray:
    """Returns ``(len(params),)``: row i of ``params`` (pop, P) for one episode of ``seeds[i]``."""
    p = np.asarray(params, dtype=float)
    if p.ndim != 2 or len(p) != len(seeds):
        raise ValueError(f"params must be shaped (len(seeds)={len(seeds)}, n_params), got {p.shape}")
    if n_chunks < 1:
        raise ValueError(f"n_chunks must be >= 1, got {n_chunks}")
    parts = [idx for idx in np.array_split(np.arange(len(p)), min(n_chunks, len(p))) if len(idx)]
    jobs = [EpisodeJob(policy, p[idx], tuple(int(seeds[i]) for i in idx), episode_steps) for idx in parts]
    return np.concatenate(list(map_fn(run_job, jobs)))


@contextmanager
def process_map(workers: int) -> Iterator[MapFn]:
    """``map`` for ``workers <= 1``, else a process pool's ``map`` (spawned workers), closed on exit."""
    if workers <= 1:
        yield map
        return
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield pool.map
