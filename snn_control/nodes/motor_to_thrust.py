"""``motor_to_thrust``: ``/blimp/motor_cmd`` (motor units) as the force Gazebo applies (``/blimp/thrust_n``).

ros_gz_bridge could carry ``geometry_msgs/WrenchStamped`` as ``gz.msgs.Wrench``, but no gz-sim
system takes a bare wrench for a link, and the contract's force.z is in motor units, not newtons.
This node publishes ``std_msgs/Float64`` newtons (:func:`snn_control.blimp.gz_thrust.thrust_force_n`),
which ``sim/gazebo/bridge.yaml`` maps to ``gz.msgs.Double`` on
``/model/blimp/joint/z/cmd_force`` (gz-sim's ApplyJointForce). Part of ``launch/gazebo.launch.py``.
"""

from __future__ import annotations

from rclpy.node import Node
from geometry_msgs.msg import WrenchStamped
from std_msgs.msg import Float64

from snn_control.blimp.gz_thrust import MotorToThrustConfig, thrust_force_n
from snn_control.nodes.common import run_node
from snn_control.nodes.params import declare_config


class MotorToThrustNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("motor_to_thrust", **kwargs)
        self.config = declare_config(self, MotorToThrustConfig)
        self._thrust_pub = self.create_publisher(Float64, "blimp/thrust_n", 10)
        self.create_subscription(WrenchStamped, "blimp/motor_cmd", self._on_cmd, 10)

    def _on_cmd(self, msg: WrenchStamped) -> None:
        try:
            force_n = thrust_force_n(msg.wrench.force.z, self.config)
        except ValueError as exc:  # a non-finite command: keep the last force
            self.get_logger().warning(f"ignored motor command: {exc}", throttle_duration_sec=1.0)
            return
        self._thrust_pub.publish(Float64(data=force_n))


def main(args: list[str] | None = None) -> None:
    run_node(MotorToThrustNode, args)


if __name__ == "__main__":
    main()
