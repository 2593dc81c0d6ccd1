"""Fly any altitude controller in closed loop offline (no ROS) and measure it.

:func:`fly` runs the loop the ROS graph runs: each control tick (0.1 s) the simulator's ToF
reading goes through a :class:`~snn_control.blimp.guard.GuardedController` around the
controller, toward the profile's set-point, and the command is held for one period. Samples are
taken at the tick, before the command acts: time, true altitude, set-point, command. Simulators:
``mujoco`` (:class:`~snn_control.blimp.sim.BlimpEnv`) or ``twin`` (the numpy twin, one blimp).
:func:`step_response` flies a settle-then-step profile and measures the step.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import numpy as np

from snn_control.blimp.guard import AltitudeController, GuardedController, GuardParams
from snn_control.blimp.metrics import tracking_metrics
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.twin import BlimpBatchSim

SIMS = ("mujoco", "twin")


class Flight(NamedTuple):
    t_s: np.ndarray
    z_m: np.ndarray
    setpoint_m: np.ndarray
    u: np.ndarray
    wall_s: float  # wall-clock time of the whole flight
    controller_s: float  # of which in the guarded controller


class _TwinOne:
    """The numpy twin with one blimp, behind the scalar interface of ``BlimpEnv``."""

    def __init__(self, seed: int) -> None:
        self.sim = BlimpBatchSim(1, seed=seed)
        self.control_period_s = self.sim.control_period_s

    def reset(self, seed: int) -> float:
        return float(self.sim.reset(seed)[0])

    def step(self, u: float) -> float:
        return float(self.sim.step(np.array([u]))[0])

    @property
    def altitude_m(self) -> float:
        return float(self.sim.state.z_m[0])


def make_sim(kind: str, seed: int = 0) -> Any:
    """A single-blimp simulator: ``reset(seed) -> reading``, ``step(u) -> reading``, ``altitude_m``."""
    if kind == "twin":
        return _TwinOne(seed)
    if kind == "mujoco":
        from snn_control.blimp.sim import BlimpEnv

        return BlimpEnv(seed=seed)
    raise ValueError(f"unknown simulator {kind!r}; choose from {SIMS}")


def fly(
    controller: AltitudeController,
    profile: SetpointProfile,
    sim: str = "mujoco",
    seed: int = 0,
    guard: GuardParams = GuardParams(),
) -> Flight:
    """Fly ``controller`` (guarded) through ``profile`` once, timing the flight and the controller."""
    env = make_sim(sim, seed)
    guarded = GuardedController(controller, guard)
    reading = env.reset(seed)
    dt = env.control_period_s
    n = int(round(profile.duration_s / dt))
    t = np.arange(n) * dt
    ref = profile.at(t)
    z, u = np.empty(n), np.empty(n)
    in_controller = 0.0
    start = time.perf_counter()
    for k in range(n):
        z[k] = env.altitude_m
        t0 = time.perf_counter()
        u[k] = guarded.step(reading, float(ref[k]), float(t[k]))
        in_controller += time.perf_counter() - t0
        reading = env.step(u[k])
    return Flight(t, z, ref, u, time.perf_counter() - start, in_controller)


def flight_metrics(flight: Flight, profile: SetpointProfile, controller: AltitudeController) -> dict[str, float]:
    """``tracking_metrics`` plus ``n_spiking_neurons``, ``sim_s``, ``wall_s`` (the whole flight) and
    ``controller_us_per_tick`` (mean time in the guarded controller per tick)."""
    m = tracking_metrics(flight.t_s, flight.z_m, flight.u, profile)
    m["n_spiking_neurons"] = int(controller.n_spiking_neurons)
    m["sim_s"] = float(len(flight.t_s) * (flight.t_s[1] - flight.t_s[0]) if len(flight.t_s) > 1 else 0.0)
    m["wall_s"] = float(flight.wall_s)
    m["controller_us_per_tick"] = float(1e6 * flight.controller_s / max(len(flight.t_s), 1))
    return m


STEPS = ((1.0, 0.5), (1.0, -0.5), (0.5, 1.0), (1.5, -1.0))  # (start altitude m, step m)


def step_profile(start_m: float, step_m: float, settle_s: float = 40.0, after_s: float = 30.0) -> SetpointProfile:
    return SetpointProfile((start_m, start_m + step_m), (settle_s, after_s))


def step_response(
    controller: AltitudeController, start_m: float, step_m: float, sim: str = "twin", seed: int = 0,
    settle_s: float = 40.0, after_s: float = 30.0,
) -> dict[str, Any]:
    """Fly a step of ``step_m`` from a settled ``start_m``: trace after the step and its figures.

    ``reach_s``: time from the step until the altitude first reaches 95 % of the step (NaN if
    never); ``overshoot_pct``: the largest excursion past the new set-point, % of the step.
    """
    profile = step_profile(start_m, step_m, settle_s, after_s)
    controller.reset()
    flight = fly(controller, profile, sim=sim, seed=seed)
    after = flight.t_s >= settle_s
    t = flight.t_s[after] - settle_s
    progress = (flight.z_m[after] - start_m) / step_m
    reached = np.nonzero(progress >= 0.95)[0]
    past = (flight.z_m[after] - (start_m + step_m)) * np.sign(step_m)
    return {
        "start_m": start_m, "step_m": step_m, "t_s": t, "z_m": flight.z_m[after],
        "reach_s": float(t[reached[0]]) if reached.size else float("nan"),
        "overshoot_pct": float(100.0 * max(past.max(), 0.0) / abs(step_m)),
    }
