"""``swimmer_sim``: the MuJoCo swimmer as a ROS 2 node that owns simulated time.

Publishes ``/clock`` and ``/swimmer/joint_states`` (sensor_msgs/JointState: joint angles, head
joint first) every control step (0.03 s), takes ``/swimmer/joint_cmd`` (std_msgs/Float64MultiArray,
normalized torques in [-1, 1]) in lockstep (see :mod:`snn_control.nodes.lockstep`), and adds up
the "swim" reward of the episode it runs (``episode_steps`` steps from the seeded reset).
"""

from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64MultiArray

from snn_control.blimp.guard import OK, WARN
from snn_control.envs.lockstep import PacingParams
from snn_control.swimmer.config import SwimmerSimConfig
from snn_control.swimmer.env import SwimmerEnv
from snn_control.nodes.common import diagnostics_msg, run_node, time_msg
from snn_control.nodes.lockstep import LockstepSimNode


class SwimmerSimNode(LockstepSimNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("swimmer_sim", SwimmerSimConfig, **kwargs)

    def configure(self) -> None:
        super().configure()
        c = self.config
        self.env = SwimmerEnv(n_links=c.n_links, episode_steps=c.episode_steps, seed=c.seed)
        self.env.reset(c.seed)
        self.names = [f"joint_{i}" for i in range(self.env.n_joints)]
        self.rewards: list[float] = []
        self.speeds: list[float] = []
        self.n_cmd_msgs = 0
        self.n_bad_cmds = 0
        self._action = np.zeros(self.env.n_joints)
        self._state_pub = self.create_publisher(JointState, "swimmer/joint_states", 10)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        duration = c.episode_steps * self.env.control_dt_s
        self.start_pacing(PacingParams(self.env.control_dt_s, c.real_time_factor, c.lockstep, c.lockstep_timeout_s,
                                       duration))

    def activate(self) -> None:
        self.create_subscription(Float64MultiArray, "swimmer/joint_cmd", self._on_cmd, 10)
        super().activate()

    @property
    def episode_return(self) -> float:
        return float(sum(self.rewards))

    def _on_cmd(self, msg: Float64MultiArray) -> None:
        self.n_cmd_msgs += 1
        a = np.asarray(msg.data, dtype=float)
        if a.shape != (self.env.n_joints,) or not np.all(np.isfinite(a)):
            self.n_bad_cmds += 1
            self._publish_diag(WARN, f"ignored joint command of shape {a.shape} (need {self.env.n_joints} finite)")
            return
        self._action = np.clip(a, -1.0, 1.0)
        self.command_arrived()

    @property
    def sim_time_s(self) -> float:
        return self.env.t * self.env.control_dt_s

    def has_listeners(self) -> bool:
        return self._state_pub.get_subscription_count() > 0

    def sim_step(self) -> None:
        _, reward, _, info = self.env.step(self._action)
        self.rewards.append(reward)
        self.speeds.append(info["v_forward_mps"])

    def publish_observation(self) -> None:
        msg = JointState(name=self.names, position=self.env.joint_angles.tolist())
        msg.header.stamp = time_msg(self.sim_time_s)
        self._state_pub.publish(msg)
        if self.env.t % 100 == 0:
            self._publish_diag(WARN if self.n_missed or self.n_bad_cmds else OK, "running")

    def _publish_diag(self, level: int, message: str) -> None:
        values = {"step": self.env.t, "return": f"{self.episode_return:.1f}", "missed_cmds": self.n_missed,
                  "bad_cmds": self.n_bad_cmds}
        self._diag_pub.publish(diagnostics_msg(time_msg(self.sim_time_s), "swimmer_sim", level, message, values))


def main(args: list[str] | None = None) -> None:
    run_node(SwimmerSimNode, args)


if __name__ == "__main__":
    main()
