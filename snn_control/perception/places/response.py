"""The deployed response of trained modules: the rate-equivalent of their excitatory neurons.

Learning runs the full Poisson simulation (:mod:`.module`). A query instead uses each neuron's
expected spike count, so that thousands of modules answer in milliseconds and the answer is
deterministic. With Poisson inputs at rates ``r`` the mean input conductance is
``G_j = tau_ge * sum_i w_ij r_i``; a conductance-based LIF neuron with constant ``G`` relaxes to

    v_ss = (v_rest + G E_exc) / (1 + G)     with time constant   tau_eff = tau_e / (1 + G),

and, when ``v_ss`` lies above its threshold ``thr = v_thresh + theta``, fires at the f-I rate

    f = 1 / (t_ref + tau_eff ln((v_ss - v_reset) / (v_ss - thr))),      count = f * present_s.

Lateral inhibition is left out of the count (it would make the response a single winner per
module). It is kept where the paper needs "did this neuron fire": a neuron *fires* on an image when
it is among the ``k_active`` strongest of its module (the winners the inhibition lets through;
:func:`fired` ), which is what the hyperactive-neuron counts use.
"""

from __future__ import annotations

import numpy as np

from snn_control.perception.places.encoding import poisson_rates_hz
from snn_control.perception.places.module import ModuleParams, steady_state_mv


def expected_counts(g: np.ndarray, theta: np.ndarray, params: ModuleParams) -> np.ndarray:
    """Expected spike counts over one presentation for conductances ``g (n, m)``, ``theta (m,)``."""
    p = params
    g = np.asarray(g, dtype=np.float32)
    v_ss = steady_state_mv(g, p)
    thr = p.v_thresh_e_mv + np.asarray(theta, dtype=np.float32)
    above = v_ss > thr
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(above, (v_ss - p.v_reset_e_mv) / np.maximum(v_ss - thr, 1e-6), 1.0)
        t = (p.tau_e_s / (1.0 + g)) * np.log(np.maximum(ratio, 1.0))
    return np.where(above, p.present_s / (p.refrac_e_s + t), 0.0).astype(np.float32)


def conductances(pixels: np.ndarray, w_flat: np.ndarray, params: ModuleParams) -> np.ndarray:
    """``G (n, m) = tau_ge * rates(pixels (n, n_input)) @ w_flat (n_input, m)``."""
    rates = poisson_rates_hz(np.asarray(pixels, dtype=np.float32).reshape(len(pixels), -1))
    return np.float32(params.tau_ge_s) * (rates @ w_flat)


def fired(counts: np.ndarray, module: np.ndarray, k_active: int) -> np.ndarray:
    """Bool like ``counts (n, K)``: the ``k_active`` largest non-zero counts of each module, whose
    neurons are the contiguous runs of equal values in the sorted ``module (K,)``."""
    counts = np.asarray(counts)
    out = np.zeros(counts.shape, bool)
    bounds = np.flatnonzero(np.r_[True, module[1:] != module[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:]):
        seg = counts[:, a:b]
        k = max(1, min(int(k_active), b - a))
        kth = -np.partition(-seg, k - 1, axis=1)[:, k - 1:k]
        out[:, a:b] = (seg >= kth) & (seg > 0)
    return out
