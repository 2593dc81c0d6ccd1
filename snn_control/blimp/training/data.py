"""Training data for the blimp SNNs: error sequences recorded by flying the PID in the twin.

Each flight follows its own :func:`~snn_control.blimp.profiles.random_profile` in the numpy twin
(:class:`~snn_control.blimp.twin.BlimpBatchSim`, one batch row per flight), with the paper's
PID behind the guard, in the flight loop every flight runs (:mod:`snn_control.blimp.flight`). Per control tick we keep the error the PID stepped on (set-point - altitude it used, m)
and its two terms: ``pd`` (the PD-SNN's target) and ``i`` (the I-SNN's target).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp.flight import fly_batch
from snn_control.blimp.guard import GuardParams
from snn_control.blimp.pid import PIDController, PIDParams, pid_initial_state, pid_step
from snn_control.blimp.plant import BlimpPlant, plant_rows
from snn_control.blimp.profiles import SetpointProfile, random_profile
from snn_control.blimp.twin import BlimpBatchSim
from snn_control.blimp.tof import ToFSensor


class ErrorSequences(NamedTuple):
    """Recorded flights, arrays shaped ``(flights, ticks)``."""

    error_m: np.ndarray  # set-point - altitude the PID used
    pd: np.ndarray  # the PID's soft-limited P + D
    i: np.ndarray  # the PID's I term
    u: np.ndarray  # the command sent
    z_m: np.ndarray  # true altitude before the command
    setpoint_m: np.ndarray

    def target(self, role: str, clean_pd: bool = False) -> np.ndarray:
        """The imitation target of a controller role (``"pd"`` or ``"i"``); with ``clean_pd`` the
        PD term the PID would have computed from the true altitude (:meth:`clean_pd`)."""
        if role not in ("pd", "i"):
            raise ValueError(f"role must be 'pd' or 'i', got {role!r}")
        if role == "i":
            return self.i
        return self.clean_pd() if clean_pd else self.pd

    def clean_pd(self, params: PIDParams = PIDParams()) -> np.ndarray:
        """The PID's soft-limited P + D on the true error (set-point - true altitude), ``(flights, T)``.

        The sensed D term is mostly differentiated sensor noise (1 cm at 10 Hz: about ±1 motor
        unit per tick), which no network can or should copy; imitating the PD the PID means, on
        the error it sees, asks the network for a filtered derivative instead.
        """
        e_true = self.setpoint_m - self.z_m
        state, out = pid_initial_state(e_true.shape[0]), np.empty_like(e_true)
        for k in range(e_true.shape[1]):
            state, terms = pid_step(params, state, e_true[:, k])
            out[:, k] = terms.pd
        return out


@dataclass(frozen=True)
class ProfileSpec:
    """How random training profiles are drawn (arguments of ``random_profile``).

    With ``start_m`` set, every profile opens with a segment at that set-point (the twin's initial
    altitude, so the flight starts from rest with zero error, like the evaluation profiles) lasting
    a random ``start_s`` seconds: taking off from rest is then part of every training flight.
    """

    n_segments: int = 4
    low_m: float = 0.5
    high_m: float = 2.0
    segment_s: tuple[float, float] = (15.0, 40.0)
    max_step_m: float = 1.0
    start_m: float | None = 0.5
    start_s: tuple[float, float] = (10.0, 30.0)

    def __post_init__(self) -> None:
        if self.n_segments < 1:
            raise ValueError(f"ProfileSpec.n_segments must be >= 1, got {self.n_segments}")
        if not 0 < self.segment_s[0] <= self.segment_s[1]:
            raise ValueError(f"ProfileSpec.segment_s must be 0 < low <= high, got {self.segment_s}")
        if not 0 <= self.low_m < self.high_m:
            raise ValueError(
                f"ProfileSpec.low_m/high_m must satisfy 0 <= low < high, got {self.low_m}, {self.high_m}"
            )
        if self.max_step_m <= 0:
            raise ValueError(f"ProfileSpec.max_step_m must be > 0, got {self.max_step_m}")
        if not 0 < self.start_s[0] <= self.start_s[1]:
            raise ValueError(f"ProfileSpec.start_s must be 0 < low <= high, got {self.start_s}")

    def draw(self, rng: np.random.Generator) -> SetpointProfile:
        profile = random_profile(
            rng, self.n_segments, self.low_m, self.high_m, tuple(self.segment_s), self.max_step_m
        )
        if self.start_m is None:
            return profile
        start = float(rng.uniform(*self.start_s))
        return SetpointProfile((float(self.start_m),) + profile.setpoints_m, (start,) + profile.segments_s)


def record_pid_flights(
    profiles: list[SetpointProfile],
    duration_s: float,
    seed: int = 0,
    dynamics: BlimpDynamics | list[BlimpDynamics] = BlimpDynamics(),
    sensor: ToFSensor = ToFSensor(),
    initial_altitude_m: float | np.ndarray = 0.5,
    noise_std_m: np.ndarray | None = None,
) -> ErrorSequences:
    """Fly the guarded PID once per profile for ``duration_s`` in the twin, all flights at once.

    ``dynamics``, ``initial_altitude_m`` and ``noise_std_m`` may hold one value per profile (see
    :class:`~snn_control.blimp.twin.BlimpBatchSim`); :func:`record_plant_flights` draws them.

    The loop is :func:`~snn_control.blimp.flight.fly_batch`, the one every flight runs. Its first
    reading is drawn after the twin's reset (the noise stream the shipped networks were evolved on).
    """
    n = len(profiles)
    if n < 1:
        raise ValueError("record_pid_flights needs at least one profile")
    sim = BlimpBatchSim(n, dynamics, sensor, initial_altitude_m=initial_altitude_m, seed=seed, noise_std_m=noise_std_m)
    ticks = int(round(duration_s / sim.control_period_s))
    setpoints = np.stack([p.at(np.arange(ticks) * sim.control_period_s) for p in profiles])
    guard = GuardParams(sensor.min_m, sensor.max_m)
    pid = PIDController()

    def terms(state):
        out = state[0][1]  # the PID term's last output
        return {"pd": out.pd, "i": out.i}

    f = fly_batch(pid, sim, sim.read_range(), setpoints, guard, observe=terms)
    return ErrorSequences(f.error_m, f.observed["pd"], f.observed["i"], f.u, f.z_m, f.setpoint_m)


def record_random_flights(
    n_flights: int, spec: ProfileSpec, rng: np.random.Generator, **kwargs
) -> tuple[ErrorSequences, list[SetpointProfile]]:
    """Draw ``n_flights`` profiles from ``spec`` and record the PID on each for the longest one."""
    profiles = [spec.draw(rng) for _ in range(n_flights)]
    duration = max(p.duration_s for p in profiles)
    seed = int(rng.integers(2**31))
    return record_pid_flights(profiles, duration, seed=seed, **kwargs), profiles


def record_plant_flights(
    plants: list[BlimpPlant], profiles: list[SetpointProfile], duration_s: float, seed: int = 0
) -> ErrorSequences:
    """The guarded PID flying each profile on its own plant (start altitude and noise included)."""
    if len(plants) != len(profiles):
        raise ValueError(f"one plant per profile: got {len(plants)} plants, {len(profiles)} profiles")
    return record_pid_flights(profiles, duration_s, seed=seed, **plant_rows(plants))
