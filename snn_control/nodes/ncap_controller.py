"""``ncap_controller``: a C. elegans circuit-prior (NCAP) swimmer controller, rate or spiking.

Subscribes ``/swimmer/joint_states`` (joint angles, head first) and answers each with
``/swimmer/joint_cmd`` (std_msgs/Float64MultiArray, torques in [-1, 1]). The controller comes from
an artifact (empty ``artifact``: the shipped 6-link policy of the ``variant``), moved to the body
the joint states describe (zero-shot transfer), or from the initial weights with ``untrained``.
A message with the wrong number of joints or non-finite angles is answered with zero torque.
"""

from __future__ import annotations

import numpy as np
from rclpy.node import Node
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64MultiArray

from snn_control.nodes.common import run_node
from snn_control.nodes.params import declare_config
from snn_control.swimmer.config import NCAPControllerConfig, build_ncap_controller

__all__ = ["NCAPControllerConfig", "NCAPControllerNode", "build_ncap_controller", "main"]


class NCAPControllerNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("ncap_controller", **kwargs)
        self.config = declare_config(self, NCAPControllerConfig)
        self.controller = build_ncap_controller(self.config)
        self.n_joints = self.config.n_links - 1
        self.n_bad = 0
        self._cmd_pub = self.create_publisher(Float64MultiArray, "swimmer/joint_cmd", 10)
        self.create_subscription(JointState, "swimmer/joint_states", self._on_joints, 10)

    def _on_joints(self, msg: JointState) -> None:
        q = np.asarray(msg.position, dtype=float)
        if q.shape != (self.n_joints,) or not np.all(np.isfinite(q)):
            self.n_bad += 1
            self.get_logger().warning(f"joint state with {q.size} angles (need {self.n_joints} finite): zero torque",
                                      throttle_duration_sec=1.0)
            torques = np.zeros(self.n_joints)
        else:
            torques = np.clip(self.controller.step(q), -1.0, 1.0)
        self._cmd_pub.publish(Float64MultiArray(data=[float(t) for t in torques]))


def main(args: list[str] | None = None) -> None:
    run_node(NCAPControllerNode, args)


if __name__ == "__main__":
    main()
