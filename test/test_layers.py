"""Imports point only downward (DESIGN.md section 1), checked on the source with ``ast``.

Every ``import`` and ``from ... import`` in ``snn_control/`` (function-level ones included) is read
from the syntax tree, so a lazy import inside a function cannot slip past. Units are the top-level
folders and modules of the package; each may import only the units listed for it in
:data:`ALLOWED`, and no core (anything but ``nodes/``, ``commands/``, ``cli.py``, ``bringup.py``)
may import rclpy or a ROS message package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "snn_control"

BASE = {"paths", "dictio"}  # small generic helpers at the package root
GENERIC = BASE | {"snn", "evolve", "artifacts"}
SYSTEMS = {"blimp", "swimmer", "perception", "coordinator"}
ALLOWED: dict[str, set[str]] = {
    "paths": set(),
    "dictio": set(),
    "snn": BASE,
    "artifacts": BASE,
    "evolve": BASE | {"artifacts"},
    "blimp": GENERIC,
    "swimmer": GENERIC,
    "perception": GENERIC,
    "coordinator": GENERIC | SYSTEMS,
    "efficiency": GENERIC | SYSTEMS,
    "envs": GENERIC | SYSTEMS,
    "nodes": GENERIC | SYSTEMS | {"envs"},
    "commands": GENERIC | SYSTEMS | {"envs", "nodes", "bringup", "cli", "efficiency"},
    "bringup": GENERIC | SYSTEMS | {"envs", "nodes"},
    "cli": GENERIC | SYSTEMS | {"envs", "commands", "efficiency"},
}
ROS_MODULES = {
    "rclpy", "std_msgs", "sensor_msgs", "geometry_msgs", "diagnostic_msgs", "rosgraph_msgs",
    "builtin_interfaces", "rcl_interfaces", "launch", "launch_ros", "ament_index_python",
}
ADAPTERS = {"nodes", "commands", "cli", "bringup"}


def unit_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, absolute module name)`` of every import in a file."""
    tree = ast.parse(path.read_text(), str(path))
    package_parts = ["snn_control", *path.relative_to(PACKAGE).parent.parts]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append((node.lineno, module))
    return out


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_unit_has_a_rule():
    units = {unit_of(p) for p in sources()} - {"__init__"}
    assert units <= set(ALLOWED), f"no layer rule for {sorted(units - set(ALLOWED))}"
    assert {"blimp", "swimmer", "snn", "evolve", "envs", "nodes", "commands"} <= units


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_downward(path: Path):
    unit = unit_of(path)
    if unit == "__init__":
        return
    wrong = []
    for line, module in imports_of(path):
        parts = module.split(".")
        if parts[0] == "snn_control" and len(parts) > 1:
            target = parts[1]
            if target != unit and target not in ALLOWED[unit]:
                wrong.append(f"line {line}: {unit} -> {module}")
        elif parts[0] in ROS_MODULES and unit not in ADAPTERS:
            wrong.append(f"line {line}: core {unit} imports ROS ({module})")
    assert not wrong, "; ".join(wrong)


def test_the_checker_sees_lazy_and_relative_imports(tmp_path, monkeypatch):
    fake = tmp_path / "snn_control"
    (fake / "snn").mkdir(parents=True)
    bad = fake / "snn" / "bad.py"
    bad.write_text("def f():\n    import rclpy\n    from ..blimp import pid\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert imports_of(bad) == [(2, "rclpy"), (3, "snn_control.blimp")]
    with pytest.raises(AssertionError, match="snn -> snn_control.blimp"):
        test_imports_point_downward(bad)


def test_control_path_does_not_import_torch_or_ros():
    code = (
        "import sys\n"
        "import snn_control.blimp.pid, snn_control.blimp.guard, snn_control.blimp.controllers\n"
        "import snn_control.blimp.snn.controller, snn_control.blimp.flight, snn_control.blimp.twin\n"
        "import snn_control.swimmer.policy, snn_control.blimp.training.recipe\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'snntorch', 'rclpy'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
