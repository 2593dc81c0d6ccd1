"""The PID altitude controller that the blimp SNNs imitate (paper section 1), batch-first.

Per tick of ``dt_s`` with error e = setpoint - altitude (m), positive = climb:

    P = Kp * e
    I = clip(Ki * sum(e) * dt, -i_limit, i_limit)                (anti-windup: the sum is clamped)
    D = Kd * (de[k] + de[k-1]) / (2 dt),  de[k] = e[k] - e[k-1]  (mean of the last two slopes)
        D = 0 for the first two samples;  D = D / 10 when |D| > 10  (set-point jump filter)
    P, D and PD = P + D pass through the soft limit s(x; 15); u = s(PD + I; 10), where
        s(x; L) = x for |x| <= L, else sign(x) * ((|x| - L) * 5 / 90 + L).

Gains 9 / 0.75 / 14 at 10 Hz. ``pd`` and ``i`` are the two targets the PD-SNN and I-SNN imitate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from snn_control.blimp import kernels
from snn_control.blimp.controllers import SummedController
from snn_control.dictio import DictIO, require_numbers


@dataclass(frozen=True)
class PIDParams(DictIO):
    kp: float = 9.0
    ki: float = 0.75
    kd: float = 14.0
    dt_s: float = 0.1
    i_limit: float = 10.0
    jump_threshold: float = 10.0
    jump_divisor: float = 10.0
    soft_limit_terms: float = 15.0
    soft_limit_output: float = 10.0
    soft_slope: float = 5.0 / 90.0

    def __post_init__(self) -> None:
        require_numbers(self)
        for name in ("dt_s", "i_limit", "jump_threshold", "jump_divisor", "soft_limit_terms", "soft_limit_output"):
            if getattr(self, name) <= 0:
                raise ValueError(f"PIDParams.{name} must be > 0, got {getattr(self, name)}")



class PIDState(NamedTuple):
    """Batch state, arrays shaped ``(batch,)``."""

    error_sum: np.ndarray  # sum of e (m), clamped so that |Ki * sum * dt| <= i_limit
    error_prev: np.ndarray  # e[k-1]
    slope_prev: np.ndarray  # de[k-1]
    n_samples: np.ndarray  # samples seen (int)


class PIDOutput(NamedTuple):
    p: np.ndarray
    i: np.ndarray
    d: np.ndarray
    pd: np.ndarray  # soft-limited P + D: the PD-SNN's target
    u: np.ndarray  # soft-limited PD + I: the command


def pid_initial_state(batch: int = 1) -> PIDState:
    z = np.zeros(batch)
    return PIDState(z.copy(), z.copy(), z.copy(), np.zeros(batch, dtype=np.int64))


def soft_limit(x: np.ndarray, limit: float, slope: float = 5.0 / 90.0) -> np.ndarray:
    """Identity within ``±limit``, slope ``slope`` beyond it."""
    a = np.abs(x)
    return np.where(a <= limit, x, np.sign(x) * ((a - limit) * slope + limit))


def pid_step(p: PIDParams, state: PIDState, error_m: np.ndarray) -> tuple[PIDState, PIDOutput]:
    """One PID tick for a batch of errors ``(batch,)``."""
    e = np.asarray(error_m, dtype=float)
    sum_limit = p.i_limit / (p.ki * p.dt_s) if p.ki != 0 else np.inf
    error_sum = np.clip(state.error_sum + e, -sum_limit, sum_limit)
    i_term = p.ki * error_sum * p.dt_s
    slope = np.where(state.n_samples >= 1, e - state.error_prev, 0.0)
    d_term = p.kd * (slope + state.slope_prev) / (2.0 * p.dt_s)
    d_term = np.where(state.n_samples >= 2, d_term, 0.0)
    d_term = np.where(np.abs(d_term) > p.jump_threshold, d_term / p.jump_divisor, d_term)
    p_term = soft_limit(p.kp * e, p.soft_limit_terms, p.soft_slope)
    d_term = soft_limit(d_term, p.soft_limit_terms, p.soft_slope)
    pd = soft_limit(p_term + d_term, p.soft_limit_terms, p.soft_slope)
    u = soft_limit(pd + i_term, p.soft_limit_output, p.soft_slope)
    new_state = PIDState(error_sum, e, slope, state.n_samples + 1)
    return new_state, PIDOutput(p_term, i_term, d_term, pd, u)


class PIDTerm:
    """The PID, or one of its parts, as a batch term of
    :class:`~snn_control.blimp.controllers.SummedController`: ``output`` is ``"u"`` (the whole
    command), ``"pd"`` (soft-limited P + D: the PD-SNN's target) or ``"i"`` (the I-SNN's).

    Its state is ``(PIDState, PIDOutput)``: the last output (every part) travels with the state.
    """

    n_spiking_neurons = 0
    OUTPUTS = ("u", "pd", "i")

    def __init__(self, params: PIDParams = PIDParams(), output: str = "u") -> None:
        if output not in self.OUTPUTS:
            raise ValueError(f"PIDTerm.output must be one of {self.OUTPUTS}, got {output!r}")
        self.params, self.output = params, output

    def initial_state(self, batch: int) -> tuple[PIDState, PIDOutput]:
        z = np.zeros(batch)
        return pid_initial_state(batch), PIDOutput(z, z.copy(), z.copy(), z.copy(), z.copy())

    def step(self, state: tuple[PIDState, PIDOutput], error_m: np.ndarray) -> tuple[tuple, np.ndarray]:
        if kernels.use(len(error_m)):  # the compiled pid_step (same arithmetic)
            fields, parts = kernels.pid(self.params, state[0], error_m)
            pid_state, out = PIDState(*fields), PIDOutput(*parts)
        else:
            pid_state, out = pid_step(self.params, state[0], error_m)
        return (pid_state, out), getattr(out, self.output)


class PIDController(SummedController):
    """Stateful single-blimp PID: ``u = pid.step(altitude_m, setpoint_m)``; ``pid.last`` holds
    every part of the last step. No clip of its own (the soft limit is the paper's; the guard clips)."""

    def __init__(self, params: PIDParams = PIDParams()) -> None:
        self.params = params
        super().__init__([PIDTerm(params)], u_max=None)

    @property
    def last(self) -> PIDOutput:
        if self.state is None:
            self.reset()
        return self.state[0][1]
