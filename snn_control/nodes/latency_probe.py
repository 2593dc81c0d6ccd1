"""Probes that time a node over real rclpy topics (what ``snn-control bench control --node`` runs).

Importing this module imports no ROS package; :func:`node_probe` does, when called (in a fresh
interpreter, so that its import time and memory are the node's own).
"""

from __future__ import annotations

import os
import statistics
import time


def process_rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB (Linux)."""
    vals = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                vals[line.split(":")[0]] = int(line.split()[1]) / 1024.0
    return vals.get("VmRSS", float("nan")), vals.get("VmHWM", float("nan"))


def node_probe(samples: int) -> dict:
    """Run in a fresh interpreter: the altitude_controller node and a probe in one executor."""
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "OFF")
    t0 = time.perf_counter()
    import rclpy
    from geometry_msgs.msg import PointStamped, WrenchStamped
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.parameter import Parameter
    from rclpy.qos import qos_profile_sensor_data
    from sensor_msgs.msg import Range

    from snn_control.nodes.altitude_controller import SETPOINT_QOS, AltitudeControllerNode

    import_s = time.perf_counter() - t0
    ctx = rclpy.Context()
    rclpy.init(args=[], context=ctx)
    try:
        node = AltitudeControllerNode(context=ctx, parameter_overrides=[Parameter("controller", value="snn")])
        probe = rclpy.create_node("bench_control_probe", context=ctx)
        readings = probe.create_publisher(Range, "blimp/range", qos_profile_sensor_data)
        setpoint = probe.create_publisher(PointStamped, "blimp/altitude_setpoint", SETPOINT_QOS)
        answered: dict[int, int] = {}
        probe.create_subscription(
            WrenchStamped, "blimp/motor_cmd",
            lambda m: answered.setdefault(m.header.stamp.sec * 1_000_000_000 + m.header.stamp.nanosec, time.time_ns()), 10)
        executor = SingleThreadedExecutor(context=ctx)
        executor.add_node(node)
        executor.add_node(probe)
        sp = PointStamped()
        sp.point.z = 1.0  # stamped 0: applies from the first reading on
        setpoint.publish(sp)
        deadline = time.monotonic() + 10.0
        while (readings.get_subscription_count() == 0 or probe.count_publishers("blimp/motor_cmd") == 0) \
                and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.01)
        for _ in range(20):
            executor.spin_once(timeout_sec=0.01)
        latencies = []
        warmup = 20
        for k in range(samples + warmup):
            msg = Range()
            ns = time.time_ns()
            msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(ns, 1_000_000_000)
            msg.range = 1.0 + 0.2 * ((k % 40) / 40.0)
            msg.min_range, msg.max_range = 0.3, 12.0
            readings.publish(msg)
            wait = time.monotonic() + 1.0
            while ns not in answered and time.monotonic() < wait:
                executor.spin_once(timeout_sec=0.05)
            if ns in answered and k >= warmup:
                latencies.append((answered[ns] - ns) / 1e3)
        rss_mb, _ = process_rss_mb()
        executor.shutdown()
        node.destroy_node()
        probe.destroy_node()
    finally:
        if ctx.ok():
            rclpy.shutdown(context=ctx)
    latencies.sort()
    n = len(latencies)
    return {
        "node_import_s": round(import_s, 4),
        "node_rss_mb": round(rss_mb, 1),
        "node_latency_us": round(statistics.median(latencies), 1) if n else None,
        "node_latency_p90_us": round(latencies[int(0.9 * (n - 1))], 1) if n else None,
        "node_latency_max_us": round(latencies[-1], 1) if n else None,
        "node_samples": n,
        "node_samples_sent": samples,
        "discovery_range": os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"],
    }
