"""The one counting rule for every model: operations, spikes and energy per decision (45 nm).

A *decision* is what a model is run for: one control tick (blimp, 10 Hz), one control step
(swimmer, 0.03 s) or one classified window (SpikePoint). Per decision:

    AC  (synaptic operations, "synops") = sum over spikes of the synapses each one drives
                                          (a dense layer fed binary spikes: spikes x fan-out;
                                          an input count of 2 or 3 is 2 or 3 accumulates)
    MAC (multiply-accumulates)          = every product of a real-valued signal and a weight
                                          (an encoder on an analog input, an MLP, a PID's gains)
    spikes                              = spikes emitted by the model's neurons
    energy = E_AC x AC + E_MAC x MAC,   E_AC = 0.9 pJ, E_MAC = 4.6 pJ   (45 nm, Horowitz 2014,
                                          the figures SpikePoint and most SNN papers use)

Left out of the energy, for every model alike: the neuron (state) updates, i.e. each neuron's
leak, bias, threshold test and reset, and a readout's or a PID's own state update (reported apart
as ``neuron_updates``: neurons x time steps per decision); max pooling, clips, the rate encoder's
random draws, the sensor preprocessing, and the unweighted decoding of output spikes into the
decision (SpikePoint's vote mean, the spiking NCAP's spike-count rate). A weighted readout layer
is synapses and counts (the blimp SNN's leaky-integrator readout: one AC per spike). These are the conventions of
:mod:`snn_control.perception.spikepoint.evaluate`, whose constants these are (a test holds them
equal).

:class:`DecisionCounts` holds one value per decision of a real run and summarizes it as the mean
and the max per decision; energy is computed per decision, so ``energy_nj_max`` is the costliest
decision, not the energy of the separate maxima.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PJ_PER_AC = 0.9
PJ_PER_MAC = 4.6
FIGURES = ("synops", "macs", "spikes", "energy_nj", "neuron_updates")


def energy_nj(synops: np.ndarray | float, macs: np.ndarray | float) -> np.ndarray | float:
    """Energy in nJ of ``synops`` accumulates and ``macs`` multiply-accumulates."""
    return (PJ_PER_AC * np.asarray(synops, dtype=float) + PJ_PER_MAC * np.asarray(macs, dtype=float)) * 1e-3


def spike_synops(spikes_in: np.ndarray | float, fan_out: int | float) -> np.ndarray:
    """Accumulates of a layer driven by spike counts: ``sum(spikes_in) x fan_out`` over the last axis.

    ``spikes_in`` (..., inputs) holds each input's count (0/1, or small integers after a residual
    sum); every synapse an input drives is accumulated once per spike.
    """
    if fan_out < 0:
        raise ValueError(f"fan_out must be >= 0, got {fan_out}")
    s = np.asarray(spikes_in, dtype=float)
    if np.any(s < 0):
        raise ValueError("spike counts must be >= 0")
    return (s.sum(axis=-1) if s.ndim else s) * fan_out


def dense_macs(n_in: int, n_out: int, positions: int = 1) -> int:
    """MACs of a dense layer on real-valued input: ``positions x n_in x n_out``."""
    for name, v in (("n_in", n_in), ("n_out", n_out), ("positions", positions)):
        if v < 0:
            raise ValueError(f"{name} must be >= 0, got {v}")
    return int(positions) * int(n_in) * int(n_out)


@dataclass
class DecisionCounts:
    """Operation counts of a run, one entry per decision (append with :meth:`add`)."""

    synops: list[np.ndarray] = field(default_factory=list)
    macs: list[np.ndarray] = field(default_factory=list)
    spikes: list[np.ndarray] = field(default_factory=list)
    neuron_updates: list[np.ndarray] = field(default_factory=list)

    def add(self, synops, macs, spikes, neuron_updates) -> None:
        """Append decisions: scalars or equal-length arrays (one entry per decision)."""
        parts = [np.atleast_1d(np.asarray(v, dtype=float)) for v in (synops, macs, spikes, neuron_updates)]
        n = max(len(p) for p in parts)
        for name, p in zip(("synops", "macs", "spikes", "neuron_updates"), parts):
            if not np.all(np.isfinite(p)) or np.any(p < 0):
                raise ValueError(f"{name} must be finite and >= 0")
            getattr(self, name).append(np.broadcast_to(p, (n,)))

    def extend(self, other: "DecisionCounts") -> None:
        for name in ("synops", "macs", "spikes", "neuron_updates"):
            getattr(self, name).extend(getattr(other, name))

    def arrays(self) -> dict[str, np.ndarray]:
        """Per decision: ``synops``, ``macs``, ``spikes``, ``neuron_updates`` and ``energy_nj``."""
        out = {name: np.concatenate(getattr(self, name)) if getattr(self, name) else np.zeros(0)
               for name in ("synops", "macs", "spikes", "neuron_updates")}
        out["energy_nj"] = energy_nj(out["synops"], out["macs"])
        return out

    def summary(self) -> dict[str, float]:
        """Mean and max per decision of each figure (``<figure>`` and ``<figure>_max``), ``decisions``."""
        a = self.arrays()
        n = len(a["synops"])
        if n == 0:
            raise ValueError("no decision counted")
        out: dict[str, float] = {"decisions": n}
        for name in FIGURES:
            out[name] = float(a[name].mean())
            out[f"{name}_max"] = float(a[name].max())
        return out


def constant_summary(synops: float, macs: float, spikes: float = 0.0, neuron_updates: float = 0.0) -> dict[str, float]:
    """The summary of a model whose every decision costs the same (a PID, an MLP, a dense ANN)."""
    counts = DecisionCounts()
    counts.add(synops, macs, spikes, neuron_updates)
    out = counts.summary()
    out["decisions"] = None  # input-independent: counted from the architecture, not from a run
    return out
