"""blimp_sim's plant parameters: plant_file as the base, changed keys on top, pinned for the launchers."""

import pytest
import yaml

from snn_control.blimp.config import PLANT_PARAMS, BlimpSimConfig, pin_plant
from snn_control.blimp.plant import BlimpPlant, load_plant
from snn_control.bringup import load_graph_params
from snn_control.dictio import config_from_mapping
from snn_control.paths import config_path


@pytest.fixture
def high_plant(tmp_path):
    """A plant file that also moves the start altitude."""
    f = tmp_path / "high.yaml"
    f.write_text("hover_units: 4.0\ninitial_altitude_m: 2.0\n")
    return str(f)


def test_defaults_and_the_shipped_yaml_fly_the_nominal_plant():
    assert BlimpSimConfig().plant() == BlimpPlant()
    _, params = load_graph_params("blimp")
    assert set(PLANT_PARAMS) | {"plant_file"} <= set(params["blimp_sim"])
    assert config_from_mapping(BlimpSimConfig, params["blimp_sim"], "blimp_sim").plant() == BlimpPlant()


def test_plant_file_is_the_base_and_changed_keys_win():
    shipped = yaml.safe_load(config_path("blimp.yaml").read_text())["blimp_sim"]["ros__parameters"]
    shipped.pop("use_sim_time")
    heavy = config_from_mapping(BlimpSimConfig, {**shipped, "plant_file": "heavy"}, "blimp_sim").plant()
    assert heavy == load_plant("heavy")  # the nominal values listed beside it do not override it
    slow = BlimpSimConfig(plant_file="heavy", motor_tau_s=0.2).plant()
    assert slow.dynamics.motor_tau_s == 0.2 and slow.hover_units == pytest.approx(5.0)
    assert slow.name == "heavy+motor_tau_s"
    assert BlimpSimConfig(dead_zone=0.5, range_noise_std_m=0.03).plant().name == "nominal+dead_zone+range_noise_std_m"


def test_pin_plant_writes_every_key_so_an_explicit_start_wins(high_plant):
    plant, params = pin_plant({"seed": 3}, "my.yaml: blimp_sim", plant_file=high_plant, initial_altitude_m=0.5)
    assert plant.name == "high" and plant.hover_units == pytest.approx(4.0) and plant.initial_altitude_m == 0.5
    assert set(params) == set(PLANT_PARAMS) | {"plant_file"} and params["plant_file"] == ""
    assert all(isinstance(params[k], float) for k in PLANT_PARAMS)
    # the node, given these parameters, flies exactly that plant (0.5 is the default, yet it holds)
    assert BlimpSimConfig(seed=3, **params).plant().to_dict() == plant.to_dict()
    # without the flag the file's start holds; the file named in the parameters works the same way
    assert pin_plant({"plant_file": high_plant}, "x")[0].initial_altitude_m == 2.0
    assert pin_plant({"plant_file": "light"}, "x", plant_file="heavy")[0] == load_plant("heavy")


def test_bad_plants_name_the_file_and_the_key(tmp_path):
    bad = tmp_path / "bad_plant.yaml"
    bad.write_text("drag_per_m: -1.0\n")
    with pytest.raises(ValueError, match=r"my\.yaml: blimp_sim: .*bad_plant\.yaml: drag_per_m"):
        pin_plant({}, "my.yaml: blimp_sim", plant_file=str(bad))
    with pytest.raises(ValueError, match=r"my\.yaml: blimp_sim: .*nope.*no such plant file"):
        pin_plant({}, "my.yaml: blimp_sim", plant_file="nope")
    with pytest.raises(ValueError, match=r"my\.yaml: blimp_sim\.initial_altitude_m: .*got -1"):
        pin_plant({}, "my.yaml: blimp_sim", initial_altitude_m=-1.0)
    with pytest.raises(ValueError, match=r"my\.yaml: blimp_sim: plant: hover_units"):
        pin_plant({"heaviness_mps2": 1.5}, "my.yaml: blimp_sim")
    with pytest.raises(ValueError, match=r"my\.yaml: blimp_sim\.motor_tau_s: expected float"):
        pin_plant({"motor_tau_s": "slow"}, "my.yaml: blimp_sim")


def test_a_parameter_file_with_a_bad_plant_is_refused_before_any_node(tmp_path):
    cfg = tmp_path / "my.yaml"
    cfg.write_text("blimp_sim:\n  ros__parameters:\n    plant_file: heavy\n    servo_flip_s: -0.3\n")
    with pytest.raises(ValueError, match=r"my\.yaml: blimp_sim: plant heavy with parameters: servo_flip_s"):
        load_graph_params("blimp", cfg)
