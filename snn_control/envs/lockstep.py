"""Lockstep pacing of a simulator that serves a controller over a message bus (no ROS here).

A simulator node publishes an observation each control period and a controller answers it with a
command. :class:`LockstepPacer` decides, from explicit wall and simulated times, when to publish,
when to simulate the next period and when a command is late. The ROS adapter
(:class:`snn_control.nodes.lockstep.LockstepSimNode`) only feeds it times and carries out its
:class:`Action`. The rules:

* **Never start before someone listens**: until a timer tick reports listeners, nothing happens
  (simulated time must not run away from a controller that is still starting). The first tick with
  listeners publishes the first observation (the state at the start) and starts the wall clock.
* **Lockstep wait** (``lockstep=True``): after each observation the pacer waits for the command
  that answers it (a command stamped at or after the observation).
* **Timeout**: an answer that has not come ``timeout_s`` of wall time after the observation counts a
  miss; the simulator holds the last command it got and goes on as if the answer had come.
* **rtf = 0** (as fast as possible): the next period is simulated as soon as the answer (or the
  miss) arrives. Without lockstep, every timer tick also simulates a period.
* **rtf > 0**: a period is simulated on the timer tick where ``wall * rtf >= sim + period``
  (``wall`` counted from the start), and, with lockstep, only once the answer or the miss came.
* **Stop at duration**: the period that reaches ``duration_s`` (0: never stop) is simulated but not
  observed, and the pacer is finished; it then does nothing.

All times are seconds: ``wall_s`` from any monotonic clock, ``sim_s`` the simulator's own time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from snn_control.dictio import DictIO

TIMER_MAX_S = 0.05  # the slowest timer tick: a miss is seen at most this late


@dataclass(frozen=True)
class PacingParams(DictIO):
    """How a simulator paces itself.

    Attributes:
        period_s: Simulated seconds per control period (one observation, one command).
        real_time_factor: Simulated seconds per wall second; 0 runs as fast as the answers come.
        lockstep: Wait for the command that answers each observation.
        timeout_s: Wall seconds to wait for an answer before counting a miss.
        duration_s: Simulated seconds to run; 0 runs until stopped.
    """

    period_s: float = 0.1
    real_time_factor: float = 0.0
    lockstep: bool = True
    timeout_s: float = 1.0
    duration_s: float = 0.0

    def __post_init__(self) -> None:
        for name in ("period_s", "timeout_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"PacingParams.{name} must be finite and > 0, got {value!r}")
        for name in ("real_time_factor", "duration_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"PacingParams.{name} must be finite and >= 0, got {value!r}")

    @property
    def timer_period_s(self) -> float:
        """How often the adapter should call :meth:`LockstepPacer.on_timer` (wall seconds)."""
        if self.real_time_factor > 0:
            return min(self.period_s / self.real_time_factor, TIMER_MAX_S)
        return TIMER_MAX_S


@dataclass(frozen=True)
class Action:
    """What the simulator does now, in this order.

    Attributes:
        missed: A command missed its deadline: report it (the last command stays held).
        step: Simulate one period with the held command.
        observe: Publish the clock and an observation (the pacer now waits for its answer).
    """

    missed: bool = False
    step: bool = False
    observe: bool = False


NOTHING = Action()
START = Action(observe=True)


class LockstepPacer:
    """The pacing state machine; see the module docstring for the rules.

    Attributes:
        params: The pacing parameters.
        started: The first observation went out.
        finished: The duration was reached.
        n_missed: Commands that did not come within ``timeout_s``.
        n_steps: Periods simulated.
        waiting_since_s: Wall time of the observation still waiting for its answer (None: none).
    """

    def __init__(self, params: PacingParams) -> None:
        self.params = params
        self.started = False
        self.finished = False
        self.n_missed = 0
        self.n_steps = 0
        self.waiting_since_s: float | None = None
        self.wall0_s = 0.0

    def on_timer(self, wall_s: float, sim_s: float, has_listeners: bool) -> Action:
        """A timer tick at ``wall_s`` with the simulator at ``sim_s``."""
        p = self.params
        if self.finished:
            return NOTHING
        if not self.started:
            if not has_listeners:
                return NOTHING
            self.started = True
            self.wall0_s = wall_s
            return self._observe(wall_s, START)
        missed = False
        if p.lockstep and self.waiting_since_s is not None:
            if wall_s - self.waiting_since_s < p.timeout_s:
                return NOTHING
            missed = True
            self.n_missed += 1
            self.waiting_since_s = None
        if self._due(wall_s, sim_s, missed):
            return self._advance(wall_s, sim_s, missed)
        return Action(missed=missed)

    def on_command(self, wall_s: float, sim_s: float, answers_observation: bool = True) -> Action:
        """A command arrived at ``wall_s``; ``answers_observation``: stamped at or after the last one."""
        if self.finished or self.waiting_since_s is None or not answers_observation:
            return NOTHING
        self.waiting_since_s = None
        if self.params.real_time_factor == 0:
            return self._advance(wall_s, sim_s, missed=False)
        return NOTHING

    def _due(self, wall_s: float, sim_s: float, missed: bool) -> bool:
        p = self.params
        if p.real_time_factor > 0:
            return (wall_s - self.wall0_s) * p.real_time_factor >= sim_s + p.period_s
        return missed or not p.lockstep

    def _advance(self, wall_s: float, sim_s: float, missed: bool) -> Action:
        self.n_steps += 1
        end = self.params.duration_s
        if end and sim_s + self.params.period_s >= end - 1e-9:
            self.finished = True
            self.waiting_since_s = None
            return Action(missed=missed, step=True)
        return self._observe(wall_s, Action(missed=missed, step=True, observe=True))

    def _observe(self, wall_s: float, action: Action) -> Action:
        self.waiting_since_s = wall_s
        return action
