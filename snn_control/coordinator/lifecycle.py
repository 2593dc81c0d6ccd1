"""Lifecycle manager (no ROS): brings managed nodes up and keeps a heartbeat on them, as Nav2's
lifecycle manager does.

The node side is ``rclpy.lifecycle`` (:class:`snn_control.nodes.managed.ManagedNode`); this core
decides which request to send and what the answers mean, so its rules are tested without ROS. The
coordinator node carries the requests out over each node's ``change_state`` and ``get_state``
services and feeds the answers back.

Rules, per node and on the wall clock (a lifecycle is about processes, not simulated time):

- **Bring-up**, in the order given: ``configure`` then ``activate``; a node is brought up once every
  node before it is active (or given up on), so the simulator, last in the mission's order, starts
  time only when the controller and the recognizers listen.
- **Heartbeat**: an active node is asked its state every ``heartbeat_s``. No answer within
  ``timeout_s`` makes it *unresponsive*; its service leaving the graph makes it *absent* (a crashed
  process). A node that answers *unconfigured* (a respawned process) or *inactive* is brought up
  again; *finalized* counts as down.
- **Failure**: a transition that fails is retried after ``retry_s``; ``max_failures`` failures in a
  row mark the node *failed* (the reason is kept: e.g. a corrupt weights file).
- **Restart**: a node down (absent after it was seen, unresponsive, finalized or failed) for
  ``restart_after_s`` is wanted for a restart, at most ``max_restarts`` times; the graph's
  supervisor (or ``respawn`` under ``ros2 launch``) carries it out and calls :meth:`restarted`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from snn_control.dictio import DictIO

OK, WARN, ERROR = 0, 1, 2  # diagnostic_msgs/DiagnosticStatus levels

# lifecycle_msgs/State labels a node answers with
PRIMARY_STATES = ("unconfigured", "inactive", "active", "finalized")
DOWN = ("absent", "unresponsive", "finalized", "failed")


@dataclass(frozen=True)
class LifecycleManagerConfig(DictIO):
    nodes: tuple[str, ...] = ()
    heartbeat_s: float = 0.5
    timeout_s: float = 2.0
    retry_s: float = 1.0
    max_failures: int = 3
    restart_after_s: float = 2.0
    max_restarts: int = 3
    wait_s: float = 60.0

    def __post_init__(self) -> None:
        if len(set(self.nodes)) != len(self.nodes) or not all(isinstance(n, str) and n for n in self.nodes):
            raise ValueError(f"LifecycleManagerConfig.nodes must be distinct node names, got {self.nodes!r}")
        for name in ("heartbeat_s", "timeout_s", "retry_s", "wait_s"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"LifecycleManagerConfig.{name} must be > 0, got {v!r}")
        if not (math.isfinite(self.restart_after_s) and self.restart_after_s >= 0):
            raise ValueError(f"LifecycleManagerConfig.restart_after_s must be >= 0, got {self.restart_after_s!r}")
        for name in ("max_failures", "max_restarts"):
            if getattr(self, name) < 0 or (name == "max_failures" and self.max_failures < 1):
                raise ValueError(f"LifecycleManagerConfig.{name} is out of range: {getattr(self, name)!r}")


@dataclass(frozen=True)
class Request:
    """One service call to make: ``kind`` is ``get_state``, ``configure`` or ``activate``."""

    node: str
    kind: str
    id: int


@dataclass
class ManagedState:
    """What the manager knows of one node."""

    name: str
    state: str = "waiting"  # waiting (never seen), a primary state, absent, unresponsive, failed
    since_s: float = 0.0
    seen: bool = False
    pending: Request | None = None
    sent_s: float = 0.0
    next_heartbeat_s: float = 0.0
    retry_at_s: float = 0.0
    failures: int = 0
    last_error: str = ""
    bringups: int = 0  # times brought to active
    first_active_s: float = math.nan
    heartbeat_misses: int = 0
    restarts: int = 0
    restart_wanted: bool = False
    events: list[tuple[float, str]] = field(default_factory=list)  # (wall time, what happened)

    @property
    def down(self) -> bool:
        return self.state in DOWN and (self.seen or self.state != "absent")


class LifecycleManager:
    """See the module docstring. Times are wall-clock seconds (any monotonic origin)."""

    def __init__(self, config: LifecycleManagerConfig, start_s: float = 0.0) -> None:
        self.config = config
        self.start_s = start_s
        self.nodes = {n: ManagedState(n, since_s=start_s) for n in config.nodes}
        self._next_id = 0

    # -- queries --------------------------------------------------------------------------------
    @property
    def all_up(self) -> bool:
        """Every node is active or was given up on (failed): bring-up is over."""
        return all(s.state in ("active", "failed") for s in self.nodes.values())

    def state(self, name: str) -> str:
        return self.nodes[name].state

    def bringing_up(self, name: str) -> bool:
        """``name`` is managed and on its way up (not yet seen, unconfigured or inactive)."""
        s = self.nodes.get(name)
        return s is not None and s.state in ("waiting", "unconfigured", "inactive")

    def restart_wanted(self) -> list[str]:
        return [n for n, s in self.nodes.items() if s.restart_wanted]

    def diagnostics(self, now_s: float) -> list[tuple[str, int, str, dict]]:
        """One ``(name, level, message, values)`` per node, named ``lifecycle/<node>``."""
        out = []
        for name, s in self.nodes.items():
            if s.state == "active":
                level, message = OK, "active"
            elif s.down:
                level, message = ERROR, s.state + (f": {s.last_error}" if s.last_error else "")
            else:
                level, message = WARN, f"{s.state} (bringing up)" if not s.bringups else f"{s.state} (bringing back)"
            values = {"state": s.state, "for_s": f"{now_s - s.since_s:.2f}", "bringups": s.bringups,
                      "heartbeat_misses": s.heartbeat_misses, "restarts": s.restarts, "failures": s.failures}
            if math.isfinite(s.first_active_s):
                values["bringup_s"] = f"{s.first_active_s - self.start_s:.3f}"
            if s.last_error:
                values["last_error"] = s.last_error
            out.append((f"lifecycle/{name}", level, message, values))
        return out

    # -- the loop -------------------------------------------------------------------------------
    def tick(self, now_s: float, ready: dict[str, bool]) -> list[Request]:
        """Requests to send now. ``ready[name]``: the node's lifecycle services are in the graph."""
        out: list[Request] = []
        blocked = False  # an earlier node of the bring-up order is not up yet
        for name, s in self.nodes.items():
            if s.pending is not None:
                if now_s - s.sent_s > self.config.timeout_s:
                    s.pending = None
                    s.heartbeat_misses += 1
                    self._set(s, "unresponsive", now_s, f"no answer within {self.config.timeout_s:g} s")
                else:
                    blocked = blocked or s.state != "active"
                    continue
            if not ready.get(name, False):
                if s.state not in ("waiting", "absent", "failed"):
                    self._set(s, "absent", now_s, "its lifecycle services left the graph")
                elif s.state == "waiting" and now_s - s.since_s > self.config.wait_s:
                    s.last_error = f"never appeared in {self.config.wait_s:g} s"
                    self._set(s, "failed", now_s)
            elif not s.seen or s.state in ("absent", "unresponsive") or now_s >= s.next_heartbeat_s:
                if s.state == "failed" and now_s < s.retry_at_s:
                    pass
                else:
                    out.append(self._send(s, "get_state", now_s))
            elif s.state in ("unconfigured", "inactive") and not blocked and now_s >= s.retry_at_s:
                out.append(self._send(s, "configure" if s.state == "unconfigured" else "activate", now_s))
            self._check_restart(s, now_s)
            blocked = blocked or s.state not in ("active", "failed")
        return out

    def on_state(self, name: str, request_id: int, label: str, now_s: float) -> None:
        """A ``get_state`` answer (the next :meth:`tick` brings a node that is not active up)."""
        s = self.nodes[name]
        if not self._answered(s, request_id):
            return
        s.seen = True
        s.next_heartbeat_s = now_s + self.config.heartbeat_s
        if label not in PRIMARY_STATES:
            return  # a transition in progress: ask again at the next heartbeat
        if s.state == "failed" and label != "active":
            return  # given up on until restarted
        if s.state == "active" and label != "active":
            s.last_error = f"found {label} at a heartbeat"
        self._set(s, label, now_s)

    def on_transition(self, name: str, request_id: int, success: bool, now_s: float, error: str = "") -> None:
        """A ``change_state`` answer."""
        s = self.nodes[name]
        kind = self._answered(s, request_id)
        if not kind:
            return
        if success:
            s.failures = 0
            s.last_error = ""
            if kind == "configure":
                self._set(s, "inactive", now_s)
            elif kind == "activate":
                s.bringups += 1
                if not math.isfinite(s.first_active_s):
                    s.first_active_s = now_s
                self._set(s, "active", now_s)
                s.next_heartbeat_s = now_s + self.config.heartbeat_s
            return
        s.failures += 1
        s.last_error = error or f"{kind} failed"
        s.retry_at_s = now_s + self.config.retry_s
        s.next_heartbeat_s = now_s  # read back the state the failure left
        if s.failures >= self.config.max_failures:
            self._set(s, "failed", now_s, s.last_error)

    def restarted(self, name: str, now_s: float) -> None:
        """The supervisor built ``name`` anew: bring the new instance up."""
        s = self.nodes[name]
        s.restarts += 1
        s.restart_wanted = False
        s.failures = 0
        s.pending = None
        s.retry_at_s = now_s
        self._set(s, "waiting", now_s, "restarted")
        s.seen = False

    # -- internals ------------------------------------------------------------------------------
    def _send(self, s: ManagedState, kind: str, now_s: float) -> Request:
        self._next_id += 1
        s.pending = Request(s.name, kind, self._next_id)
        s.sent_s = now_s
        return s.pending

    def _answered(self, s: ManagedState, request_id: int) -> str:
        """The kind of the request answered ('' for a late answer to a request given up on)."""
        if s.pending is None or s.pending.id != request_id:
            return ""
        kind, s.pending = s.pending.kind, None
        return kind

    def _set(self, s: ManagedState, state: str, now_s: float, why: str = "") -> None:
        if state == s.state:
            return
        s.events.append((now_s, f"{s.state} -> {state}" + (f" ({why})" if why else "")))
        s.state, s.since_s = state, now_s
        if state in ("absent", "unresponsive") and why:
            s.last_error = why

    def _check_restart(self, s: ManagedState, now_s: float) -> None:
        if (s.down and not s.restart_wanted and s.restarts < self.config.max_restarts
                and now_s - s.since_s >= self.config.restart_after_s):
            s.restart_wanted = True
            s.events.append((now_s, f"restart wanted ({s.state} for {now_s - s.since_s:.1f} s)"))
