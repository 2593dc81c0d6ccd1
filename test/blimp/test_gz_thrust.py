"""Motor units -> Gazebo newtons: the plant's own clip, dead zone and reverse efficiency, times m k."""

import math

import numpy as np
import pytest

from snn_control.blimp.dynamics import BlimpDynamics, vertical_command
from snn_control.blimp.gz_thrust import BLIMP_MASS_KG, MotorToThrustConfig, thrust_force_n

M_K = BLIMP_MASS_KG * 0.1


@pytest.mark.parametrize("u, units", [
    (0.0, 0.0), (0.29, 0.0), (-0.29, 0.0),     # the dead zone: motors off
    (0.3, 0.3), (3.0, 3.0), (-4.0, -4.0),
    (10.0, 10.0), (25.0, 10.0), (-25.0, -10.0),  # clipped to +-u_max
])
def test_force_is_m_k_times_the_plants_vertical_command(u, units):
    assert thrust_force_n(u, MotorToThrustConfig()) == pytest.approx(M_K * units, abs=1e-15)


def test_matches_the_plant_with_the_servo_settled():
    p = BlimpDynamics(reverse_efficiency=0.7)
    c = MotorToThrustConfig(reverse_efficiency=0.7)
    for u in np.linspace(-12, 12, 97):
        phi = np.pi if u < 0 else 0.0
        assert thrust_force_n(u, c) == pytest.approx(BLIMP_MASS_KG * 0.1 * float(vertical_command(phi, u, p)))


def test_hover_command_holds_the_nominal_heaviness():
    """+3 units lift m g_b (0.3 m/s^2): the force the world's buoyancy leaves to the motors."""
    assert thrust_force_n(3.0, MotorToThrustConfig()) == pytest.approx(BLIMP_MASS_KG * 0.3)


def test_dead_zone_gives_plus_zero():
    assert math.copysign(1.0, thrust_force_n(-0.1, MotorToThrustConfig())) == 1.0


@pytest.mark.parametrize("u", [math.nan, math.inf, -math.inf])
def test_non_finite_command_is_refused(u):
    with pytest.raises(ValueError, match="finite"):
        thrust_force_n(u, MotorToThrustConfig())


@pytest.mark.parametrize("field, value", [("mass_kg", 0.0), ("mass_kg", -1.0), ("thrust_mps2_per_unit", 0.0),
                                          ("dead_zone", 20.0), ("u_max", math.nan), ("dead_zone", -0.1)])
def test_config_names_a_bad_field(field, value):
    with pytest.raises(ValueError, match=field):
        MotorToThrustConfig(**{field: value})


def test_config_round_trip():
    c = MotorToThrustConfig(mass_kg=0.5, dead_zone=0.5)
    assert MotorToThrustConfig.from_dict(c.to_dict()) == c
