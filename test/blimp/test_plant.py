"""Plant files and presets, one plant per twin row, and plant distributions."""

import json

import numpy as np
import pytest

from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp.plant import PRESETS, BlimpPlant, PlantDistribution, load_plant, stack_dynamics
from snn_control.blimp.sim import BlimpEnv
from snn_control.blimp.tof import ToFSensor
from snn_control.blimp.twin import BlimpBatchSim

# climb, reverse (servo flip), dead zone, full power, full reverse, hover-ish
COMMANDS = [8.0] * 25 + [-7.0] * 15 + [0.4] * 10 + [10.0] * 15 + [-10.0] * 10 + [4.0] * 20


def test_presets_load_with_their_documented_values():
    plants = {name: load_plant(name) for name in PRESETS}
    assert {n: p.name for n, p in plants.items()} == {n: n for n in PRESETS}
    assert plants["nominal"] == BlimpPlant() and load_plant(None) == BlimpPlant() and load_plant("") == BlimpPlant()
    assert plants["nominal"].dynamics == BlimpDynamics()
    paper = plants["paper"].dynamics
    assert (paper.thrust_mps2_per_unit, paper.drag_per_m) == (0.055, 0.8)
    assert paper.heaviness_mps2 == pytest.approx(0.165) and paper.hover_units == pytest.approx(3.0)
    assert plants["heavy"].hover_units == pytest.approx(5.0) and plants["light"].hover_units == pytest.approx(1.5)
    laggy = plants["laggy"]
    assert (laggy.dynamics.motor_tau_s, laggy.dynamics.servo_flip_s, laggy.dynamics.dead_zone) == (0.3, 0.6, 0.5)
    assert laggy.range_noise_std_m == 0.02 and laggy.sensor().noise_std_m == 0.02
    for p in plants.values():  # everything not in the file stays nominal
        assert p.initial_altitude_m == 0.5 and p.dynamics.u_max == 10.0 and p.dynamics.dt_s == 0.01


def test_hover_units_sets_heaviness_through_the_thrust_gain(tmp_path):
    p = BlimpPlant.from_dict({"hover_units": 4.0, "thrust_mps2_per_unit": 0.05})
    assert p.dynamics.heaviness_mps2 == pytest.approx(0.2) and p.hover_units == pytest.approx(4.0)
    assert BlimpPlant.from_dict({"hover_units": 4.0}).dynamics.heaviness_mps2 == pytest.approx(0.4)
    with pytest.raises(ValueError, match="hover_units: give hover_units or heaviness_mps2, not both"):
        BlimpPlant.from_dict({"hover_units": 4.0, "heaviness_mps2": 0.4})
    f = tmp_path / "mine.json"
    f.write_text(json.dumps({"hover_units": 2.0, "initial_altitude_m": 1.5}))
    mine = load_plant(str(f))
    assert mine.name == "mine" and mine.hover_units == pytest.approx(2.0) and mine.initial_altitude_m == 1.5


def test_plant_dict_round_trip():
    for name in PRESETS:
        p = load_plant(name)
        assert BlimpPlant.from_dict(p.to_dict(), name=name) == p


@pytest.mark.parametrize("text, key", [
    ("heaviness: 0.4\n", "heaviness"),  # unknown key
    ("drag_per_m: fast\n", "drag_per_m"),  # wrong type
    ("motor_tau_s: true\n", "motor_tau_s"),  # a bool is no number
    ("drag_per_m: -1.0\n", "drag_per_m"),  # impossible
    ("hover_units: 10.0\n", "hover_units"),  # could not take off
    ("heaviness_mps2: 1.2\n", "hover_units"),  # 12 units to hover
    ("heaviness_mps2: 12.0\n", "heaviness_mps2"),  # heavier than gravity allows
    ("motor_tau_s: 0\n", "motor_tau_s"),
    ("initial_altitude_m: 20\n", "initial_altitude_m"),
    ("range_noise_std_m: -0.01\n", "range_noise_std_m"),
    ("dead_zone: .nan\n", "dead_zone"),
])
def test_bad_plant_files_name_the_file_and_the_key(tmp_path, text, key):
    f = tmp_path / "bad_plant.yaml"
    f.write_text(text)
    with pytest.raises(ValueError, match=rf"bad_plant\.yaml: {key}: "):
        load_plant(str(f))


