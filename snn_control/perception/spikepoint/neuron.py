"""Parametric LIF neuron (Fang et al. 2021) with the ATan surrogate gradient, in torch.

Per time step t, for an input current x[t] (already weighted and normalized):

    h[t] = v[t-1] + a (x[t] - v[t-1])              charge; a = 1 / tau = sigmoid(w), w learnable
    s[t] = H(h[t] - v_th)                          spike (Heaviside), v_th = 1
    v[t] = h[t] (1 - s[t])                         hard reset to 0

tau is in time steps; one w per layer, initialized to w = -ln(tau_init - 1) (tau_init = 2: w = 0,
a = 0.5). Hard reset is SpikingJelly's ParametricLIFNode default that SpikePoint uses; the reset
is detached from the graph (``detach_reset``: dv[t]/dh[t] = 1 - s[t]), as in SpikingJelly's DVS
Gesture examples, which keeps the backward pass a plain leaky recursion.

The surrogate replaces dH(u)/du by the derivative of arctan(pi alpha u / 2) / pi + 1/2:

    ds/dh = alpha / (2 (1 + (pi alpha (h - v_th) / 2)^2)),    alpha = 2.

Two implementations of the same recursion: :func:`plif_step` (one step with autograd through
:class:`ATanSpike`; the reference) and :class:`ParametricLIF` (a whole sequence in one
``torch.autograd.Function`` that stores only h[t] and runs the backward recursion by hand,
about a third of the memory of autograd's graph). A test holds the second to the first.
Tensors are time-first ``[T, batch, ...]``; state is the membrane ``v`` shaped like one step.
"""

from __future__ import annotations

import math

import torch
from torch import nn

V_THRESHOLD = 1.0
ALPHA = 2.0


def atan_surrogate_grad(u: torch.Tensor, alpha: float = ALPHA) -> torch.Tensor:
    """alpha / (2 (1 + (pi alpha u / 2)^2)): the surrogate of dH(u)/du."""
    return (alpha / 2.0) / (1.0 + (math.pi / 2.0 * alpha * u) ** 2)


