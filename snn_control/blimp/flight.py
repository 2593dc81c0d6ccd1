"""The one closed loop of the blimp, offline: what the ROS graph runs, for one flight or thousands.

Each control tick (0.1 s) every flight's ToF reading goes through the guard
(:mod:`snn_control.blimp.guard`: valid readings step the controller, invalid ones hold then fall
back), the controller steps on e = set-point - altitude for the rows the guard lets through, and
the command is held for one period. Samples are taken at the tick, before the command acts: time,
true altitude, set-point, command, and the error the controller stepped on.

:func:`fly_batch` runs it for a batch of flights (the twin steps them all at once; the controller
is any :class:`~snn_control.blimp.controllers.SummedController`, whose parameters may carry one
row per flight: a whole population in one pass). :func:`fly` is one flight of a profile, in MuJoCo
or the twin, of any plant (:class:`~snn_control.blimp.plant.BlimpPlant`: dynamics, sensor noise,
start altitude); evolution records its PID data and scores its networks with the same loop.
"""

from __future__ import annotations

import time
from typing import Any, Callable, NamedTuple

import numpy as np

from snn_control.blimp.controllers import SummedController
from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp import kernels
from snn_control.blimp.guard import GuardParams, GuardState, guard_initial_state, guard_input, guard_output
from snn_control.blimp.metrics import tracking_metrics
from snn_control.blimp.plant import BlimpPlant
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.tof import ToFSensor
from snn_control.blimp.twin import BlimpBatchSim
from snn_control.snn.state import select_state

SIMS = ("mujoco", "twin")


class Flight(NamedTuple):
    """Flights sampled per tick: ``t_s`` (T,); the others (B, T), or (T,) for :meth:`row`."""

    t_s: np.ndarray
    z_m: np.ndarray
    setpoint_m: np.ndarray
    u: np.ndarray
    error_m: np.ndarray  # the error the controller last stepped on
    wall_s: float  # wall-clock time of the whole loop
    controller_s: float  # of which in the guard and controller
    observed: dict[str, np.ndarray]  # what ``observe`` recorded, (B, T) each

    def row(self, k: int) -> "Flight":
        """Flight ``k`` alone, arrays (T,)."""
        return Flight(self.t_s, self.z_m[k], self.setpoint_m[k], self.u[k], self.error_m[k], self.wall_s,
                      self.controller_s, {n: v[k] for n, v in self.observed.items()})


class _MujocoSims:
    """MuJoCo blimps behind the batch interface of the twin (one ``BlimpEnv`` per row)."""

    def __init__(self, envs: list) -> None:
        self.envs = envs
        self.control_period_s = envs[0].control_period_s

    def reset(self, seed: int) -> np.ndarray:
        return np.array([env.reset(seed) for env in self.envs])

    def step(self, u: np.ndarray) -> np.ndarray:
        return np.array([env.step(float(uk)) for env, uk in zip(self.envs, u)])

    @property
    def altitude_m(self) -> np.ndarray:
        return np.array([env.altitude_m for env in self.envs])


def make_sim(kind: str, seed: int = 0, batch: int = 1, dynamics: BlimpDynamics | None = None,
             sensor: ToFSensor = ToFSensor(), initial_altitude_m: float = 0.5) -> Any:
    """Blimps with ``reset(seed) -> readings``, ``step(u) -> readings``, ``altitude_m`` (all (batch,)).

    ``dynamics`` None: the twin's nominal plant, MuJoCo's model file as it is.
    """
    if kind == "twin":
        return BlimpBatchSim(batch, dynamics or BlimpDynamics(), sensor, initial_altitude_m=initial_altitude_m,
                             seed=seed)
    if kind == "mujoco":
        from snn_control.blimp.sim import BlimpEnv

        kwargs = {} if dynamics is None else {"dynamics": dynamics}
        return _MujocoSims([BlimpEnv(sensor=sensor, initial_altitude_m=initial_altitude_m, seed=seed, **kwargs)
                            for _ in range(batch)])
    raise ValueError(f"unknown simulator {kind!r}; choose from {SIMS}")


