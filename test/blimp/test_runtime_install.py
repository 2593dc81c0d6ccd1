"""The install paths of docs/install.md stay what they say: the runtime is numpy alone, the ROS 2
system path pulls no ros-* wheel, and the extras agree with requirements.txt's tested pins.

Read from the files with ``ast`` (setup.py is never run).
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setup_lists() -> dict[str, list[str]]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return out


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0].lower().replace("_", "-")


def _pins(path: Path) -> dict[str, str]:
    return {_name(r): r.split("==", 1)[1] for r in _requirement_lines(path) if "==" in r}


def test_the_runtime_is_numpy_alone_and_the_base_install_is_the_runtime():
    lists = _setup_lists()
    assert [_name(r) for r in lists["RUNTIME"]] == ["numpy"]
    setup_call = next(n for n in ast.walk(ast.parse((ROOT / "setup.py").read_text()))
                      if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "setup")
    kwargs = {k.arg: k.value for k in setup_call.keywords}
    assert isinstance(kwargs["install_requires"], ast.Name) and kwargs["install_requires"].id == "RUNTIME"
    assert isinstance(kwargs["extras_require"], ast.Name) and kwargs["extras_require"].id == "EXTRAS"


def test_only_the_ros_wheels_extra_pulls_ros_wheels():
    lists = _setup_lists()
    for name in ("RUNTIME", "SIM", "TRAIN", "PERCEPTION"):
        assert not [r for r in lists[name] if _name(r).startswith("ros-")], name
    assert lists["ROS_WHEELS"] and all(_name(r).startswith("ros-") for r in lists["ROS_WHEELS"])
    assert "rclpy" not in {_name(r) for name in ("RUNTIME", "SIM", "TRAIN", "PERCEPTION") for r in lists[name]}


def test_ros2_system_requirements_are_the_extras_without_ros():
    lists = _setup_lists()
    ros2 = _requirement_lines(ROOT / "requirements-ros2.txt")
    assert not [r for r in ros2 if _name(r).startswith("ros-") or _name(r) == "rclpy"]
    assert sorted(ros2) == sorted(set(lists["RUNTIME"] + lists["SIM"] + lists["TRAIN"] + lists["PERCEPTION"]))


def test_exact_pins_agree_with_requirements_txt():
    lists = _setup_lists()
    tested = _pins(ROOT / "requirements.txt")
    for req in (r for reqs in lists.values() for r in reqs if "==" in r):
        name, version = _name(req), req.split("==", 1)[1]
        assert tested.get(name) == version, f"setup.py pins {req}, requirements.txt {name}=={tested.get(name)}"