class ATanSpike(torch.autograd.Function):
    """Forward: H(u) = 1[u >= 0]; backward: the ATan surrogate (:func:`atan_surrogate_grad`)."""

    @staticmethod
    def forward(ctx, u: torch.Tensor, alpha: float = ALPHA) -> torch.Tensor:  # noqa: D102
        ctx.save_for_backward(u)
        ctx.alpha = alpha
        return (u >= 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # noqa: D102
        (u,) = ctx.saved_tensors
        return grad * atan_surrogate_grad(u, ctx.alpha), None


def plif_step(x: torch.Tensor, v: torch.Tensor, a: torch.Tensor, v_th: float = V_THRESHOLD,
              alpha: float = ALPHA) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of the module docstring's equations; returns ``(s[t], v[t])`` (autograd reference)."""
    h = v + a * (x - v)
    s = ATanSpike.apply(h - v_th, alpha)
    return s, h * (1.0 - s.detach())


def _forward_loop(x_seq: torch.Tensor, v: torch.Tensor, a: torch.Tensor, v_th: float,
                  keep_h: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """The recursion without autograd; returns ``(s_seq, v_last, h_seq or None)``.

    Written for memory traffic (the local branch runs it on ~10^8 values per batch): three passes
    per step into preallocated buffers, no temporaries (large CPU allocations cost page faults).
    """
    s_seq = torch.empty_like(x_seq)
    h_seq = torch.empty_like(x_seq) if keep_h else None
    h_buf, v_buf = torch.empty_like(v), torch.empty_like(v)
    for t in range(x_seq.shape[0]):
        h = torch.lerp(v, x_seq[t], a, out=h_seq[t] if h_seq is not None else h_buf)
        torch.ge(h, v_th, out=s_seq[t])
        v = torch.addcmul(h, h, s_seq[t], value=-1.0, out=v_buf)  # h (1 - s); v0 is never written
    return s_seq, v, h_seq


class _PLIFSequence(torch.autograd.Function):
    """The PLIF recursion over ``T`` steps with a hand-written backward (BPTT through v)."""

    @staticmethod
    def forward(ctx, x_seq, v0, w, v_th, alpha):  # noqa: D102
        a = torch.sigmoid(w)
        s_seq, v_last, h_seq = _forward_loop(x_seq, v0, a, v_th, keep_h=True)
        ctx.save_for_backward(h_seq, v0, w)
        ctx.v_th, ctx.alpha = v_th, alpha
        ctx.mark_non_differentiable(v_last)
        return s_seq, v_last.clone()

    @staticmethod
    def backward(ctx, g_s, g_v_last):  # noqa: D102
        h_seq, v0, w = ctx.saved_tensors
        a = torch.sigmoid(w)
        k2 = (math.pi / 2.0 * ctx.alpha) ** 2
        steps = h_seq.shape[0]
        g_x = torch.empty_like(h_seq)
        g_h, g_v, v_prev = torch.empty_like(v0), torch.zeros_like(v0), torch.empty_like(v0)
        below, below_prev = torch.lt(h_seq[-1], ctx.v_th).to(h_seq.dtype), torch.empty_like(v0)  # 1 - s[t]
        if g_v_last is not None:
            g_v.copy_(g_v_last)
        g_a = torch.zeros((), dtype=h_seq.dtype)
        for t in range(steps - 1, -1, -1):
            h = h_seq[t]
            # dL/dh[t] = dL/ds[t] * surrogate(h[t] - v_th) + dL/dv[t] * (1 - s[t])
            torch.sub(h, ctx.v_th, out=g_h).square_().mul_(k2).add_(1.0).reciprocal_().mul_(ctx.alpha / 2.0)
            g_h.mul_(g_s[t]).addcmul_(g_v, below)
            # dL/da += dL/dh[t] . (x[t] - v[t-1]), where x[t] - v[t-1] = (h[t] - v[t-1]) / a
            if t > 0:
                torch.lt(h_seq[t - 1], ctx.v_th, out=below_prev)
                torch.mul(h_seq[t - 1], below_prev, out=v_prev)
            else:
                v_prev.copy_(v0)
            flat = g_h.reshape(-1)
            g_a += (torch.vdot(flat, h.reshape(-1)) - torch.vdot(flat, v_prev.reshape(-1))) / a
            torch.mul(g_h, a, out=g_x[t])
            torch.mul(g_h, 1.0 - a, out=g_v)
            below, below_prev = below_prev, below
        return g_x, g_v, g_a * a * (1.0 - a), None, None


class ParametricLIF(nn.Module):
    """A layer of parametric LIF neurons sharing one learnable time constant.

    ``forward(x_seq [T, ...], v0=None) -> (spikes [T, ...], v[T-1])``; ``v0`` None is the rest
    state (zeros). The returned membrane carries no gradient (state for step-by-step inference).
    """

    def __init__(self, tau_init: float = 2.0, v_threshold: float = V_THRESHOLD, alpha: float = ALPHA) -> None:
        super().__init__()
        if not tau_init > 1.0:
            raise ValueError(f"tau_init must be > 1, got {tau_init}")
        self.w = nn.Parameter(torch.tensor(-math.log(tau_init - 1.0)))
        self.v_threshold = float(v_threshold)
        self.alpha = float(alpha)

    @property
    def tau(self) -> float:
        """Membrane time constant in time steps, 1 / sigmoid(w)."""
        return float(1.0 / torch.sigmoid(self.w.detach()))

    def forward(self, x_seq: torch.Tensor, v0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        if v0 is None:
            v0 = torch.zeros_like(x_seq[0])
        if torch.is_grad_enabled() and (x_seq.requires_grad or self.w.requires_grad or v0.requires_grad):
            return _PLIFSequence.apply(x_seq, v0, self.w, self.v_threshold, self.alpha)
        s_seq, v_last, _ = _forward_loop(x_seq, v0, torch.sigmoid(self.w), self.v_threshold, keep_h=False)
        return s_seq, v_last

    def extra_repr(self) -> str:
        return f"tau={self.tau:.3f}, v_threshold={self.v_threshold}, hard reset to 0, ATan(alpha={self.alpha})"
