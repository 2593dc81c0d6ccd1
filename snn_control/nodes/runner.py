"""Spin a set of nodes in one process: one rclpy context, a ``SingleThreadedExecutor``.

What :func:`snn_control.bringup.run_graph` (and so ``snn-control launch``) runs once it has
validated a graph's parameter file. DDS discovery stays on this machine
(``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`` unless set).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.parameter import Parameter

from snn_control.nodes.common import ensure_local_discovery


@dataclass
class GraphRun:
    """What a finished run hands back: the nodes (for their logs) and the wall time."""

    nodes: dict[str, Any]
    wall_s: float
    completed: bool


def spin_nodes(
    factories: dict[str, Callable[..., Any]],
    params: dict[str, dict[str, Any]],
    until: Callable[[dict[str, Any]], bool],
    max_wall_s: float | None = None,
    on_spin: Callable[[dict[str, Any]], None] | None = None,
) -> GraphRun:
    """Build one node per ``factories`` entry (``NodeClass(context=..., parameter_overrides=...)``)
    with ``params[name]`` and spin them until ``until(nodes)`` is true.

    Returns after shutting the context down, also on Ctrl-C (then ``completed`` is False).
    """
    ensure_local_discovery()
    context = rclpy.Context()
    rclpy.init(args=[], context=context)
    nodes: dict[str, Any] = {}
    executor = SingleThreadedExecutor(context=context)
    completed = False
    t0 = time.monotonic()
    try:
        for name, factory in factories.items():
            overrides = [Parameter(k, value=list(v) if isinstance(v, tuple) else v) for k, v in params.get(name, {}).items()]
            node = factory(context=context, parameter_overrides=overrides)
            nodes[name] = node
            executor.add_node(node)
        while rclpy.ok(context=context):
            executor.spin_once(timeout_sec=0.05)
            if on_spin:
                on_spin(nodes)
            if until(nodes):
                completed = True
                break
            if max_wall_s is not None and time.monotonic() - t0 > max_wall_s:
                break
    except (KeyboardInterrupt, ExternalShutdownException):
        pass  # Ctrl-C: hand back what ran so far (completed stays False)
    finally:
        wall = time.monotonic() - t0
        executor.shutdown()
        for node in nodes.values():
            node.destroy_node()
        if context.ok():
            rclpy.shutdown(context=context)
    return GraphRun(nodes, wall, completed)
