"""The blimp graph over real rclpy topics, in one process (explicit context, no discovery)."""

import math

import pytest

rclpy = pytest.importorskip("rclpy")

from geometry_msgs.msg import WrenchStamped  # noqa: E402
from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.node import Node  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from rclpy.qos import qos_profile_sensor_data  # noqa: E402
from sensor_msgs.msg import Range  # noqa: E402

from snn_control.bringup import run_graph  # noqa: E402
from snn_control.nodes.altitude_controller import AltitudeControllerNode  # noqa: E402
from snn_control.nodes.blimp_sim import BlimpSimNode  # noqa: E402
from snn_control.nodes.common import time_msg  # noqa: E402

pytestmark = pytest.mark.ros


def test_controller_turns_garbage_readings_into_safe_commands(context):
    controller = AltitudeControllerNode(context=context, parameter_overrides=[
        Parameter("use_sim_time", value=False), Parameter("sensor_timeout_s", value=0.3)])
    probe = Node("probe", context=context)
    cmds, diags = [], []
    probe.create_subscription(WrenchStamped, "blimp/motor_cmd", lambda m: cmds.append(m), 10)
    probe.create_subscription(DiagnosticArray, "/diagnostics", lambda m: diags.extend(m.status), 10)
    ranges = probe.create_publisher(Range, "blimp/range", qos_profile_sensor_data)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(controller)
    executor.add_node(probe)
    while ranges.get_subscription_count() == 0 or probe.count_publishers("blimp/motor_cmd") == 0:
        executor.spin_once(timeout_sec=0.05)
    readings = [1.0, 1.0, float("nan"), float("inf"), -2.0, 50.0, float("nan"), 1.0]
    for k, r in enumerate(readings):
        ranges.publish(Range(range=r, min_range=0.3, max_range=12.0, header=_header(k * 0.1)))
        for _ in range(20):
            executor.spin_once(timeout_sec=0.01)
    for _ in range(60):  # then silence: the deadline timer must fall back
        executor.spin_once(timeout_sec=0.02)
    assert len(cmds) >= len(readings) + 1
    values = [c.wrench.force.z for c in cmds]
    assert all(math.isfinite(u) and abs(u) <= 10 for u in values)
    levels = {int.from_bytes(s.level, "little") for s in diags if s.name == "altitude_controller"}
    assert {0, 1, 2} <= levels  # OK, WARN (hold), ERROR (fallback)
    assert values[-1] == controller.config.fallback_cmd
    assert controller.controller.n_invalid == 5


def test_sim_ignores_non_finite_commands(context):
    sim = BlimpSimNode(context=context, parameter_overrides=[Parameter("real_time_factor", value=0.0)])
    probe = Node("probe", context=context)
    cmd = probe.create_publisher(WrenchStamped, "blimp/motor_cmd", 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(sim)
    executor.add_node(probe)
    while probe.count_subscribers("blimp/motor_cmd") == 0:
        executor.spin_once(timeout_sec=0.05)
    msg = WrenchStamped()
    msg.wrench.force.z = float("nan")
    cmd.publish(msg)
    msg2 = WrenchStamped()
    msg2.wrench.force.z = 55.0
    cmd.publish(msg2)
    for _ in range(20):
        executor.spin_once(timeout_sec=0.02)
    assert sim.n_bad_cmds == 1 and sim._u == 10.0


def test_sim_flies_the_plant_of_its_parameters(context):
    from dataclasses import replace

    from snn_control.blimp.dynamics import BlimpDynamics
    from snn_control.blimp.plant import load_plant

    nominal = BlimpSimNode(context=context)
    assert nominal.plant.name == "nominal"
    assert nominal.env.dynamics == BlimpDynamics.from_mujoco(nominal.env.model)  # the model file as it is
    nominal.destroy_node()
    sim = BlimpSimNode(context=context, parameter_overrides=[
        Parameter("plant_file", value="heavy"), Parameter("motor_tau_s", value=0.2),
        Parameter("initial_altitude_m", value=1.5)])
    assert sim.plant.name == "heavy+motor_tau_s"
    assert sim.env.dynamics == replace(load_plant("heavy").dynamics, motor_tau_s=0.2)
    assert BlimpDynamics.from_mujoco(sim.env.model).heaviness_mps2 == pytest.approx(0.5)  # in the model
    assert sim.env.altitude_m == 1.5 and sim.env.sensor.noise_std_m == 0.01
    sim.destroy_node()
    with pytest.raises(ValueError, match="blimp_sim: plant: drag_per_m"):
        BlimpSimNode(context=context, parameter_overrides=[Parameter("drag_per_m", value=-1.0)])


def _header(t):
    from std_msgs.msg import Header

    return Header(stamp=time_msg(t), frame_id="tof")


@pytest.mark.slow
def test_graph_tracks_a_profile_through_topics():
    params = {
        "blimp_sim": {"real_time_factor": 0.0, "duration_s": 120.0, "seed": 3},
        "altitude_controller": {"controller": "pid"},
        "setpoint_schedule": {"setpoints_m": [0.8, 1.3], "segments_s": [60.0]},
    }
    run = run_graph("blimp", params, until=lambda n: n["blimp_sim"].finished, max_wall_s=120)
    assert run.completed
    sim = run.nodes["blimp_sim"]
    assert sim.n_cmd_msgs >= 1200 and sim.n_missed == 0  # every tick answered over the topic
    t, z = sim.log["t_s"], sim.log["z_m"]
    late = [abs(zi - 1.3) for ti, zi in zip(t, z) if 110 <= ti < 120]
    early = [abs(zi - 0.8) for ti, zi in zip(t, z) if 50 <= ti < 60]
    assert max(late) < 0.05 and max(early) < 0.05
