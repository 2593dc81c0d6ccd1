"""Spiking NCAP: the NCAP circuit (:mod:`snn_control.swimmer.ncap`) built from LIF neurons.

No paper has this model; this module is its definition. Every neuron is a
:func:`snn_control.snn.lif.lif_step` unit (synaptic current, soft reset; threshold θ = 1 except
the pacemakers'). One
control step (0.03 s) runs K ticks (default K = 15, tick dt = 2 ms, one per physics step); global
tick g = K t + k for control step t.

**Pacemaker and latch (the head oscillator).** Two integrate-and-fire pacemakers P^d, P^v (no leak,
bias current 1 per tick, θ_P = T K for a period of T control steps) fire once per period, half a
period apart: P^d at g ≡ 0, P^v at g ≡ T K / 2 (mod T K); their initial potentials
T K - 1/2 and T K / 2 - 1/2 set the phases exactly (all values are half-integers, exact in float).
They set and reset a latch of two neurons D, V with no leak (λ_i = λ_v = 0), so per tick

    x_D = w_self s_D[g-1] - w_mut s_V[g-1] + w_set (P^d[g] - P^v[g])      (x_V: swap d and v)

with w_self = w_mut = 3, w_set = 5: the active neuron fires every tick and silences the other,
a P spike flips it. D fires on every tick of the first T/2 control steps of each period, V on the
others: the spike train o^d[g] ∈ {0, 1} is the rate model's square wave (T = 60).

**B-neurons and muscles: rate-coded LIF units.** Each of the 4N units (B_i^d, B_i^v, M_i^d, M_i^v)
is a population of ``population`` neurons stepped by ``lif_step`` with λ_i = 0 (the synaptic
current is the tick's input) and λ_v = 1 (a perfect integrator: the rate code below needs it;
the membrane bounds, not a leak, make a unit forget). Member j rests at v_rest,j = (j + 1/2) θ /
population and starts there. Per tick, with excitatory input x⁺ >= 0 and inhibitory x⁻ <= 0
(x = x⁺ + x⁻), lif_step gives v; then

    u = v - x⁻                               (the potential without this tick's inhibition)
    v <- min(max(v, min(u, v_rest)), v_max)  v_max = 2θ

inhibition is shunting: it pulls the membrane down to rest but never below (and not at all if
it is already there); depolarization saturates at v_max. Spikes are lif_step's. Inputs, with the
sign-constrained weights of the rate model (:func:`snn_control.swimmer.ncap.expand_weights`):

    x(B_0^d) = exc(w_osc) o^d[g]            x(B_i^d) = exc(w_prop) s_{i-1}^d   (stretch current)
    x(M_i^d) = exc(w_ipsi) r(B_i^d)[g] + inh(w_contra) r(B_i^v)[g]

where r(U)[g] is the fraction of population U that spiked on tick g (all-to-all synapses of weight
w / population). A neuron fires at most once per tick and the soft reset keeps the surplus, so a
unit with constant input x has a long-run rate clip(x, 0, 1) spikes per tick: the rate model's
graded σ emerges from the spiking (a first-order sigma-delta code; excitation alone never meets
either bound for x <= 1). Resting half a threshold below θ makes the code round rather than
truncate, also right after inhibition (the oscillator's switches are exact), and the staggered
rests of a population spread its members' spikes. One departure from the rate model: a muscle
receives spikes, and a synapse of weight w > 1 from a B-neuron firing on consecutive ticks delivers
more than the muscle can pass on (one spike per tick); the surplus is stored up to v_max and beyond
that lost, so weights above 1 gain less than in the rate model.

**Readout.** a_i = (n(M_i^d) - n(M_i^v)) / (K · population), with n the spikes in the control step:
a normalized torque in [-1, 1] held for the control step. Size: 4 + 4 N · population neurons
(24 for the 6-link body); :class:`SpikingNCAPOutput` counts the spikes of each control step.

Parameters are the rate model's (4 shared or 6N), with the same sign constraints and ablations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from snn_control.swimmer.ncap import CircuitController, NCAPConfig, expand_weights, ncap_initial_params, stretch
from snn_control.snn.lif import LIFParams, LIFState, lif_step
from snn_control.dictio import DictIO

LATCH_W_SELF = 3.0
LATCH_W_MUTUAL = 3.0
LATCH_W_SET = 5.0
_LATCH = LIFParams(leak_i=0.0, leak_v=0.0, threshold=1.0)
UNIT_LIF = LIFParams(leak_i=0.0, leak_v=1.0, threshold=1.0)


@dataclass(frozen=True)
class SpikingNCAPConfig(DictIO):
    """Circuit (as :class:`NCAPConfig`) plus the spiking settings."""

    n_joints: int = 5
    shared: bool = True
    sign_constraints: bool = True
    oscillator: bool = True
    oscillator_period: int = 60  # control steps
    ticks_per_step: int = 15  # K
    population: int = 1  # LIF neurons per B-neuron / muscle unit
    control_dt_s: float = 0.03  # the body's control step the K ticks span (checked by the rollout)
    v_max: float = 2.0  # membrane ceiling, in units of the threshold θ = 1

    def __post_init__(self) -> None:
        self.circuit  # validates the circuit fields
        for name in ("ticks_per_step", "population"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"SpikingNCAPConfig.{name} must be an integer >= 1, got {value!r}")
        for name in ("control_dt_s", "v_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise ValueError(f"SpikingNCAPConfig.{name} must be a finite number, got {value!r}")
        if not self.control_dt_s > 0:
            raise ValueError(f"SpikingNCAPConfig.control_dt_s must be > 0, got {self.control_dt_s}")
        if not self.v_max > 1.0:
            raise ValueError(f"SpikingNCAPConfig.v_max must be > 1 (the threshold), got {self.v_max}")

    @property
    def circuit(self) -> NCAPConfig:
        return NCAPConfig(self.n_joints, self.shared, self.sign_constraints, self.oscillator, self.oscillator_period)

    @property
    def n_params(self) -> int:
        return self.circuit.n_params

    @property
    def tick_dt_s(self) -> float:
        return self.control_dt_s / self.ticks_per_step

    @property
    def neuron_params(self) -> LIFParams:
        """LIF parameters of the B-neurons and muscles (instant synapse, no leak, θ = 1)."""
        return UNIT_LIF

    @property
    def rest_potentials(self) -> np.ndarray:
        """v_rest of the members of a population, ``(population,)``."""
        return (np.arange(self.population) + 0.5) / self.population

    @property
    def n_neurons(self) -> int:
        """Spiking neurons of one controller: 2 pacemakers, 2 latch, 4 N populations."""
        return 4 + 4 * self.n_joints * self.population



class SpikingNCAPState(NamedTuple):
    """Batch state; neurons laid out as (side d/v, joint, member), flattened."""

    pacemaker: LIFState  # (batch, 2): P^d, P^v
    latch: LIFState  # (batch, 2): D, V
    b: LIFState  # (batch, 2 N population)
    m: LIFState  # (batch, 2 N population)


class SpikingNCAPOutput(NamedTuple):
    """Per control step: firing rates (spikes per tick per neuron) ``(batch, N)`` and the action."""

    b_d: np.ndarray
    b_v: np.ndarray
    m_d: np.ndarray
    m_v: np.ndarray
    action: np.ndarray
    n_spikes: np.ndarray  # (batch,) spikes of all neurons in this control step


def _lif_state(v0: np.ndarray, s0: np.ndarray | None = None) -> LIFState:
    v0 = np.array(v0, dtype=float)
    return LIFState(np.zeros_like(v0), v0, np.zeros_like(v0) if s0 is None else np.array(s0, dtype=float))


def spiking_ncap_initial_state(config: SpikingNCAPConfig, batch: int = 1) -> SpikingNCAPState:
    """Pacemakers phased for P^d at tick 0, latch preset to D, members at staggered potentials."""
    period = config.oscillator_period * config.ticks_per_step
    pm_v = np.tile([period - 0.5, period / 2 - 0.5], (batch, 1))
    latch_s = np.tile([1.0, 0.0], (batch, 1))
    v0 = np.tile(config.rest_potentials, (batch, 2 * config.n_joints))
    return SpikingNCAPState(_lif_state(pm_v), _lif_state(np.zeros((batch, 2)), latch_s), _lif_state(v0), _lif_state(v0))


def unit_step(
    state: LIFState, x_exc: np.ndarray, x_inh: np.ndarray, v_rest: np.ndarray, v_max: float
) -> tuple[LIFState, np.ndarray]:
    """One tick of rate-coded units: lif_step, shunting inhibition down to rest, ceiling v_max."""
    state, s = lif_step(UNIT_LIF, state, x_exc + x_inh)
    v = np.minimum(np.maximum(state.v, np.minimum(state.v - x_inh, v_rest)), v_max)
    return state._replace(v=v), s


def _oscillator_tick(config: SpikingNCAPConfig, state: SpikingNCAPState) -> tuple[LIFState, LIFState, np.ndarray]:
    """One tick of pacemakers and latch; returns their states and the latch spikes (batch, 2)."""
    period = config.oscillator_period * config.ticks_per_step
    pm, p_spk = lif_step(LIFParams(0.0, 1.0, float(period)), state.pacemaker, np.ones_like(state.pacemaker.v))
    prev = state.latch.s
    set_dv = LATCH_W_SET * (p_spk - p_spk[:, ::-1])
    x = LATCH_W_SELF * prev - LATCH_W_MUTUAL * prev[:, ::-1] + set_dv
    latch, o_spk = lif_step(_LATCH, state.latch, x)
    return pm, latch, o_spk


def spiking_ncap_step(
    config: SpikingNCAPConfig, params: np.ndarray, state: SpikingNCAPState, joint_angles: np.ndarray
) -> tuple[SpikingNCAPState, SpikingNCAPOutput]:
    """One control step (K ticks) for a batch: ``params`` (batch or 1, n_params), angles (batch, N)."""
    circuit, n, pop, k_ticks = config.circuit, config.n_joints, config.population, config.ticks_per_step
    w = expand_weights(circuit, params)[:, :, :, None]  # (batch, 6, N, 1)
    s_d, s_v = stretch(circuit, joint_angles)
    batch = s_d.shape[0]
    stretch_in = np.stack([s_d, s_v], axis=1)[:, :, :-1, None]  # (batch, 2, N-1, 1) from joint i-1
    w_in, w_ipsi, w_contra = w[:, 0:2], w[:, 2:4], w[:, 4:6]  # each (batch, 2, N, 1), rows d, v
    x_b = np.zeros((batch, 2, n, pop))
    x_b[:, :, 1:] = w_in[:, :, 1:] * stretch_in
    v_rest = np.tile(config.rest_potentials, 2 * n)
    pm, latch, b, m = state
    counts_b = np.zeros((batch, 2, n, pop))
    counts_m = np.zeros((batch, 2, n, pop))
    n_osc = np.zeros(batch)
    for _ in range(k_ticks):
        pm, latch, o_spk = _oscillator_tick(config, SpikingNCAPState(pm, latch, b, m))
        n_osc += o_spk.sum(axis=1) + pm.s.sum(axis=1)
        if config.oscillator:
            x_b[:, :, 0] = w_in[:, :, 0] * o_spk[:, :, None]
        x = x_b.reshape(batch, -1)
        b, b_spk = unit_step(b, np.maximum(x, 0.0), np.minimum(x, 0.0), v_rest, config.v_max)
        b_spk = b_spk.reshape(batch, 2, n, pop)
        r_b = b_spk.mean(axis=3, keepdims=True)  # (batch, 2, N, 1), rows d, v
        terms = (w_ipsi * r_b, w_contra * r_b[:, ::-1])
        x_exc = sum(np.maximum(t, 0.0) for t in terms)
        x_inh = sum(np.minimum(t, 0.0) for t in terms)
        shape = (batch, 2, n, pop)
        m, m_spk = unit_step(
            m, np.broadcast_to(x_exc, shape).reshape(batch, -1), np.broadcast_to(x_inh, shape).reshape(batch, -1),
            v_rest, config.v_max,
        )
        counts_b += b_spk
        counts_m += m_spk.reshape(shape)
    rate_b = counts_b.mean(axis=3) / k_ticks
    rate_m = counts_m.mean(axis=3) / k_ticks
    n_spikes = n_osc + counts_b.sum(axis=(1, 2, 3)) + counts_m.sum(axis=(1, 2, 3))
    out = SpikingNCAPOutput(rate_b[:, 0], rate_b[:, 1], rate_m[:, 0], rate_m[:, 1], rate_m[:, 0] - rate_m[:, 1], n_spikes)
    return SpikingNCAPState(pm, latch, b, m), out


class SpikingNCAPController(CircuitController):
    """The spiking NCAP as a :class:`~snn_control.swimmer.ncap.CircuitController`."""

    def __init__(self, config: SpikingNCAPConfig = SpikingNCAPConfig(), params: np.ndarray | None = None) -> None:
        super().__init__(config, params)

    default_params = staticmethod(lambda config: ncap_initial_params(config.circuit))
    initial_state = staticmethod(lambda config: spiking_ncap_initial_state(config, 1))
    circuit_step = staticmethod(spiking_ncap_step)
