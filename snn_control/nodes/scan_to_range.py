"""``scan_to_range``: Gazebo's downward lidar (``/blimp/scan``) as the ToF reading on ``/blimp/range``.

ros_gz_bridge has no ``sensor_msgs/Range`` conversion, so ``sim/gazebo/bridge.yaml`` brings the
gz lidar in as ``sensor_msgs/LaserScan`` and this node publishes one ``sensor_msgs/Range`` per scan,
with the scan's stamp (sim time), its range limits, and the reading of
:func:`snn_control.blimp.scan_range.scan_reading`. Part of ``launch/gazebo.launch.py``.
"""

from __future__ import annotations

from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import LaserScan, Range

from snn_control.blimp.scan_range import ScanToRangeConfig, scan_field_of_view, scan_reading
from snn_control.nodes.common import run_node
from snn_control.nodes.params import declare_config


class ScanToRangeNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("scan_to_range", **kwargs)
        self.config = declare_config(self, ScanToRangeConfig)
        self._range_pub = self.create_publisher(Range, "blimp/range", qos_profile_sensor_data)
        self.create_subscription(LaserScan, "blimp/scan", self._on_scan, qos_profile_sensor_data)

    def _on_scan(self, scan: LaserScan) -> None:
        msg = Range()
        msg.header.stamp = scan.header.stamp
        msg.header.frame_id = self.config.frame_id or scan.header.frame_id
        msg.radiation_type = Range.INFRARED
        msg.field_of_view = scan_field_of_view(scan.angle_min, scan.angle_max, self.config)
        msg.min_range = float(scan.range_min)
        msg.max_range = float(scan.range_max)
        msg.range = scan_reading(scan.ranges, scan.range_min, scan.range_max)
        self._range_pub.publish(msg)


def main(args: list[str] | None = None) -> None:
    run_node(ScanToRangeNode, args)


if __name__ == "__main__":
    main()
