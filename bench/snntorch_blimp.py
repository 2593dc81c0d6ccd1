"""The blimp SNN pair rebuilt with snnTorch layers, for the latency comparison in bench_blimp_snn.py.

Each layer is an ``snntorch.Synaptic`` neuron (synaptic current, membrane, subtractive reset on
the tick after a spike: the equations of ``snn_control.snn.lif``) with per-neuron decays and
thresholds copied from the numpy network; the IWTA layer's threshold tensor is recomputed from
the spike traces every tick (snnTorch has no cross-coupled threshold; after a spike its reset
subtracts the new threshold, ours the crossed one, so the I-SNN may differ in rare ticks).
"""

from __future__ import annotations

import numpy as np
import snntorch
import torch

from snn_control.blimp.snn.controller import BlimpSNNController, BlimpSNNNetwork
from snn_control.snn.pairs import partner_index


def _t(x) -> torch.Tensor:
    return torch.as_tensor(np.asarray(x, dtype=np.float64)[0] if np.ndim(x) == 2 else np.asarray(x, dtype=np.float64))


class SnnTorchNetwork:
    def __init__(self, net: BlimpSNNNetwork) -> None:
        p = net.params
        self.w0, self.b0 = _t(p.enc_weight), _t(p.enc_bias)
        self.enc = snntorch.Synaptic(alpha=_t(p.enc.leak_i), beta=_t(p.enc.leak_v), threshold=_t(p.enc.threshold),
                                     reset_mechanism="subtract")
        self.w1, self.b1 = _t(p.hid_weight), _t(p.hid_bias)
        self.cross = None if p.hid_cross is None else _t(p.hid_cross)
        self.rec = None if p.rec_self is None else (_t(p.rec_self), _t(p.rec_cross))
        self.adaptive = p.adaptive
        h = p.hid
        threshold = _t(np.maximum(h.theta_min, np.broadcast_to(h.base, p.enc_weight.shape))) if self.adaptive \
            else _t(h.threshold)
        self.hid = snntorch.Synaptic(alpha=_t(h.leak_i), beta=_t(h.leak_v), threshold=threshold,
                                     reset_mechanism="subtract")
        if self.adaptive:
            self.base, self.adapt, self.leak_t, self.theta_min = _t(h.base), _t(h.adapt), _t(h.leak_t), h.theta_min
        self.a, self.c = float(p.out.leak[0]), _t(p.out.weight)
        self.limit = getattr(p.out, "limit", None)  # the integrating readout (IntegratorParams) clamps
        self.idx = torch.as_tensor(partner_index(p.neurons))
        self.half = p.neurons // 2
        self.reset()

    def reset(self) -> None:
        n = self.w0.shape[0]
        z = lambda: torch.zeros(n, dtype=torch.float64)  # noqa: E731
        self.syn0, self.mem0, self.syn1, self.mem1, self.s1, self.trace = z(), z(), z(), z(), z(), z()
        self.u = 0.0

    def step(self, error_m: float) -> float:
        s0, self.syn0, self.mem0 = self.enc(error_m * self.w0 + self.b0, self.syn0, self.mem0)
        x1 = self.w1 * s0 + self.b1
        if self.cross is not None:
            x1 = x1 + self.cross * s0[self.idx]
        if self.rec is not None:
            x1 = x1 + self.rec[0] * self.s1 + self.rec[1] * self.s1[self.idx]
        if self.adaptive:
            self.trace = self.leak_t * self.trace + self.s1
            theta = torch.clamp(self.base + self.adapt * (self.trace[self.idx] - self.trace), min=self.theta_min)
            self.hid.threshold = theta
        self.s1, self.syn1, self.mem1 = self.hid(x1, self.syn1, self.mem1)
        drive = float(torch.sum(self.c * (self.s1[: self.half] - self.s1[self.half:])))
        if self.limit is None:  # the paper's leaky readout
            self.u = self.a * self.u + (1.0 - self.a) * drive
        else:  # integrating readout: weights per spike, clamped
            self.u = min(max(self.a * self.u + drive, -self.limit), self.limit)
        return self.u


class SnnTorchPair:
    """PD-SNN + I-SNN in snnTorch; ``step(error_m)`` returns ``(u_pd, u_i)``."""

    def __init__(self, pair: BlimpSNNController) -> None:
        self.pd, self.i = SnnTorchNetwork(pair.pd), SnnTorchNetwork(pair.i)

    def reset(self) -> None:
        self.pd.reset()
        self.i.reset()

    def step(self, error_m: float) -> tuple[float, float]:
        return self.pd.step(error_m), self.i.step(error_m)
