"""Fitness of blimp SNN genomes, a whole population per call (lower is better).

Imitation (the paper's): outputs y of each individual on a recorded error sequence against the
PID's term y* (PD or I):

    F = MAE(y, y*) + (1 - r(y, y*)),   r = Pearson correlation (0 when y or y* is constant)

Closed loop (beyond the paper, optional second stage): each individual flies the numpy twin under a
set-point profile, its output added to a fixed partner's (the other SNN or the PID's other term):

    J = RMSE(z - z_ref) + w_sse * SSE + w_os * E_os,
    E_os = max over steps of max(0, excursion past the new set-point - os_target * |step|)  (m)

with RMSE, SSE and the excursions as in :mod:`snn_control.blimp.metrics`, for all rows at once
(the excess is in metres, not percent: a 3 cm step must not dominate the cost).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np

from snn_control.blimp.snn.network import (
    BlimpSNNParams,
    blimp_snn_initial_state,
    blimp_snn_rollout,
    blimp_snn_step,
)
from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.pid import PIDParams, pid_initial_state, pid_step
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.twin import BlimpBatchSim
from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp.tof import ToFSensor
from snn_control.snn.pairs import partner_index

PARTNERS = ("pid_pd", "pid_i")  # or a fixed BlimpSNNParams (batch of one)


def imitation_fitness(outputs: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``MAE + 1 - Pearson`` per row of ``outputs`` ``(pop, T)`` against ``target`` ``(T,)``."""
    y = np.atleast_2d(np.asarray(outputs, dtype=float))
    t = np.asarray(target, dtype=float)
    mae = np.mean(np.abs(y - t), axis=-1)
    yc = y - y.mean(axis=-1, keepdims=True)
    tc = t - t.mean()
    denom = np.sqrt(np.sum(yc**2, axis=-1) * np.sum(tc**2))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(denom > 1e-12, np.sum(yc * tc, axis=-1) / np.where(denom > 0, denom, 1.0), 0.0)
    return mae + 1.0 - r


