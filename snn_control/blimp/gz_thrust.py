"""Motor command (motor units, ``/blimp/motor_cmd``) -> the force (N) Gazebo applies to the blimp.

In ``sim/gazebo/blimp_world.sdf`` the blimp slides on a vertical prismatic joint ``z`` (MuJoCo's
slide joint) and gz-sim's ApplyJointForce system pushes it along that joint with the force of its
``/model/blimp/joint/z/cmd_force`` topic (gz.msgs.Double, held until the next one). MuJoCo's
"thrust" actuator has gear m * k; here

    F = m * k * w(u),   w = vertical_command(phi*, u)

where ``vertical_command`` is the plant's own rule (clip to +-u_max, dead zone, reverse efficiency)
with the servo already at its target phi* (0 up for u > 0, pi down for u < 0). Not modelled: the
servo's travel (a reversal takes ``servo_flip_s`` in our plant, here none) and the motor lag
(``motor_tau_s``): the force steps with each command.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snn_control.blimp.dynamics import BlimpDynamics, vertical_command
from snn_control.dictio import DictIO, require_numbers

BLIMP_MASS_KG = 0.44711318612  # sim/blimp.xml's body "blimp" (a test holds the SDF and MJCF to it)


@dataclass(frozen=True)
class MotorToThrustConfig(DictIO):
    """``motor_to_thrust``: the blimp's mass and the plant's actuator parameters (nominal defaults)."""

    mass_kg: float = BLIMP_MASS_KG
    thrust_mps2_per_unit: float = BlimpDynamics.thrust_mps2_per_unit
    dead_zone: float = BlimpDynamics.dead_zone
    u_max: float = BlimpDynamics.u_max
    reverse_efficiency: float = BlimpDynamics.reverse_efficiency

    def __post_init__(self) -> None:
        require_numbers(self, minimum=0)
        if self.mass_kg <= 0:
            raise ValueError(f"MotorToThrustConfig.mass_kg must be > 0, got {self.mass_kg}")
        self.dynamics()  # validates the actuator parameters with the plant's own rules

    def dynamics(self) -> BlimpDynamics:
        return BlimpDynamics(thrust_mps2_per_unit=self.thrust_mps2_per_unit, dead_zone=self.dead_zone,
                             u_max=self.u_max, reverse_efficiency=self.reverse_efficiency)


def thrust_force_n(u: float, config: MotorToThrustConfig) -> float:
    """The vertical force (N, up positive) for motor command ``u``; non-finite ``u`` raises ValueError."""
    u = float(u)
    if not np.isfinite(u):
        raise ValueError(f"motor command must be finite, got {u!r}")
    phi = np.pi if u < 0 else 0.0  # the servo at its target
    w = vertical_command(np.asarray(phi), np.asarray(u), config.dynamics())
    return float(config.mass_kg * config.thrust_mps2_per_unit * w) + 0.0  # no -0.0 in the dead zone
