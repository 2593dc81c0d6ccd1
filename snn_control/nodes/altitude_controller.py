"""``altitude_controller``: any altitude controller (PID or SNN) behind the sensor/command guard.

Subscribes ``/blimp/range`` and ``/blimp/altitude_setpoint`` (geometry_msgs/PointStamped, z; a
set-point applies from the reading stamped at or after its stamp), publishes
``/blimp/motor_cmd`` stamped with the reading it answers, and its state on ``/diagnostics``.
Invalid readings and a silent sensor are handled by :class:`snn_control.blimp.guard.GuardedController`.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PointStamped, WrenchStamped
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, qos_profile_sensor_data
from sensor_msgs.msg import Range

from snn_control.blimp.controllers import CONTROLLERS, make_altitude_controller
from snn_control.blimp.guard import GuardedController, GuardParams
from snn_control.blimp.setpoints import SetpointQueue
from snn_control.nodes.common import diagnostics_msg, motor_cmd_msg, run_node, stamp_to_s, time_msg
from snn_control.nodes.params import declare_config

SETPOINT_QOS = QoSProfile(depth=10, durability=DurabilityPolicy.TRANSIENT_LOCAL)


@dataclass(frozen=True)
class AltitudeControllerConfig:
    controller: str = "pid"
    pd_artifact: str = ""  # empty: the shipped PD-SNN
    i_artifact: str = ""  # empty: the shipped I-SNN
    control_period_s: float = 0.1
    sensor_timeout_s: float = 0.5
    fallback_cmd: float = 2.0
    min_range_m: float = 0.3
    max_range_m: float = 12.0

    def __post_init__(self) -> None:
        if self.controller not in CONTROLLERS:
            raise ValueError(f"controller must be one of {', '.join(CONTROLLERS)}, got {self.controller!r}")
        if not self.control_period_s > 0 or not self.sensor_timeout_s > 0:
            raise ValueError("control_period_s and sensor_timeout_s must be > 0")


class AltitudeControllerNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("altitude_controller", **kwargs)
        self.config = c = declare_config(self, AltitudeControllerConfig)
        core = make_altitude_controller(c.controller, pd_artifact=c.pd_artifact, i_artifact=c.i_artifact)
        guard = GuardParams(c.min_range_m, c.max_range_m, c.sensor_timeout_s, c.fallback_cmd)
        self.controller = GuardedController(core, guard)
        self.setpoints = SetpointQueue(c.min_range_m, c.max_range_m)
        self._last_reading_s: float | None = None
        self._last_level = -1
        self._cmd_pub = self.create_publisher(WrenchStamped, "blimp/motor_cmd", 10)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.create_subscription(Range, "blimp/range", self._on_range, qos_profile_sensor_data)
        self.create_subscription(PointStamped, "blimp/altitude_setpoint", self._on_setpoint, SETPOINT_QOS)
        self.create_timer(c.control_period_s, self._on_deadline)
        self.get_logger().info(f"flying with {c.controller} ({core.n_spiking_neurons} spiking neurons)")

    def _on_setpoint(self, msg: PointStamped) -> None:
        try:
            self.setpoints.push(stamp_to_s(msg.header.stamp), msg.point.z)
        except ValueError as exc:
            self._publish_diag(1, f"rejected set-point: {exc}", force=True)

    def _on_range(self, msg: Range) -> None:
        t = stamp_to_s(msg.header.stamp)
        self._last_reading_s = t
        setpoint = self.setpoints.current(t)
        if setpoint is None and self.controller.params.min_range_m <= msg.range <= self.controller.params.max_range_m:
            setpoint = msg.range  # no set-point yet: hold the altitude we are at
            self.setpoints.value_m = setpoint
        u = self.controller.step(msg.range, setpoint if setpoint is not None else self.config.min_range_m, t)
        self._cmd_pub.publish(motor_cmd_msg(u, msg.header.stamp))
        self._publish_diag(self.controller.status.level, self.controller.status.message)

    def _on_deadline(self) -> None:
        now = self.get_clock().now().nanoseconds * 1e-9
        last = self._last_reading_s
        if last is None or now - last <= self.config.sensor_timeout_s:
            return
        u = self.controller.on_timeout(now)
        self._cmd_pub.publish(motor_cmd_msg(u, time_msg(now)))
        self._publish_diag(self.controller.status.level, self.controller.status.message)

    def _publish_diag(self, level: int, message: str, force: bool = False) -> None:
        if level == self._last_level and not force:
            return  # publish on change; the state is in every message
        self._last_level = level
        g = self.controller
        values = {
            "controller": self.config.controller,
            "setpoint_m": self.setpoints.value_m,
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
