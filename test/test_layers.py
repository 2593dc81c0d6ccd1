"""The cores never import rclpy or ROS messages (DESIGN.md, layer 1)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import snn_control

CORE_PACKAGES = ("snn", "control", "evolve", "envs", "perception", "coordinator", "artifacts")


def core_modules() -> list[str]:
    root = Path(snn_control.__file__).parent
    names = []
    for pkg in CORE_PACKAGES:
        names.append(f"snn_control.{pkg}")
        for info in pkgutil.walk_packages([str(root / pkg)], prefix=f"snn_control.{pkg}."):
            names.append(info.name)
    return names


def test_core_modules_do_not_import_ros():
    modules = core_modules()
    assert "snn_control.control.pid" in modules and "snn_control.envs.blimp" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rclpy', 'std_msgs', 'sensor_msgs', 'geometry_msgs', 'diagnostic_msgs', 'rosgraph_msgs'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"core modules pulled in ROS: {out.stdout.strip()}"


def test_control_path_does_not_import_torch():
    code = (
        "import sys\n"
        "import snn_control.control.pid, snn_control.control.guard, snn_control.control.factory\n"
        "import snn_control.envs.blimp_batch\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
