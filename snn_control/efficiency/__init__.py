"""Spiking efficiency per decision: synaptic operations, spikes and 45 nm energy, for every model.

One counting rule (:mod:`.counts`) for all; one module per system, each measuring its model on a
real run: :mod:`.blimp` (the PD-SNN + I-SNN pair in closed-loop flights, the PID), :mod:`.swimmer`
(spiking and rate NCAP over a swimmer episode, the MLP), :mod:`.spikepoint` (SpikePoint over event
windows, torch, imported only there). Imports stay lazy: the blimp counting never imports torch.
"""

from __future__ import annotations

from snn_control.efficiency.counts import PJ_PER_AC, PJ_PER_MAC, DecisionCounts, energy_nj


def blimp_pair_per_tick(seed: int = 0) -> dict:
    """The shipped blimp SNN pair per control tick (see :func:`snn_control.efficiency.blimp.blimp_pair_per_tick`)."""
    from snn_control.efficiency.blimp import blimp_pair_per_tick as run

    return run(seed)


__all__ = ["PJ_PER_AC", "PJ_PER_MAC", "DecisionCounts", "blimp_pair_per_tick", "energy_nj"]
