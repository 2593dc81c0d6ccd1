"""The blimp in MuJoCo (``sim/blimp.xml``): one control step = a held motor command.

``BlimpEnv`` owns an ``MjModel``/``MjData`` pair. Each :meth:`step` holds the motor command for
``control_period_s`` (10 physics steps at the paper's 10 Hz), moving the servo, dead zone and clip
of :mod:`snn_control.blimp.dynamics` in Python and the body, buoyancy, drag and motor lag in
MuJoCo, then returns a ToF reading of the ``tof`` rangefinder.

A non-nominal plant (``dynamics=``) is written into the compiled model, the inverse of
:meth:`BlimpDynamics.from_mujoco` (m the body mass, g gravity, A_z its inertia box's horizontal face):

    opt.timestep = dt_s                 actuator gear = k m           body_gravcomp = 1 - g_b / g
    opt.density  = 2 c m / A_z          actuator dynprm[0] = tau      ctrlrange = [-u_max, u_max]

``servo_flip_s``, ``dead_zone`` and ``reverse_efficiency`` act in Python and need no model field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from snn_control.blimp.dynamics import BlimpDynamics, servo_step, vertical_command
from snn_control.blimp.tof import ToFSensor, tof_reading


class BlimpEnv:
    """MuJoCo blimp, altitude only.

    Args:
        model_path: MJCF file; default the package's ``sim/blimp.xml``.
        sensor: ToF sensor model.
        control_period_s: how long one :meth:`step` holds its command (a multiple of the physics dt).
        initial_altitude_m: altitude at :meth:`reset`.
        seed: seed of the sensor noise (``reset(seed=...)`` reseeds).
        dynamics: plant parameters to write into the model (default: those the MJCF encodes).

    Raises:
        ValueError: a bad period or start altitude, or ``dynamics`` the model cannot represent.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        sensor: ToFSensor = ToFSensor(),
        control_period_s: float = 0.1,
        initial_altitude_m: float = 0.5,
        seed: int | None = 0,
        dynamics: BlimpDynamics | None = None,
    ) -> None:
        import mujoco

        from snn_control.paths import sim_path

        self._mujoco = mujoco
        path = Path(model_path) if model_path else sim_path("blimp.xml")
        self.model = mujoco.MjModel.from_xml_path(str(path))
        self.data = mujoco.MjData(self.model)
        if dynamics is None:
            self.dynamics = BlimpDynamics.from_mujoco(self.model)
        else:
            write_dynamics(self.model, dynamics)
            self.dynamics = dynamics
        self.sensor = sensor
        n = control_period_s / self.dynamics.dt_s
        if control_period_s <= 0 or abs(n - round(n)) > 1e-6:
            raise ValueError(
                f"control_period_s must be a positive multiple of the physics step "
                f"{self.dynamics.dt_s} s, got {control_period_s}"
            )
        if not 0.0 <= initial_altitude_m <= sensor.max_m:
            raise ValueError(f"initial_altitude_m must be in [0, {sensor.max_m}], got {initial_altitude_m}")
        self.control_period_s = float(control_period_s)
        self.n_substeps = int(round(n))
        self.initial_altitude_m = float(initial_altitude_m)
        self._tof_id = self.model.sensor("tof").id
        self._seed = seed
        self.reset(seed=seed)

    def reset(self, seed: int | None = None, altitude_m: float | None = None) -> float:
        """Put the blimp at rest (motors off, servo up) and return the first reading."""
        self._rng = np.random.default_rng(self._seed if seed is None else seed)
        self._mujoco.mj_resetData(self.model, self.data)
        self.data.qpos[0] = self.initial_altitude_m if altitude_m is None else float(altitude_m)
        self.servo_rad = 0.0
        self._mujoco.mj_forward(self.model, self.data)
        return self.read_range()

    def step(self, u: float) -> float:
        """Hold motor command ``u`` (motor units) for one control period; return the reading."""
        u = float(u)
        if not np.isfinite(u):
            raise ValueError(f"motor command must be finite, got {u}")
        for _ in range(self.n_substeps):
            self.servo_rad = float(servo_step(np.float64(self.servo_rad), np.float64(u), self.dynamics))
            self.data.ctrl[0] = vertical_command(np.float64(self.servo_rad), np.float64(u), self.dynamics)
            self._mujoco.mj_step(self.model, self.data)
        self._mujoco.mj_forward(self.model, self.data)
        return self.read_range()

    def read_range(self) -> float:
        """A ToF reading of the current true distance to the floor."""
        return float(tof_reading(self.true_range_m, self._rng, self.sensor))

    @property
    def true_range_m(self) -> float:
        """Noise-free rangefinder distance (m); 0 on the floor, inf when no surface is hit."""
        r = float(self.data.sensordata[self._tof_id])
        if r >= 0:
            return r
        return 0.0 if self.altitude_m <= 1e-6 else float("inf")

    @property
    def altitude_m(self) -> float:
        return float(self.data.qpos[0])

    @property
    def velocity_mps(self) -> float:
        return float(self.data.qvel[0])

    @property
    def thrust_units(self) -> float:
        """Lagged vertical thrust (motor units) acting on the body."""
        return float(self.data.act[0])

    @property
    def time_s(self) -> float:
        return float(self.data.time)


def write_dynamics(model: Any, p: BlimpDynamics) -> None:
    """Write ``p`` into a compiled ``mujoco.MjModel`` of ``sim/blimp.xml`` and check it reads back.

    Raises:
        ValueError: ``p.heaviness_mps2`` is outside [0, g] (buoyancy can only offset a fraction of
            the weight: gravcomp in [0, 1]), the model has no gravity compensation to set, or a
            value does not read back from the model.
    """
    body = model.body("blimp")
    mass = float(body.mass[0])
    g = -float(model.opt.gravity[2])
    if not 0.0 <= p.heaviness_mps2 <= g:
        raise ValueError(f"BlimpDynamics.heaviness_mps2 must be in [0, g = {g}] for MuJoCo, got {p.heaviness_mps2}")
    gravcomp = 1.0 - p.heaviness_mps2 / g
    if gravcomp > 0 and model.ngravcomp == 0:
        raise ValueError("BlimpDynamics.heaviness_mps2: the model compiled without gravcomp, so buoyancy cannot be set")
    inertia = np.asarray(body.inertia, dtype=float)
    sides = np.sqrt(6.0 * (inertia.sum() - 2.0 * inertia) / mass)  # as BlimpDynamics.from_mujoco
    act = model.actuator("thrust")
    model.opt.timestep = p.dt_s
    model.opt.density = 2.0 * p.drag_per_m * mass / (sides[0] * sides[1])
    model.body_gravcomp[body.id] = gravcomp
    act.gear[0] = p.thrust_mps2_per_unit * mass
    act.dynprm[0] = p.motor_tau_s
    act.ctrlrange[:] = (-p.u_max, p.u_max)
    back = BlimpDynamics.from_mujoco(model, servo_flip_s=p.servo_flip_s, dead_zone=p.dead_zone).to_dict()
    for name, value in p.to_dict().items():
        if name != "reverse_efficiency" and not np.isclose(back[name], value, rtol=1e-9, atol=1e-12):
            raise ValueError(f"BlimpDynamics.{name} = {value} does not read back from the model (got {back[name]})")
