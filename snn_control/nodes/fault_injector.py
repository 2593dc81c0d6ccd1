"""``fault_injector``: the mission's faults on the wire (see
:class:`~snn_control.coordinator.node_config.FaultInjectorConfig`).

Sits on the range sensor's path: ``blimp/range_raw`` (the simulator's, remapped) in,
``blimp/range`` out, through :class:`~snn_control.coordinator.faults.RangeFaults` (dropout, NaN,
stuck, spikes, bursts, clock jumps). While ``event_garbage`` is open, each simulated packet period
also gets a bad ``/camera/events`` message, alternately a cloud whose data is cut short and one of
uniform noise events; while ``image_garbage`` is open, each control period gets a bad
``/camera/image``, alternately an image whose data does not match its size and uniform noise.
The crash faults are the graph supervisor's to carry out. ``n_sent`` counts what went out, per
kind.
"""

from __future__ import annotations

import time

import numpy as np
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image, PointCloud2, Range

from snn_control.coordinator.faults import FaultSchedule, RangeFaults, garbage_events, garbage_image
from snn_control.coordinator.node_config import FaultInjectorConfig
from snn_control.nodes.common import run_node, sensor_qos, stamp_to_s, time_msg
from snn_control.nodes.event_msgs import events_to_pointcloud2
from snn_control.nodes.image_msgs import gray_to_image
from snn_control.nodes.params import declare_config


class FaultInjectorNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("fault_injector", **kwargs)
        self.config = c = declare_config(self, FaultInjectorConfig)
        self.schedule = FaultSchedule(c.faults())
        self.range_faults = RangeFaults(self.schedule, c.control_period_s)
        self.rng = np.random.default_rng(c.seed)
        self.n_sent: dict[str, int] = {"range": 0, "event_garbage": 0, "image_garbage": 0}
        self._n = 0
        self._range_pub = self.create_publisher(Range, "blimp/range", sensor_qos(c.range_deadline_wall_s))
        self._events_pub = self.create_publisher(PointCloud2, "camera/events", 10)
        self._image_pub = self.create_publisher(Image, "camera/image", qos_profile_sensor_data)
        self.create_subscription(Range, "blimp/range_raw", self._on_range, qos_profile_sensor_data)

    def _on_range(self, msg: Range) -> None:
        t = stamp_to_s(msg.header.stamp)
        self._n += 1
        for value, stamp_s in self.range_faults.apply(float(msg.range), t):
            msg.range = float(value)
            msg.header.stamp = time_msg(stamp_s)
            self._range_pub.publish(msg)
            self.n_sent["range"] += 1
        if self.schedule.active("event_garbage", t) is not None:
            self._send_bad_events(t)
        if self.schedule.active("image_garbage", t) is not None:
            self._send_bad_image(t)

    def _send_bad_events(self, t: float) -> None:
        cloud = events_to_pointcloud2(garbage_events(self.rng, t - 0.05, t, 2000), time_msg(t), "event_camera")
        if self._n % 2:
            cloud.data = bytes(cloud.data)[: len(cloud.data) // 2]  # cut short: the layout says more
        self._events_pub.publish(cloud)
        self.n_sent["event_garbage"] += 1

    def _send_bad_image(self, t: float) -> None:
        # stamped on the wall clock, as the camera stamps its frames
        img = gray_to_image(garbage_image(self.rng, (96, 128)), time_msg(time.time()), "camera")
        if self._n % 2:
            img.data = bytes(img.data)[:1000]  # shorter than height * step
        self._image_pub.publish(img)
        self.n_sent["image_garbage"] += 1


def main(args: list[str] | None = None) -> None:
    run_node(FaultInjectorNode, args)


if __name__ == "__main__":
    main()
