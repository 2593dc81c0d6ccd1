"""Blimp controllers per control tick (10 Hz): the PD-SNN + I-SNN pair, its dense twin, the PID.

Counts follow :mod:`snn_control.efficiency.counts`. One network of P pairs (2P neurons per layer,
:mod:`snn_control.blimp.snn.network`) costs per tick, with s0, s1 the spikes of l0 and l1:

    MAC    2P                         l0: each neuron's synapse on the analog error e (w0 e)
    AC     sum(s0) x (1 or 2)         l0 -> l1: diagonal (2 with the 2x2 block's cross synapse)
         + sum(s1[k-1]) x 2           l1 -> l1: self + partner (recurrent kinds only)
         + sum(s1)                    l1 -> readout: one weight c_j per spike
    spikes sum(s0) + sum(s1);  neuron updates 4P + 1 (the leaky-integrator readout), not in energy

The pair (PD-SNN + I-SNN) is measured in closed loop: :func:`~snn_control.blimp.flight.fly_batch`,
the loop evolution and the ROS graph run, flies the shipped pair in the numpy twin through the
paper's profile (0.5-1.5 m, 700 s = 7,000 ticks) on the five plant presets at once, and each tick
the spikes are read from the networks' state. A tick the guard holds (an invalid reading: the
network does not step) is not a decision and is left out (``held_ticks``).

The non-spiking equivalents: the PID it imitates, 3 MACs per tick (P = Kp e, I = (Ki dt) sum e,
D = (Kd / 2dt)(de[k] + de[k-1]): gains folded into one constant each; the running sum, the
slopes and the rarely active soft limits and jump filter are state updates and clips, left out
as for every model), and the pair's own graph run as a rate network (every synapse a MAC).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from snn_control.efficiency.counts import DecisionCounts, constant_summary

PLANTS = ("nominal", "paper", "light", "heavy", "laggy")
FIELDS = ("synops", "macs", "spikes", "neuron_updates")


def network_tick_counts(params, state, hid_prev_s: np.ndarray) -> dict[str, np.ndarray]:
    """One network's counts for the tick whose result is ``state`` (a ``BlimpSNNState``), per row.

    ``hid_prev_s``: l1 spikes of the tick before (the recurrent synapses' input).
    """
    n = params.neurons  # 2P
    s0, s1 = state.enc.s, state.hid.s
    synops = s0.sum(axis=-1) * (2 if params.hid_cross is not None else 1) + s1.sum(axis=-1)
    if params.rec_self is not None:
        synops = synops + 2 * np.asarray(hid_prev_s).sum(axis=-1)
    rows = s0.shape[0]
    return {"synops": synops, "macs": np.full(rows, float(n)), "spikes": s0.sum(axis=-1) + s1.sum(axis=-1),
            "neuron_updates": np.full(rows, 2.0 * n + 1)}


def network_dense_macs(params) -> int:
    """MACs per tick of a network's graph run as a rate network: every synapse once."""
    n = params.neurons
    hidden = n * (2 if params.hid_cross is not None else 1) + (2 * n if params.rec_self is not None else 0)
    return n + hidden + n  # encoder, hidden (+ recurrent), readout


class _ReadingTap:
    """A sim wrapper that remembers the readings it last returned (what the guard saw this tick)."""

    def __init__(self, sim: Any) -> None:
        self.sim, self.last = sim, None
        self.control_period_s = sim.control_period_s

    def reset(self, seed: int) -> np.ndarray:
        self.last = self.sim.reset(seed)
        return self.last

    def step(self, u: np.ndarray) -> np.ndarray:
        self.last = self.sim.step(u)
        return self.last

    @property
    def altitude_m(self) -> np.ndarray:
        return self.sim.altitude_m


def _plants(plants: Sequence[Any] | None) -> list:
    from snn_control.blimp.plant import BlimpPlant, load_plant

    return [p if isinstance(p, BlimpPlant) else load_plant(p) for p in (plants or PLANTS)]


def fly_counting(controller, plants: Sequence[Any] | None = None, profile=None, seed: int = 0
                 ) -> tuple[list[DecisionCounts], Any, dict[str, Any]]:
    """Fly ``controller`` (a ``BlimpSNNController``) on every plant at once in the twin; returns
    one :class:`DecisionCounts` per network term (rows of the batch one after the other), the
    ``Flight`` and flight facts (ticks, held ticks, RMSE per plant)."""
    from snn_control.blimp.flight import fly_batch
    from snn_control.blimp.guard import GuardParams, guard_input
    from snn_control.blimp.profiles import PAPER_PROFILE
    from snn_control.blimp.twin import BlimpBatchSim

    rows = _plants(plants)
    profile = PAPER_PROFILE if profile is None else profile
    guard = GuardParams()
    twin = BlimpBatchSim(len(rows), [p.dynamics for p in rows], noise_std_m=[p.range_noise_std_m for p in rows],
                         initial_altitude_m=np.array([p.initial_altitude_m for p in rows]), seed=seed)
    sim = _ReadingTap(twin)
    terms = controller.terms
    prev = [np.zeros((len(rows), t.params.neurons)) for t in terms]

    def observe(state: tuple) -> dict[str, np.ndarray]:
        _, stepped, _ = guard_input(guard, sim.last)
        out = {"stepped": stepped.astype(float)}
        for j, (term, s) in enumerate(zip(terms, state)):
            for name, value in network_tick_counts(term.params, s, prev[j]).items():
                out[f"{j}.{name}"] = value
            prev[j] = s.hid.s
        return out

    ticks = int(round(profile.duration_s / sim.control_period_s))
    setpoints = profile.at(np.arange(ticks) * sim.control_period_s)
    flight = fly_batch(controller, sim, sim.reset(seed), setpoints, guard, observe)
    stepped = flight.observed["stepped"].astype(bool)
    per_term = []
    for j in range(len(terms)):
        counts = DecisionCounts()
        counts.add(*(flight.observed[f"{j}.{name}"][stepped] for name in FIELDS))
        per_term.append(counts)
    rmse = np.sqrt(np.mean((flight.z_m - flight.setpoint_m) ** 2, axis=1))
    facts = {"ticks": int(stepped.size), "held_ticks": int((~stepped).sum()), "plants": [p.name for p in rows],
             "rmse_m": [round(float(r), 4) for r in rmse]}
    return per_term, flight, facts


def blimp_pair(seeds: Sequence[int] = (0, 1, 2), plants: Sequence[Any] | None = None, profile=None,
               pd_artifact: str | None = None, i_artifact: str | None = None) -> dict[str, Any]:
    """The PD-SNN + I-SNN pair per control tick over flights of every plant and seed.

    Returns the summary of :class:`DecisionCounts` (``synops``, ``macs``, ``spikes``, ``energy_nj``,
    ``neuron_updates``, each with ``_max``; ``decisions`` ticks), plus ``pd`` and ``i`` (each
    network alone), ``neurons`` and the flights' facts.
    """
    from snn_control.blimp.snn.controller import BlimpSNNController

    controller = BlimpSNNController.from_artifacts(pd_artifact, i_artifact)
    pd, i, facts = DecisionCounts(), DecisionCounts(), {"flights": 0, "held_ticks": 0, "rmse_m": []}
    for seed in seeds:
        (pd_s, i_s), _, f = fly_counting(controller, plants, profile, int(seed))
        pd.extend(pd_s)
        i.extend(i_s)
        facts["flights"] += len(f["plants"])
        facts["held_ticks"] += f["held_ticks"]
        facts["rmse_m"] += f["rmse_m"]
        facts["plants"] = f["plants"]
    pair = DecisionCounts()
    a_pd, a_i = pd.arrays(), i.arrays()
    pair.add(*(a_pd[k] + a_i[k] for k in FIELDS))
    out = {"model": "blimp PD-SNN + I-SNN", "decision": "control tick (0.1 s)",
           "neurons": int(controller.n_spiking_neurons), **pair.summary(),
           "pd": pd.summary(), "i": i.summary(), "seeds": [int(s) for s in seeds], **facts}
    out["dense_macs"] = sum(network_dense_macs(t.params) for t in controller.terms)
    return out


def blimp_pair_per_tick(seed: int = 0) -> dict[str, Any]:
    """The shipped pair per control tick, one seed of the five plants through the paper profile
    (about 2 s): ``synops``, ``spikes``, ``macs``, ``energy_nj`` (means per tick), their ``_max``,
    ``neuron_updates`` and the flight facts. See :func:`blimp_pair`."""
    return blimp_pair(seeds=(seed,))


def blimp_pair_dense(pd_artifact: str | None = None, i_artifact: str | None = None) -> dict[str, Any]:
    """The pair's graph as a rate network (same synapses, each a MAC every tick)."""
    from snn_control.blimp.snn.controller import BlimpSNNController

    controller = BlimpSNNController.from_artifacts(pd_artifact, i_artifact)
    macs = sum(network_dense_macs(t.params) for t in controller.terms)
    units = sum(2 * t.params.neurons + 1 for t in controller.terms)
    return {"model": "blimp pair graph as a rate network", "decision": "control tick (0.1 s)", "neurons": 0,
            **constant_summary(0.0, macs, 0.0, units)}


PID_MACS = 3


def pid() -> dict[str, Any]:
    """The paper's PID per control tick: 3 MACs (see the module docstring)."""
    return {"model": "blimp PID", "decision": "control tick (0.1 s)", "neurons": 0, **constant_summary(0.0, PID_MACS)}
