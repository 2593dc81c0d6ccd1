"""The MuJoCo blimp, its numpy twin, and the ToF sensor."""

import numpy as np
import pytest

from snn_control.blimp.sim import BlimpEnv
from snn_control.blimp.twin import BlimpBatchSim, blimp_control_step, blimp_initial_state
from snn_control.blimp.dynamics import BlimpDynamics, servo_step, vertical_command
from snn_control.blimp.tof import ToFSensor, tof_reading


@pytest.fixture(scope="module")
def env():
    return BlimpEnv(seed=0)


def test_mjcf_encodes_the_twin_parameters(env):
    derived = env.dynamics.to_dict()
    for key, value in BlimpDynamics().to_dict().items():
        assert derived[key] == pytest.approx(value, rel=1e-8), key


def test_heavier_than_air_hovers_at_three_units(env):
    p = env.dynamics
    assert p.hover_units == pytest.approx(3.0)
    env.reset(altitude_m=2.0)
    for _ in range(10):
        env.step(p.hover_units)  # let the motor lag settle
    v0 = env.velocity_mps
    for _ in range(50):
        env.step(p.hover_units)
    assert abs(env.velocity_mps) <= abs(v0) + 1e-9  # thrust balances weight; drag only slows
    env.reset(altitude_m=2.0)
    for _ in range(20):
        env.step(0.0)
    assert env.altitude_m < 1.9 and env.velocity_mps < 0  # motors off: it sinks


def test_twin_matches_mujoco_in_flight(env):
    # climb, reverse (servo flip), hover, dead zone, full power, full reverse, settle
    commands = [8.0] * 30 + [-6.0] * 15 + [3.0] * 20 + [0.2] * 10 + [10.0] * 20 + [-10.0] * 5 + [5.0] * 30
    env.reset(altitude_m=4.0)
    twin = BlimpBatchSim(1, env.dynamics, initial_altitude_m=4.0)
    z_mj, z_tw = [], []
    for u in commands:
        env.step(u)
        twin.step(u)
        z_mj.append(env.altitude_m)
        z_tw.append(twin.state.z_m[0])
    z_mj, z_tw = np.array(z_mj), np.array(z_tw)
    assert z_mj.min() > 0.5 and np.ptp(z_mj) > 1.0  # a real trajectory, not a hover
    np.testing.assert_allclose(z_tw, z_mj, atol=1e-9)
    assert twin.state.v_mps[0] == pytest.approx(env.velocity_mps, abs=1e-9)
    assert twin.state.thrust_units[0] == pytest.approx(env.thrust_units, abs=1e-9)


def test_twin_matches_mujoco_on_a_non_nominal_plant():
    plant = BlimpDynamics(heaviness_mps2=0.4, thrust_mps2_per_unit=0.12, drag_per_m=1.0, motor_tau_s=0.2,
                          u_max=9.0, servo_flip_s=0.2, dead_zone=0.5, reverse_efficiency=0.8)
    env = BlimpEnv(dynamics=plant, initial_altitude_m=3.0)
    assert env.dynamics is plant
    read_back = BlimpDynamics.from_mujoco(env.model, servo_flip_s=0.2, dead_zone=0.5).to_dict()
    for key in ("heaviness_mps2", "thrust_mps2_per_unit", "drag_per_m", "motor_tau_s", "u_max", "dt_s"):
        assert read_back[key] == pytest.approx(getattr(plant, key), rel=1e-12), key
    twin = BlimpBatchSim(1, plant, initial_altitude_m=3.0)
    nominal = BlimpEnv(initial_altitude_m=3.0)
    commands = [8.0] * 25 + [-7.0] * 15 + [0.4] * 10 + [10.0] * 15 + [-10.0] * 10 + [plant.hover_units] * 20
    z_mj, z_tw, z_nom = [], [], []
    for u in commands:
        env.step(u)
        twin.step(u)
        nominal.step(u)
        z_mj.append(env.altitude_m)
        z_tw.append(twin.state.z_m[0])
        z_nom.append(nominal.altitude_m)
    assert min(z_mj) > 0.5 and np.ptp(z_mj) > 1.0
    np.testing.assert_allclose(z_tw, z_mj, atol=1e-9)
    assert twin.state.thrust_units[0] == pytest.approx(env.thrust_units, abs=1e-9)
    assert np.max(np.abs(np.array(z_nom) - z_mj)) > 0.1  # the plant really changed the flight


