"""SpikePoint network: PLIF neuron and surrogate, residuals, shapes, parameter counts, step modes."""

from __future__ import annotations

import math

import pytest
import torch

from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.model import GlobalResidual, SpikeCounts, SpikePoint, _Run, rate_code
from snn_control.perception.spikepoint.neuron import ATanSpike, ParametricLIF, plif_step

TINY = dict(points=32, groups=8, neighbors=4, time_steps=4)


def test_atan_surrogate_gradient_is_the_arctan_derivative():
    u = torch.tensor([-1.0, -0.25, 0.0, 0.1, 2.0], dtype=torch.float64, requires_grad=True)
    s = ATanSpike.apply(u, 2.0)
    assert s.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
    s.sum().backward()
    # d/du [arctan(pi alpha u / 2) / pi + 1/2] = alpha / (2 (1 + (pi alpha u / 2)^2))
    want = [2.0 / (2 * (1 + (math.pi * 2.0 * x / 2) ** 2)) for x in u.tolist()]
    torch.testing.assert_close(u.grad, torch.tensor(want, dtype=torch.float64))
    assert u.grad[2].item() == 1.0  # alpha / 2 at the threshold


def test_plif_golden_trajectory_with_hard_reset():
    lif = ParametricLIF(tau_init=2.0)
    assert lif.tau == pytest.approx(2.0)
    x = torch.tensor([1.5, 1.5, 0.0, 3.0, 0.4]).reshape(5, 1)
    s, v = lif(x)
    # h = v + (x - v) / 2: 0.75 (no spike), 1.125 -> spike, reset 0; 0; 1.5 -> spike, reset; 0.2
    assert s.flatten().tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]
    assert v.item() == pytest.approx(0.2)
    s2, v2 = lif(x[2:], v0=torch.tensor([0.0]))  # continuing from a state
    assert s2.flatten().tolist() == [0.0, 1.0, 0.0]


def test_fused_plif_sequence_matches_the_autograd_step_reference():
    torch.manual_seed(0)
    x = (torch.randn(7, 3, 5) * 1.5 + 0.8).double().requires_grad_()
    v0 = (torch.rand(3, 5) * 0.5).double().requires_grad_()
    lif = ParametricLIF(2.7).double()
    g = torch.randn(7, 3, 5, dtype=torch.float64)
    s, v = lif(x, v0)
    (s * g).sum().backward()
    fused = (x.grad.clone(), v0.grad.clone(), lif.w.grad.clone())
    x.grad = v0.grad = lif.w.grad = None
    a, vv, ref = torch.sigmoid(lif.w), v0, []
    for t in range(7):
        st, vv = plif_step(x[t], vv, a)
        ref.append(st)
    ref = torch.stack(ref)
    (ref * g).sum().backward()
    assert torch.equal(s, ref)
    torch.testing.assert_close(v, vv.detach())
    for got, want in zip(fused, (x.grad, v0.grad, lif.w.grad)):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    assert abs(float(lif.w.grad)) > 0  # tau does learn


def test_residual_is_added_after_the_spike_with_unit_skip_gradient():
    block = GlobalResidual(4, tau_init=2.0).eval()
    with torch.no_grad():
        block.conv.fc.weight.zero_()
        block.conv.bn.bias.fill_(4.0)  # constant current 4: h = 2 at the first step -> every neuron spikes
    x = torch.tensor([[[0.0, 1.0, 0.0, 1.0]]]).requires_grad_()  # [T=1, B=1, C=4]
    out = block(x, _Run(None, None))
    assert out.tolist() == [[[1.0, 2.0, 1.0, 2.0]]]  # spike (1) + previous spikes: counts, not a binary OR
    out.sum().backward()
    assert x.grad.tolist() == [[[1.0, 1.0, 1.0, 1.0]]]  # zero weights: only the identity path carries gradient


def test_forward_shapes_and_batch_first_outputs_per_step():
    cfg = SpikePointConfig(**TINY)
    model = SpikePoint(cfg)
    local, cent = torch.rand(3, 8, 4, 6), torch.rand(3, 8, 3)
    with torch.no_grad():
        votes = model(local, cent, torch.Generator().manual_seed(0))
    assert votes.shape == (4, 3, 10)
    assert float(votes.min()) >= 0 and float(votes.max()) <= 1
    assert torch.all((votes * cfg.voters).round() == votes * cfg.voters)  # means of 10 binary voters


def test_parameter_counts_pin_the_papers_models():
    large = SpikePoint(SpikePointConfig(preset="large")).n_params()
    small = SpikePoint(SpikePointConfig(preset="small")).n_params()
    assert abs(large - 0.58e6) / 0.58e6 < 0.05  # DVS128 Gesture: 0.58 M (Ren et al. 2024)
    assert abs(small - 0.16e6) / 0.16e6 < 0.05  # Daily DVS / DVS Action: 0.16 M
    assert (large, small) == (580_501, 159_285)  # this layout, exactly
    # the count does not depend on the number of points, groups or neighbours (all 1x1 convolutions)
    assert SpikePoint(SpikePointConfig(preset="large", **TINY)).n_params() == large


def test_step_by_step_equals_all_steps_at_once():
    cfg = SpikePointConfig(**TINY)
    torch.manual_seed(1)
    model = SpikePoint(cfg).eval()
    gen = torch.Generator().manual_seed(4)
    ls, cs = rate_code(torch.rand(2, 8, 4, 6), 4, gen), rate_code(torch.rand(2, 8, 3), 4, gen)
    with torch.no_grad():
        whole, _ = model.forward_steps(ls, cs)
        state, steps = None, []
        for t in range(4):
            v, state = model.forward_steps(ls[t:t + 1], cs[t:t + 1], state)
            steps.append(v[0])
    torch.testing.assert_close(torch.stack(steps), whole, rtol=0, atol=0)


def test_spike_counts_give_rates_and_synaptic_operations():
    cfg = SpikePointConfig(**TINY)
    model = SpikePoint(cfg).eval()
    counts = SpikeCounts()
    gen = torch.Generator().manual_seed(0)
    local, cent = torch.rand(2, 8, 4, 6), torch.rand(2, 8, 3)
    ls, cs = rate_code(local, 4, gen), rate_code(cent, 4, gen)
    with torch.no_grad():
        model.forward_steps(ls, cs, counts=counts)
    c1 = cfg.widths[0]
    assert counts.synops["local_in"] == float(ls.sum()) * c1  # input spikes x fan-out
    assert counts.synops["cent_in"] == float(cs.sum()) * c1
    assert counts.neuron_steps["local_in"] == 4 * 2 * 8 * 4 * c1
    assert len(counts.spikes) == 13  # every LIF layer
    assert 0.0 <= counts.mean_spike_rate() <= 1.0
