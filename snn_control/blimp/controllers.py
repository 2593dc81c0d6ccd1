"""Altitude controllers as sums of terms, one blimp or a whole batch, and the factory by name.

Every altitude controller of the package is error-driven: e = set-point - altitude (m), and

    u = clip(sum_k term_k(e), -u_max, u_max)      (no clip when ``u_max`` is None: the PID)

where a *term* is a batch-first step over explicit state, ``term.step(state, e (batch,)) ->
(state, u (batch,))``: the PID or one of its parts (:class:`snn_control.blimp.pid.PIDTerm`), or an
evolved network (:class:`snn_control.blimp.snn.network.SNNTerm`). :class:`SummedController` is
both faces at once: ``initial_state(batch)`` / ``step_batch(state, e)`` for the flight loop that
flies thousands of twins in evolution, and ``reset()`` / ``step(altitude_m, setpoint_m)`` for the
one blimp a ROS node flies (a batch of one). Both run the same arithmetic.

Names (the ``controller`` parameter of the ROS node and the CLI): ``pid`` (the paper's PID),
``snn`` (PD-SNN + I-SNN, 160 spiking neurons), ``pd_snn+pid_i`` (the PD-SNN with the PID's I term).
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

import numpy as np

CONTROLLERS = ("pid", "snn", "pd_snn+pid_i")


class Term(Protocol):
    n_spiking_neurons: int

    def initial_state(self, batch: int) -> Any: ...

    def step(self, state: Any, error_m: np.ndarray) -> tuple[Any, np.ndarray]: ...


class SummedController:
    """``u = clip(sum of terms, ±u_max)``; see the module docstring."""

    def __init__(self, terms: Sequence[Term], u_max: float | None = 10.0) -> None:
        if not terms:
            raise ValueError("SummedController needs at least one term")
        self.terms = tuple(terms)
        self.u_max = None if u_max is None else float(u_max)
        self.n_spiking_neurons = int(sum(t.n_spiking_neurons for t in self.terms))
        self.state: tuple | None = None  # the one-blimp face's state, made by reset() or the first step()
        self.last_parts = tuple(0.0 for _ in self.terms)

    def initial_state(self, batch: int) -> tuple:
        return tuple(t.initial_state(batch) for t in self.terms)

    def step_batch(self, state: tuple, error_m: np.ndarray) -> tuple[tuple, np.ndarray, tuple]:
        """One tick for errors ``(batch,)``: ``(state, u, parts)`` with each term's output in ``parts``."""
        new, parts = [], []
        for term, s in zip(self.terms, state):
            s, u = term.step(s, error_m)
            new.append(s)
            parts.append(u)
        u = sum(parts)
        if self.u_max is not None:
            u = np.clip(u, -self.u_max, self.u_max)
        return tuple(new), u, tuple(parts)

    def reset(self) -> None:
        self.state = self.initial_state(1)
        self.last_parts = tuple(0.0 for _ in self.terms)

    def step(self, altitude_m: float, setpoint_m: float) -> float:
        if self.state is None:
            self.reset()
        e = np.array([float(setpoint_m) - float(altitude_m)])
        self.state, u, parts = self.step_batch(self.state, e)
        self.last_parts = tuple(float(p[0]) for p in parts)
        return float(u[0])


def make_altitude_controller(name: str, pd_artifact: str | None = "", i_artifact: str | None = "") -> SummedController:
    """The controller called ``name`` (see :data:`CONTROLLERS`); empty artifact paths: shipped ones."""
    if name == "pid":
        from snn_control.blimp.pid import PIDController

        return PIDController()
    from snn_control.blimp.snn.controller import BlimpSNNController, PDSNNPlusPIDI

    if name == "snn":
        return BlimpSNNController.from_artifacts(pd_artifact or None, i_artifact or None)
    if name == "pd_snn+pid_i":
        return PDSNNPlusPIDI.from_artifact(pd_artifact or None)
    raise ValueError(f"unknown controller {name!r}; choose one of {', '.join(CONTROLLERS)}")