def test_unrepresentable_plant_is_refused():
    with pytest.raises(ValueError, match="heaviness_mps2"):
        BlimpEnv(dynamics=BlimpDynamics(heaviness_mps2=12.0))

def test_dead_zone_clip_and_servo_flip():
    p = BlimpDynamics()
    phi = np.zeros(3)
    u = np.array([0.2, 25.0, -5.0])
    assert vertical_command(phi, u, p).tolist() == [0.0, 10.0, 5.0]  # before the servo turns
    steps = 0
    while phi[2] < np.pi:
        phi = servo_step(phi, u, p)
        steps += 1
    assert steps * p.dt_s == pytest.approx(p.servo_flip_s, abs=p.dt_s)
    assert vertical_command(phi, u, p)[2] == pytest.approx(-5.0)
    assert servo_step(phi, np.array([0.1, 0.1, 0.1]), p).tolist() == phi.tolist()  # dead zone holds


def test_a_hold_is_the_step_by_step_loop():
    """hold_steps (the twin's fused hold) follows servo_step, vertical_command and body_step to a few
    ulp, on per-row plants, through servo flips, the dead zone and the floor."""
    from snn_control.blimp.dynamics import body_step, hold_steps
    from snn_control.blimp.plant import stack_dynamics

    rng = np.random.default_rng(2)
    p = stack_dynamics([BlimpDynamics(heaviness_mps2=h, motor_tau_s=tau, servo_flip_s=f, reverse_efficiency=r)
                        for h, tau, f, r in zip(rng.uniform(0.1, 0.5, 16), rng.uniform(0.05, 0.4, 16),
                                                rng.uniform(0.1, 0.6, 16), rng.uniform(0.7, 1.0, 16))])
    loop = fused = (rng.uniform(0.0, 2.0, 16), np.zeros(16), np.zeros(16), np.zeros(16))
    floor_hits = 0
    for _ in range(300):
        u = rng.normal(0.0, 6.0, 16)
        z, v, a, phi = loop
        for _ in range(10):
            phi = servo_step(phi, u, p)
            z, v, a = body_step(z, v, a, vertical_command(phi, u, p), p)
        loop, fused = (z, v, a, phi), hold_steps(*fused, u, p, 10)
        floor_hits += int(np.sum(z == 0.0))
        for x, y in zip(loop, fused):
            np.testing.assert_allclose(y, x, rtol=1e-9, atol=1e-12)
    assert floor_hits > 0


def test_batch_rows_are_independent():
    p = BlimpDynamics()
    state = blimp_initial_state(np.array([1.0, 2.0]), 2)
    both = blimp_control_step(state, np.array([10.0, -10.0]), p, 10)
    one = blimp_control_step(blimp_initial_state(2.0, 1), np.array([-10.0]), p, 10)
    assert both.z_m[1] == one.z_m[0]


def test_floor_stops_the_twin():
    sim = BlimpBatchSim(1, initial_altitude_m=0.1)
    for _ in range(30):
        sim.step(-10.0)
    assert sim.state.z_m[0] == 0.0 and sim.state.v_mps[0] >= 0.0


def test_tof_conventions():
    sensor = ToFSensor(noise_std_m=0.0)
    rng = np.random.default_rng(0)
    r = tof_reading(np.array([0.1, 0.3, 1.234, 11.999, 13.0]), rng, sensor)
    assert r[0] == -np.inf and r[-1] == np.inf  # REP 117: too close / no return
    assert r[2] == pytest.approx(1.23)  # 1 cm resolution
    noisy = tof_reading(np.full(4000, 2.0), rng, ToFSensor())
    assert 0.007 < noisy.std() < 0.013 and np.allclose(noisy * 100, np.round(noisy * 100))


def test_seeded_runs_repeat():
    a, b = BlimpEnv(seed=7), BlimpEnv(seed=7)
    ra = [a.step(4.0) for _ in range(20)]
    rb = [b.step(4.0) for _ in range(20)]
    assert ra == rb
    assert BlimpBatchSim(batch=2).batch == 2


def test_bad_input_is_refused(env):
    with pytest.raises(ValueError, match="finite"):
        env.step(float("nan"))
    with pytest.raises(ValueError, match="control_period_s"):
        BlimpEnv(control_period_s=0.015)
    with pytest.raises(ValueError, match="drag_per_m"):
        BlimpDynamics(drag_per_m=-1.0)
    with pytest.raises(ValueError, match="finite"):
        BlimpBatchSim(2).step(np.array([1.0, np.inf]))
