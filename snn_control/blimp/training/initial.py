"""Starting genomes for evolution: an active random network with a least-squares readout.

The paper starts CMA-ES from random genomes and runs 1000-2500 generations. On a small machine we
start closer: draw ``n_candidates`` genomes from a prior under which the neurons fire (input
weights of both signs, a spread of time constants and thresholds, relay-like hidden weights),
run each on a recorded error sequence, fit the readout weights c by bounded least squares (the
readout is linear in c for fixed spikes: u[k] = sum_j c_j f_j[k] with f_j the leaky-integrated
spike difference of pair j), and keep the candidate whose fitted network imitates the target best.
Evolution then tunes every gene. ``random_genome`` gives the paper's uniform start instead.

For the PD-SNN, :func:`designed_pd_genomes` builds networks from the PID's gains instead: a PD
term is u = Kp e + Kd e', and with pair rates linear in a low-passed error, u ~ A LP_fast(e) -
B LP_slow(e) = (A - B) e + B tau e' for slow signals (tau = lambda / (1 - lambda) ticks of the
slow pairs' synaptic current), so A = Kp + B and B = Kd / (dt tau). n_fast pairs with lambda_i = 0
carry +A, the others -B; every encoding neuron gets a small bias (a slight tonic drive that keeps
the code responsive near e = 0); the hidden layer relays spikes one-to-one. A small grid over the
free choices (n_fast, tau, membrane leak, bias, readout weight, readout leak) is flown in closed
loop with the PID's I term and the best network starts evolution.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import lsq_linear

from snn_control.blimp.snn.network import blimp_snn_initial_state, blimp_snn_step
from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.training.fitness import evaluate_imitation
from snn_control.snn.pairs import partner_index


def random_genome(layout: BlimpSNNLayout, rng: np.random.Generator) -> np.ndarray:
    """Uniform genes within the layout's bounds (the paper's start)."""
    return layout.denormalize(rng.uniform(size=layout.n_genes))


def _set(layout: BlimpSNNLayout, genomes: np.ndarray, name: str, values: np.ndarray) -> None:
    start = 0
    for g in layout.groups:
        if g.name == name:
            genomes[:, start : start + g.size] = values
            return
        start += g.size
    raise KeyError(name)


def prior_genomes(layout: BlimpSNNLayout, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` genomes ``(n, n_genes)`` from the active-network prior (readout weights zero)."""
    p = layout.n_pairs
    g = layout.denormalize(rng.uniform(size=(n, layout.n_genes)))
    u = lambda lo, hi, cols=p: rng.uniform(lo, hi, (n, cols))  # noqa: E731
    _set(layout, g, "enc.weight", rng.choice([-1.0, 1.0], (n, p)) * u(0.3, layout.weight_bound))
    _set(layout, g, "enc.bias", u(-0.2, 0.1))
    _set(layout, g, "enc.leak_i", u(0.0, 0.95))
    _set(layout, g, "enc.leak_v", u(0.8, layout.leak_max))
    lo, hi = layout.threshold_bounds
    _set(layout, g, "enc.threshold", np.exp(u(np.log(lo), np.log(hi))))
    _set(layout, g, "hid.weight", u(0.8, layout.weight_bound))
    _set(layout, g, "hid.bias", u(-0.1, 0.1))
    _set(layout, g, "hid.leak_i", u(0.0, 0.5))
    _set(layout, g, "hid.leak_v", u(0.0, 0.9))
    if layout.adaptive:
        _set(layout, g, "hid.base", u(0.5, 1.5))
        _set(layout, g, "hid.adapt", u(-0.2, 0.5))
        _set(layout, g, "hid.leak_t", u(0.8, layout.leak_max))
    else:
        _set(layout, g, "hid.threshold", u(lo, 1.5 * lo))
    if layout.block:
        _set(layout, g, "hid.cross", u(-0.2, 0.2))
    if layout.recurrent:
        _set(layout, g, "hid.rec_self", u(-0.2, 0.2))
        _set(layout, g, "hid.rec_cross", u(-0.2, 0.2))
    lo_a, hi_a = next((gr.lower, gr.upper) for gr in layout.groups if gr.name == "out.leak")
    _set(layout, g, "out.leak", u(lo_a, hi_a, 1))
    _set(layout, g, "out.weight", np.zeros((n, p)))
    return g


def readout_features(layout: BlimpSNNLayout, genomes: np.ndarray, errors_m: np.ndarray) -> np.ndarray:
    """Readout-filtered pair spike differences ``(n, T, P)`` of each genome on ``errors_m`` ``(T,)``:
    the readout is linear in its weights, u[k] = sum_j c_j f_j[k]."""
    params = layout.decode(genomes)
    state = blimp_snn_initial_state(params)
    idx = partner_index(params.neurons)
    a = params.out.leak[:, None]
    gain = 1.0 if layout.readout == "integrating" else 1.0 - a  # the clamp of the integrator is ignored
    p = layout.n_pairs
    feats = np.empty((params.batch, len(errors_m), p))
    acc = np.zeros((params.batch, p))
    for k, e in enumerate(np.asarray(errors_m, dtype=float)):
        state, _ = blimp_snn_step(params, state, e, idx)
        s = state.hid.s
        acc = a * acc + gain * (s[:, :p] - s[:, p:])
        feats[:, k] = acc
    return feats


