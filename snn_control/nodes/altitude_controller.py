"""``altitude_controller``: any altitude controller (PID or SNN) behind the sensor/command guard.

Subscribes ``/blimp/range`` and ``/blimp/altitude_setpoint`` (geometry_msgs/PointStamped, z; a
set-point applies from the reading stamped at or after its stamp), publishes
``/blimp/motor_cmd`` stamped with the reading it answers, and its state on ``/diagnostics``.
Invalid readings, a silent sensor (the deadline, checked every ``control_period_s``) and the time
before the first set-point are handled by :class:`snn_control.blimp.guard.GuardedController`.
"""

from __future__ import annotations

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PointStamped, WrenchStamped
from rclpy.qos import DurabilityPolicy, QoSProfile, qos_profile_sensor_data
from sensor_msgs.msg import Range

from snn_control.blimp.config import AltitudeControllerConfig
from snn_control.blimp.controllers import make_altitude_controller
from snn_control.blimp.guard import GuardedController
from snn_control.blimp.setpoints import SetpointQueue
from snn_control.nodes.common import diagnostics_msg, motor_cmd_msg, run_node, stamp_to_s, time_msg
from snn_control.nodes.managed import ManagedNode

SETPOINT_QOS = QoSProfile(depth=10, durability=DurabilityPolicy.TRANSIENT_LOCAL)


class AltitudeControllerNode(ManagedNode):
    """A managed node (:mod:`snn_control.nodes.managed`): configure loads the controller's weights,
    activate starts listening."""

    def __init__(self, **kwargs) -> None:
        super().__init__("altitude_controller", AltitudeControllerConfig, **kwargs)

    def configure(self) -> None:
        c = self.config
        core = make_altitude_controller(c.controller, pd_artifact=c.pd_artifact, i_artifact=c.i_artifact)
        self.controller = GuardedController(core, c.guard_params())
        self.setpoints = SetpointQueue(c.min_range_m, c.max_range_m)
        self._last_level = -1
        self._cmd_pub = self.create_publisher(WrenchStamped, "blimp/motor_cmd", 10)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.get_logger().info(f"flying with {c.controller} ({core.n_spiking_neurons} spiking neurons)")

    def activate(self) -> None:
        self.create_subscription(Range, "blimp/range", self._on_range, qos_profile_sensor_data)
        self.create_subscription(PointStamped, "blimp/altitude_setpoint", self._on_setpoint, SETPOINT_QOS)
        self.create_timer(self.config.control_period_s, self._on_deadline)

    def _on_setpoint(self, msg: PointStamped) -> None:
        try:
            self.setpoints.push(stamp_to_s(msg.header.stamp), msg.point.z)
        except ValueError as exc:
            self._publish_diag(1, f"rejected set-point: {exc}", force=True)

    def _on_range(self, msg: Range) -> None:
        t = stamp_to_s(msg.header.stamp)
        u = self.controller.step(msg.range, self.setpoints.current(t), t)
        self._cmd_pub.publish(motor_cmd_msg(u, msg.header.stamp))
        self._publish_diag(self.controller.status.level, self.controller.status.message)

    def _on_deadline(self) -> None:
        now = self.get_clock().now().nanoseconds * 1e-9
        u = self.controller.on_clock(now)
        if u is not None:
            self._cmd_pub.publish(motor_cmd_msg(u, time_msg(now)))
            self._publish_diag(self.controller.status.level, self.controller.status.message)

    def _publish_diag(self, level: int, message: str, force: bool = False) -> None:
        if level == self._last_level and not force:
            return  # publish on change; the state is in every message
        self._last_level = level
        g = self.controller
        values = {
            "controller": self.config.controller,
            "setpoint_m": g.setpoint_m,
            "motor_cmd": f"{g.last_cmd:+.3f}",
            "invalid_readings": g.n_invalid,
            "fallbacks": g.n_fallback,
        }
        stamp = self.get_clock().now().to_msg()
        self._diag_pub.publish(diagnostics_msg(stamp, "altitude_controller", level, message, values))


def main(args: list[str] | None = None) -> None:
    run_node(AltitudeControllerNode, args)


if __name__ == "__main__":
    main()
