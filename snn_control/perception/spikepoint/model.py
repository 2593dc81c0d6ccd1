"""SpikePoint (Ren et al., ICLR 2024): a single-stage point-based SNN for event-camera actions.

Symbols: T time steps, B windows, G groups, K neighbours, widths [C1, C2, C3, C4] (preset).
Every layer is a linear map without bias (a pointwise 1x1 convolution on channel-last tensors, or
fully connected), batch norm, then a parametric LIF layer (:mod:`.neuron`); "conv" and "FC" below
mean that triple, and what flows between layers is spikes. Batch norm in the two FC layers too:
without it the max over groups feeds FC1 an almost constant vector of ones and both FC layers
stay silent at initialization (measured: no spike, no gradient to FC2).

    local  = LocalRes(conv 6 -> C1 (rate-coded [T, B, G, K, 6]))      LocalRes: C -> C/2 -> C
    cent   = LocalRes(conv 3 -> C1 (rate-coded [T, B, G, 3]))             bottleneck + identity
    x      = max_K(local) + cent                                        [T, B, G, C1]
    x      = GlobalRes(conv C1 -> C2 (x));  x = GlobalRes(conv C2 -> C3 (x))
    x      = max_G(conv C3 -> C4 (x))                                   [T, B, C4]
    o      = LIF(FC_{C4 -> classes*voters}(LIF(FC_{C4 -> C4}(x))))     voting neurons (spikes)
    vote   = mean over each class's ``voters`` neurons                  [T, B, classes]

Identity-mapping residual, added after the spike: S = LIF(I) + S_prev (the skip path carries
gradient 1, and spike counts up to a few flow on; every layer's input is still a non-negative
integer count, so each synaptic operation remains an accumulate). The class score is the vote
rate mean_t vote[t]; training fits it to the one-hot label by MSE.

Parameters (10 classes, 10 voters): ``large`` 580,501 (the paper's 0.58 M DVS128 Gesture model),
``small`` 159,285 (its 0.16 M Daily DVS / DVS Action model).

One code path runs any number of steps from a given state (:meth:`SpikePoint.forward_steps`):
all T at once for training (each layer's convolution over all steps in one matrix product, as BPTT
needs every step anyway), or one step at a time for inference (:mod:`.early_exit`: a window can
stop early, and on a CPU the per-step tensors stay in cache). A test holds the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.neuron import ParametricLIF


@dataclass
class SpikeCounts:
    """Activity summed over the windows and steps run: per layer, for rates and operation counts.

    ``synops[name]``: synaptic accumulates, sum of the layer's input counts x fan-out;
    ``spikes[name]`` and ``neuron_steps[name]``: spikes emitted and neurons x steps x windows.
    """

    synops: dict[str, float] = field(default_factory=dict)
    spikes: dict[str, float] = field(default_factory=dict)
    neuron_steps: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, x_in: torch.Tensor, fan_out: int, spikes: torch.Tensor) -> None:
        self.synops[name] = self.synops.get(name, 0.0) + x_in.detach().sum().item() * fan_out
        self.spikes[name] = self.spikes.get(name, 0.0) + spikes.detach().sum().item()
        self.neuron_steps[name] = self.neuron_steps.get(name, 0.0) + float(spikes.numel())

    def mean_spike_rate(self) -> float:
        """Spikes per neuron per time step over all LIF layers."""
        return sum(self.spikes.values()) / max(sum(self.neuron_steps.values()), 1.0)


class _Run:
    """Membrane states in (or None: rest), states out, and optional counts, for one forward call."""

    def __init__(self, state: list[torch.Tensor] | None, counts: SpikeCounts | None) -> None:
        self.state_in = iter(state) if state is not None else None
        self.state_out: list[torch.Tensor] = []
        self.counts = counts


class SpikingConv(nn.Module):
    """Linear map (a 1x1 convolution on channel-last ``[T, B, ..., C_in]``, or a fully connected
    layer on ``[T, B, C_in]``) without bias, batch norm, PLIF."""

    def __init__(self, c_in: int, c_out: int, tau_init: float) -> None:
        super().__init__()
        self.c_in, self.c_out = c_in, c_out
        self.fc = nn.Linear(c_in, c_out, bias=False)
        self.bn = nn.BatchNorm1d(c_out)
        self.lif = ParametricLIF(tau_init)
        self.label = ""

    def forward(self, x: torch.Tensor, run: _Run) -> torch.Tensor:
        lead = x.shape[:-1]
        i = self.bn(self.fc(x.reshape(-1, self.c_in)))
        v0 = next(run.state_in) if run.state_in is not None else None
        s, v = self.lif(i.reshape(*lead, self.c_out), v0)
        run.state_out.append(v)
        if run.counts is not None:
            run.counts.add(self.label, x, self.c_out, s)
        return s


class LocalResidual(nn.Module):
    """Bottleneck C -> C/2 -> C with the identity added after the last spike."""

    def __init__(self, c: int, tau_init: float) -> None:
        super().__init__()
        self.squeeze = SpikingConv(c, c // 2, tau_init)
        self.expand = SpikingConv(c // 2, c, tau_init)

    def forward(self, x: torch.Tensor, run: _Run) -> torch.Tensor:
        return self.expand(self.squeeze(x, run), run) + x


class GlobalResidual(nn.Module):
    """One conv C -> C with the identity added after the spike."""

    def __init__(self, c: int, tau_init: float) -> None:
        super().__init__()
        self.conv = SpikingConv(c, c, tau_init)

    def forward(self, x: torch.Tensor, run: _Run) -> torch.Tensor:
        return self.conv(x, run) + x


class SpikePoint(nn.Module):
    """The network of the module docstring for one :class:`SpikePointConfig`."""

    def __init__(self, cfg: SpikePointConfig) -> None:
        super().__init__()
        self.cfg = cfg
        c1, c2, c3, c4 = cfg.widths
        tau = cfg.tau_init
        self.local_in = SpikingConv(6, c1, tau)
        self.local_res = LocalResidual(c1, tau)
        self.cent_in = SpikingConv(3, c1, tau)
        self.cent_res = LocalResidual(c1, tau)
        self.stage1 = SpikingConv(c1, c2, tau)
        self.stage1_res = GlobalResidual(c2, tau)
        self.stage2 = SpikingConv(c2, c3, tau)
        self.stage2_res = GlobalResidual(c3, tau)
        self.final = SpikingConv(c3, c4, tau)
        self.fc1 = SpikingConv(c4, c4, tau)
        self.fc2 = SpikingConv(c4, cfg.n_classes * cfg.voters, tau)
        for name, module in self.named_modules():
            if isinstance(module, SpikingConv):
                module.label = name

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward_steps(self, local_spikes: torch.Tensor, cent_spikes: torch.Tensor,
                      state: list[torch.Tensor] | None = None,
                      counts: SpikeCounts | None = None) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Run ``T'`` steps from ``state`` (None: rest).

        Args:
            local_spikes: ``[T', B, G, K, 6]`` input spikes of the local branch.
            cent_spikes: ``[T', B, G, 3]`` input spikes of the centroid branch.
            state: membranes from an earlier call (its returned state), in layer order.
            counts: accumulates spikes and synaptic operations when given.

        Returns:
            ``(votes [T', B, classes], state)``: each step's class votes (vote rates in [0, 1]).
        """
        run = _Run(state, counts)
        local = self.local_res(self.local_in(local_spikes, run), run).max(dim=3).values
        x = local + self.cent_res(self.cent_in(cent_spikes, run), run)
        x = self.stage1_res(self.stage1(x, run), run)
        x = self.stage2_res(self.stage2(x, run), run)
        x = self.final(x, run).max(dim=2).values
        out = self.fc2(self.fc1(x, run), run)
        votes = out.reshape(*out.shape[:2], self.cfg.n_classes, self.cfg.voters).mean(dim=-1)
        return votes, run.state_out

    def forward(self, local_p: torch.Tensor, cent_p: torch.Tensor, generator: torch.Generator | None = None,
                counts: SpikeCounts | None = None) -> torch.Tensor:
        """All T steps from rest for firing probabilities ``local_p [B, G, K, 6]``, ``cent_p [B, G, 3]``;
        returns the votes ``[T, B, classes]``."""
        t = self.cfg.time_steps
        votes, _ = self.forward_steps(rate_code(local_p, t, generator), rate_code(cent_p, t, generator),
                                      counts=counts)
        return votes


def rate_code(p: torch.Tensor, steps: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Bernoulli spike trains ``[steps, *p.shape]``: each entry spikes with probability p in [0, 1]."""
    return torch.bernoulli(p.unsqueeze(0).expand(steps, *p.shape), generator=generator)