def test_unreadable_plant_files_name_the_file(tmp_path):
    with pytest.raises(ValueError, match="nope.yaml: no such plant file.*heavy"):
        load_plant(str(tmp_path / "nope.yaml"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("drag_per_m: [1.0\n")
    with pytest.raises(ValueError, match="broken.yaml: cannot read plant file"):
        load_plant(str(broken))
    listed = tmp_path / "listed.yaml"
    listed.write_text("- 1.0\n")
    with pytest.raises(ValueError, match="listed.yaml: expected a mapping"):
        load_plant(str(listed))


def test_nominal_plant_leaves_the_model_file_as_it_is():
    assert BlimpPlant().model_dynamics() is None
    heavy = load_plant("heavy")
    assert heavy.model_dynamics() is heavy.dynamics


def test_batch_rows_fly_exactly_as_single_plant_sims():
    plants = [load_plant(n) for n in PRESETS] + PlantDistribution().draw(np.random.default_rng(1), 3)
    batch = BlimpBatchSim(len(plants), [p.dynamics for p in plants], initial_altitude_m=np.array(
        [p.initial_altitude_m for p in plants]), noise_std_m=np.array([p.range_noise_std_m for p in plants]))
    singles = [BlimpBatchSim(1, p.dynamics, p.sensor(), initial_altitude_m=p.initial_altitude_m) for p in plants]
    trace = []
    for u in COMMANDS:
        batch.step(u)
        for s in singles:
            s.step(u)
        trace.append(batch.altitude_m.copy())
        for k, s in enumerate(singles):
            for name, value in s.state._asdict().items():
                assert getattr(batch.state, name)[k] == value[0], (k, name)
    assert len(np.unique(np.array(trace).T, axis=0)) == len(plants)  # every plant flew its own flight


def test_batch_noise_is_per_row():
    sim = BlimpBatchSim(3, initial_altitude_m=2.0, noise_std_m=np.array([0.0, 0.0, 0.5]), seed=4)
    readings = np.array([sim.read_range() for _ in range(200)])
    assert np.all(readings[:, :2] == 2.0) and readings[:, 2].std() > 0.3


def test_stack_dynamics_refuses_mixed_physics_steps():
    with pytest.raises(ValueError, match="dt_s"):
        stack_dynamics([BlimpDynamics(), BlimpDynamics(dt_s=0.005)])
    with pytest.raises(ValueError, match="one plant per row"):
        BlimpBatchSim(2, [BlimpDynamics()])


@pytest.mark.parametrize("name", ["paper", "laggy"])
def test_mujoco_and_twin_agree_on_a_preset(name):
    plant = load_plant(name)
    env = BlimpEnv(dynamics=plant.model_dynamics(), sensor=plant.sensor(), initial_altitude_m=3.0)
    twin = BlimpBatchSim(1, plant.dynamics, plant.sensor(), initial_altitude_m=3.0)
    nominal = BlimpBatchSim(1, initial_altitude_m=3.0)
    z_mj, z_tw, z_nom = [], [], []
    for u in COMMANDS:
        env.step(u)
        twin.step(u)
        nominal.step(u)
        z_mj.append(env.altitude_m)
        z_tw.append(twin.state.z_m[0])
        z_nom.append(nominal.state.z_m[0])
    assert min(z_mj) > 0.3 and np.ptp(z_mj) > 0.5  # a real trajectory, not a hover
    np.testing.assert_allclose(z_tw, z_mj, atol=1e-9)
    assert twin.state.thrust_units[0] == pytest.approx(env.thrust_units, abs=1e-9)
    assert np.max(np.abs(np.array(z_nom) - z_mj)) > 0.1  # the preset really changed the flight


def test_plant_distribution_is_seeded_and_in_range():
    dist = PlantDistribution()
    a = dist.draw(np.random.default_rng(7), 20)
    assert a == dist.draw(np.random.default_rng(7), 20)
    assert a != dist.draw(np.random.default_rng(8), 20)
    for p in a:
        assert dist.hover_units[0] <= p.hover_units <= dist.hover_units[1]
        assert dist.motor_tau_s[0] <= p.dynamics.motor_tau_s <= dist.motor_tau_s[1]
        assert dist.initial_altitude_m[0] <= p.initial_altitude_m <= dist.initial_altitude_m[1]
        assert dist.range_noise_std_m[0] <= p.range_noise_std_m <= dist.range_noise_std_m[1]
    assert len({p.dynamics for p in a}) == 20
    with pytest.raises(ValueError, match="PlantDistribution.drag_per_m"):
        PlantDistribution(drag_per_m=(2.0, 1.0))


def test_corner_plants_sit_at_the_ends_of_every_range():
    dist, tail = PlantDistribution(), 0.15
    plants = dist.draw(np.random.default_rng(3), 200, tail=tail)

    def shares(values, lo, hi, log=False):
        if log:
            values, lo, hi = np.log(values), np.log(lo), np.log(hi)
        return (np.asarray(values) - lo) / (hi - lo)

    for values, rng_, log in (([p.hover_units for p in plants], dist.hover_units, False),
                              ([p.dynamics.drag_per_m for p in plants], dist.drag_per_m, False),
                              ([p.dynamics.motor_tau_s for p in plants], dist.motor_tau_s, True),
                              ([p.dynamics.servo_flip_s for p in plants], dist.servo_flip_s, True),
                              ([p.dynamics.dead_zone for p in plants], dist.dead_zone, False),
                              ([p.initial_altitude_m for p in plants], dist.initial_altitude_m, False)):
        x = shares(values, *rng_, log=log)
        assert np.all((x <= tail + 1e-9) | (x >= 1 - tail - 1e-9))
        assert 0.3 < np.mean(x > 0.5) < 0.7  # both ends drawn
    # slow motor, slow servo and wide dead zone at once: about 1 in 8 corner plants, ~0 uniform ones
    def laggy(ps):
        return sum(p.dynamics.motor_tau_s > 0.25 and p.dynamics.servo_flip_s > 0.5 and p.dynamics.dead_zone > 0.45
                   for p in ps)
    assert laggy(plants) >= 10 and laggy(dist.draw(np.random.default_rng(3), 200)) <= 2
    with pytest.raises(ValueError, match="tail"):
        dist.draw(np.random.default_rng(0), 2, tail=0.6)
