"""``cue_camera``: the mission's emulated event camera (see
:class:`~snn_control.coordinator.node_config.CueCameraConfig`).

Follows the simulator's ``/clock`` instead of owning one: each ``/clock`` message releases the
packets that end by then, as ``/camera/events`` (PointCloud2, the topic contract's layout) stamped
with the end of the time they cover. ``camera/keep_one_of`` (std_msgs/UInt32, from the
coordinator) merges N packets into one: the same events, 1/N of the messages.
"""

from __future__ import annotations

import numpy as np
from rosgraph_msgs.msg import Clock as ClockMsg
from rclpy.node import Node
from sensor_msgs.msg import PointCloud2
from std_msgs.msg import UInt32

from snn_control.coordinator.mission import MissionSpec, default_mission_path
from snn_control.coordinator.node_config import CueCameraConfig
from snn_control.nodes.common import run_node, stamp_to_s, time_msg
from snn_control.nodes.event_msgs import events_to_pointcloud2
from snn_control.nodes.params import declare_config


class CueCameraNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("cue_camera", **kwargs)
        self.config = c = declare_config(self, CueCameraConfig)
        from snn_control.perception.gestures.script import render_cues

        self.mission = MissionSpec.load(c.mission_file or default_mission_path())
        stream = render_cues([(g.t_s, g.label) for g in self.mission.gestures], self.mission.gesture_s,
                             c.subject_seed, c.seed)
        self.events, self.segments = stream.events, stream.segments
        self.keep_one_of = 1
        self.n_packets = 0
        self._k = 0  # packets released so far (each packet_s long)
        self._sent_k = 0  # packets covered by published messages
        self._cursor = 0
        self._pub = self.create_publisher(PointCloud2, "camera/events", 10)
        self.create_subscription(ClockMsg, "/clock", self._on_clock, 10)
        self.create_subscription(UInt32, "camera/keep_one_of", self._on_keep, 10)

    def _on_keep(self, msg: UInt32) -> None:
        self.keep_one_of = max(1, int(msg.data))

    def _on_clock(self, msg: ClockMsg) -> None:
        t = stamp_to_s(msg.clock)
        p = self.config.packet_s
        while (self._k + 1) * p <= t + 1e-9:
            self._k += 1
            if self._k - self._sent_k >= self.keep_one_of:
                self._publish(round(self._k * p, 9))

    def _publish(self, end_s: float) -> None:
        end = int(np.searchsorted(self.events["t"], end_s, side="right"))
        packet = self.events[self._cursor:end]
        self._cursor = end
        self._sent_k = self._k
        self._pub.publish(events_to_pointcloud2(packet, time_msg(end_s), self.config.frame_id))
        self.n_packets += 1


def main(args: list[str] | None = None) -> None:
    run_node(CueCameraNode, args)


if __name__ == "__main__":
    main()
