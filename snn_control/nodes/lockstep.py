"""Base class of the simulator nodes: owns ``/clock`` and paces a simulation in lockstep.

A simulator node publishes an observation each control period and, with ``lockstep``, waits for
the command that answers it before simulating on, so a run is deterministic at any speed. If no
answer arrives within ``lockstep_timeout_s`` of wall time it holds the last command and counts a
miss. ``real_time_factor`` paces simulated against wall time; 0 runs as fast as the loop allows
(the next period is simulated as soon as the answer arrives).

Subclasses implement :meth:`sim_step` (advance one control period with the held command),
:meth:`publish_observation`, :attr:`sim_time_s` and :meth:`has_listeners`.
"""

from __future__ import annotations

import time

from rclpy.node import Node
from rosgraph_msgs.msg import Clock

from snn_control.nodes.common import time_msg


class LockstepSimNode(Node):
    def __init__(self, name: str, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.finished = False
        self.n_missed = 0
        self._waiting_since: float | None = None  # wall time the last observation went out
        self._started = False
        self._wall0 = 0.0
        self._clock_pub = self.create_publisher(Clock, "/clock", 10)

    def start_pacing(self, control_period_s: float, real_time_factor: float, lockstep: bool,
                     lockstep_timeout_s: float, duration_s: float) -> None:
        """Call at the end of the subclass constructor."""
        self._period = control_period_s
        self._rtf = real_time_factor
        self._lockstep = lockstep
        self._timeout = lockstep_timeout_s
        self._duration = duration_s
        tick = min(control_period_s / real_time_factor, 0.05) if real_time_factor > 0 else 0.05
        self.create_timer(tick, self._on_timer)

    # -- subclass interface ---------------------------------------------------------------
    @property
    def sim_time_s(self) -> float:
        raise NotImplementedError

    def sim_step(self) -> None:
        raise NotImplementedError

    def publish_observation(self) -> None:
        raise NotImplementedError

    def has_listeners(self) -> bool:
        raise NotImplementedError

    def on_missed(self) -> None:
        """Hook: a command did not arrive in time (default: nothing beyond the count)."""

    # -- pacing ---------------------------------------------------------------------------
    def command_arrived(self, answers_observation: bool = True) -> None:
        """Call from the command callback once the command is stored."""
        if self._waiting_since is not None and answers_observation:
            self._waiting_since = None
            if self._rtf == 0:
                self._advance()

    def _on_timer(self) -> None:
        if not self._started:
            if not self.has_listeners():
                return  # nobody listens yet: do not let time run away
            self._started = True
            self._wall0 = time.monotonic()
            self._observe()
            return
        now = time.monotonic()
        if self._waiting_since is not None and self._lockstep:
            if now - self._waiting_since < self._timeout:
                return
            self.n_missed += 1
            self._waiting_since = None
            self.on_missed()
            if self._rtf == 0:
                self._advance()
                return
        if self._rtf > 0 and (now - self._wall0) * self._rtf >= self.sim_time_s + self._period:
            self._advance()

    def _advance(self) -> None:
        if self.finished:
            return
        self.sim_step()
        if self._duration and self.sim_time_s >= self._duration - 1e-9:
            self.finished = True
            return
        self._observe()

    def _observe(self) -> None:
        self._clock_pub.publish(Clock(clock=time_msg(self.sim_time_s)))
        self.publish_observation()
        self._waiting_since = time.monotonic()
