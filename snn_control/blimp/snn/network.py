"""The blimp altitude SNNs (Burgers et al. 2023): error in, motor units out, batch-first.

One network (a PD-like or an I-like controller; the deployed pair adds their outputs) has three
layers over P pairs of neurons (layout: :mod:`snn_control.snn.pairs`, default P = 20):

    l0, encoding (2P LIF):  x0 = [+w0, -w0] * e + [b0, b0]                       (paired_current)
    l1, hidden (2P):        x1 = w1 * s0 + wc * partner(s0) + b1
                                 [+ r1 * s1[k-1] + rc * partner(s1[k-1])]      (recurrent kinds)
    l2, readout (LI):       u[k] = a * u[k-1] + (1 - a) * sum_j c_j * (s1_j+[k] - s1_j-[k])
                            or, integrating (the I-SNN's default, a in [0.999, 1], c' per spike):
                            u[k] = clip(a * u[k-1] + sum_j c'_j * (s1_j+[k] - s1_j-[k]), ±10)

e = set-point - altitude (m), u in motor units. Hidden kinds (the paper's four structures):
``lif`` (plain LIF, the PD controller), ``iwta`` (adaptive-threshold pairs, the I controller),
``rlif`` and ``riwta`` (the same with a recurrent 2x2 block within each pair). wc is zero unless
the layout uses 2x2 blocks from l0 to l1. Every parameter is shared within a pair (weights
mirrored where they touch the signed input or output), so u(-e) = -u(e) exactly for any
sequence e. Spiking neurons per network: 4P (l0 + l1); the readout does not spike.

Parameters are per-neuron arrays with a leading batch axis, decoded from genomes by
:class:`snn_control.blimp.snn.genome.BlimpSNNLayout`; a batch of one broadcasts against
any batch of states (one fixed controller in many simulated flights).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from snn_control.blimp import kernels
from snn_control.snn.iwta import IWTAParams, IWTAState, iwta_initial_state, iwta_step
from snn_control.snn.lif import LIFParams, LIFState, lif_initial_state, lif_step
from snn_control.snn.pairs import partner_index
from snn_control.snn.readout import (IntegratorParams, LIParams, LIState, li_initial_state, paired_integrator_step,
                                     paired_li_step)

HIDDEN_KINDS = ("lif", "iwta", "rlif", "riwta")


class BlimpSNNParams(NamedTuple):
    """Per-neuron parameters, arrays shaped ``(batch, 2P)`` (``out``: ``(batch,)`` and ``(batch, P)``)."""

    enc_weight: np.ndarray  # [+w0, -w0]
    enc_bias: np.ndarray  # [b0, b0]
    enc: LIFParams
    hid_weight: np.ndarray  # w1, diagonal l0 -> l1
    hid_cross: np.ndarray | None  # wc, from the partner's l0 neuron (2x2 blocks), or None
    hid_bias: np.ndarray
    hid: LIFParams | IWTAParams
    rec_self: np.ndarray | None  # r1 (recurrent kinds), else None
    rec_cross: np.ndarray | None  # rc
    out: LIParams | IntegratorParams  # leak a (batch,), per-pair weight c (batch, P): paired_li_step
    # (the paper's leaky readout) or paired_integrator_step (the integrating readout)

    @property
    def batch(self) -> int:
        return int(self.enc_weight.shape[0])

    @property
    def neurons(self) -> int:
        """Neurons per layer (2P)."""
        return int(self.enc_weight.shape[-1])

    @property
    def adaptive(self) -> bool:
        return isinstance(self.hid, IWTAParams)


class BlimpSNNState(NamedTuple):
    enc: LIFState
    hid: LIFState | IWTAState
    out: LIState


def blimp_snn_initial_state(params: BlimpSNNParams, batch: int | None = None) -> BlimpSNNState:
    """Rest state for ``batch`` flights (default: one per parameter row)."""
    b = params.batch if batch is None else batch
    n = params.neurons
    hid = iwta_initial_state(b, n, params.hid) if params.adaptive else lif_initial_state(b, n)
    return BlimpSNNState(lif_initial_state(b, n), hid, li_initial_state(b))


def blimp_snn_step(
    params: BlimpSNNParams, state: BlimpSNNState, error_m: np.ndarray | float, partners: np.ndarray | None = None
) -> tuple[BlimpSNNState, np.ndarray]:
    """One control tick for errors ``(batch,)`` (or one scalar for all); returns ``(state, u)``.

    ``partners`` is ``partner_index(2P)``, precomputed by callers that step often.
    """
    idx = partner_index(params.neurons) if partners is None else partners
    e = np.asarray(error_m, dtype=float)
    if e.ndim == 1:
        e = e[:, None]
    enc, s0 = lif_step(params.enc, state.enc, e * params.enc_weight + params.enc_bias)
    x1 = params.hid_weight * s0 + params.hid_bias
    if params.hid_cross is not None:
        x1 = x1 + params.hid_cross * s0[:, idx]
    if params.rec_self is not None:
        s_prev = state.hid.s
        x1 = x1 + params.rec_self * s_prev + params.rec_cross * s_prev[:, idx]
    if params.adaptive:
        hid, s1 = iwta_step(params.hid, state.hid, x1, idx)
    else:
        hid, s1 = lif_step(params.hid, state.hid, x1)
    if isinstance(params.out, IntegratorParams):
        out, u = paired_integrator_step(params.out, state.out, s1)
    else:
        out, u = paired_li_step(params.out, state.out, s1)
    return BlimpSNNState(enc, hid, out), u


def blimp_snn_rollout(
    params: BlimpSNNParams, errors_m: np.ndarray, state: BlimpSNNState | None = None
) -> np.ndarray:
    """Outputs ``(batch, T)`` for an error sequence ``(T,)`` shared by every row, or ``(batch, T)``."""
    errors = np.asarray(errors_m, dtype=float)
    if errors.ndim not in (1, 2):
        raise ValueError(f"errors_m must be (T,) or (batch, T), got shape {errors.shape}")
    batch = params.batch if errors.ndim == 1 else errors.shape[0]
    state = blimp_snn_initial_state(params, batch) if state is None else state
    idx = partner_index(params.neurons)
    steps = errors.shape[-1]
    packed = kernels.pack_snn(params) if kernels.use(batch) else None
    if packed is not None:  # the compiled ticks (same arithmetic)
        return kernels.snn_rollout(packed, state, np.broadcast_to(errors, (batch, steps)))
    out = np.empty((batch, steps))
    for k in range(steps):
        e = errors[k] if errors.ndim == 1 else errors[:, k]
        state, out[:, k] = blimp_snn_step(params, state, e, idx)
    return out


def n_spiking_neurons(params: BlimpSNNParams) -> int:
    """Spiking neurons of one network: encoding plus hidden layer (the readout does not spike)."""
    return 2 * params.neurons


class SNNTerm:
    """One network (parameters of a batch of one, or one row per flight) as a batch term of
    :class:`~snn_control.blimp.controllers.SummedController`."""

    def __init__(self, params: BlimpSNNParams) -> None:
        self.params = params
        self.n_spiking_neurons = n_spiking_neurons(params)
        self._partners = partner_index(params.neurons)
        self._packed = kernels.pack_snn(params) if kernels.AVAILABLE else None

    def initial_state(self, batch: int) -> BlimpSNNState:
        return blimp_snn_initial_state(self.params, batch)

    def step(self, state: BlimpSNNState, error_m: np.ndarray) -> tuple[BlimpSNNState, np.ndarray]:
        if self._packed is not None and kernels.use(len(error_m)):  # the compiled step (same arithmetic)
            return kernels.snn_step(self._packed, state, error_m)
        return blimp_snn_step(self.params, state, error_m, self._partners)
