"""One place module: a Diehl & Cook excitatory/inhibitory LIF network with STDP, batched over modules.

Every array carries a leading module axis ``b``, so a whole batch of independent modules (each with
its own images) is simulated in one pass. Symbols (units: mV, s; conductances are dimensionless,
in units of the leak conductance):

Excitatory neuron ``j`` (``n_exc`` of them), with input conductance ``g_e`` and inhibitory ``g_i``::

    tau_e dv/dt = (v_rest_e - v) + c_e g_e (E_exc - v) + c_i g_i (E_inh_e - v)
    spike when v > v_thresh_e + theta_j;  v <- v_reset_e, refractory refrac_e_s;  theta_j += theta_plus
    g_e <- g_e exp(-dt / tau_ge) + sum_i S_i w_ij            (input spikes S, weights w in [0, w_max])

Inhibitory neuron ``k`` (one per excitatory neuron): ``g_k += w_ei`` when excitatory ``k`` spikes
(one-to-one); when ``k`` spikes, every *other* excitatory neuron gets ``g_i += w_ie`` (lateral
inhibition: winner takes all). ``c_e = (tau_ge / dt)(1 - exp(-dt / tau_ge))`` (and ``c_i`` alike)
makes the charge of one conductance jump equal the continuous-time ``w * tau`` at any ``dt``.

STDP on input -> excitatory weights, traces reset each image (pair-based, Diehl & Cook's paper
form, by default; ``triplet=True`` adds their code's factor ``x_post2_j(before)`` to potentiation,
which needs bursts these neurons do not fire)::

    pre spike i:   w_ij <- max(0, w_ij - nu_pre * x_post1_j),        then x_pre_i <- 1
    post spike j:  w_ij <- min(w_max, w_ij + nu_post * x_pre_i [* x_post2_j(before)]),
                   then x_post1_j <- 1, x_post2_j <- 1
    traces decay with tau_pre, tau_post1, tau_post2.

Before each image every neuron's incoming weights are rescaled to sum ``weight_sum`` (78) and
clipped at ``w_max`` (so a column with a weight at the cap may sum to a little less). Between
images the state is reset instead of simulating Diehl & Cook's 150 ms of rest. If a
module fires fewer than ``min_spikes`` spikes on an image, the image is shown again with the input
intensity raised by ``boost_step`` (at most ``max_boosts`` times), as Diehl & Cook do.

Speed: the input drive of a whole presentation is one batched matrix product ``S (b, T, n_in) @
W (b, n_in, n_exc)``. Weights change within an image only in the columns of neurons that have
spiked in it (depression needs ``x_post1 > 0``); those columns' drive is recomputed from the
current weights at every step, so the simulation is exactly the online one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from snn_control.dictio import DictIO
from snn_control.perception.places.encoding import poisson_rates_hz, poisson_spikes


@dataclass(frozen=True)
class ModuleParams(DictIO):
    """Sizes, neuron constants and plasticity of one module (Diehl & Cook 2015; Hussaini 2023)."""

    n_input: int = 784
    n_exc: int = 400
    dt_s: float = 1e-3
    present_s: float = 0.35
    v_rest_e_mv: float = -65.0
    v_reset_e_mv: float = -65.0
    v_thresh_e_mv: float = -52.0
    tau_e_s: float = 0.1
    refrac_e_s: float = 0.005
    v_rest_i_mv: float = -60.0
    v_reset_i_mv: float = -45.0
    v_thresh_i_mv: float = -40.0
    tau_i_s: float = 0.01
    refrac_i_s: float = 0.002
    e_exc_mv: float = 0.0
    e_inh_e_mv: float = -100.0
    tau_ge_s: float = 1e-3
    tau_gi_s: float = 2e-3
    w_ei: float = 10.4
    w_ie: float = 17.0
    theta_plus_mv: float = 0.05
    nu_pre: float = 1e-4
    nu_post: float = 1e-2
    tau_pre_s: float = 0.02
    tau_post1_s: float = 0.02
    tau_post2_s: float = 0.04
    w_max: float = 1.0
    triplet: bool = False
    weight_sum: float = 78.0
    min_spikes: int = 5
    boost_step: float = 0.5
    max_boosts: int = 4

    def __post_init__(self) -> None:
        for name in ("n_input", "n_exc"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
        for name in ("dt_s", "present_s", "tau_e_s", "tau_i_s", "tau_ge_s", "tau_gi_s", "tau_pre_s",
                     "tau_post1_s", "tau_post2_s", "w_max", "weight_sum"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
        if self.dt_s > min(self.tau_ge_s, self.tau_i_s):
            raise ValueError(f"dt_s {self.dt_s} must not exceed the fastest time constant "
                             f"({min(self.tau_ge_s, self.tau_i_s)} s)")
        if self.v_thresh_e_mv <= self.v_reset_e_mv or self.v_thresh_i_mv <= self.v_reset_i_mv:
            raise ValueError("v_thresh_e_mv / v_thresh_i_mv must lie above their reset potentials")
        if self.min_spikes < 0 or self.max_boosts < 0 or self.boost_step < 0:
            raise ValueError("min_spikes, max_boosts and boost_step must be >= 0")

    @property
    def steps(self) -> int:
        """Time steps of one presentation."""
        return int(round(self.present_s / self.dt_s))


def init_weights(n_modules: int, params: ModuleParams, rng: np.random.Generator) -> np.ndarray:
    """Random input weights ``(b, n_input, n_exc)`` float32, each column summing to ``weight_sum``."""
    w = (rng.random((n_modules, params.n_input, params.n_exc), dtype=np.float32) + 0.01) * 0.3
    return normalize_weights(w, params)


def normalize_weights(w: np.ndarray, params: ModuleParams) -> np.ndarray:
    """Rescale each neuron's incoming weights (``w[b, :, j]``) in place to sum ``weight_sum``."""
    sums = w.sum(axis=1, keepdims=True)
    w *= np.float32(params.weight_sum) / np.maximum(sums, np.float32(1e-12))
    np.minimum(w, np.float32(params.w_max), out=w)
    return w


