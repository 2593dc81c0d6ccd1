"""The lifecycle manager's rules (no ROS): bring-up order, heartbeat, failures, restarts."""

from __future__ import annotations

import pytest

from snn_control.coordinator.lifecycle import LifecycleManager, LifecycleManagerConfig


class FakeNode:
    """A managed node as the manager sees it through its services."""

    def __init__(self, name: str, configure_failures: int = 0) -> None:
        self.name = name
        self.state = "unconfigured"
        self.ready = True  # its services are in the graph
        self.responsive = True
        self.configure_failures = configure_failures
        self.log: list[str] = []

    def answer(self, kind: str) -> tuple[bool, str]:
        self.log.append(kind)
        if kind == "configure":
            if self.configure_failures > 0:
                self.configure_failures -= 1
                return False, "ValueError: corrupt weights"
            self.state = "inactive"
        elif kind == "activate":
            self.state = "active"
        return True, ""


def run(manager: LifecycleManager, nodes: dict[str, FakeNode], t0: float, t1: float, dt: float = 0.05,
        restart=None) -> float:
    """Tick from ``t0`` to ``t1``; a node answers at once unless it is unresponsive."""
    t = t0
    while t < t1:
        ready = {n: f.ready for n, f in nodes.items()}
        for req in manager.tick(t, ready):
            node = nodes[req.node]
            if not node.responsive:
                continue
            if req.kind == "get_state":
                node.log.append("get_state")
                manager.on_state(req.node, req.id, node.state, t)
            else:
                ok, err = node.answer(req.kind)
                manager.on_transition(req.node, req.id, ok, t, err)
        for name in manager.restart_wanted():
            if restart is not None:
                restart(name, t)
        t = round(t + dt, 9)
    return t


def make(names=("controller", "recognizer", "sim"), **kw) -> tuple[LifecycleManager, dict[str, FakeNode]]:
    config = LifecycleManagerConfig(nodes=tuple(names), **kw)
    return LifecycleManager(config, start_s=0.0), {n: FakeNode(n) for n in names}


def test_brings_nodes_up_in_order():
    manager, nodes = make()
    run(manager, nodes, 0.0, 2.0)
    assert manager.all_up
    assert all(f.state == "active" for f in nodes.values())
    firsts = [manager.nodes[n].first_active_s for n in ("controller", "recognizer", "sim")]
    assert firsts == sorted(firsts) and firsts[0] < firsts[-1]  # the simulator comes last
    # nobody is configured before the node ahead of it is active
    order = [(t, n) for n, s in manager.nodes.items() for t, e in s.events if e.endswith("-> inactive")]
    assert [n for _, n in sorted(order)] == ["controller", "recognizer", "sim"]
    assert all(level == 0 for _, level, _, _ in manager.diagnostics(2.0))


def test_waits_for_a_node_ahead_that_is_not_there_yet():
    manager, nodes = make()
    nodes["controller"].ready = False
    run(manager, nodes, 0.0, 1.0)
    assert nodes["sim"].state == "unconfigured" and "configure" not in nodes["sim"].log
    nodes["controller"].ready = True
    run(manager, nodes, 1.0, 3.0)
    assert manager.all_up


def test_heartbeat_finds_a_hung_node_and_a_respawned_one():
    manager, nodes = make(timeout_s=0.5, restart_after_s=100.0)
    t = run(manager, nodes, 0.0, 2.0)
    nodes["recognizer"].responsive = False
    t = run(manager, nodes, t, t + 2.0)
    s = manager.nodes["recognizer"]
    assert s.state == "unresponsive" and s.heartbeat_misses >= 1
    assert manager.diagnostics(t)[1][1] == 2  # ERROR
    # the process comes back as a fresh, unconfigured node: brought up again
    nodes["recognizer"].responsive = True
    nodes["recognizer"].state = "unconfigured"
    t = run(manager, nodes, t, t + 2.0)
    assert s.state == "active" and s.bringups == 2


def test_a_node_whose_services_leave_is_absent_then_restarted_once_and_brought_back():
    manager, nodes = make(restart_after_s=0.5, max_restarts=1)
    restarts = []

    def restart(name, t):
        restarts.append(name)
        nodes[name] = FakeNode(name)  # the new process
        manager.restarted(name, t)

    t = run(manager, nodes, 0.0, 2.0, restart=restart)
    nodes["controller"].ready = False  # crashed
    t = run(manager, nodes, t, t + 0.3, restart=restart)
    assert manager.state("controller") == "absent" and restarts == []
    t = run(manager, nodes, t, t + 2.0, restart=restart)
    assert restarts == ["controller"]
    assert manager.state("controller") == "active" and manager.nodes["controller"].bringups == 2
    nodes["controller"].ready = False  # crashes again: the restart budget is spent
    t = run(manager, nodes, t, t + 3.0, restart=restart)
    assert restarts == ["controller"] and manager.state("controller") == "absent"


def test_configure_failures_are_retried_then_the_node_is_failed_with_the_reason():
    manager, nodes = make(retry_s=0.2, max_failures=3, restart_after_s=100.0)
    nodes["controller"].configure_failures = 2  # succeeds at the third try
    run(manager, nodes, 0.0, 3.0)
    assert manager.state("controller") == "active" and nodes["controller"].log.count("configure") == 3

    manager, nodes = make(retry_s=0.2, max_failures=3, restart_after_s=100.0)
    nodes["controller"].configure_failures = 99
    t = run(manager, nodes, 0.0, 5.0)
    s = manager.nodes["controller"]
    assert s.state == "failed" and "corrupt weights" in s.last_error
    assert nodes["controller"].log.count("configure") == 3
    # the rest of the graph is not held hostage by a failed node
    assert manager.all_up and manager.state("sim") == "active"
    name, level, message, values = manager.diagnostics(t)[0]
    assert name == "lifecycle/controller" and level == 2 and "corrupt weights" in message


def test_a_node_that_never_appears_is_failed_after_wait_s():
    manager, nodes = make(wait_s=1.0, restart_after_s=100.0)
    nodes["recognizer"].ready = False
    run(manager, nodes, 0.0, 3.0)
    assert manager.state("recognizer") == "failed" and "never appeared" in manager.nodes["recognizer"].last_error
    assert manager.state("sim") == "active"


def test_late_answers_to_a_request_given_up_on_are_ignored():
    manager, nodes = make(names=("a",), timeout_s=0.5)
    (req,) = manager.tick(0.0, {"a": True})
    manager.tick(1.0, {"a": True})  # timed out
    assert manager.state("a") == "unresponsive"
    manager.on_state("a", req.id, "active", 1.1)
    assert manager.state("a") == "unresponsive"


@pytest.mark.parametrize("bad", [{"heartbeat_s": 0.0}, {"timeout_s": float("nan")}, {"max_failures": 0},
                                 {"nodes": ("a", "a")}, {"restart_after_s": -1.0}])
def test_bad_config_is_refused(bad):
    kw = {"nodes": ("a",), **bad}
    with pytest.raises(ValueError, match="LifecycleManagerConfig"):
        LifecycleManagerConfig(**kw)
