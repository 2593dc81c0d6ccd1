"""The spiking, control and evolution cores import neither rclpy nor torch."""

import subprocess
import sys


def test_cores_import_without_rclpy_or_torch():
    code = (
        "import sys\n"
        "import snn_control.snn, snn_control.control.blimp_snn, snn_control.control.blimp_snn_flight\n"
        "import snn_control.evolve.blimp_evolve, snn_control.commands.eval_blimp, snn_control.commands.evolve_blimp\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('rclpy', 'torch', 'snntorch')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