def steady_state_mv(g: np.ndarray, params: ModuleParams) -> np.ndarray:
    """Where an excitatory neuron relaxes under a constant input conductance ``g`` (no inhibition):
    ``v_ss = (v_rest + g E_exc) / (1 + g)``."""
    return (params.v_rest_e_mv + g * params.e_exc_mv) / (1.0 + g)


def _factor(tau_s: float, dt_s: float) -> float:
    return (tau_s / dt_s) * (1.0 - math.exp(-dt_s / tau_s))


class _State:
    """Membrane, conductance and refractory state of a batch of modules for one presentation."""

    def __init__(self, b: int, n_e: int, p: ModuleParams) -> None:
        dt = p.dt_s
        self.p = p
        self.c_e, self.c_i = _factor(p.tau_ge_s, dt), _factor(p.tau_gi_s, dt)
        self.d_ge, self.d_gi = np.float32(math.exp(-dt / p.tau_ge_s)), np.float32(math.exp(-dt / p.tau_gi_s))
        self.ref_e, self.ref_i = int(round(p.refrac_e_s / dt)), int(round(p.refrac_i_s / dt))
        self.v = np.full((b, n_e), p.v_rest_e_mv, np.float32)
        self.ge, self.gi = np.zeros((b, n_e), np.float32), np.zeros((b, n_e), np.float32)
        self.vi, self.gk = np.full((b, n_e), p.v_rest_i_mv, np.float32), np.zeros((b, n_e), np.float32)
        self.rc_e, self.rc_i = np.zeros((b, n_e), np.int32), np.zeros((b, n_e), np.int32)

    def excitatory_step(self, drive: np.ndarray, thr: np.ndarray) -> np.ndarray:
        """Integrate the excitatory neurons one step; returns their spikes (one per module at most)."""
        p = self.p
        self.ge = self.ge * self.d_ge + drive
        free = self.rc_e <= 0
        v = self.v
        dv = (p.v_rest_e_mv - v) + self.c_e * self.ge * (p.e_exc_mv - v) + self.c_i * self.gi * (p.e_inh_e_mv - v)
        self.v = np.where(free, v + np.float32(p.dt_s / p.tau_e_s) * dv, v)
        spk = _first_crossing(free & (self.v > thr), self.v - thr)
        self.v[spk] = p.v_reset_e_mv
        self.rc_e = np.where(spk, self.ref_e, self.rc_e - 1)
        self.gi *= self.d_gi
        return spk

    def inhibitory_step(self, spk: np.ndarray) -> None:
        """Inhibitory partners of this step's spikes fire and hold every other neuron down."""
        p = self.p
        self.gk = self.gk * self.d_ge + np.float32(p.w_ei) * spk
        free = self.rc_i <= 0
        vi = self.vi
        self.vi = np.where(free, vi + np.float32(p.dt_s / p.tau_i_s) * (
            (p.v_rest_i_mv - vi) + self.c_e * self.gk * (p.e_exc_mv - vi)), vi)
        spk_i = free & (self.vi > p.v_thresh_i_mv)
        self.vi[spk_i] = p.v_reset_i_mv
        self.rc_i = np.where(spk_i, self.ref_i, self.rc_i - 1)
        if spk_i.any():
            self.gi += np.float32(p.w_ie) * (spk_i.sum(axis=1, keepdims=True) - spk_i)


