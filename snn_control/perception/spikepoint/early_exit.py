"""Early exit over time steps (Dynamic Confidence, Li et al. 2023), run step by step.

After step t of a window, the running class score is the mean vote so far and the decoded
confidence is its calibrated softmax maximum:

    r[t] = (1 / t) sum_{u <= t} vote[u]                          [classes], vote rates in [0, 1]
    c[t] = max_j softmax(beta * r[t])_j                           confidence in (1 / classes, 1)

The window stops at the first step t >= ``exit_min_steps`` (of the model's config) with
c[t] >= threshold (or after T steps) and is classified by argmax r[t]. beta (``confidence_scale``
of the model's config) is a temperature fitted on the validation windows at the end of training (:func:`fit_confidence_scale`, minimum negative
log-likelihood of softmax(beta r[T]), temperature scaling as in Guo et al. 2017), so confidence
means the same for every trained model. The network is run one step at a time and windows that
have exited are dropped from the batch (their membranes too), so exited windows cost no network
time. The input spikes of every step are still drawn for the whole batch and then indexed, so a
window that keeps running sees exactly the spikes it sees when no window exits: early exit changes
when a window stops, never what it sees (a test holds the surviving windows to the all-steps rates).
"""

from __future__ import annotations

import numpy as np
import torch

from snn_control.perception.spikepoint.model import SpikeCounts, SpikePoint, rate_code


def confidence(rates: torch.Tensor, scale: float) -> torch.Tensor:
    """``max softmax(scale * rates)`` over the last axis."""
    return torch.softmax(scale * rates, dim=-1).amax(dim=-1)


@torch.no_grad()
def run_early_exit(model: SpikePoint, local_p: torch.Tensor, cent_p: torch.Tensor, threshold: float | None,
                   generator: torch.Generator | None = None,
                   counts: SpikeCounts | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Classify windows step by step, stopping each when its confidence passes ``threshold``.

    Args:
        model: in eval mode.
        local_p, cent_p: firing probabilities ``[B, G, K, 6]`` and ``[B, G, 3]``.
        threshold: in (0, 1]; None runs all T steps (step by step, for timing comparisons).
        generator: for the Bernoulli input spikes.
        counts: accumulates activity of the steps actually run.

    Returns:
        ``(rates [B, classes], steps [B])``: the running class scores at exit and the steps used.
    """
    cfg = model.cfg
    b = local_p.shape[0]
    rates = torch.zeros(b, cfg.n_classes)
    steps = torch.full((b,), cfg.time_steps, dtype=torch.long)
    active = torch.arange(b)
    total = torch.zeros(b, cfg.n_classes)
    state = None
    for t in range(1, cfg.time_steps + 1):
        local_s, cent_s = rate_code(local_p, 1, generator), rate_code(cent_p, 1, generator)  # whole batch
        if len(active) < b:
            local_s, cent_s = local_s[:, active], cent_s[:, active]
        votes, state = model.forward_steps(local_s, cent_s, state, counts)
        total[active] += votes[0]
        running = total[active] / t
        if t == cfg.time_steps or threshold is None or t < cfg.exit_min_steps:
            rates[active] = running
            continue
        done = confidence(running, cfg.confidence_scale) >= threshold
        if bool(done.any()):
            rates[active[done]] = running[done]
            steps[active[done]] = t
            keep = ~done
            if not bool(keep.any()):
                break
            active = active[keep]
            state = [v[keep] for v in state]
    return rates, steps


def fit_confidence_scale(rates: np.ndarray, labels: np.ndarray,
                         grid: np.ndarray | None = None) -> float:
    """The beta minimizing the mean negative log-likelihood of ``softmax(beta * rates)`` (grid search).

    ``rates [W, classes]`` are full-T vote rates of held-out windows, ``labels [W]`` their classes.
    """
    if len(labels) == 0:
        raise ValueError("fit_confidence_scale needs at least one window")
    grid = np.geomspace(0.5, 200.0, 97) if grid is None else np.asarray(grid, dtype=float)
    z = rates[None, :, :] * grid[:, None, None]  # [betas, W, classes]
    z = z - z.max(axis=2, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
    nll = -log_p[:, np.arange(len(labels)), labels].mean(axis=1)
    return float(grid[int(np.argmin(nll))])
