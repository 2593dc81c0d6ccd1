"""Altitude dynamics of the heavier-than-air indoor blimp: pure, vectorized numpy.

Model (paper section 1, per physics step of ``dt_s``; arrays broadcast over a batch):

    servo:   the thrust direction is a servo angle phi in [0, pi]; phi* = 0 for u > 0 (up),
             pi for u < 0 (down); phi moves toward phi* at pi / servo_flip_s rad/s, so reversing
             thrust takes servo_flip_s (0.3 s, a micro servo's 0.1 s/60 deg) and passes through zero vertical thrust.
    motor:   u_c = clip(u, -u_max, u_max); magnitude |u_c|, or 0 in the dead zone |u_c| < dead_zone
             (motors off, servo holds); the vertical command is w = magnitude * cos(phi), scaled
             by ``reverse_efficiency`` while it points down (propwash on the envelope; 1 = none).
    lag:     a[n+1] = a[n] + (w[n] - a[n]) * (1 - exp(-dt / tau))   (motor spin-up, MuJoCo's
             ``filterexact`` actuator dynamics);
    body:    z'' = k * a - g_b - c * z' |z'|;   semi-implicit Euler (MuJoCo's ``Euler``):
             v[n+1] = v[n] + dt * z''[n],  z[n+1] = z[n] + dt * v[n+1];  the floor stops it at 0.

Symbols: k = ``thrust_mps2_per_unit`` (m/s^2 per motor unit), g_b = ``heaviness_mps2`` (net weight
minus buoyancy, per mass), c = ``drag_per_m`` (1/m). ``sim/blimp.xml`` realizes the body and lag
in MuJoCo with the same numbers; :meth:`BlimpDynamics.from_mujoco` reads them back from a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from snn_control.dictio import DictIO, require_numbers

_UP, _DOWN = 0.0, np.pi


@dataclass(frozen=True)
class BlimpDynamics(DictIO):
    """Parameters of the altitude model (defaults: ``sim/blimp.xml``)."""

    dt_s: float = 0.01
    thrust_mps2_per_unit: float = 0.1
    heaviness_mps2: float = 0.3
    drag_per_m: float = 1.3
    motor_tau_s: float = 0.1
    servo_flip_s: float = 0.3
    u_max: float = 10.0
    dead_zone: float = 0.3
    reverse_efficiency: float = 1.0

    def __post_init__(self) -> None:
        require_numbers(self)
        for name in ("dt_s", "thrust_mps2_per_unit", "motor_tau_s", "servo_flip_s", "u_max"):
            if getattr(self, name) <= 0:
                raise ValueError(f"BlimpDynamics.{name} must be > 0, got {getattr(self, name)}")
        for name in ("heaviness_mps2", "drag_per_m", "dead_zone"):
            if getattr(self, name) < 0:
                raise ValueError(f"BlimpDynamics.{name} must be >= 0, got {getattr(self, name)}")
        if self.dead_zone >= self.u_max:
            raise ValueError("BlimpDynamics.dead_zone must be below u_max")

    @property
    def hover_units(self) -> float:
        """Motor units that hold altitude (g_b / k)."""
        return self.heaviness_mps2 / self.thrust_mps2_per_unit


    @classmethod
    def from_mujoco(cls, model: Any, servo_flip_s: float = 0.3, dead_zone: float = 0.3) -> "BlimpDynamics":
        """Read the parameters that ``sim/blimp.xml`` encodes from a compiled ``mujoco.MjModel``."""
        body = model.body("blimp")
        mass = float(body.mass[0])
        g = -float(model.opt.gravity[2])
        inertia = np.asarray(body.inertia, dtype=float)
        # Equivalent inertia box (MuJoCo's fluid model): side_i^2 = 6 (I_j + I_k - I_i) / m.
        sides = np.sqrt(6.0 * (inertia.sum() - 2.0 * inertia) / mass)
        area_z = sides[0] * sides[1]
        act = model.actuator("thrust")
        return cls(
            dt_s=float(model.opt.timestep),
            thrust_mps2_per_unit=float(act.gear[0]) / mass,
            heaviness_mps2=g * (1.0 - float(model.body_gravcomp[body.id])),
            drag_per_m=float(0.5 * model.opt.density * area_z / mass),
            motor_tau_s=float(act.dynprm[0]),
            servo_flip_s=servo_flip_s,
            u_max=float(act.ctrlrange[1]),
            dead_zone=dead_zone,
        )


def servo_target(phi: np.ndarray, u: np.ndarray, p: BlimpDynamics) -> np.ndarray:
    """Where the servo turns for command ``u``: up, down, or (in the dead zone) where it is."""
    return np.where(u >= p.dead_zone, _UP, np.where(u <= -p.dead_zone, _DOWN, phi))


def servo_step(phi: np.ndarray, u: np.ndarray, p: BlimpDynamics) -> np.ndarray:
    """One physics step of the thrust-direction servo; returns the new angle (rad)."""
    target = servo_target(phi, u, p)
    max_move = np.pi / p.servo_flip_s * p.dt_s
    return phi + np.clip(target - phi, -max_move, max_move)


def vertical_command(phi: np.ndarray, u: np.ndarray, p: BlimpDynamics) -> np.ndarray:
    """Vertical thrust command in motor units for servo angle ``phi`` and motor command ``u``."""
    magnitude = np.abs(np.clip(u, -p.u_max, p.u_max))
    magnitude = np.where(magnitude < p.dead_zone, 0.0, magnitude)
    vertical = magnitude * np.cos(phi)
    return np.where(vertical < 0.0, p.reverse_efficiency * vertical, vertical)


def body_step(
    z: np.ndarray, v: np.ndarray, a: np.ndarray, w: np.ndarray, p: BlimpDynamics
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One physics step of the body and motor lag: returns ``(z, v, a)`` after the step."""
    accel = p.thrust_mps2_per_unit * a - p.heaviness_mps2 - p.drag_per_m * v * np.abs(v)
    v_next = v + p.dt_s * accel
    z_next = z + p.dt_s * v_next
    on_floor = z_next <= 0.0
    z_next = np.where(on_floor, 0.0, z_next)
    v_next = np.where(on_floor, np.maximum(v_next, 0.0), v_next)
    a_next = a + (w - a) * (1.0 - np.exp(-p.dt_s / p.motor_tau_s))
    return z_next, v_next, a_next