def present(w: np.ndarray, theta: np.ndarray, rates_hz: np.ndarray, params: ModuleParams,
            rng: np.random.Generator, learn: bool) -> np.ndarray:
    """Show one image per module for ``present_s``; returns spike counts ``(b, n_exc)`` (int).

    Args:
        w: ``(b, n_input, n_exc)`` float32 weights, updated in place by STDP when ``learn``.
        theta: ``(b, n_exc)`` adaptive threshold offsets (mV), raised in place when ``learn``.
        rates_hz: ``(b, n_input)`` Poisson input rates.
    """
    p = params
    b, n_e = theta.shape
    s = poisson_spikes(rates_hz, p.steps, p.dt_s, rng)               # (b, T, n_in) bool
    base = np.matmul(s.astype(np.float32), w)                         # (b, T, n_e)
    state = _State(b, n_e, p)
    counts = np.zeros((b, n_e), np.int64)
    traces = _Traces(b, p) if learn else None
    thr = p.v_thresh_e_mv + theta
    for t in range(p.steps):
        s_t = s[:, t]
        drive = base[:, t]
        if learn and traces.touched.any():   # columns changed by STDP this image: current weights
            tb, tj = np.nonzero(traces.touched)
            drive = drive.copy()
            drive[tb, tj] = np.einsum("pi,pi->p", s_t[tb].astype(np.float32), w[tb, :, tj])
        spk = state.excitatory_step(drive, thr)
        state.inhibitory_step(spk)
        counts += spk
        if learn:
            traces.decay()
            _stdp_step(w, s_t, spk, traces.x_pre, traces.x_p1, traces.x_p2, traces.touched, p)
            if spk.any():
                theta[spk] += np.float32(p.theta_plus_mv)
                thr = p.v_thresh_e_mv + theta
    return counts


class _Traces:
    """STDP traces of one presentation (reset each image) and the columns STDP has touched."""

    def __init__(self, b: int, p: ModuleParams) -> None:
        self.d = [np.float32(math.exp(-p.dt_s / t)) for t in (p.tau_pre_s, p.tau_post1_s, p.tau_post2_s)]
        self.x_pre = np.zeros((b, p.n_input), np.float32)
        self.x_p1, self.x_p2 = np.zeros((b, p.n_exc), np.float32), np.zeros((b, p.n_exc), np.float32)
        self.touched = np.zeros((b, p.n_exc), bool)

    def decay(self) -> None:
        self.x_pre *= self.d[0]
        self.x_p1 *= self.d[1]
        self.x_p2 *= self.d[2]


def _first_crossing(cross: np.ndarray, over: np.ndarray) -> np.ndarray:
    """Of the neurons of a module that crossed threshold in one step, the one that crossed first.

    In continuous time the first neuron to cross fires, its inhibitory partner fires within the
    step and holds every other neuron of the module down: one winner per module and step. The
    largest overshoot ``v - thr`` marks the earliest crossing.
    """
    if not cross.any():
        return cross
    many = cross.sum(axis=1) > 1
    if not many.any():
        return cross
    score = np.where(cross[many], over[many], -np.inf)
    keep = np.zeros_like(cross[many])
    keep[np.arange(score.shape[0]), score.argmax(axis=1)] = True
    out = cross.copy()
    out[many] = keep
    return out


def _stdp_step(w, s_t, spk, x_pre, x_p1, x_p2, touched, p: ModuleParams) -> None:
    """One step of the triplet STDP rule (see the module docstring); all arrays updated in place."""
    if touched.any():  # depression: only neurons that spiked this image have x_post1 > 0
        tb, tj = np.nonzero(touched)
        col = w[tb, :, tj] - np.float32(p.nu_pre) * x_p1[tb, tj][:, None] * s_t[tb]
        w[tb, :, tj] = np.maximum(col, 0.0)
    x_pre[s_t] = 1.0
    if spk.any():
        sb, sj = np.nonzero(spk)
        gain = x_p2[sb, sj][:, None] if p.triplet else np.float32(1.0)
        col = w[sb, :, sj] + np.float32(p.nu_post) * x_pre[sb] * gain
        w[sb, :, sj] = np.minimum(col, np.float32(p.w_max))
        x_p1[spk] = 1.0
        x_p2[spk] = 1.0
        touched |= spk


def train_images(w: np.ndarray, theta: np.ndarray, pixels: np.ndarray, params: ModuleParams,
                 rng: np.random.Generator, learn: bool = True) -> np.ndarray:
    """One presentation of ``pixels (b, n_input)`` per module, with Diehl & Cook's intensity boost
    for modules that stayed (almost) silent; returns the final counts ``(b, n_exc)``.

    ``learn=False`` is their test presentation: the same boost, no plasticity (weights are then
    neither normalized nor changed, and ``theta`` stays fixed).
    """
    counts = np.zeros(theta.shape, np.int64)
    todo = np.arange(theta.shape[0])
    intensity = 1.0
    for _ in range(params.max_boosts + 1):
        rates = poisson_rates_hz(pixels[todo], intensity)
        if todo.size == theta.shape[0]:  # the whole batch: work in place, no copies
            if learn:
                normalize_weights(w, params)
            c = present(w, theta, rates, params, rng, learn=learn)
        else:
            sub_w, sub_theta = w[todo], theta[todo]
            if learn:
                sub_w = normalize_weights(sub_w, params)
            c = present(sub_w, sub_theta, rates, params, rng, learn=learn)
            if learn:
                w[todo], theta[todo] = sub_w, sub_theta
        counts[todo] = c
        todo = todo[c.sum(axis=1) < params.min_spikes]
        if todo.size == 0:
            break
        intensity += params.boost_step
    return counts
