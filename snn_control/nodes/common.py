"""Shared adapter code for the nodes: network hygiene, time stamps, messages, ``main``."""

from __future__ import annotations

import os
from typing import Any, Callable

DISCOVERY_ENV = "ROS_AUTOMATIC_DISCOVERY_RANGE"


def ensure_local_discovery() -> str:
    """Keep DDS discovery on this machine unless the user chose otherwise; returns the setting.

    Must run before ``rclpy.init``. ``ROS_LOCALHOST_ONLY`` is ignored by this ROS version.
    """
    return os.environ.setdefault(DISCOVERY_ENV, "LOCALHOST")


def stamp_to_s(stamp: Any) -> float:
    return float(stamp.sec) + 1e-9 * float(stamp.nanosec)


def time_msg(t_s: float) -> Any:
    from builtin_interfaces.msg import Time

    ns = int(round(t_s * 1e9))
    return Time(sec=ns // 1_000_000_000, nanosec=ns % 1_000_000_000)


def sensor_qos(deadline_wall_s: float = 0.0) -> Any:
    """The sensor-data QoS (best effort, keep last 5), with a deadline of ``deadline_wall_s`` wall
    seconds when > 0. A publisher offers it, a subscriber requests it: DDS matches them only when
    the offered deadline is at most the requested one (an infinite request takes any)."""
    from rclpy.duration import Duration
    from rclpy.qos import QoSProfile, qos_profile_sensor_data

    profile = QoSProfile(depth=qos_profile_sensor_data.depth, history=qos_profile_sensor_data.history,
                         reliability=qos_profile_sensor_data.reliability,
                         durability=qos_profile_sensor_data.durability)
    if deadline_wall_s > 0:
        profile.deadline = Duration(seconds=float(deadline_wall_s))
    return profile


def motor_cmd_msg(u: float, stamp: Any, frame_id: str = "base_link") -> Any:
    """geometry_msgs/WrenchStamped with the motor command (units, ±10) in force.z."""
    from geometry_msgs.msg import WrenchStamped

    msg = WrenchStamped()
    msg.header.stamp = stamp
    msg.header.frame_id = frame_id
    msg.wrench.force.z = float(u)
    return msg


def diagnostics_msg(stamp: Any, name: str, level: int, message: str, values: dict[str, Any]) -> Any:
    """diagnostic_msgs/DiagnosticArray with one status."""
    from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue

    status = DiagnosticStatus(
        level=bytes([int(level)]),
        name=name,
        message=message,
        hardware_id="snn_control",
        values=[KeyValue(key=str(k), value=str(v)) for k, v in values.items()],
    )
    msg = DiagnosticArray(status=[status])
    msg.header.stamp = stamp
    return msg


def run_node(factory: Callable[[], Any], args: list[str] | None = None) -> None:
    """``main`` of a node executable: init, spin until Ctrl-C, shut down cleanly."""
    import rclpy
    from rclpy.executors import ExternalShutdownException

    ensure_local_discovery()
    try:
        with rclpy.init(args=args):
            node = factory()
            rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
