"""Spin a set of nodes in one process: one rclpy context, single-threaded executors (rclpy's
``EventsExecutor``; ``SNN_CONTROL_EXECUTOR=single`` picks the ``SingleThreadedExecutor``).

What :func:`snn_control.bringup.run_graph` (and so ``snn-control launch``) runs once it has
validated a graph's parameter file. DDS discovery stays on this machine
(``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`` unless set).

Nodes named in ``background`` spin in a second executor on a thread of their own, so a slow
callback there (a SpikePoint window, a rendered image) never queues in front of the control loop;
the rest spin in the calling thread. ``remaps`` are ROS remapping rules per node
(``{"altitude_controller": {"blimp/motor_cmd": "blimp/snn_cmd"}}``), the ``remappings`` of a launch
file. A ``supervise`` callback gets a :class:`GraphControl` after every spin: it can stop a node
(what a crashed process looks like to the others) and build it again from its factory and
parameters (what ``respawn`` does under ``ros2 launch``).
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
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
    stopped: dict[str, list[Any]] = field(default_factory=dict)  # name -> instances stopped during the run


class GraphControl:
    """The supervisor's handle on a running graph (see the module docstring)."""

    def __init__(self, context, executors: dict[str, SingleThreadedExecutor], factories, params, remaps,
                 background) -> None:
        self.context = context
        self._executors = executors
        self._factories = factories
        self._params = params
        self._remaps = remaps or {}
        self._background = set(background or ())
        self._lock = threading.Lock()
        self.background_spin = threading.Lock()  # held by the background thread while it spins
        self.background_pause = threading.Event()  # set: the background thread lets stop() take the lock
        self.nodes: dict[str, Any] = {}
        self.stopped: dict[str, list[Any]] = {}
        self.restarts: dict[str, int] = {}
        self.errors: dict[str, int] = {}  # traceback text -> times a background callback raised it

    def _executor(self, name: str) -> SingleThreadedExecutor:
        return self._executors["background" if name in self._background else "main"]

    def start(self, name: str) -> Any:
        """Build node ``name`` from its factory and parameters and add it to its executor."""
        overrides = [Parameter(k, value=list(v) if isinstance(v, tuple) else v)
                     for k, v in self._params.get(name, {}).items()]
        rules = [arg for src, dst in self._remaps.get(name, {}).items() for arg in ("-r", f"{src}:={dst}")]
        kwargs = {"context": self.context, "parameter_overrides": overrides}
        if rules:
            kwargs["cli_args"] = ["--ros-args", *rules]
        node = self._factories[name](**kwargs)
        with self._lock:
            self.nodes[name] = node
        self._executor(name).add_node(node)
        return node

    def alive(self, name: str) -> bool:
        return name in self.nodes

    def stop(self, name: str) -> Any | None:
        """Take node ``name`` out of the graph and destroy it (its object stays readable)."""
        with self._lock:
            node = self.nodes.pop(name, None)
        if node is None:
            return None
        if name in self._background:  # wait for its running callback, or it publishes on destroyed handles
            self.background_pause.set()
            try:
                with self.background_spin:
                    self._executor(name).remove_node(node)
                    node.destroy_node()
            finally:
                self.background_pause.clear()
        else:  # the supervisor runs between the main executor's callbacks
            self._executor(name).remove_node(node)
            node.destroy_node()
        self.stopped.setdefault(name, []).append(node)
        return node

    def restart(self, name: str) -> Any:
        """Stop ``name`` if it still runs, and build it again (a respawn)."""
        self.stop(name)
        self.restarts[name] = self.restarts.get(name, 0) + 1
        return self.start(name)


def _make_executor(context):
    """rclpy's ``EventsExecutor`` (C++; a callback costs a fraction of the ``SingleThreadedExecutor``'s,
    which halves the control loop's latency), or with ``SNN_CONTROL_EXECUTOR=single`` the latter."""
    kind = os.environ.get("SNN_CONTROL_EXECUTOR", "events")
    if kind not in ("events", "single"):
        raise ValueError(f"SNN_CONTROL_EXECUTOR must be events or single, got {kind!r}")
    if kind == "single":
        return SingleThreadedExecutor(context=context)
    from rclpy.experimental import EventsExecutor

    try:
        return EventsExecutor(context=context)
    except io.UnsupportedOperation:  # it enables faulthandler on sys.stderr, which needs a real file
        saved, sys.stderr = sys.stderr, sys.__stderr__
        try:
            return EventsExecutor(context=context)
        finally:
            sys.stderr = saved


def spin_nodes(
    factories: dict[str, Callable[..., Any]],
    params: dict[str, dict[str, Any]],
    until: Callable[[dict[str, Any]], bool],
    max_wall_s: float | None = None,
    on_spin: Callable[[dict[str, Any]], None] | None = None,
    remaps: dict[str, dict[str, str]] | None = None,
    background: tuple[str, ...] = (),
    supervise: Callable[[GraphControl], None] | None = None,
) -> GraphRun:
    """Build one node per ``factories`` entry (``NodeClass(context=..., parameter_overrides=...)``)
    with ``params[name]`` and spin them until ``until(nodes)`` is true.

    Returns after shutting the context down, also on Ctrl-C (then ``completed`` is False).
    """
    ensure_local_discovery()
    context = rclpy.Context()
    rclpy.init(args=[], context=context)
    executors = {"main": _make_executor(context)}
    if background:
        executors["background"] = _make_executor(context)
    graph = GraphControl(context, executors, factories, params, remaps, background)
    completed = False
    halt = threading.Event()
    switch = sys.getswitchinterval()
    if background:
        sys.setswitchinterval(5e-4)  # hand the GIL back to the control thread 10x sooner than the default
    worker: threading.Thread | None = None
    t0 = time.monotonic()
    try:
        for name in factories:
            graph.start(name)
        if background:
            def spin_background() -> None:
                while not halt.is_set() and rclpy.ok(context=context):
                    if graph.background_pause.is_set():
                        time.sleep(0.001)
                        continue
                    try:
                        with graph.background_spin:
                            executors["background"].spin_once(timeout_sec=0.05)
                    except (ExternalShutdownException, rclpy.executors.ShutdownException):
                        return
                    except Exception as exc:  # a failing callback must not stop every other node
                        text = "".join(traceback.format_exception(exc))
                        if text not in graph.errors:
                            print(f"graph: a background callback failed:\n{text}", file=sys.stderr)
                        graph.errors[text] = graph.errors.get(text, 0) + 1

            worker = threading.Thread(target=spin_background, name="graph-background", daemon=True)
            worker.start()
        while rclpy.ok(context=context):
            executors["main"].spin_once(timeout_sec=0.05)
            if supervise:
                supervise(graph)
            if on_spin:
                on_spin(graph.nodes)
            if until(graph.nodes):
                completed = True
                break
            if max_wall_s is not None and time.monotonic() - t0 > max_wall_s:
                break
    except (KeyboardInterrupt, ExternalShutdownException):
        pass  # Ctrl-C: hand back what ran so far (completed stays False)
    finally:
        wall = time.monotonic() - t0
        halt.set()
        if worker is not None:
            worker.join(timeout=5.0)
        for executor in executors.values():
            executor.shutdown()
        for node in list(graph.nodes.values()):
            node.destroy_node()
        if context.ok():
            rclpy.shutdown(context=context)
        sys.setswitchinterval(switch)
    return GraphRun(dict(graph.nodes), wall, completed, graph.stopped)
