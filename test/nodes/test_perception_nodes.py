"""The action_recognition node keeps running on bad packets and says what it skipped."""

import numpy as np
import pytest

rclpy = pytest.importorskip("rclpy")
pytest.importorskip("torch")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.node import Node  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from sensor_msgs.msg import PointCloud2  # noqa: E402
from std_msgs.msg import String  # noqa: E402

from snn_control.nodes.action_recognition import ActionRecognitionNode  # noqa: E402
from snn_control.nodes.common import time_msg  # noqa: E402
from snn_control.nodes.event_msgs import events_to_pointcloud2  # noqa: E402
from snn_control.perception.events import EVENT_DTYPE, make_events  # noqa: E402

pytestmark = pytest.mark.ros


def _packet(t0, t1, n=400, seed=0):
    rng = np.random.default_rng(seed)
    return make_events(rng.integers(0, 128, n), rng.integers(0, 128, n), np.sort(rng.uniform(t0, t1, n)),
                       rng.choice([-1, 1], n))


def test_bad_packets_are_skipped_with_a_reason_and_good_ones_still_labelled(context, tiny_spikepoint):
    node = ActionRecognitionNode(context=context, parameter_overrides=[
        Parameter("model", value=str(tiny_spikepoint)), Parameter("max_events_per_packet", value=5000)])
    probe = Node("probe", context=context)
    labels, diags = [], []
    probe.create_subscription(String, "perception/action", lambda m: labels.append(m.data), 10)
    probe.create_subscription(DiagnosticArray, "/diagnostics", lambda m: diags.extend(m.status), 50)
    pub = probe.create_publisher(PointCloud2, "camera/events", 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    executor.add_node(probe)
    while pub.get_subscription_count() == 0:
        executor.spin_once(timeout_sec=0.05)

    def send(msg):
        pub.publish(msg)
        for _ in range(10):
            executor.spin_once(timeout_sec=0.02)

    send(events_to_pointcloud2(_packet(0.0, 0.25), time_msg(0.25)))
    missing = events_to_pointcloud2(_packet(0.25, 0.3), time_msg(0.3))
    missing.fields = missing.fields[:2]
    send(missing)  # wrong fields
    truncated = events_to_pointcloud2(_packet(0.3, 0.35), time_msg(0.35))
    truncated.data = bytes(truncated.data)[:-7]
    send(truncated)
    bad = _packet(0.35, 0.5, seed=1)
    bad["t"][:5] = np.nan
    bad["x"][5:10] = 500  # off the sensor
    send(events_to_pointcloud2(bad, time_msg(0.5)))
    send(events_to_pointcloud2(_packet(0.5, 0.75, n=50_000, seed=2), time_msg(0.75)))  # a burst
    send(events_to_pointcloud2(np.empty(0, dtype=EVENT_DTYPE), time_msg(1.0)))  # an empty packet
    send(events_to_pointcloud2(_packet(1.0, 1.25, seed=3), time_msg(1.25)))

    assert node.n_packets == 7 and node.n_bad_packets == 4
    messages = " | ".join(s.message for s in diags if s.name == "action_recognition")
    assert "missing field" in messages and "bytes, header says" in messages
    assert "5 events with non-finite t dropped" in messages and "5 events outside the 128x128 sensor" in messages
    assert "burst of 50000 events" in messages
    assert len([s for s in diags if s.name == "action_recognition"]) == 7  # every packet answered
    assert len(labels) >= 2  # windows completed by good packets were still labelled
    assert max(node.callback_s) < 0.5  # never blocks the executor longer than one window


def test_wall_clock_stamps_and_late_packets_are_named(context, tiny_spikepoint):
    node = ActionRecognitionNode(context=context, parameter_overrides=[
        Parameter("model", value=str(tiny_spikepoint)), Parameter("record", value=True)])
    probe = Node("probe", context=context)
    diags = []
    probe.create_subscription(DiagnosticArray, "/diagnostics", lambda m: diags.extend(m.status), 50)
    pub = probe.create_publisher(PointCloud2, "camera/events", 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    executor.add_node(probe)
    while pub.get_subscription_count() == 0:
        executor.spin_once(timeout_sec=0.05)
    wall = 1.7e9  # a driver stamping wall time on events counted from sensor start
    for k in range(6):
        pub.publish(events_to_pointcloud2(_packet(0.25 * k, 0.25 * (k + 1), seed=k), time_msg(wall + 0.25 * k)))
        for _ in range(10):
            executor.spin_once(timeout_sec=0.02)
    pub.publish(events_to_pointcloud2(_packet(0.3, 0.4, seed=9), time_msg(wall + 2.0)))  # back in time
    for _ in range(10):
        executor.spin_once(timeout_sec=0.02)
    messages = " | ".join(s.message for s in diags if s.name == "action_recognition")
    assert "not on the events' clock" in messages
    assert "the stream started over" in messages and node.recognizer.restarts == 1
    # windows completed on event times, [t0, t0 + 0.5) ... [t0 + 0.75, t0 + 1.25) from the first
    # event t0; none from the wall-clock stamps
    t0 = node.decisions[0].window_start_s
    assert 0.0 <= t0 < 0.01
    assert [round(d.window_start_s - t0, 9) for d in node.decisions] == [0.0, 0.25, 0.5, 0.75]
