"""Simulator pacing over real rclpy topics: real-time factor > 0, and commands that go missing.

In one process with an explicit context (``ROS_AUTOMATIC_DISCOVERY_RANGE`` from test/conftest.py).
The pacing rules themselves are tested on a fake clock in test/envs/test_lockstep.py.
"""

import time

import pytest

rclpy = pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.node import Node  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from rclpy.qos import qos_profile_sensor_data  # noqa: E402
from sensor_msgs.msg import Range  # noqa: E402
from geometry_msgs.msg import WrenchStamped  # noqa: E402

from snn_control.bringup import load_graph_params, run_graph  # noqa: E402
from snn_control.nodes.blimp_sim import BlimpSimNode  # noqa: E402
from snn_control.nodes.common import motor_cmd_msg  # noqa: E402

pytestmark = pytest.mark.ros

RTF = 5.0  # 20 ms of wall time per 0.1 s period: pacing, not machine speed, decides (20x failed on a loaded 2-core machine)


def test_blimp_graph_keeps_the_real_time_factor():
    _, params = load_graph_params("blimp")  # the shipped file (controller and schedule on sim time)
    overrides = {
        "blimp_sim": {"real_time_factor": RTF, "duration_s": 8.0, "seed": 2},
        "altitude_controller": {"controller": "pid"},
        "setpoint_schedule": {"setpoints_m": [0.8, 1.2], "segments_s": [4.0]},
    }
    for node, values in overrides.items():
        params[node].update(values)
    samples = []  # (wall s, sim s) after each callback
    run = run_graph("blimp", params, until=lambda n: n["blimp_sim"].finished, max_wall_s=10.0,
                    on_spin=lambda n: samples.append((time.monotonic(), n["blimp_sim"].env.time_s)))
    assert run.completed
    sim = run.nodes["blimp_sim"]
    assert sim.env.time_s == pytest.approx(8.0) and len(sim.log["t_s"]) == 80
    assert sim.n_missed == 0 and sim.n_cmd_msgs == 80  # every period answered in lockstep
    wall_end = next(w for w, _ in samples if _ >= 8.0 - 1e-9)
    assert 8.0 / (wall_end - sim.pacer.wall0_s) == pytest.approx(RTF, rel=0.1)  # never ahead, not far behind
    (w1, s1), (w2, s2) = [next((w, s) for w, s in samples if s >= mark) for mark in (2.0, 6.0)]
    assert (s2 - s1) / (w2 - w1) == pytest.approx(RTF, rel=0.1)  # a steady pace, not bursts


class FirstAnswerOnly(Node):
    """Answers the first range reading with ``u`` and then falls silent (a controller that hangs)."""

    def __init__(self, context, u):
        super().__init__("stub_controller", context=context)
        self.u, self.readings, self.diags = u, [], []
        self._cmd = self.create_publisher(WrenchStamped, "blimp/motor_cmd", 10)
        self.create_subscription(Range, "blimp/range", self._on_range, qos_profile_sensor_data)
        self.create_subscription(DiagnosticArray, "/diagnostics", lambda m: self.diags.extend(m.status), 10)

    def _on_range(self, msg):
        self.readings.append(msg)
        if len(self.readings) == 1:
            self._cmd.publish(motor_cmd_msg(self.u, msg.header.stamp))


@pytest.mark.parametrize("rtf", [0.0, RTF])
def test_sim_counts_missed_commands_and_holds_the_last_one(context, rtf):
    sim = BlimpSimNode(context=context, parameter_overrides=[
        Parameter("real_time_factor", value=rtf), Parameter("lockstep_timeout_s", value=0.05),
        Parameter("duration_s", value=1.0)])
    stub = FirstAnswerOnly(context, u=4.0)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(sim)
    executor.add_node(stub)
    t0 = time.monotonic()
    while not sim.finished and time.monotonic() - t0 < 8.0:
        executor.spin_once(timeout_sec=0.01)
    for _ in range(10):  # deliver what is still in flight
        executor.spin_once(timeout_sec=0.01)
    assert sim.finished and sim.env.time_s == pytest.approx(1.0)
    assert sim.n_cmd_msgs == 1 and sim.n_missed == 9  # answered the first reading, then silence
    assert sim.log["cmd"] == [4.0] * 10  # the last command is held through every miss
    assert len(stub.readings) == 10  # the start and every period but the last
    warnings = [s.message for s in stub.diags if s.name == "blimp_sim" and s.level == b"\x01"]
    assert "no motor command within 0.05 s: holding +4.00" in warnings
