"""Managed (lifecycle) nodes: the simulators, the controllers and the recognizers.

A :class:`ManagedNode` is an ``rclpy.lifecycle`` node whose work is split the ROS 2 way:

- construction declares the parameters (a bad one still stops the node at once, naming the key);
- ``configure`` (:meth:`ManagedNode.configure`) builds what is costly or can fail: the core (a
  model's weights, a MuJoCo model) and the publishers. A failure returns FAILURE with the reason
  logged, kept in :attr:`ManagedNode.configure_error` and sent on ``/diagnostics`` (a status named
  as the node, level ERROR, the value ``lifecycle_error``: the manager reads it); the node stays
  unconfigured;
- ``activate`` (:meth:`ManagedNode.activate`) creates the subscriptions and timers: only an active
  node takes input or acts on its own;
- ``deactivate`` destroys those again, ``cleanup`` the publishers and the core (the base does it:
  it keeps what each step created).

With the parameter ``autostart`` (default true) a node configures and activates itself when it is
built, so every graph without a lifecycle manager runs as before, and a configure failure raises
the original error from the constructor. The mission graph sets ``autostart: false``; the
coordinator brings its nodes up and keeps a heartbeat on them
(:mod:`snn_control.coordinator.lifecycle`).
"""

from __future__ import annotations

from typing import Any

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn

from snn_control.nodes.common import diagnostics_msg
from snn_control.nodes.params import declare_config

SUCCESS, FAILURE = TransitionCallbackReturn.SUCCESS, TransitionCallbackReturn.FAILURE


class ManagedNode(LifecycleNode):
    """See the module docstring. Subclasses implement :meth:`configure` and :meth:`activate`, and
    may extend :meth:`cleanup` to drop their core."""

    def __init__(self, name: str, config_cls: type, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.config = declare_config(self, config_cls)
        self.configure_error = ""
        self._configure_exc: BaseException | None = None
        self._configured: list[Any] = []
        self._active: list[Any] = []
        self._lifecycle_diag = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        if getattr(self.config, "autostart", True):
            if self.trigger_configure() != SUCCESS:
                exc = self._configure_exc
                raise exc if exc is not None else RuntimeError(f"{name}: configure failed: {self.configure_error}")
            if self.trigger_activate() != SUCCESS:
                raise RuntimeError(f"{name}: activate failed")

    # -- subclass interface -----------------------------------------------------------------------
    def configure(self) -> None:
        """Build the core and the publishers; raise (ValueError, OSError, ...) to fail."""

    def activate(self) -> None:
        """Create the subscriptions and timers."""

    def cleanup(self) -> None:
        """Drop the core (the base destroys the publishers)."""

    @property
    def lifecycle_state(self) -> str:
        """``unconfigured``, ``inactive``, ``active`` or ``finalized`` (``destroyed`` after
        :meth:`destroy_node`)."""
        if self._node_destroyed:
            return "destroyed"
        return self._state_machine.current_state[1]

    _node_destroyed = False

    def destroy_node(self) -> None:
        super().destroy_node()
        # rclpy's LifecycleNode leaves its state machine alive, and with it the node handle: a
        # respawned node of the same name would then find the old one's rosout publisher
        self._state_machine.destroy_when_not_in_use()
        self._node_destroyed = True

    # -- transitions --------------------------------------------------------------------------------
    def _entities(self) -> set:
        return {*self.publishers, *self.subscriptions, *self.timers, *self.clients}

    def _destroy(self, entities) -> None:
        for e in entities:
            for destroy in (self.destroy_timer, self.destroy_subscription, self.destroy_publisher,
                            self.destroy_client):
                try:
                    if destroy(e):
                        break
                except (TypeError, AttributeError):
                    continue

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        before = self._entities()
        try:
            self.configure()
        except Exception as exc:  # the reason goes to the manager; the node stays unconfigured
            self._destroy(self._entities() - before)
            self._configure_exc = exc
            self.configure_error = f"{type(exc).__name__}: {exc}"
            self._report_failure("configure")
            return FAILURE
        self._configured = list(self._entities() - before)
        self._configure_exc, self.configure_error = None, ""
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        before = self._entities()
        try:
            self.activate()
        except Exception as exc:
            self._destroy(self._entities() - before)
            self.configure_error = f"{type(exc).__name__}: {exc}"
            self._report_failure("activate")
            return FAILURE
        self._active = list(self._entities() - before)
        return super().on_activate(state)

    def _report_failure(self, transition: str) -> None:
        message = f"{transition} failed: {self.configure_error}"
        self.get_logger().error(message)
        stamp = self.get_clock().now().to_msg()
        self._lifecycle_diag.publish(diagnostics_msg(stamp, self.get_name(), 2, message,
                                                     {"lifecycle_error": message}))

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._destroy(self._active)
        self._active = []
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._destroy(self._configured)
        self._configured = []
        self.cleanup()
        return super().on_cleanup(state)

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._destroy(self._active + self._configured)
        self._active, self._configured = [], []
        return super().on_shutdown(state)
