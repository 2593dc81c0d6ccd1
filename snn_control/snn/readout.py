"""Non-spiking leaky-integrator readout of a spiking layer (Burgers et al. 2023).

Per tick k, for spikes s[k] of a paired layer below (``(batch, 2P)``, pairs laid out as in
:mod:`snn_control.snn.pairs`) and per-pair weights c:

    u[k] = a * u[k-1] + (1 - a) * sum_j c_j * (s_j+[k] - s_j-[k])          (paired_li_step)

Symbols: a = ``leak`` (decay per tick in [0, 1], one per batch row), c = ``weight`` (``(batch, P)``).
The readout is odd in its input: swapping every pair's members negates u, exactly in floating
point since the difference is taken before the weighting.

The *integrating* readout is the same leaky integrator with the leak allowed to reach 1 and the
weight counted per spike (c' = (1 - a) c, so that a = 1 does not silence it), clamped like the
PID's integral (anti-windup):

    u[k] = clip(a * u[k-1] + sum_j c'_j * (s_j+[k] - s_j-[k]), -L, L)      (paired_integrator_step)

With a = 1 it holds its value exactly while the pairs fire symmetrically (zero error) and ramps
with the sign of the spike difference: the I-SNN's memory (see ``snn_control.blimp.snn``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class LIParams(NamedTuple):
    leak: np.ndarray | float  # a, shape (batch,) or scalar
    weight: np.ndarray  # c, shape (batch, P) or (P,)


class LIState(NamedTuple):
    u: np.ndarray  # output, shape (batch,)


def li_initial_state(batch: int) -> LIState:
    return LIState(np.zeros(batch))


def paired_li_step(p: LIParams, state: LIState, s: np.ndarray) -> tuple[LIState, np.ndarray]:
    """One tick with per-pair weights c ``(batch, P)``: drive = sum_j c_j (s_j+ - s_j-)."""
    half = s.shape[-1] // 2
    drive = np.sum(np.asarray(p.weight) * (s[..., :half] - s[..., half:]), axis=-1)
    u = p.leak * state.u + (1.0 - p.leak) * drive
    return LIState(u), u


class IntegratorParams(NamedTuple):
    leak: np.ndarray | float  # a, shape (batch,) or scalar, in [0, 1]
    weight: np.ndarray  # c', per spike, shape (batch, P) or (P,)
    limit: float = 10.0  # L, the clamp (anti-windup)


def paired_integrator_step(p: IntegratorParams, state: LIState, s: np.ndarray) -> tuple[LIState, np.ndarray]:
    """One tick of the integrating readout: ``u = clip(a u + sum_j c'_j (s_j+ - s_j-), ±L)``."""
    half = s.shape[-1] // 2
    drive = np.sum(np.asarray(p.weight) * (s[..., :half] - s[..., half:]), axis=-1)
    u = np.clip(p.leak * state.u + drive, -p.limit, p.limit)
    return LIState(u), u
