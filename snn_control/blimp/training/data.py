"""Training data for the blimp SNNs: error sequences recorded by flying the PID in the twin.

Each flight follows its own :func:`~snn_control.blimp.profiles.random_profile` in the numpy twin
(:class:`~snn_control.blimp.twin.BlimpBatchSim`, one batch row per flight), with the paper's
PID behind a :class:`~snn_control.blimp.guard.GuardedController`, exactly as it would fly the
robot. Per control tick we keep the error the PID stepped on (set-point - altitude it used, m)
and its two terms: ``pd`` (the PD-SNN's target) and ``i`` (the I-SNN's target).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from snn_control.blimp.guard import GuardedController
from snn_control.blimp.pid import PIDController
from snn_control.blimp.profiles import SetpointProfile, random_profile
from snn_control.blimp.twin import BlimpBatchSim
from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp.tof import ToFSensor


class ErrorSequences(NamedTuple):
    """Recorded flights, arrays shaped ``(flights, ticks)``."""

    error_m: np.ndarray  # set-point - altitude the PID used
    pd: np.ndarray  # the PID's soft-limited P + D
    i: np.ndarray  # the PID's I term
    u: np.ndarray  # the command sent
    z_m: np.ndarray  # true altitude before the command
    setpoint_m: np.ndarray

    def target(self, role: str) -> np.ndarray:
        """The imitation target of a controller role (``"pd"`` or ``"i"``)."""
        if role not in ("pd", "i"):
            raise ValueError(f"role must be 'pd' or 'i', got {role!r}")
        return self.pd if role == "pd" else self.i


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


class _RecordingPID:
    """The paper's PID, remembering the error and terms of its last step (an AltitudeController)."""

    n_spiking_neurons = 0

    def __init__(self) -> None:
        self.pid = PIDController()
        self.reset()

    def reset(self) -> None:
        self.pid.reset()
        self.error_m, self.pd, self.i = 0.0, 0.0, 0.0

    def step(self, altitude_m: float, setpoint_m: float) -> float:
        u = self.pid.step(altitude_m, setpoint_m)
        self.error_m = setpoint_m - altitude_m
        self.pd, self.i = float(self.pid.last.pd[0]), float(self.pid.last.i[0])
        return u


def record_pid_flights(
    profiles: list[SetpointProfile],
    duration_s: float,
    seed: int = 0,
    dynamics: BlimpDynamics = BlimpDynamics(),
    sensor: ToFSensor = ToFSensor(),
    initial_altitude_m: float = 0.5,
) -> ErrorSequences:
    """Fly the guarded PID once per profile for ``duration_s`` in the twin, all flights at once."""
    n = len(profiles)
    if n < 1:
        raise ValueError("record_pid_flights needs at least one profile")
    sim = BlimpBatchSim(n, dynamics, sensor, initial_altitude_m=initial_altitude_m, seed=seed)
    ticks = int(round(duration_s / sim.control_period_s))
    guards = [GuardedController(_RecordingPID()) for _ in range(n)]
    t = np.arange(ticks) * sim.control_period_s
    setpoints = np.stack([p.at(t) for p in profiles])
    rec = np.zeros((5, n, ticks))
    reading = sim.read_range()
    u = np.zeros(n)
    for k in range(ticks):
        rec[4, :, k] = sim.state.z_m
        for j, guard in enumerate(guards):
            u[j] = guard.step(reading[j], setpoints[j, k], t[k])
            pid = guard.controller
            rec[0, j, k], rec[1, j, k], rec[2, j, k] = pid.error_m, pid.pd, pid.i
        rec[3, :, k] = u
        reading = sim.step(u)
    return ErrorSequences(rec[0], rec[1], rec[2], rec[3], rec[4], setpoints)


def record_random_flights(
    n_flights: int, spec: ProfileSpec, rng: np.random.Generator, **kwargs
) -> tuple[ErrorSequences, list[SetpointProfile]]:
    """Draw ``n_flights`` profiles from ``spec`` and record the PID on each for the longest one."""
    profiles = [spec.draw(rng) for _ in range(n_flights)]
    duration = max(p.duration_s for p in profiles)
    seed = int(rng.integers(2**31))
    return record_pid_flights(profiles, duration, seed=seed, **kwargs), profiles
