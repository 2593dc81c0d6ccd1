"""The on-board runtime: several blimp SNNs of one blimp stepped as one fused network (numpy only).

:func:`~snn_control.blimp.snn.network.blimp_snn_step` is written for populations: one call per
network, a ``(batch, neurons)`` array per quantity, a new array per operation. On a robot the batch
is one and the tick is dominated by the cost of each numpy call, not by arithmetic (35-40 µs for
the 160-neuron pair on our 2-core machine). :class:`FusedSNN` steps K networks of one blimp at
once: their layers are concatenated into vectors of K·2P neurons held in preallocated buffers and
updated in place, so a tick of the PD-SNN + I-SNN pair is about 25 small numpy calls whatever K is
(12-14 µs; ``snn-control bench control``).

It computes exactly what :func:`blimp_snn_step` computes, operation for operation, so the outputs
are equal bit for bit (``test/blimp/test_snn_runtime.py`` holds the two together). Per network k
and tick (layout and symbols: :mod:`snn_control.blimp.snn.network`):

    l0 (LIF):  i0 = lambda_i0 i0 + (e w0 + b0);  v0 = lambda_v0 v0 + i0 - s0 theta0;  s0 = 1[v0 > theta0]
    l1:        x1 = w1 s0 + b1 [+ wc partner(s0)] [+ r1 s1 + rc partner(s1)]
               t1 = lambda_t t1 + s1;  theta' = max(theta_min, base + a (partner(t1) - t1))
               i1 = lambda_i1 i1 + x1; v1 = lambda_v1 v1 + i1 - s1 theta1;  s1 = 1[v1 > theta'];  theta1 = theta'
    l2:        u_k = a u_k + (1 - a) sum_j c_j (s1_j+ - s1_j-)              (leaky readout)
               u_k = clip(a u_k + sum_j c'_j (s1_j+ - s1_j-), ±L)         (integrating readout)

A plain LIF hidden layer is the IWTA update with a = 0, base = theta, lambda_t = 0 and
theta_min = -inf: then theta' = max(-inf, theta + 0) = theta exactly, so one code path serves
both kinds without changing a bit of either.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from snn_control.blimp.snn.network import BlimpSNNParams, BlimpSNNState
from snn_control.snn.iwta import IWTAParams, IWTAState
from snn_control.snn.lif import LIFState
from snn_control.snn.pairs import partner_index
from snn_control.snn.readout import IntegratorParams, LIState


def _row(x: np.ndarray | float, n: int) -> np.ndarray:
    """A per-neuron parameter of a batch of one as a flat float vector of ``n``."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 2 and a.shape[0] != 1:
        raise ValueError(f"FusedSNN runs one blimp: parameters need a batch of one, got shape {a.shape}")
    return np.broadcast_to(a.reshape(-1) if a.ndim else a, (n,)).astype(float)


def _cat(nets: Sequence[BlimpSNNParams], get, n: int) -> np.ndarray:
    return np.concatenate([_row(get(p), n) for p in nets])