def evaluate_imitation(
    layout: BlimpSNNLayout, genomes: np.ndarray, errors_m: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """Fitness ``(pop,)`` of genomes ``(pop, n_genes)`` on one sequence: one vectorized pass."""
    outputs = blimp_snn_rollout(layout.decode(genomes), np.asarray(errors_m, dtype=float))
    fit = imitation_fitness(outputs, target)
    return np.where(np.isfinite(fit), fit, 1e6)


@dataclass(frozen=True)
class ClosedLoopWeights:
    sse: float = 2.0
    overshoot: float = 3.0  # per metre of excess excursion
    overshoot_target_pct: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Flights(NamedTuple):
    """Closed-loop flights of a batch, ``(batch, T)``: time, true altitude, command, set-point."""

    t_s: np.ndarray
    z_m: np.ndarray
    u: np.ndarray
    setpoint_m: np.ndarray


def fly_batch(
    candidate: BlimpSNNParams,
    partner: str | BlimpSNNParams,
    setpoints_m: np.ndarray,
    seed: int = 0,
    dynamics: BlimpDynamics = BlimpDynamics(),
    sensor: ToFSensor = ToFSensor(),
    u_max: float = 10.0,
    control_period_s: float = 0.1,
) -> Flights:
    """Fly every candidate row (plus the fixed partner) in the twin, all at once.

    ``setpoints_m`` is the set-point per control tick, ``(T,)`` for every row or ``(batch, T)``.
    Readings below the sensor's range (``-inf``) count as its minimum, as the guard does; readings
    above it (``+inf``, only for individuals that fly away) are clamped to the maximum.
    """
    if isinstance(partner, str) and partner not in PARTNERS:
        raise ValueError(f"partner must be one of {PARTNERS} or BlimpSNNParams, got {partner!r}")
    batch = candidate.batch
    ref = np.broadcast_to(np.asarray(setpoints_m, dtype=float), (batch, np.shape(setpoints_m)[-1]))
    sim = BlimpBatchSim(batch, dynamics, sensor, control_period_s=control_period_s, seed=seed)
    ticks = ref.shape[1]
    state = blimp_snn_initial_state(candidate)
    idx = partner_index(candidate.neurons)
    partner_state = pid_initial_state(batch) if isinstance(partner, str) else blimp_snn_initial_state(partner, batch)
    pid = PIDParams(dt_s=control_period_s)
    z, u_log = np.empty((batch, ticks)), np.empty((batch, ticks))
    reading = sim.read_range()
    for k in range(ticks):
        z[:, k] = sim.state.z_m
        e = ref[:, k] - np.clip(reading, sensor.min_m, sensor.max_m)
        state, u = blimp_snn_step(candidate, state, e, idx)
        if isinstance(partner, str):
            partner_state, terms = pid_step(pid, partner_state, e)
            u = u + (terms.pd if partner == "pid_pd" else terms.i)
        else:
            partner_state, u_p = blimp_snn_step(partner, partner_state, e, idx)
            u = u + u_p
        u = np.clip(np.nan_to_num(u, nan=0.0), -u_max, u_max)
        u_log[:, k] = u
        reading = sim.step(u)
    return Flights(np.arange(ticks) * control_period_s, z, u_log, np.array(ref))


def profile_setpoints(profiles: list[SetpointProfile], control_period_s: float = 0.1) -> np.ndarray:
    """Set-points ``(len(profiles), T)`` per tick, T covering the longest profile."""
    ticks = int(round(max(p.duration_s for p in profiles) / control_period_s))
    t = np.arange(ticks) * control_period_s
    return np.stack([p.at(t) for p in profiles])


def batch_tracking_metrics(
    flights: Flights,
    profile: SetpointProfile,
    settle_window_s: float = 10.0,
    overshoot_window_s: float = 30.0,
    overshoot_target_pct: float = 10.0,
) -> dict[str, np.ndarray]:
    """``rmse_m``, ``sse_m``, ``overshoot_pct`` per row (the definitions of ``tracking_metrics``),
    and ``overshoot_excess_m``: the largest excursion past a new set-point beyond
    ``overshoot_target_pct`` of its step, in metres (bounded where tiny steps make percentages explode)."""
    t, z = flights.t_s, flights.z_m
    err = z - flights.setpoint_m
    starts = profile.starts_s
    ends = starts + np.asarray(profile.segments_s)
    steady = []
    for start, end in zip(starts, ends):
        window = (t >= max(start, end - settle_window_s)) & (t < end)
        if window.any() and t[-1] >= end - 0.2:
            steady.append(np.mean(np.abs(err[:, window]), axis=-1))
    over = [np.zeros(z.shape[0])]
    excess = [np.zeros(z.shape[0])]
    for k in range(1, len(starts)):
        step = profile.setpoints_m[k] - profile.setpoints_m[k - 1]
        window = (t >= starts[k]) & (t < min(starts[k] + overshoot_window_s, ends[k]))
        if step == 0 or not window.any():
            continue
        past = (z[:, window] - profile.setpoints_m[k]) * np.sign(step)
        over.append(100.0 * np.maximum(past.max(axis=-1), 0.0) / abs(step))
        excess.append(np.maximum(past.max(axis=-1) - overshoot_target_pct / 100.0 * abs(step), 0.0))
    return {
        "rmse_m": np.sqrt(np.mean(err**2, axis=-1)),
        "sse_m": np.mean(steady, axis=0) if steady else np.full(z.shape[0], np.nan),
        "overshoot_pct": np.max(over, axis=0),
        "overshoot_excess_m": np.max(excess, axis=0),
    }


def closed_loop_cost(metrics: dict[str, np.ndarray], weights: ClosedLoopWeights = ClosedLoopWeights()) -> np.ndarray:
    """J per row from :func:`batch_tracking_metrics` (computed with the same overshoot target)."""
    excess = metrics["overshoot_excess_m"]
    cost = metrics["rmse_m"] + weights.sse * np.nan_to_num(metrics["sse_m"], nan=0.0) + weights.overshoot * excess
    return np.where(np.isfinite(cost), cost, 1e6)


def evaluate_closed_loop(
    layout: BlimpSNNLayout,
    genomes: np.ndarray,
    partner: str | BlimpSNNParams,
    profiles: SetpointProfile | list[SetpointProfile],
    seed: int = 0,
    weights: ClosedLoopWeights = ClosedLoopWeights(),
) -> np.ndarray:
    """Mean closed-loop cost ``(pop,)`` over ``profiles``: every (profile, genome) flight in one pass."""
    profiles = [profiles] if isinstance(profiles, SetpointProfile) else list(profiles)
    g = np.atleast_2d(np.asarray(genomes, dtype=float))
    pop = g.shape[0]
    ref = np.repeat(profile_setpoints(profiles), pop, axis=0)  # profile-major rows
    flights = fly_batch(layout.decode(np.tile(g, (len(profiles), 1))), partner, ref, seed=seed)
    costs = []
    for j, profile in enumerate(profiles):
        rows = slice(j * pop, (j + 1) * pop)
        part = Flights(flights.t_s, flights.z_m[rows], flights.u[rows], flights.setpoint_m[rows])
        metrics = batch_tracking_metrics(part, profile, overshoot_target_pct=weights.overshoot_target_pct)
        costs.append(closed_loop_cost(metrics, weights))
    return np.mean(costs, axis=0)
