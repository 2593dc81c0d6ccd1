"""Fitness of blimp SNN genomes, a whole population per call (lower is better).

Imitation (the paper's): outputs y of each individual on a recorded error sequence against the
PID's term y* (PD or I):

    F = MAE(y, y*) + (1 - r(y, y*)),   r = Pearson correlation (0 when y or y* is constant)

Closed loop (beyond the paper, optional second stage): each individual flies the numpy twin under a
set-point profile, its output added to a fixed partner's (the other SNN or the PID's other term):

    J = RMSE(z - z_ref) + w_sse * SSE + w_os * E_os + w_du * mean |u[k] - u[k-1]| + w_floor * T_floor,
    E_os = max over steps of max(0, excursion past the new set-point - os_target * |step|)  (m)

with RMSE, SSE and the excursions of :mod:`snn_control.blimp.metrics` for all rows at once (the
excess is in metres, not percent: a 3 cm step must not dominate the cost), flown in the one loop
of :mod:`snn_control.blimp.flight`, behind the guard that flies the robot. T_floor: seconds on the
floor while the set-point is above it (a blimp that lands and cannot take off).

Scored *against the PID* (``versus_pid``: what a robustness matrix asks of the pair on every
plant), the PID flies the same plant and profile and

    J_rel = RMSE / RMSE_PID + w_sse * SSE + w_os * max(0, X - s X_PID) + w_du * max(0, DU - DU_PID) + w_floor * T_floor
            + w_step * max(0, max_k 100 (x_k - x_PID,k) / max(|step_k|, floor) - margin)

with X the worst excursion past a new set-point (m), s = ``pid_excursion_share`` (0.9: aim below
the PID's overshoot), DU the mean |u[k] - u[k-1]| and x_k the excursion past step k's set-point
(the last term, off by default, is the robustness matrix's overshoot criterion, step by step).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from snn_control.blimp.controllers import SummedController
from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp.flight import Flight, fly_batch
from snn_control.blimp.guard import GuardParams
from snn_control.blimp.metrics import step_excursions, tracking_metrics
from snn_control.blimp.pid import PIDController, PIDParams, PIDTerm
from snn_control.blimp.plant import BlimpPlant, plant_rows
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.snn.network import BlimpSNNParams, SNNTerm, blimp_snn_rollout
from snn_control.blimp.tof import ToFSensor
from snn_control.blimp.twin import BlimpBatchSim

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


def imitation_scores(
    layout: BlimpSNNLayout, genomes: np.ndarray, errors_m: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(fitness, pearson_r)``, each ``(pop,)``, of genomes on one sequence ``(T,)`` or the mean
    over several flights ``(F, T)`` (each from rest): one vectorized pass."""
    errors, target = np.asarray(errors_m, dtype=float), np.asarray(target, dtype=float)
    g = np.atleast_2d(np.asarray(genomes, dtype=float))
    if errors.ndim == 1:
        errors, target = errors[None], target[None]
    pop, flights = g.shape[0], errors.shape[0]
    out = blimp_snn_rollout(layout.decode(np.tile(g, (flights, 1))), np.repeat(errors, pop, axis=0))
    fit, r = np.zeros(pop), np.zeros(pop)
    for j in range(flights):
        y = out[j * pop:(j + 1) * pop]
        f = imitation_fitness(y, target[j])
        fit += f / flights
        r += (1.0 + np.mean(np.abs(y - target[j]), axis=-1) - f) / flights
    ok = np.isfinite(fit) & np.isfinite(r)
    return np.where(ok, fit, 1e6), np.where(ok, r, -1.0)


