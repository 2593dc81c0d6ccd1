"""The ROS 2 launch files describe the same graph as ``snn-control launch`` and honour the YAML.

``launch``/``launch_ros`` are not on PyPI, so this loads each launch file against small stand-ins
that record what it declares, runs its ``OpaqueFunction`` in a fake launch context (the declared
defaults, overridden by the "command line" arguments a test passes), and computes each node's
effective parameters the way ROS does: each file in ``parameters`` applies the section named after
the node, each dict its entries, in order, later wins.
"""

import importlib.util
import re
import sys
import types
from pathlib import Path

import pytest
import yaml

from snn_control.bringup import GRAPHS

ROOT = Path(__file__).resolve().parent.parent


class Recorded:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class LaunchConfiguration(Recorded):
    def perform(self, context):
        (name,) = self.args
        if name not in context.launch_configurations:  # as launch's SubstitutionFailure
            raise LookupError(f"launch configuration '{name}' does not exist")
        return context.launch_configurations[name]


class OpaqueFunction:
    def __init__(self, *, function, args=None, kwargs=None):  # keyword-only, as in launch
        self.function, self.fargs, self.fkwargs = function, args or [], kwargs or {}

    def execute(self, context):
        return self.function(context, *self.fargs, **self.fkwargs)


def _stub_modules(share: str) -> dict:
    mods = {}
    for name in ("launch", "launch.actions", "launch.substitutions", "launch_ros", "launch_ros.actions",
                 "ament_index_python", "ament_index_python.packages"):
        mods[name] = types.ModuleType(name)
    mods["launch"].LaunchDescription = lambda actions: list(actions)
    for attr in ("DeclareLaunchArgument", "SetEnvironmentVariable"):
        setattr(mods["launch.actions"], attr, type(attr, (Recorded,), {}))
    mods["launch.actions"].OpaqueFunction = OpaqueFunction
    mods["launch.substitutions"].LaunchConfiguration = LaunchConfiguration
    mods["launch.substitutions"].EnvironmentVariable = type("EnvironmentVariable", (Recorded,), {})
    mods["launch_ros.actions"].Node = type("Node", (Recorded,), {})
    mods["ament_index_python.packages"].get_package_share_directory = lambda pkg: share
    return mods


