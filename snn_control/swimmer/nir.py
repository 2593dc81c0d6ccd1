"""The spiking NCAP (:mod:`snn_control.swimmer.ncap_spiking`) as a NIR graph, one node per tick.

The graph runs at the spiking tick dt = control_dt / K (2 ms); one control step is K ticks.
Input ``stretch`` (2N,): [s^d, s^v] = :func:`snn_control.swimmer.ncap.stretch` of the joint
angles (the sensory transduction stays outside the graph), held for the K ticks of a control
step. Output ``action`` (N,) per tick: (m^d - m^v) / (K population); its sum over the K ticks of
a control step is the step's action (:func:`ncap_input`, :func:`ncap_action`). Every neuron is
our LIF (``nir_export``: syn, mem, spike, delay, reset nodes):

    pm.*     pacemakers P^d, P^v: I membrane, theta = T K, bias 1 per tick (Affine, zero weight
             from the input), initial potentials in ``snn_control.initial``
    latch.*  D, V: decay 0, theta = 1; inputs latch_self (Linear from latch.delay, whose
             ``snn_control.initial`` = [1, 0] presets D) and latch_set (Linear from pm.spike)
    b.*, m.* the B-neuron and muscle populations: I membrane, theta = 1
    b_osc_*, b_str_*, m_*  Linear inputs, split by the weight's sign into ``_exc`` and ``_inh``

Shunting inhibition and the ceiling v_max have no NIR node: each unit membrane names its
inhibitory sources in ``snn_control.shunt_sources`` with ``shunt_rest`` and ``shunt_max``; a tool
that ignores them subtracts inhibition linearly and never saturates. The initial state has no NIR
field either (``snn_control.initial``): without it the oscillator starts off phase.
"""

from __future__ import annotations

import numpy as np

import nir

from snn_control.artifacts.nir_export import EXT, GraphBuilder
from snn_control.swimmer.ncap import expand_weights, stretch
from snn_control.swimmer.ncap_spiking import (LATCH_W_MUTUAL, LATCH_W_SELF, LATCH_W_SET, SpikingNCAPConfig,
                                              spiking_ncap_initial_state)

GRAPH_KIND = "snn_control.spiking_ncap"


def _split(b: GraphBuilder, name: str, weight: np.ndarray, source: str, target: str) -> list[str]:
    """Linear nodes ``NAME_exc``/``NAME_inh`` (positive and negative weights) into ``target``."""
    inh = []
    for part, w in (("exc", np.maximum(weight, 0.0)), ("inh", np.minimum(weight, 0.0))):
        if np.any(w != 0.0):
            b.add(f"{name}_{part}", nir.Linear(w), source)
            b.edge(f"{name}_{part}", target)
            if part == "inh":
                inh.append(f"{name}_{part}")
    return inh


def spiking_ncap_graph(config: SpikingNCAPConfig, params: np.ndarray) -> nir.NIRGraph:
    """The circuit of ``config`` with weights ``params`` (n_params,) as a NIR graph."""
    n, pop, k = config.n_joints, config.population, config.ticks_per_step
    w = expand_weights(config.circuit, np.asarray(params, dtype=float)[None])[0]  # (6, N)
    units = 2 * n * pop
    init = spiking_ncap_initial_state(config, 1)
    b = GraphBuilder(config.tick_dt_s)
    b.add("stretch", nir.Input(np.array([2 * n])))
    b.add("pm.bias", nir.Affine(np.zeros((2, 2 * n)), np.ones(2)), "stretch")
    b.edge("pm.bias", b.lif("pm", 0.0, 1.0, float(config.oscillator_period * k), 2, v0=init.pacemaker.v[0]))
    b.edge("latch.self", b.lif("latch", 0.0, 0.0, 1.0, 2, s0=init.latch.s[0]))
    b.add("latch.self", nir.Linear(np.array([[LATCH_W_SELF, -LATCH_W_MUTUAL], [-LATCH_W_MUTUAL, LATCH_W_SELF]])),
          "latch.delay")
    b.add("latch.set", nir.Linear(LATCH_W_SET * np.array([[1.0, -1.0], [-1.0, 1.0]])), "pm.spike")
    b.edge("latch.set", "latch.syn")
    unit = (0.0, 1.0, 1.0, units)
    shunt = {"v0": init.b.v[0], EXT + "shunt_rest": np.tile(config.rest_potentials, 2 * n),
             EXT + "shunt_max": float(config.v_max)}
    b.lif("b", *unit, **shunt)
    b.lif("m", *unit, **shunt)
    row = np.arange(units).reshape(2, n, pop)  # (side, joint, member) -> neuron index
    w_osc, w_str = np.zeros((units, 2)), np.zeros((units, 2 * n))
    for side in range(2):
        w_osc[row[side, 0], side] = w[side, 0] if config.oscillator else 0.0
        for i in range(1, n):
            w_str[row[side, i], side * n + i - 1] = w[side, i]
    inh_b = _split(b, "b_osc", w_osc, "latch.spike", "b.syn") + _split(b, "b_str", w_str, "stretch", "b.syn")
    w_m = np.zeros((units, units))
    for side in range(2):
        for i in range(n):
            w_m[np.ix_(row[side, i], row[side, i])] = w[2 + side, i] / pop  # ipsilateral
            w_m[np.ix_(row[side, i], row[1 - side, i])] = w[4 + side, i] / pop  # contralateral
    inh_m = _split(b, "m_in", w_m, "b.spike", "m.syn")
    b.nodes["b.mem"].metadata[EXT + "shunt_sources"] = ",".join(inh_b)
    b.nodes["m.mem"].metadata[EXT + "shunt_sources"] = ",".join(inh_m)
    w_out = np.zeros((n, units))
    for i in range(n):
        w_out[i, row[0, i]], w_out[i, row[1, i]] = 1.0 / (k * pop), -1.0 / (k * pop)
    b.add("action_w", nir.Linear(w_out), "m.spike")
    b.add("action", nir.Output(np.array([n])), "action_w")
    return b.build(kind=GRAPH_KIND, ticks_per_step=k, control_dt_s=config.control_dt_s,
                   input="stretch: [s_d, s_v] of the joint angles, held for ticks_per_step ticks",
                   output="action: sum over the ticks_per_step ticks of a control step = normalized torques",
                   config=str(config.to_dict()))


def ncap_input(config: SpikingNCAPConfig, joint_angles: np.ndarray) -> np.ndarray:
    """The graph's ``stretch`` input (2N,) for joint angles (N,)."""
    s_d, s_v = stretch(config.circuit, np.asarray(joint_angles, dtype=float).reshape(1, -1))
    return np.concatenate([s_d[0], s_v[0]])


def ncap_action(per_tick: np.ndarray) -> np.ndarray:
    """The control step's action (N,) from the ``action`` outputs of its K ticks (K, N)."""
    return np.sum(per_tick, axis=0)
