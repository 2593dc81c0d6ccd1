"""``ncap_controller``: a C. elegans circuit-prior (NCAP) swimmer controller, rate or spiking.

Subscribes ``/swimmer/joint_states`` (joint angles, head first) and answers each with
``/swimmer/joint_cmd`` (std_msgs/Float64MultiArray, torques in [-1, 1]). The controller comes from
an artifact (empty ``artifact``: the shipped 6-link policy of the ``variant``), moved to the body
the joint states describe (zero-shot transfer), or from the initial weights with ``untrained``.
A message with the wrong number of joints or non-finite angles is answered with zero torque.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rclpy.node import Node
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64MultiArray

from snn_control.nodes.common import run_node
from snn_control.nodes.params import declare_config

NODE_VARIANTS = ("rate", "spiking")  # the MLP baseline needs body velocities JointState lacks


@dataclass(frozen=True)
class NCAPControllerConfig:
    variant: str = "rate"
    n_links: int = 6
    artifact: str = ""  # empty: the shipped ncap_<variant>_6link
    untrained: bool = False

    def __post_init__(self) -> None:
        if self.variant not in NODE_VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(NODE_VARIANTS)}, got {self.variant!r}")
        if self.n_links < 3:
            raise ValueError(f"n_links must be >= 3, got {self.n_links}")


def build_ncap_controller(config: NCAPControllerConfig):
    """The controller a config asks for (also used by the offline comparison)."""
    from snn_control.swimmer.policy import load_controller, make_policy

    if config.untrained:
        policy = make_policy(config.variant, config.n_links)
        return policy.controller(policy.initial_params())
    return load_controller(config.artifact or f"ncap_{config.variant}_6link", n_links=config.n_links)


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