class FusedSNN:
    """K blimp SNNs (parameters of a batch of one each, the same number of pairs) of one blimp.

    ``parts = fused.step(error_m)`` returns each network's output (a list of K floats), equal bit
    for bit to K calls of :func:`~snn_control.blimp.snn.network.blimp_snn_step`. ``states()`` and
    ``load(states)`` convert from and to those networks' :class:`BlimpSNNState` s.

    Both spiking layers of all K networks share one vector of 2M neurons (M = K·2P): the encoding
    layers first, then the hidden ones, so the decays and the reset terms, which need only the last
    tick's values, take one numpy call for all 4·K·P neurons.
    """

    def __init__(self, nets: Sequence[BlimpSNNParams]) -> None:
        nets = tuple(nets)
        if not nets:
            raise ValueError("FusedSNN needs at least one network")
        n = nets[0].neurons
        if any(p.neurons != n for p in nets) or any(p.batch != 1 for p in nets):
            raise ValueError("FusedSNN needs networks of one row each with the same number of neurons")
        self.nets, self.k, self.n = nets, len(nets), n
        self.m = m = self.k * n
        self._idx = np.concatenate([j * n + partner_index(n) for j in range(self.k)])
        self._ew, self._eb = _cat(nets, lambda p: p.enc_weight, n), _cat(nets, lambda p: p.enc_bias, n)
        self._li = np.concatenate([_cat(nets, lambda p: p.enc.leak_i, n), _cat(nets, lambda p: p.hid.leak_i, n)])
        self._lv = np.concatenate([_cat(nets, lambda p: p.enc.leak_v, n), _cat(nets, lambda p: p.hid.leak_v, n)])
        self._eth = _cat(nets, lambda p: p.enc.threshold, n)
        self._hw, self._hb = _cat(nets, lambda p: p.hid_weight, n), _cat(nets, lambda p: p.hid_bias, n)
        self._hc = self._optional(lambda p: p.hid_cross)
        self._rs, self._rc = self._optional(lambda p: p.rec_self), self._optional(lambda p: p.rec_cross)
        self._base = _cat(nets, lambda p: p.hid.base if p.adaptive else p.hid.threshold, n)
        self._adapt = _cat(nets, lambda p: p.hid.adapt if p.adaptive else 0.0, n)
        self._lt = _cat(nets, lambda p: p.hid.leak_t if p.adaptive else 0.0, n)
        self._tmin = _cat(nets, lambda p: p.hid.theta_min if p.adaptive else -np.inf, n)
        self._any_adaptive = any(p.adaptive for p in nets)
        self._c = np.stack([_row(p.out.weight, n // 2) for p in nets])  # (K, P)
        self._a = [float(np.asarray(p.out.leak).reshape(-1)[0]) for p in nets]
        self._limit = [float(p.out.limit) if isinstance(p.out, IntegratorParams) else None for p in nets]
        # state (both layers in one vector: [l0 of every network, l1 of every network]), in place
        self.i, self.v, self.s, self.theta = np.zeros(2 * m), np.zeros(2 * m), np.zeros(2 * m), np.zeros(2 * m)
        self.t1 = np.zeros(m)
        self.u = [0.0] * self.k
        self.i0, self.i1, self.v0, self.v1 = self.i[:m], self.i[m:], self.v[:m], self.v[m:]
        self.s0, self.s1, self.theta1 = self.s[:m], self.s[m:], self.theta[m:]
        half = n // 2
        s1 = self.s1.reshape(self.k, 2, half)
        self._s1_plus, self._s1_minus = s1[:, 0], s1[:, 1]
        self._reset_term = np.zeros(2 * m)
        self._reset0, self._reset1 = self._reset_term[:m], self._reset_term[m:]
        self._x, self._y = np.zeros(m), np.zeros(m)
        self._d = np.zeros((self.k, half))
        self.reset()

    def _optional(self, get) -> np.ndarray | None:
        """Concatenated optional weights (zeros for networks without them), or None if none has them."""
        if all(get(p) is None for p in self.nets):
            return None
        return np.concatenate([np.zeros(self.n) if get(p) is None else _row(get(p), self.n) for p in self.nets])

    def reset(self) -> None:
        """The rest state of :func:`~snn_control.blimp.snn.network.blimp_snn_initial_state`."""
        for a in (self.i, self.v, self.s, self.t1):
            a[:] = 0.0
        self.theta[: self.m] = self._eth
        np.maximum(self._tmin, self._base, out=self.theta1)
        self.u = [0.0] * self.k

    def step(self, error_m: float) -> list[float]:
        """One tick for the error ``error_m`` (m); each network's output, in motor units."""
        x, y = self._x, self._y
        # what needs only the last tick: decays, reset terms s[k-1] * theta[k-1], spike traces
        self.i *= self._li
        self.v *= self._lv
        np.multiply(self.s, self.theta, out=self._reset_term)
        if self._any_adaptive:
            self.t1 *= self._lt
            self.t1 += self.s1
        # l0: LIF encoding
        np.multiply(self._ew, float(error_m), out=x)
        x += self._eb
        self.i0 += x
        self.v0 += self.i0
        self.v0 -= self._reset0
        np.greater(self.v0, self._eth, out=self.s0)
        # l1: input from this tick's l0 spikes (and the last tick's l1 spikes), then LIF / IWTA
        np.multiply(self._hw, self.s0, out=x)
        x += self._hb
        if self._hc is not None:
            np.take(self.s0, self._idx, out=y)
            y *= self._hc
            x += y
        if self._rs is not None:
            np.multiply(self._rs, self.s1, out=y)
            x += y
            np.take(self.s1, self._idx, out=y)
            y *= self._rc
            x += y
        if self._any_adaptive:
            np.take(self.t1, self._idx, out=y)
            y -= self.t1
            y *= self._adapt
            y += self._base
            np.maximum(self._tmin, y, out=self.theta1)
        self.i1 += x
        self.v1 += self.i1
        self.v1 -= self._reset1
        np.greater(self.v1, self.theta1, out=self.s1)
        return self._readout()

    def _readout(self) -> list[float]:
        np.subtract(self._s1_plus, self._s1_minus, out=self._d)
        self._d *= self._c
        drive = np.add.reduce(self._d, axis=1).tolist()  # np.sum's own reduction, row by row
        u = self.u
        for j, (a, limit, d) in enumerate(zip(self._a, self._limit, drive)):
            if limit is None:
                u[j] = a * u[j] + (1.0 - a) * d
            else:
                u[j] = min(max(a * u[j] + d, -limit), limit)
        return list(u)

    def _slices(self, j: int) -> tuple[slice, slice]:
        """Network j's neurons in the l0 half and in the l1 half of the layer vectors."""
        lo = j * self.n
        return slice(lo, lo + self.n), slice(self.m + lo, self.m + lo + self.n)

    def states(self) -> tuple[BlimpSNNState, ...]:
        """Each network's state as :func:`~snn_control.blimp.snn.network.blimp_snn_step` holds it (copies)."""
        out = []
        for j, p in enumerate(self.nets):
            l0, l1 = self._slices(j)
            enc = LIFState(*(a[None, l0].copy() for a in (self.i, self.v, self.s)))
            hid_parts = [a[None, l1].copy() for a in (self.i, self.v, self.s)]
            if p.adaptive:
                t = self.t1[None, l0].copy()  # t1 is indexed like l0 (M neurons)
                hid = IWTAState(*hid_parts, t, self.theta[None, l1].copy())
            else:
                hid = LIFState(*hid_parts)
            out.append(BlimpSNNState(enc, hid, LIState(np.array([self.u[j]]))))
        return tuple(out)

    def load(self, states: Sequence[BlimpSNNState]) -> None:
        """Take over each network's state (a batch of one), e.g. from :meth:`states`."""
        if len(states) != self.k:
            raise ValueError(f"FusedSNN.load needs {self.k} states, got {len(states)}")
        self.reset()
        for j, st in enumerate(states):
            l0, l1 = self._slices(j)
            for layer, sl in ((st.enc, l0), (st.hid, l1)):
                for dst, src in ((self.i, layer.i), (self.v, layer.v), (self.s, layer.s)):
                    dst[sl] = np.asarray(src, dtype=float).reshape(-1)
            if isinstance(st.hid, IWTAState):
                self.t1[l0] = np.asarray(st.hid.t, dtype=float).reshape(-1)
                self.theta[l1] = np.asarray(st.hid.theta, dtype=float).reshape(-1)
            self.u[j] = float(np.asarray(st.out.u).reshape(-1)[0])
