"""The ROS 2 launch files describe the same graph as ``snn-control launch``.

``launch``/``launch_ros`` are not on PyPI, so this loads each launch file against small stand-ins
that record what it declares, and checks every node's package, executable and parameter file.
"""

import importlib.util
import re
import sys
import types
from pathlib import Path

import pytest

from snn_control.bringup import GRAPHS

ROOT = Path(__file__).resolve().parent.parent


class Recorded:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


def _stub_modules(share: str) -> dict:
    mods = {}
    for name in ("launch", "launch.actions", "launch.substitutions", "launch_ros", "launch_ros.actions",
                 "launch_ros.parameter_descriptions", "ament_index_python", "ament_index_python.packages"):
        mods[name] = types.ModuleType(name)
    mods["launch"].LaunchDescription = lambda actions: actions
    for attr in ("DeclareLaunchArgument", "SetEnvironmentVariable"):
        setattr(mods["launch.actions"], attr, type(attr, (Recorded,), {}))
    for attr in ("LaunchConfiguration", "EnvironmentVariable"):
        setattr(mods["launch.substitutions"], attr, type(attr, (Recorded,), {}))
    mods["launch_ros.actions"].Node = type("Node", (Recorded,), {})
    mods["launch_ros.parameter_descriptions"].ParameterValue = type("ParameterValue", (Recorded,), {})
    mods["ament_index_python.packages"].get_package_share_directory = lambda pkg: share
    return mods


def console_scripts() -> set[str]:
    text = (ROOT / "setup.py").read_text()
    return set(re.findall(r'"(\w+)": "snn_control\.nodes\.', text))


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_launch_file_matches_bringup_graph(graph, monkeypatch):
    for name, mod in _stub_modules(str(ROOT)).items():
        monkeypatch.setitem(sys.modules, name, mod)
    spec = importlib.util.spec_from_file_location("lf", ROOT / "launch" / f"{graph}.launch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    actions = module.generate_launch_description()
    nodes = [a for a in actions if type(a).__name__ == "Node"]
    assert {n.kwargs["name"] for n in nodes} == set(GRAPHS[graph].nodes)
    scripts = console_scripts()
    for n in nodes:
        assert n.kwargs["package"] == "snn_control"
        assert n.kwargs["executable"] in scripts
    default = next(a for a in actions if type(a).__name__ == "DeclareLaunchArgument" and a.args[0] == "params_file")
    assert Path(default.kwargs["default_value"]) == ROOT / "config" / GRAPHS[graph].config_file
    env = [a for a in actions if type(a).__name__ == "SetEnvironmentVariable"]
    assert env and env[0].args[0] == "ROS_AUTOMATIC_DISCOVERY_RANGE"


def test_package_manifest_declares_runtime_dependencies():
    xml = (ROOT / "package.xml").read_text()
    for dep in ("rclpy", "sensor_msgs", "geometry_msgs", "diagnostic_msgs", "rosgraph_msgs", "launch", "launch_ros"):
        assert f"<exec_depend>{dep}</exec_depend>" in xml
    assert "<build_type>ament_python</build_type>" in xml
    assert (ROOT / "resource" / "snn_control").is_file()
