"""Non-spiking leaky-integrator readout of a spiking layer (Burgers et al. 2023).

Per tick k, for spikes s[k] of the layer below (``(batch, neurons)``):

    u[k] = a * u[k-1] + (1 - a) * sum_n w_n * s_n[k]

Symbols: a = ``leak`` (decay per tick in [0, 1], one per batch row), w = ``weight`` (per neuron).
With paired weights w = [c_j, -c_j] (pairs laid out as in :mod:`snn_control.snn.pairs`) the
readout is odd in its input: swapping every pair's members negates u. :func:`paired_li_step`
computes that case as sum_j c_j * (s_j+ - s_j-), which keeps the oddness exact in floating point
(``weight`` then holds the P values c_j).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class LIParams(NamedTuple):
    leak: np.ndarray | float  # a, shape (batch,) or scalar
    weight: np.ndarray  # w, shape (batch, neurons) or (neurons,)


class LIState(NamedTuple):
    u: np.ndarray  # output, shape (batch,)


def li_initial_state(batch: int) -> LIState:
    return LIState(np.zeros(batch))


def li_step(p: LIParams, state: LIState, s: np.ndarray) -> tuple[LIState, np.ndarray]:
    """One tick; returns ``(new_state, u)`` with ``u`` shaped ``(batch,)``."""
    drive = np.sum(np.asarray(p.weight) * s, axis=-1)
    u = p.leak * state.u + (1.0 - p.leak) * drive
    return LIState(u), u


def paired_li_step(p: LIParams, state: LIState, s: np.ndarray) -> tuple[LIState, np.ndarray]:
    """One tick with per-pair weights c ``(batch, P)``: drive = sum_j c_j (s_j+ - s_j-)."""
    half = s.shape[-1] // 2
    drive = np.sum(np.asarray(p.weight) * (s[..., :half] - s[..., half:]), axis=-1)
    u = p.leak * state.u + (1.0 - p.leak) * drive
    return LIState(u), u