def evaluate_imitation(
    layout: BlimpSNNLayout, genomes: np.ndarray, errors_m: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """Fitness ``(pop,)`` of genomes ``(pop, n_genes)`` on one sequence ``(T,)``, or the mean over
    several flights ``(F, T)`` (each from rest): one vectorized pass."""
    return imitation_scores(layout, genomes, errors_m, target)[0]


@dataclass(frozen=True)
class ClosedLoopWeights:
    sse: float = 2.0
    overshoot: float = 3.0  # per metre of excess excursion
    overshoot_target_pct: float = 10.0
    du: float = 0.0  # per motor unit of mean |u[k] - u[k-1]|
    floor: float = 0.0  # per second spent on the floor while the set-point is above it
    versus_pid: bool = False  # score against the PID flying the same plant and profile (see module doc)
    pid_excursion_share: float = 0.9  # versus_pid: excursions are penalized beyond this share of the PID's
    worst: float = 0.0  # cost over flights = (1 - worst) * mean + worst * max (weight on the worst plant)
    step_pts: float = 0.0  # versus_pid: per point a step overshoots beyond the PID's on that step (+ margin)
    step_margin_pts: float = 0.0
    step_floor_m: float = 0.25  # steps smaller than this count as this large (percentages of tiny steps explode)
    common_noise: bool = False  # every genome (and the PID) reads one noise sequence per flight: common random numbers

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pair_controller(candidate: BlimpSNNParams, partner: str | BlimpSNNParams, u_max: float = 10.0,
                    control_period_s: float = 0.1) -> SummedController:
    """The candidate networks (one row each) plus their fixed partner, as one deployed controller."""
    if isinstance(partner, str):
        if partner not in PARTNERS:
            raise ValueError(f"partner must be one of {PARTNERS} or BlimpSNNParams, got {partner!r}")
        other = PIDTerm(PIDParams(dt_s=control_period_s), "pd" if partner == "pid_pd" else "i")
    else:
        other = SNNTerm(partner)
    return SummedController([SNNTerm(candidate), other], u_max)


def fly_candidates(
    candidate: BlimpSNNParams,
    partner: str | BlimpSNNParams,
    setpoints_m: np.ndarray,
    seed: int = 0,
    dynamics: BlimpDynamics | list[BlimpDynamics] = BlimpDynamics(),
    sensor: ToFSensor = ToFSensor(),
    u_max: float = 10.0,
    control_period_s: float = 0.1,
    initial_altitude_m: float | np.ndarray = 0.5,
    noise_std_m: np.ndarray | None = None,
    noise_groups: int | None = None,
) -> Flight:
    """Fly every candidate row (plus the fixed partner) in the twin, all at once, behind the guard
    that flies the robot (:func:`snn_control.blimp.flight.fly_batch`).

    ``setpoints_m`` is the set-point per control tick, ``(T,)`` for every row or ``(batch, T)``;
    ``dynamics``, ``initial_altitude_m`` and ``noise_std_m`` may give one plant per row;
    ``noise_groups`` shares each tick's noise draw within contiguous groups of rows (see
    :class:`~snn_control.blimp.twin.BlimpBatchSim`).
    """
    controller = pair_controller(candidate, partner, u_max, control_period_s)
    sim = BlimpBatchSim(candidate.batch, dynamics, sensor, control_period_s=control_period_s, seed=seed,
                        initial_altitude_m=initial_altitude_m, noise_std_m=noise_std_m, noise_groups=noise_groups)
    guard = GuardParams(sensor.min_m, sensor.max_m, u_max=u_max)
    return fly_batch(controller, sim, sim.read_range(), setpoints_m, guard)


def profile_setpoints(profiles: list[SetpointProfile], control_period_s: float = 0.1) -> np.ndarray:
    """Set-points ``(len(profiles), T)`` per tick, T covering the longest profile."""
    ticks = int(round(max(p.duration_s for p in profiles) / control_period_s))
    t = np.arange(ticks) * control_period_s
    return np.stack([p.at(t) for p in profiles])


def closed_loop_cost(metrics: dict[str, np.ndarray], weights: ClosedLoopWeights = ClosedLoopWeights(),
                     mean_abs_du: np.ndarray | float = 0.0, floor_s: np.ndarray | float = 0.0,
                     pid: dict[str, np.ndarray] | None = None, step_excess_pts: np.ndarray | float = 0.0
                     ) -> np.ndarray:
    """J per row from :func:`~snn_control.blimp.metrics.tracking_metrics` of a batch (computed with
    the same overshoot target), the mean |du| and the seconds on the floor of each row; with
    ``pid`` (the PID's figures on the same flights, rows alike) the relative cost J_rel, plus
    ``weights.step_pts`` times ``step_excess_pts`` (:func:`step_excess_pts`)."""
    sse = weights.sse * np.nan_to_num(metrics["sse_m"], nan=0.0)
    wear = weights.du * np.asarray(mean_abs_du)
    if pid is None:
        excess = metrics["overshoot_excess_m"]
        cost = metrics["rmse_m"] + sse + weights.overshoot * excess + wear
    else:
        cost = (metrics["rmse_m"] / np.maximum(pid["rmse_m"], 1e-3) + sse
                + weights.overshoot * np.maximum(
                    metrics["overshoot_excess_m"] - weights.pid_excursion_share * pid["overshoot_excess_m"], 0.0)
                + weights.du * np.maximum(np.asarray(mean_abs_du) - pid["mean_abs_du"], 0.0)
                + weights.step_pts * np.asarray(step_excess_pts))
    cost = cost + weights.floor * np.asarray(floor_s)
    return np.where(np.isfinite(cost), cost, 1e6)


def step_excess_pts(past: np.ndarray, pid_past: np.ndarray, steps: np.ndarray,
                    weights: ClosedLoopWeights = ClosedLoopWeights()) -> np.ndarray:
    """Per row, the worst step's overshoot beyond the PID's on the same step, in points of the step
    (floored at ``weights.step_floor_m``), less ``weights.step_margin_pts``, at least 0: what the
    robustness matrix bounds (its overshoot is the worst step's, in percent)."""
    if steps.size == 0:
        return np.zeros(past.shape[0])
    size = np.maximum(np.abs(steps), weights.step_floor_m)
    pts = 100.0 * (past - pid_past) / size - weights.step_margin_pts
    return np.maximum(pts.max(axis=-1), 0.0)


def floor_seconds(flights: Flight, floor_m: float = 0.02) -> np.ndarray:
    """Seconds each row spent on the floor (altitude <= ``floor_m``) while its set-point was above it."""
    dt = float(flights.t_s[1] - flights.t_s[0]) if len(flights.t_s) > 1 else 0.0
    return dt * np.sum((flights.z_m <= floor_m) & (flights.setpoint_m > floor_m), axis=-1)


def _figures(flights: Flight, rows: slice, profile: SetpointProfile, weights: ClosedLoopWeights) -> dict:
    target = 0.0 if weights.versus_pid else weights.overshoot_target_pct
    return tracking_metrics(flights.t_s, flights.z_m[rows], flights.u[rows], profile, overshoot_target_pct=target)


def _pid_flights(profiles: list[SetpointProfile], plants: list[BlimpPlant], seed: int, common: bool = False) -> Flight:
    # common: profile j reads the noise every candidate flying it reads (the same seed, one draw per profile)
    sim = BlimpBatchSim(len(plants), seed=seed if common else seed + 1, noise_groups=len(plants) if common else None,
                        **plant_rows(plants))
    return fly_batch(PIDController(), sim, sim.read_range(), profile_setpoints(profiles), GuardParams())


def evaluate_closed_loop(
    layout: BlimpSNNLayout,
    genomes: np.ndarray,
    partner: str | BlimpSNNParams,
    profiles: SetpointProfile | list[SetpointProfile],
    seed: int = 0,
    weights: ClosedLoopWeights = ClosedLoopWeights(),
    plants: list[BlimpPlant] | None = None,
) -> np.ndarray:
    """Mean closed-loop cost ``(pop,)`` over ``profiles`` (profile j flown on ``plants[j]``, default
    the nominal blimp from 0.5 m): every (profile, genome) flight in one pass (plus, with
    ``weights.versus_pid``, one PID flight per profile)."""
    profiles = [profiles] if isinstance(profiles, SetpointProfile) else list(profiles)
    plants = [BlimpPlant()] * len(profiles) if plants is None else list(plants)
    if len(plants) != len(profiles):
        raise ValueError(f"one plant per profile: got {len(plants)} plants, {len(profiles)} profiles")
    g = np.atleast_2d(np.asarray(genomes, dtype=float))
    pop = g.shape[0]
    ref = np.repeat(profile_setpoints(profiles), pop, axis=0)  # profile-major rows
    rows = plant_rows([pl for pl in plants for _ in range(pop)])
    if all(pl == plants[0] for pl in plants):  # one plant: its scalars (the nominal runs stay bit-identical)
        rows.update(dynamics=plants[0].dynamics, noise_std_m=None)
    flights = fly_candidates(layout.decode(np.tile(g, (len(profiles), 1))), partner, ref, seed=seed,
                             sensor=plants[0].sensor(), noise_groups=len(profiles) if weights.common_noise else None,
                             **rows)
    floor = floor_seconds(flights)
    pid_flights = _pid_flights(profiles, plants, seed, weights.common_noise) if weights.versus_pid else None
    costs = []
    for j, profile in enumerate(profiles):
        r = slice(j * pop, (j + 1) * pop)
        m = _figures(flights, r, profile, weights)
        pid, excess = None, 0.0
        if pid_flights is not None:
            pid = _figures(pid_flights, slice(j, j + 1), profile, weights)
            if weights.step_pts:
                past, steps = step_excursions(flights.t_s, flights.z_m[r], profile)
                excess = step_excess_pts(past, step_excursions(flights.t_s, pid_flights.z_m[j:j + 1], profile)[0],
                                         steps, weights)
        costs.append(closed_loop_cost(m, weights, m["mean_abs_du"], floor[r], pid, excess))
    return (1.0 - weights.worst) * np.mean(costs, axis=0) + weights.worst * np.max(costs, axis=0)
