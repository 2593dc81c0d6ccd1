"""Swimmer controllers per control step (0.03 s): the spiking NCAP, the rate NCAP, the MLP.

Counts follow :mod:`snn_control.efficiency.counts`. The spiking NCAP
(:mod:`snn_control.swimmer.ncap_spiking`, N joints, K ticks per step, populations of ``pop``)
costs per control step, with n_X the spikes of group X in the step's K ticks:

    AC   2 n_P                pacemaker -> latch (set one, reset the other)
       + (2 + pop) n_L        latch -> itself and its partner, and the B_0 population it drives
                              (2 without the oscillator)
       + 2 pop n_B            B-neuron -> its muscle units ipsi- and contralateral, all-to-all
    MAC  2 (N - 1) pop        stretch currents w_prop s_{i-1} (analog joint angles), once a step
    spikes n_P + n_L + n_B + n_M;  neuron updates (4 + 4 N pop) K, not in the energy

The readout a_i = (n_Md - n_Mv) / (K pop) decodes the muscles' spikes into the action (a spike
count and one scale per joint): like SpikePoint's vote mean it is decoding, not a synapse, and is
left out; the blimp's readout, a weighted layer (c_j per spike), is counted.

n_B and n_M come from the step's output rates, n_P from the pacemakers' membranes (a perfect
integrator with bias 1 per tick and soft reset by θ = T K: over a step v rises by K - θ times the
spikes that reset it), and n_L is the rest of the step's spike total: every count is read from a
real episode, none inferred from the schedule.

Non-spiking equivalents: the rate NCAP (:mod:`snn_control.swimmer.ncap`), 6N MACs per step
(2N B-neuron inputs w o or w s, 4N muscle synapses w b), and the MLP baseline
(:mod:`snn_control.swimmer.mlp`), the sum of fan_in x fan_out over its layers (input-independent;
no trained MLP ships, its size is the repository's default 64-64).

Episodes run the controller a ROS node holds (``policy.controller(params)``) on the MuJoCo swimmer,
one control step at a time, from the shipped artifacts.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from snn_control.efficiency.counts import DecisionCounts, constant_summary, dense_macs

SPIKING_ARTIFACT = "ncap_spiking_6link"
RATE_ARTIFACT = "ncap_rate_6link"


def spiking_step_counts(config, before, after, out) -> dict[str, np.ndarray]:
    """Counts of one spiking-NCAP control step per row, from the states around it and its output."""
    n, k, pop = config.n_joints, config.ticks_per_step, config.population
    theta = float(config.oscillator_period * k)
    rise = after.pacemaker.v - before.pacemaker.v
    n_p = np.rint((k - rise) / theta - before.pacemaker.s + after.pacemaker.s).sum(axis=-1)
    n_b = np.rint((out.b_d + out.b_v).sum(axis=-1) * pop * k)
    n_m = np.rint((out.m_d + out.m_v).sum(axis=-1) * pop * k)
    n_l = out.n_spikes - n_p - n_b - n_m
    latch_fan_out = 2 + (pop if config.oscillator else 0)
    synops = 2 * n_p + latch_fan_out * n_l + 2 * pop * n_b
    rows = len(n_b)
    return {"synops": synops, "macs": np.full(rows, float(2 * (n - 1) * pop)), "spikes": out.n_spikes,
            "neuron_updates": np.full(rows, float(config.n_neurons * k)),
            "pacemaker": n_p, "latch": n_l, "b": n_b, "m": n_m}


def rate_macs(config) -> int:
    """Rate NCAP MACs per control step: 2N B-neuron inputs + 4N muscle synapses."""
    return 6 * config.n_joints


def _episode(controller, n_links: int, seed: int, steps: int, count) -> tuple[DecisionCounts, float]:
    """One episode of ``controller``; ``count(before, after, out)`` gives each step's counts."""
    from snn_control.swimmer.env import SwimmerEnv

    env = SwimmerEnv(n_links, episode_steps=steps)
    try:
        env.reset(seed)
        controller.reset()
        counts, ret = DecisionCounts(), 0.0
        for _ in range(steps):
            before = controller.state
            action = controller.step(env.joint_angles)
            c = count(before, controller.state, controller.last)
            counts.add(c["synops"], c["macs"], c["spikes"], c["neuron_updates"])
            _, reward, _, _ = env.step(action)
            ret += reward
        return counts, ret
    finally:
        env.close()


def _episodes(artifact: str, seeds: Sequence[int], steps: int, count_for) -> tuple[Any, DecisionCounts, list[float]]:
    from snn_control.swimmer.policy import load_policy

    policy, params, _ = load_policy(artifact)
    controller = policy.controller(params)
    counts, returns = DecisionCounts(), []
    for seed in seeds:
        c, ret = _episode(controller, policy.n_joints + 1, int(seed), steps, count_for(policy.config))
        counts.extend(c)
        returns.append(round(ret, 1))
    return policy, counts, returns


def ncap_spiking(seeds: Sequence[int] = (0,), episode_steps: int = 1000,
                 artifact: str = SPIKING_ARTIFACT) -> dict[str, Any]:
    """The spiking NCAP per control step over swimmer episodes (default: the shipped 6-link one)."""
    def count_for(config):
        return lambda before, after, out: spiking_step_counts(config, before, after, out)

    policy, counts, returns = _episodes(artifact, seeds, episode_steps, count_for)
    return {"model": "swimmer spiking NCAP", "decision": "control step (0.03 s)",
            "neurons": int(policy.config.n_neurons), **counts.summary(), "returns": returns,
            "seeds": [int(s) for s in seeds]}


def ncap_rate(seeds: Sequence[int] = (0,), episode_steps: int = 1000, artifact: str = RATE_ARTIFACT) -> dict[str, Any]:
    """The rate NCAP per control step (6N MACs), with its returns on the same episodes."""
    def count_for(config):
        return lambda before, after, out: {"synops": 0.0, "macs": rate_macs(config), "spikes": 0.0,
                                           "neuron_updates": 4 * config.n_joints}

    policy, counts, returns = _episodes(artifact, seeds, episode_steps, count_for)
    return {"model": "swimmer rate NCAP", "decision": "control step (0.03 s)", "neurons": 0,
            **counts.summary(), "returns": returns, "seeds": [int(s) for s in seeds]}


def mlp(n_links: int = 6, hidden: Sequence[int] = (64, 64)) -> dict[str, Any]:
    """The MLP baseline per control step: sum of fan_in x fan_out (dense, input-independent)."""
    from snn_control.swimmer.policy import make_policy

    config = make_policy("mlp", n_links, hidden=tuple(hidden)).config
    macs = sum(dense_macs(i, o) for i, o in config.layer_sizes)
    units = sum(o for _, o in config.layer_sizes)
    sizes = "-".join(str(h) for h in config.hidden)
    return {"model": f"swimmer MLP {sizes}", "decision": "control step (0.03 s)", "neurons": 0,
            **constant_summary(0.0, macs, 0.0, units)}
