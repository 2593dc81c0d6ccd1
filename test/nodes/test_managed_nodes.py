"""Managed (lifecycle) nodes: an unconfigured node does nothing, activation starts it, deactivation
stops it, a bad weights file fails configure with the reason on /diagnostics."""

import pytest

rclpy = pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from geometry_msgs.msg import WrenchStamped  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.node import Node  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from rclpy.qos import qos_profile_sensor_data  # noqa: E402
from sensor_msgs.msg import Range  # noqa: E402

from snn_control.nodes.altitude_controller import AltitudeControllerNode  # noqa: E402
from snn_control.nodes.blimp_sim import BlimpSimNode  # noqa: E402
from snn_control.nodes.common import time_msg  # noqa: E402
from snn_control.nodes.managed import FAILURE, SUCCESS  # noqa: E402

pytestmark = pytest.mark.ros


def _spin(executor, n=20, dt=0.01):
    for _ in range(n):
        executor.spin_once(timeout_sec=dt)


def _spin_for(executor, seconds):
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        executor.spin_once(timeout_sec=0.01)


def _controller(context, **params):
    overrides = [Parameter("use_sim_time", value=False), Parameter("autostart", value=False),
                 Parameter("sensor_timeout_s", value=0.2)]
    overrides += [Parameter(k, value=v) for k, v in params.items()]
    return AltitudeControllerNode(context=context, parameter_overrides=overrides)


def test_controller_acts_only_while_active(context):
    controller = _controller(context)
    probe = Node("probe", context=context)
    cmds = []
    probe.create_subscription(WrenchStamped, "blimp/motor_cmd", cmds.append, 10)
    ranges = probe.create_publisher(Range, "blimp/range", qos_profile_sensor_data)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(controller)
    executor.add_node(probe)
    assert controller.lifecycle_state == "unconfigured"
    assert probe.count_publishers("blimp/motor_cmd") == 0  # configure makes the publishers
    assert controller.trigger_configure() == SUCCESS and controller.lifecycle_state == "inactive"
    _spin(executor, 40)
    assert ranges.get_subscription_count() == 0 and cmds == []  # inactive: no input, no deadline timer
    assert controller.trigger_activate() == SUCCESS and controller.lifecycle_state == "active"
    while ranges.get_subscription_count() == 0:
        executor.spin_once(timeout_sec=0.05)
    ranges.publish(Range(range=1.0, min_range=0.3, max_range=12.0, header=_header(0.0)))
    _spin(executor, 40)
    assert len(cmds) >= 1
    assert controller.trigger_deactivate() == SUCCESS
    _spin(executor, 10)
    n = len(cmds)
    ranges.publish(Range(range=1.0, min_range=0.3, max_range=12.0, header=_header(0.1)))
    _spin(executor, 40)  # no reading taken and no deadline fallback either
    assert len(cmds) == n and ranges.get_subscription_count() == 0
    # the full cycle again, as a manager brings a node back
    assert controller.trigger_cleanup() == SUCCESS and controller.lifecycle_state == "unconfigured"
    assert controller.trigger_configure() == SUCCESS and controller.trigger_activate() == SUCCESS
    controller.destroy_node()


def test_bad_weights_fail_configure_with_the_reason(context, tmp_path):
    bad = tmp_path / "pd.npz"
    bad.write_bytes(b"not an npz at all")
    controller = _controller(context, controller="snn", pd_artifact=str(bad))
    probe = Node("probe", context=context)
    diags = []
    probe.create_subscription(DiagnosticArray, "/diagnostics", lambda m: diags.extend(m.status), 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(controller)
    executor.add_node(probe)
    while probe.count_publishers("/diagnostics") == 0:
        executor.spin_once(timeout_sec=0.05)
    _spin(executor, 10)
    assert controller.trigger_configure() == FAILURE
    assert controller.lifecycle_state == "unconfigured"
    assert "pd.json: file not found" in controller.configure_error
    _spin(executor, 20)
    errors = [s for s in diags if s.name == "altitude_controller"]
    assert errors and int.from_bytes(errors[-1].level, "little") == 2
    values = {kv.key: kv.value for kv in errors[-1].values}
    assert "pd.json: file not found" in values["lifecycle_error"]
    # a fixed file is taken at the next try (parameters are read at configure)
    assert probe.count_publishers("blimp/motor_cmd") == 0  # a failed configure leaves nothing behind
    controller.destroy_node()


def test_autostart_raises_the_original_error(context, tmp_path):
    bad = tmp_path / "i.npz"
    bad.write_bytes(b"\x00" * 10)
    with pytest.raises((ValueError, OSError), match=r"i\.json: file not found"):
        AltitudeControllerNode(context=context, parameter_overrides=[
            Parameter("controller", value="snn"), Parameter("i_artifact", value=str(bad))])


def test_simulated_time_starts_at_activation(context):
    sim = BlimpSimNode(context=context, parameter_overrides=[
        Parameter("real_time_factor", value=0.0), Parameter("autostart", value=False)])
    probe = Node("probe", context=context)
    seen = []
    probe.create_subscription(Range, "blimp/range", seen.append, qos_profile_sensor_data)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(sim)
    executor.add_node(probe)
    assert sim.env is None  # the MuJoCo model is built at configure
    assert sim.trigger_configure() == SUCCESS and sim.env is not None
    _spin(executor, 30)
    assert seen == [] and sim.sim_time_s == 0.0
    assert sim.trigger_activate() == SUCCESS
    _spin(executor, 100)
    assert len(seen) > 0  # the first reading (lockstep: the next waits for a command)
    sim.destroy_node()


def _header(t):
    from std_msgs.msg import Header

    return Header(stamp=time_msg(t), frame_id="range")


def test_coordinator_hears_qos_events_deadline_mismatch_and_a_publisher_leaving(context):
    from geometry_msgs.msg import WrenchStamped as Cmd

    from snn_control.nodes.common import sensor_qos
    from snn_control.nodes.coordinator import CoordinatorNode

    coord = CoordinatorNode(context=context, parameter_overrides=[
        Parameter("perception", value=False), Parameter("range_deadline_wall_s", value=0.2),
        Parameter("use_sim_time", value=False)])
    probe = Node("probe", context=context)
    offers = probe.create_publisher(Range, "blimp/range", sensor_qos(0.2))
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(coord)
    executor.add_node(probe)
    while offers.get_subscription_count() == 0:
        executor.spin_once(timeout_sec=0.05)
    offers.publish(Range(range=1.0, min_range=0.3, max_range=12.0, header=_header(0.0)))
    _spin_for(executor, 0.7)  # silence: the 0.2 s deadline is missed
    assert coord.qos["range_deadline_misses"] >= 2 and coord.qos["range_incompatible"] == 0
    name, level, _, values = coord.qos_status()
    assert name == "coordinator/qos" and level == 1 and int(values["range_deadline_misses"]) >= 2
    # a driver that offers no deadline does not match a request for one: an error, not silence
    probe.create_publisher(Range, "blimp/range", qos_profile_sensor_data)
    _spin_for(executor, 0.3)
    assert coord.qos["range_incompatible"] >= 1 and coord.qos_status()[1] == 2
    # the controller's publisher joining and leaving is a matched event
    cmd = probe.create_publisher(Cmd, "blimp/snn_cmd", 10)
    _spin_for(executor, 0.2)
    assert len(coord.qos["controller_publisher_joined_at_s"]) == 1
    probe.destroy_publisher(cmd)
    _spin_for(executor, 0.2)
    assert len(coord.qos["controller_publisher_left_at_s"]) == 1 and coord._snn_publishers == 0
    coord.destroy_node()