def launch(graph: str, monkeypatch, **arguments: str):
    """Load ``<graph>.launch.py`` and run it as ``ros2 launch ... name:=value``: (actions, nodes, context)."""
    for name, mod in _stub_modules(str(ROOT)).items():
        monkeypatch.setitem(sys.modules, name, mod)
    spec = importlib.util.spec_from_file_location(f"{graph}_launch", ROOT / "launch" / f"{graph}.launch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    actions = module.generate_launch_description()
    declared = {a.args[0]: a.kwargs.get("default_value")
                for a in actions if type(a).__name__ == "DeclareLaunchArgument"}
    unknown = set(arguments) - set(declared)
    assert not unknown, f"{graph}.launch.py declares no argument {sorted(unknown)}"
    context = types.SimpleNamespace(launch_configurations={**declared, **arguments})
    nodes, pending = [], list(actions)
    while pending:
        action = pending.pop(0)
        if isinstance(action, OpaqueFunction):
            pending[:0] = action.execute(context) or []
        elif type(action).__name__ == "Node":
            nodes.append(action)
    return actions, nodes, context


def effective_parameters(node, context) -> dict:
    """The parameters ``node`` starts with: its ``parameters`` entries applied in order."""
    name, out = node.kwargs["name"], {}
    for entry in node.kwargs.get("parameters", []):
        if isinstance(entry, LaunchConfiguration):
            entry = entry.perform(context)
        if isinstance(entry, (str, Path)):
            data = yaml.safe_load(Path(entry).read_text()) or {}
            for key in ("/**", name, f"/{name}"):
                out.update((data.get(key) or {}).get("ros__parameters", {}))
        elif isinstance(entry, dict):
            for key, value in entry.items():
                assert isinstance(value, (bool, int, float, str, list)), f"{name}.{key} is not a typed value: {value!r}"
                out[key] = value
        else:
            raise AssertionError(f"{name}: unexpected parameters entry {entry!r}")
    return out


def typed(params: dict) -> dict:
    """``params`` with each value paired with its type, so 7 != 7.0 and "0" != 0."""
    return {k: (type(v).__name__, v) for k, v in params.items()}


def shipped(graph: str) -> dict:
    data = yaml.safe_load((ROOT / "config" / GRAPHS[graph].config_file).read_text())
    return {node: section["ros__parameters"] for node, section in data.items()}


# A user's params file: the shipped one with these values changed, per node.
USER_FILE = {
    "blimp": {"blimp_sim": {"seed": 7, "real_time_factor": 0.0}, "altitude_controller": {"controller": "pid"}},
    "swimmer": {
        "swimmer_sim": {"n_links": 8, "seed": 7, "real_time_factor": 0.0},
        "ncap_controller": {"n_links": 8, "variant": "spiking"},
    },
    "perception": {
        "event_camera": {"subject_seed": 7, "real_time_factor": 0.0, "script": ["hand_clap", "arm_roll"]},
        "action_recognition": {"early_exit": 0.5},
        "image_replay": {"traverse": "night", "n_images": 12, "rate_hz": 2.0},
        "place_recognition": {"frame_id": "odom", "image_width": 640},
    },
    "mission": {
        "blimp_sim": {"seed": 7, "real_time_factor": 0.0},
        "coordinator": {"restart_after_s": 3.0, "warmup_s": 5.0},
        "fault_injector": {"inject": "sensor_nan@30"},
        "route_camera": {"traverse": "night"},
    },
}
# Command-line arguments, and what they must set, per node, over the user's file.
ARGUMENTS = {
    "blimp": ({"seed": "3", "controller": "snn"},
              {"blimp_sim": {"seed": 3}, "altitude_controller": {"controller": "snn"}}),
    "swimmer": ({"n_links": "5", "variant": "rate", "seed": "3"},
                {"swimmer_sim": {"n_links": 5, "seed": 3}, "ncap_controller": {"n_links": 5, "variant": "rate"}}),
    "perception": ({"seed": "3", "early_exit": "0.8", "source": "scene", "place_model": "/m/places.npz",
                    "query_source": "folder", "query_folder": "/data/nordland", "query_traverse": "winter",
                    "query_images": "0"},
                   {"event_camera": {"seed": 3, "source": "scene"}, "action_recognition": {"early_exit": 0.8},
                    "place_recognition": {"model": "/m/places.npz"},
                    "image_replay": {"source": "folder", "folder": "/data/nordland", "traverse": "winter",
                                     "n_images": 0}}),
    "mission": ({"seed": "3", "inject": "sensor_stuck@20,controller_crash@40", "mission_file": "/m/route.yaml",
                 "controller": "pid"},
                {"blimp_sim": {"seed": 3}, "fault_injector": {"seed": 3, "inject": "sensor_stuck@20,controller_crash@40"},
                 "coordinator": {"mission_file": "/m/route.yaml"}, "cue_camera": {"mission_file": "/m/route.yaml"},
                 "route_camera": {"mission_file": "/m/route.yaml"}, "altitude_controller": {"controller": "pid"}}),
}
SIMULATOR = {"blimp": "blimp_sim", "swimmer": "swimmer_sim", "perception": "event_camera", "mission": "blimp_sim"}


def write_user_file(graph: str, tmp_path: Path) -> tuple[Path, dict]:
    expected = shipped(graph)
    for node, changes in USER_FILE[graph].items():
        assert set(changes) <= set(expected[node])
        expected[node].update(changes)
    path = tmp_path / f"my_{graph}.yaml"
    path.write_text(yaml.safe_dump({node: {"ros__parameters": p} for node, p in expected.items()}))
    return path, expected


def console_scripts() -> set[str]:
    text = (ROOT / "setup.py").read_text()
    return set(re.findall(r'"(\w+)": "snn_control\.nodes\.', text))


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_launch_file_matches_bringup_graph(graph, monkeypatch):
    actions, nodes, _ = launch(graph, monkeypatch)
    assert sorted(n.kwargs["name"] for n in nodes) == sorted(GRAPHS[graph].nodes)
    scripts = console_scripts()
    for n in nodes:
        assert n.kwargs["package"] == "snn_control"
        assert n.kwargs["executable"] in scripts
    default = next(a for a in actions if type(a).__name__ == "DeclareLaunchArgument" and a.args[0] == "params_file")
    assert Path(default.kwargs["default_value"]) == ROOT / "config" / GRAPHS[graph].config_file
    env = [a for a in actions if type(a).__name__ == "SetEnvironmentVariable"]
    assert env and env[0].args[0] == "ROS_AUTOMATIC_DISCOVERY_RANGE"
    assert env[0].args[1].kwargs.get("default_value") == "LOCALHOST"


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_defaults_are_the_shipped_yaml_exactly(graph, monkeypatch):
    _, nodes, context = launch(graph, monkeypatch)
    expected = shipped(graph)
    for n in nodes:
        assert not [e for e in n.kwargs["parameters"] if isinstance(e, dict)], "an override nobody asked for"
        assert typed(effective_parameters(n, context)) == typed(expected[n.kwargs["name"]])


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_users_params_file_wins_without_arguments(graph, monkeypatch, tmp_path):
    path, expected = write_user_file(graph, tmp_path)
    _, nodes, context = launch(graph, monkeypatch, params_file=str(path))
    assert len(nodes) == len(expected)
    for n in nodes:
        assert typed(effective_parameters(n, context)) == typed(expected[n.kwargs["name"]])


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_argument_given_overrides_the_params_file(graph, monkeypatch, tmp_path):
    path, expected = write_user_file(graph, tmp_path)
    arguments, sets = ARGUMENTS[graph]
    for node, values in sets.items():
        expected[node].update(values)
    _, nodes, context = launch(graph, monkeypatch, params_file=str(path), **arguments)
    for n in nodes:
        assert typed(effective_parameters(n, context)) == typed(expected[n.kwargs["name"]])
    sim = next(n for n in nodes if n.kwargs["name"] == SIMULATOR[graph])
    assert effective_parameters(sim, context)["real_time_factor"] == 0.0  # the file's, not overridden


@pytest.mark.parametrize("graph, argument, value", [
    ("blimp", "seed", "abc"),
    ("blimp", "real_time_factor", "fast"),
    ("blimp", "controller", "PID"),
    ("blimp", "initial_altitude_m", "high"),
    ("swimmer", "seed", "abc"),
    ("swimmer", "n_links", "6.5"),
    ("swimmer", "variant", "spiky"),
    ("perception", "source", "webcam"),
    ("perception", "early_exit", "soon"),
    ("perception", "query_source", "webcam"),
    ("perception", "query_images", "all"),
])
def test_bad_argument_value_names_the_argument(graph, argument, value, monkeypatch):
    with pytest.raises(ValueError, match=rf"\b{argument}:='{re.escape(value)}'"):
        launch(graph, monkeypatch, **{argument: value})


def test_plant_arguments_pin_every_plant_parameter(monkeypatch, tmp_path):
    """plant_file:= and initial_altitude_m:= resolve the plant as ``snn-control launch blimp`` does,
    the params file's plant_file included, and write every plant key: an explicit start wins."""
    from snn_control.blimp.plant import load_plant

    plant = tmp_path / "high.yaml"
    plant.write_text("hover_units: 4.0\ninitial_altitude_m: 2.0\n")
    params = shipped("blimp")
    params["blimp_sim"]["plant_file"] = str(plant)
    path = tmp_path / "my_blimp.yaml"
    path.write_text(yaml.safe_dump({node: {"ros__parameters": p} for node, p in params.items()}))
    heavy = load_plant("heavy").to_dict()
    for arguments, pinned in (
        ({"initial_altitude_m": "0.5"}, {"heaviness_mps2": 0.4, "initial_altitude_m": 0.5}),
        ({"plant_file": "heavy"}, heavy),
        ({"plant_file": "heavy", "initial_altitude_m": "3"}, {**heavy, "initial_altitude_m": 3.0}),
    ):
        _, nodes, context = launch("blimp", monkeypatch, params_file=str(path), **arguments)
        for n in nodes:
            expected = dict(params[n.kwargs["name"]])
            if n.kwargs["name"] == "blimp_sim":
                expected.update(plant_file="", **pinned)
            got = effective_parameters(n, context)
            assert typed(got) == typed(expected), arguments
    _, nodes, context = launch("blimp", monkeypatch, params_file=str(path))  # no argument: the node's rule
    sim = next(n for n in nodes if n.kwargs["name"] == "blimp_sim")
    assert effective_parameters(sim, context)["plant_file"] == str(plant)


def test_bad_plant_argument_names_the_file_and_key(monkeypatch, tmp_path):
    bad = tmp_path / "my_plant.yaml"
    bad.write_text("dead_zone: 20\n")
    with pytest.raises(ValueError, match=r"blimp\.yaml: blimp_sim: .*my_plant\.yaml: dead_zone"):
        launch("blimp", monkeypatch, plant_file=str(bad))


def test_package_manifest_declares_runtime_dependencies():
    xml = (ROOT / "package.xml").read_text()
    for dep in ("rclpy", "sensor_msgs", "geometry_msgs", "diagnostic_msgs", "rosgraph_msgs", "launch", "launch_ros"):
        assert f"<exec_depend>{dep}</exec_depend>" in xml
    assert "<build_type>ament_python</build_type>" in xml
    assert (ROOT / "resource" / "snn_control").is_file()


def test_mission_launch_remaps_and_respawns_as_the_one_process_graph(monkeypatch):
    from snn_control.coordinator.node_config import SUPERVISED

    _, nodes, _ = launch("mission", monkeypatch)
    remaps = GRAPHS["mission"].remaps
    assert remaps["altitude_controller"] == {"blimp/motor_cmd": "blimp/snn_cmd"}
    for n in nodes:
        name = n.kwargs["name"]
        assert dict(n.kwargs["remappings"]) == remaps.get(name, {})
        assert n.kwargs["respawn"] == (name in SUPERVISED)