def fly_batch(
    controller: SummedController,
    sim: Any,
    reading_m: np.ndarray,
    setpoints_m: np.ndarray,
    guard: GuardParams = GuardParams(),
    observe: Callable[[Any], dict[str, np.ndarray]] | None = None,
) -> Flight:
    """Fly every row of ``sim`` from its first ``reading_m`` (batch,) through ``setpoints_m``
    ((T,) for all rows or (batch, T)); ``observe(controller_state)`` may record extra signals."""
    batch = len(reading_m)
    ref = np.broadcast_to(np.asarray(setpoints_m, dtype=float), (batch, np.shape(setpoints_m)[-1]))
    ticks = ref.shape[1]
    dt = sim.control_period_s
    state, g = controller.initial_state(batch), guard_initial_state(batch)
    z, u_log, e_log = (np.empty((batch, ticks)) for _ in range(3))
    observed: dict[str, np.ndarray] = {}
    e_prev, reading, in_loop = np.zeros(batch), np.asarray(reading_m, dtype=float), 0.0
    compiled = kernels.use(batch)  # the compiled guard (same rules) for a batch
    start = time.perf_counter()
    for k in range(ticks):
        z[:, k] = sim.altitude_m
        t0 = time.perf_counter()
        altitude, steps, below = (kernels.guard_input if compiled else guard_input)(guard, reading)
        e = ref[:, k] - np.where(steps, altitude, ref[:, k])
        new_state, u, _ = controller.step_batch(state, e)
        state = new_state if steps.all() else select_state(steps, new_state, state)
        if compiled:
            fields, cmd = kernels.guard_output(guard, g, steps, below, u, k * dt)
            g = GuardState(*fields)
        else:
            g, cmd = guard_output(guard, g, steps, below, u, k * dt)
        in_loop += time.perf_counter() - t0
        e_prev = np.where(steps, e, e_prev)
        u_log[:, k], e_log[:, k] = cmd, e_prev
        for name, value in (observe(state) if observe else {}).items():
            observed.setdefault(name, np.empty((batch, ticks)))[:, k] = value
        reading = sim.step(cmd)
    return Flight(np.arange(ticks) * dt, z, np.array(ref), u_log, e_log, time.perf_counter() - start, in_loop,
                  observed)


def fly(controller: SummedController, profile: SetpointProfile, sim: str = "mujoco", seed: int = 0,
        guard: GuardParams = GuardParams(), plant: BlimpPlant = BlimpPlant()) -> Flight:
    """One guarded flight of ``profile`` by ``plant`` (its dynamics, sensor noise and start
    altitude; default nominal) from rest, timing the loop and the controller (arrays (T,))."""
    blimp = make_sim(sim, seed, dynamics=plant.model_dynamics(), sensor=plant.sensor(),
                     initial_altitude_m=plant.initial_altitude_m)
    ticks = int(round(profile.duration_s / blimp.control_period_s))
    setpoints = profile.at(np.arange(ticks) * blimp.control_period_s)
    return fly_batch(controller, blimp, blimp.reset(seed), setpoints, guard).row(0)


def flight_metrics(flight: Flight, profile: SetpointProfile, controller: Any) -> dict[str, float]:
    """:func:`tracking_metrics` plus ``n_spiking_neurons``, ``sim_s``, ``wall_s`` (the whole flight)
    and ``controller_us_per_tick`` (mean time in the guard and controller per tick)."""
    m = tracking_metrics(flight.t_s, flight.z_m, flight.u, profile)
    m.pop("overshoot_excess_m")
    n = len(flight.t_s)
    m["n_spiking_neurons"] = int(controller.n_spiking_neurons)
    m["sim_s"] = float(n * (flight.t_s[1] - flight.t_s[0]) if n > 1 else 0.0)
    m["wall_s"] = float(flight.wall_s)
    m["controller_us_per_tick"] = float(1e6 * flight.controller_s / max(n, 1))
    return m


STEPS = ((1.0, 0.5), (1.0, -0.5), (0.5, 1.0), (1.5, -1.0))  # (start altitude m, step m)


def step_profile(start_m: float, step_m: float, settle_s: float = 40.0, after_s: float = 30.0) -> SetpointProfile:
    return SetpointProfile((start_m, start_m + step_m), (settle_s, after_s))


def step_response(
    controller: SummedController, start_m: float, step_m: float, sim: str = "twin", seed: int = 0,
    settle_s: float = 40.0, after_s: float = 30.0, plant: BlimpPlant = BlimpPlant(),
) -> dict[str, Any]:
    """Fly a step of ``step_m`` from a settled ``start_m``: trace after the step and its figures.

    ``reach_s``: time from the step until the altitude first reaches 95 % of the step (NaN if
    never); ``overshoot_pct``: the largest excursion past the new set-point, % of the step.
    """
    flight = fly(controller, step_profile(start_m, step_m, settle_s, after_s), sim=sim, seed=seed, plant=plant)
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