def hold_steps(
    z: np.ndarray, v: np.ndarray, a: np.ndarray, phi: np.ndarray, u: np.ndarray, p: BlimpDynamics, n_substeps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``n_substeps`` physics steps under one held motor command ``u``: :func:`servo_step`,
    :func:`vertical_command` and :func:`body_step` in sequence, with what the hold keeps constant
    computed once. The servo moves toward a fixed target, so its angles over the hold are
    ``phi + clip(target - phi, -i m, i m)`` (i = 1..n, m the move per step) and the vertical
    commands are one array. Same equations; roundings differ from the step-by-step loop by a few
    ulp. Returns ``(z, v, a, phi)`` after the hold. Numpy calls per hold: about 10 per substep
    instead of 30, which is what a batch of a few hundred rows costs (evolution's hot loop).
    """
    n = int(n_substeps)
    reach = np.arange(1.0, n + 1.0)[:, None] * (np.pi / np.asarray(p.servo_flip_s) * p.dt_s)
    phis = phi + np.clip(servo_target(phi, u, p) - phi, -reach, reach)  # (n, batch)
    w = vertical_command(phis, u, p)  # (n, batch)
    keep = np.exp(-p.dt_s / np.asarray(p.motor_tau_s))  # a[i+1] = a[i] + (w[i] - a[i]) (1 - keep)
    drive = np.empty_like(w)  # dt * (k a[i] - g_b): the thrust part of each step's velocity change
    for i in range(n):
        drive[i] = a
        a = w[i] + (a - w[i]) * keep
    drive = p.dt_s * (p.thrust_mps2_per_unit * drive - p.heaviness_mps2)
    drag = p.dt_s * np.asarray(p.drag_per_m)
    for i in range(n):
        v = v + (drive[i] - drag * v * np.abs(v))
        z = z + p.dt_s * v
        on_floor = z <= 0.0
        if on_floor.any():
            z = np.where(on_floor, 0.0, z)
            v = np.where(on_floor, np.maximum(v, 0.0), v)
    return z, v, a, phis[-1] if n else phi
