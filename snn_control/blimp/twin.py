"""Vectorized numpy twin of the MuJoCo blimp: many blimps stepped at once.

Same equations and discretization as ``sim/blimp.xml`` under MuJoCo (see
:mod:`snn_control.blimp.dynamics`); ``test/blimp/test_sim.py`` checks that the two
trajectories agree. Used where thousands of flights are needed (evolution, recording training data).
A batch of two or more rows holds and reads through the compiled kernels of
:mod:`snn_control.blimp.kernels` when numba is installed (the same arithmetic, one call per tick).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from snn_control.blimp import kernels
from snn_control.blimp.dynamics import BlimpDynamics, hold_steps
from snn_control.blimp.plant import BatchDynamics, stack_dynamics
from snn_control.blimp.tof import ToFSensor, tof_reading


class BlimpState(NamedTuple):
    """Batch state, each array shaped ``(batch,)``."""

    z_m: np.ndarray
    v_mps: np.ndarray
    thrust_units: np.ndarray
    servo_rad: np.ndarray


def blimp_initial_state(altitude_m: np.ndarray | float, batch: int) -> BlimpState:
    z = np.broadcast_to(np.asarray(altitude_m, dtype=float), (batch,)).copy()
    zeros = np.zeros(batch)
    return BlimpState(z, zeros.copy(), zeros.copy(), zeros.copy())


def blimp_control_step(state: BlimpState, u: np.ndarray, p: BlimpDynamics, n_substeps: int) -> BlimpState:
    """Hold command ``u`` (batch,) for ``n_substeps`` physics steps."""
    return BlimpState(*hold_steps(*state, u, p, n_substeps))


class _GroupNormal:
    """``standard_normal((batch,))``: ``groups`` draws of ``rng`` per call, each repeated over its
    contiguous group of rows."""

    def __init__(self, rng: np.random.Generator, groups: int) -> None:
        self._rng, self.groups = rng, int(groups)

    def standard_normal(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.repeat(self._rng.standard_normal(self.groups), shape[0] // self.groups)


class BlimpBatchSim:
    """``batch`` independent blimps with ToF sensors, stepped one control period at a time.

    ``dynamics`` is one plant for every row, or one per row (a list of ``BlimpDynamics`` or a
    :class:`~snn_control.blimp.plant.BatchDynamics`); ``noise_std_m`` (batch,) overrides the
    sensor's noise per row; ``initial_altitude_m`` may be one per row. With ``noise_groups`` = G
    the rows form G contiguous groups of batch / G rows, and every row of a group reads the same
    standard-normal draw each tick (times its own ``noise_std_m``): common random numbers, so the
    genomes of a population that fly one profile are compared under one noise sequence, and row
    k's noise does not depend on how many rows fly beside it.
    """

    def __init__(
        self,
        batch: int,
        dynamics: BlimpDynamics | list[BlimpDynamics] | BatchDynamics = BlimpDynamics(),
        sensor: ToFSensor = ToFSensor(),
        control_period_s: float = 0.1,
        initial_altitude_m: float | np.ndarray = 0.5,
        seed: int | None = 0,
        noise_std_m: np.ndarray | None = None,
        noise_groups: int | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError(f"batch must be >= 1, got {batch}")
        if noise_groups is not None and not (isinstance(noise_groups, int) and noise_groups >= 1
                                             and batch % noise_groups == 0):
            raise ValueError(f"noise_groups must be a positive divisor of batch ({batch}), got {noise_groups!r}")
        self.noise_groups = noise_groups
        if isinstance(dynamics, (list, tuple)):
            if len(dynamics) != batch:
                raise ValueError(f"one plant per row: got {len(dynamics)} plants for {batch} rows")
            dynamics = stack_dynamics(list(dynamics))
        self.noise_std_m = None if noise_std_m is None else np.broadcast_to(
            np.asarray(noise_std_m, dtype=float), (batch,)).copy()
        if self.noise_std_m is not None and not (np.all(np.isfinite(self.noise_std_m)) and np.all(self.noise_std_m >= 0)):
            raise ValueError("noise_std_m must be finite and >= 0")
        n = control_period_s / dynamics.dt_s
        if control_period_s <= 0 or abs(n - round(n)) > 1e-6:
            raise ValueError(f"control_period_s must be a positive multiple of {dynamics.dt_s} s")
        self.batch = batch
        self.dynamics = dynamics
        self.sensor = sensor
        self.control_period_s = float(control_period_s)
        self.n_substeps = int(round(n))
        self.initial_altitude_m = initial_altitude_m
        self._plant_rows = kernels.plant_rows(dynamics, batch) if kernels.use(batch) else None
        self._noise_rows = np.ascontiguousarray(np.broadcast_to(
            sensor.noise_std_m if self.noise_std_m is None else self.noise_std_m, (batch,)), dtype=float)
        self.reset(seed)

    def reset(self, seed: int | None = None) -> np.ndarray:
        self._rng = np.random.default_rng(seed)
        if self.noise_groups is not None:
            self._rng = _GroupNormal(self._rng, self.noise_groups)
        self.state = blimp_initial_state(self.initial_altitude_m, self.batch)
        self.time_s = 0.0
        return self.read_range()

    def step(self, u: np.ndarray) -> np.ndarray:
        u = np.broadcast_to(np.asarray(u, dtype=float), (self.batch,))
        if not np.all(np.isfinite(u)):
            raise ValueError("motor commands must be finite")
        if self._plant_rows is not None:  # the compiled hold (same arithmetic)
            self.state = BlimpState(*kernels.hold(*self.state, u, self._plant_rows, self.dynamics.dt_s,
                                                  self.n_substeps))
        else:
            self.state = blimp_control_step(self.state, u, self.dynamics, self.n_substeps)
        self.time_s += self.control_period_s
        return self.read_range()

    def read_range(self) -> np.ndarray:
        if self._plant_rows is not None:  # the compiled reading (same arithmetic, same draws)
            normal = self._rng.standard_normal((self.batch,))
            return kernels.reading(self.state.z_m, normal, self._noise_rows, self.sensor)
        if self.noise_std_m is None:
            return tof_reading(self.state.z_m, self._rng, self.sensor)
        return tof_reading(self.state.z_m, self._rng, self.sensor, self.noise_std_m)

    @property
    def altitude_m(self) -> np.ndarray:
        """True altitudes (m), shape (batch,)."""
        return self.state.z_m
