"""Leaky integrate-and-fire neuron with synaptic current and soft reset (discrete time).

Per tick k, for input current x[k] (already weighted: x = W @ input + b):

    i[k] = lambda_i * i[k-1] + x[k]                      synaptic current
    v[k] = lambda_v * v[k-1] + i[k] - s[k-1] * theta     membrane potential, soft reset
    s[k] = 1[v[k] > theta]                               spike (0 or 1)

Symbols: lambda_i = ``leak_i``, lambda_v = ``leak_v`` (decay per tick, in [0, 1]; for a tick of
dt and time constant tau, lambda = exp(-dt / tau)); theta = ``threshold`` (> 0). The reset
subtracts theta on the tick after a spike, as in Burgers et al. (2023), so v keeps the surplus.
All arrays broadcast to ``(batch, neurons)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class LIFParams(NamedTuple):
    leak_i: np.ndarray | float
    leak_v: np.ndarray | float
    threshold: np.ndarray | float


class LIFState(NamedTuple):
    i: np.ndarray  # synaptic current
    v: np.ndarray  # membrane potential
    s: np.ndarray  # spikes of the previous tick (float 0/1)


def lif_initial_state(batch: int, neurons: int) -> LIFState:
    z = np.zeros((batch, neurons))
    return LIFState(z, z.copy(), z.copy())


def lif_step(p: LIFParams, state: LIFState, x: np.ndarray) -> tuple[LIFState, np.ndarray]:
    """One tick; returns ``(new_state, spikes)`` with spikes shaped like ``state.v``."""
    i = p.leak_i * state.i + x
    v = p.leak_v * state.v + i - state.s * p.threshold
    s = (v > p.threshold).astype(float)
    return LIFState(i, v, s), s
