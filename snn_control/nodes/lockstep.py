"""Base class of the simulator nodes: owns ``/clock`` and runs a :class:`LockstepPacer` on a timer.

The pacing rules (lockstep wait, timeout and miss, real-time factor, duration, waiting for a
listener) live in :mod:`snn_control.envs.lockstep`; this adapter feeds the pacer wall and sim time
and carries out what it says. Subclasses implement :meth:`sim_step` (advance one control period
with the held command), :meth:`publish_observation`, :attr:`sim_time_s` and :meth:`has_listeners`,
may override :meth:`on_missed`, call :meth:`start_pacing` at the end of their ``configure`` and
:meth:`command_arrived` from their command callback.

A simulator is a managed node (:mod:`snn_control.nodes.managed`): ``configure`` builds the model
and the publishers (``/clock`` here), ``activate`` its subscriptions and the pacing timer, so
simulated time starts only when the node is activated.
"""

from __future__ import annotations

import time

from rosgraph_msgs.msg import Clock

from snn_control.envs.lockstep import Action, LockstepPacer, PacingParams
from snn_control.nodes.common import time_msg
from snn_control.nodes.managed import ManagedNode


class LockstepSimNode(ManagedNode):
    pacer: LockstepPacer | None = None

    def configure(self) -> None:
        """Subclasses call this first in theirs."""
        self._clock_pub = self.create_publisher(Clock, "/clock", 10)

    def start_pacing(self, params: PacingParams) -> None:
        """Call at the end of the subclass's ``configure``; the timer starts on activation."""
        self.pacer = LockstepPacer(params)

    def activate(self) -> None:
        """Subclasses create their subscriptions, then call this."""
        if self.pacer is not None:
            self.create_timer(self.pacer.params.timer_period_s, self._on_timer)

    @property
    def finished(self) -> bool:
        return self.pacer is not None and self.pacer.finished

    @property
    def n_missed(self) -> int:
        return self.pacer.n_missed if self.pacer is not None else 0

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

    def hold_observation(self) -> bool:
        """Hook: True while the next observation must wait (default: never); call
        :meth:`release_observation` when the reason to wait is gone. ``hold_timeout_s`` caps it."""
        return False

    hold_timeout_s = 1.0
    _held_since: float | None = None
    n_held = 0

    # -- adapter ----------------------------------------------------------------------------
    def command_arrived(self, answers_observation: bool = True) -> None:
        """Call from the command callback once the command is stored."""
        if self.pacer is not None:
            self._apply(self.pacer.on_command(time.monotonic(), self.sim_time_s, answers_observation))

    def _on_timer(self) -> None:
        if self._held_since is not None:
            self.release_observation()
            return
        self._apply(self.pacer.on_timer(time.monotonic(), self.sim_time_s, self.has_listeners()))

    def release_observation(self) -> None:
        """Publish a held observation once :meth:`hold_observation` allows it or it waited too long."""
        if self._held_since is None:
            return
        if self.hold_observation() and time.monotonic() - self._held_since < self.hold_timeout_s:
            return
        self._held_since = None
        self.pacer.waiting_since_s = time.monotonic()  # the answer's deadline starts now
        self._observe()

    def _apply(self, action: Action) -> None:
        if action.missed:
            self.on_missed()
        if action.step:
            self.sim_step()
        if action.observe:
            if self.hold_observation():
                self._held_since = time.monotonic()
                self.n_held += 1
                return
            self._observe()

    def _observe(self) -> None:
        self._clock_pub.publish(Clock(clock=time_msg(self.sim_time_s)))
        self.publish_observation()
