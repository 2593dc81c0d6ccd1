"""``setpoint_schedule``: publishes a piecewise-constant altitude profile on sim time.

Each set-point goes out on ``/blimp/altitude_setpoint`` ``lead_s`` before it takes effect, stamped
with the time it takes effect (see :mod:`snn_control.blimp.setpoints`), with transient-local
durability so a controller that starts late still gets the current one. The coordinator takes this
role in the full sensing-to-action graph.
"""

from __future__ import annotations

from geometry_msgs.msg import PointStamped
from rclpy.node import Node

from snn_control.blimp.config import SetpointScheduleConfig
from snn_control.nodes.altitude_controller import SETPOINT_QOS
from snn_control.nodes.common import run_node, time_msg
from snn_control.nodes.params import declare_config


class SetpointScheduleNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("setpoint_schedule", **kwargs)
        self.config = declare_config(self, SetpointScheduleConfig)
        self.profile = self.config.profile()
        self._next = 0
        self._setpoint_pub = self.create_publisher(PointStamped, "blimp/altitude_setpoint", SETPOINT_QOS)
        self.create_timer(0.1, self._on_timer)
        self._on_timer()

    def _on_timer(self) -> None:
        now = self.get_clock().now().nanoseconds * 1e-9
        starts = self.profile.starts_s
        while self._next < len(starts) and starts[self._next] <= now + self.config.lead_s:
            msg = PointStamped()
            msg.header.stamp = time_msg(float(starts[self._next]))
            msg.header.frame_id = self.config.frame_id
            msg.point.z = float(self.profile.setpoints_m[self._next])
            self._setpoint_pub.publish(msg)
            self._next += 1


def main(args: list[str] | None = None) -> None:
    run_node(SetpointScheduleNode, args)


if __name__ == "__main__":
    main()
