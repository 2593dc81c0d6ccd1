"""Adaptive-threshold LIF pairs with cross-coupled thresholds ("IWTA", Burgers et al. 2023).

The integrating (I-like) blimp controller's hidden layer. Each neuron is a LIF neuron with
synaptic current and soft reset whose threshold moves with a spike trace of itself and of its
pair partner p (layout: :mod:`snn_control.snn.pairs`). Per tick k, for input current x[k]:

    t[k]     = lambda_t * t[k-1] + s[k-1]                         spike trace (spikes)
    theta[k] = max(theta_min, base + a * (t_p[k] - t[k]))         cross-coupled threshold
    i[k]     = lambda_i * i[k-1] + x[k]                           synaptic current
    v[k]     = lambda_v * v[k-1] + i[k] - s[k-1] * theta[k-1]     membrane, soft reset
    s[k]     = 1[v[k] > theta[k]]

With a > 0 a neuron's own activity lowers its threshold and its partner's raises it: mutual
inhibition with a slow memory (the traces), which holds a pair in the state its input pushed it
to and so yields integral action. The reset subtracts the threshold that was crossed,
theta[k-1], so v keeps the surplus as in :mod:`snn_control.snn.lif`. ``theta_min`` (> 0) keeps a
strongly adapted threshold positive. Symbols: lambda_t = ``leak_t``, a = ``adapt``,
base = ``base``; decays per tick in [0, 1]. Arrays broadcast to ``(batch, neurons)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from snn_control.snn.pairs import partner_index


class IWTAParams(NamedTuple):
    leak_i: np.ndarray | float
    leak_v: np.ndarray | float
    base: np.ndarray | float  # threshold without adaptation
    adapt: np.ndarray | float  # a: threshold change per unit of trace difference
    leak_t: np.ndarray | float  # lambda_t: trace decay per tick
    theta_min: float = 0.01


class IWTAState(NamedTuple):
    i: np.ndarray  # synaptic current
    v: np.ndarray  # membrane potential
    s: np.ndarray  # spikes of the previous tick (float 0/1)
    t: np.ndarray  # spike trace
    theta: np.ndarray  # threshold of the previous tick (subtracted on reset)


def iwta_initial_state(batch: int, neurons: int, p: IWTAParams) -> IWTAState:
    """Rest: no current, potential, spikes or trace; thresholds at ``max(theta_min, base)``."""
    z = np.zeros((batch, neurons))
    theta = np.broadcast_to(np.maximum(p.theta_min, p.base), (batch, neurons)).astype(float)
    return IWTAState(z, z.copy(), z.copy(), z.copy(), theta.copy())


def iwta_step(
    p: IWTAParams, state: IWTAState, x: np.ndarray, partners: np.ndarray | None = None
) -> tuple[IWTAState, np.ndarray]:
    """One tick; returns ``(new_state, spikes)``.

    Args:
        p: parameters broadcasting to ``(batch, neurons)``.
        state: the previous tick's state.
        x: input current ``(batch, neurons)``.
        partners: ``partner_index(neurons)``, precomputed by callers that step often.
    """
    idx = partner_index(state.v.shape[-1]) if partners is None else partners
    t = p.leak_t * state.t + state.s
    theta = np.maximum(p.theta_min, p.base + p.adapt * (t[..., idx] - t))
    i = p.leak_i * state.i + x
    v = p.leak_v * state.v + i - state.s * state.theta
    s = (v > theta).astype(float)
    return IWTAState(i, v, s, t, theta), s