def fit_readout(layout: BlimpSNNLayout, genomes: np.ndarray, errors_m: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Copy of ``genomes`` with the readout weights fitted by bounded least squares on one
    sequence ``(T,)`` or several flights ``(F, T)`` (each from rest; ``target`` shaped alike)."""
    out = np.array(genomes, dtype=float, copy=True)
    errors, target = np.atleast_2d(np.asarray(errors_m, dtype=float)), np.asarray(target, dtype=float).reshape(-1)
    feats = np.concatenate([readout_features(layout, out, e) for e in errors], axis=1)  # flights end to end
    w = layout.readout_bound
    for k in range(out.shape[0]):
        _set(layout, out[k : k + 1], "out.weight", lsq_linear(feats[k], target, bounds=(-w, w)).x[None])
    return out


def initial_genome(
    layout: BlimpSNNLayout,
    errors_m: np.ndarray,
    target: np.ndarray,
    rng: np.random.Generator,
    n_candidates: int = 32,
) -> tuple[np.ndarray, float]:
    """The best of ``n_candidates`` prior genomes with fitted readouts, and its imitation fitness."""
    candidates = fit_readout(layout, prior_genomes(layout, n_candidates, rng), errors_m, target)
    fitness = evaluate_imitation(layout, candidates, errors_m, target)
    best = int(np.argmin(fitness))
    return candidates[best], float(fitness[best])


DESIGN_GRID = {
    "fast_fraction": (0.4, 0.6, 0.8),
    "leak_slow": (0.8, 0.9, 0.95),
    "leak_v": (0.5, 0.9),
    "rest": (0.0, 0.1),
    "readout_weight": (0.5, 1.0),
    "readout_leak": (0.15, 0.35),
}


def designed_pd_genome(layout: BlimpSNNLayout, kp: float = 9.0, kd: float = 14.0, dt_s: float = 0.1,
                       n_fast: int = 12, leak_slow: float = 0.9, leak_v: float = 0.9, rest: float = 0.1,
                       readout_weight: float = 0.5, readout_leak: float = 0.35, seed: int = 0) -> np.ndarray:
    """One PD-like genome built from the PID gains (see the module docstring)."""
    p = layout.n_pairs
    if layout.adaptive or not 0 < n_fast < p:
        raise ValueError("designed_pd_genome needs a LIF hidden layer and 0 < n_fast < n_pairs")
    tau = leak_slow / (1.0 - leak_slow)
    b_gain, c = kd / dt_s / tau, min(readout_weight, layout.readout_bound)
    fast = np.arange(p) < n_fast
    gain = np.where(fast, (kp + b_gain) / (n_fast * c), b_gain / ((p - n_fast) * c))  # rate per metre
    leak = np.where(fast, 0.0, leak_slow)
    lo, hi = layout.threshold_bounds
    w = layout.weight_bound
    theta = np.clip(np.random.default_rng(seed).uniform(1.0, 3.0, p), lo, np.maximum(lo, w / gain))
    g = layout.denormalize(np.full((1, layout.n_genes), 0.5))
    values = {
        "enc.weight": np.minimum(w, gain * theta * (1 - leak)),
        "enc.bias": (rest + 0.5 * (1 - leak_v)) * theta * (1 - leak),
        "enc.leak_i": leak, "enc.leak_v": np.full(p, leak_v), "enc.threshold": theta,
        "hid.weight": np.full(p, w), "hid.bias": np.full(p, 0.2), "hid.leak_i": np.zeros(p),
        "hid.leak_v": np.zeros(p), "hid.threshold": np.full(p, lo), "out.weight": np.where(fast, c, -c),
    }
    if layout.block:
        values["hid.cross"] = np.zeros(p)
    if layout.recurrent:
        values["hid.rec_self"] = values["hid.rec_cross"] = np.zeros(p)
    for name, v in values.items():
        _set(layout, g, name, np.asarray(v, dtype=float)[None])
    _set(layout, g, "out.leak", np.array([[readout_leak]]))
    return np.clip(g[0], layout.lower, layout.upper)


def designed_pd_genomes(layout: BlimpSNNLayout, kp: float = 9.0, kd: float = 14.0) -> np.ndarray:
    """Every genome of :data:`DESIGN_GRID` (n_fast = fraction of the pairs), ``(n, n_genes)``."""
    out = []
    names = list(DESIGN_GRID)[1:]
    for fraction, *values in itertools.product(*DESIGN_GRID.values()):
        n_fast = int(np.clip(round(fraction * layout.n_pairs), 1, layout.n_pairs - 1))
        out.append(designed_pd_genome(layout, kp, kd, n_fast=n_fast, **dict(zip(names, values))))
    return np.array(out)
