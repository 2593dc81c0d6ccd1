"""Spiking primitives: pure, batch-first step functions over explicit state (numpy only).

Terminology: a *step* advances one tick (``x_step``), a *rollout* a sequence (``x_rollout``);
arrays are shaped ``(batch, neurons)`` so one controller on a robot and a whole population during
evolution run the same code; parameters broadcast against that shape (per-neuron, or per-individual
with a leading batch axis).
"""

from snn_control.snn.lif import LIFParams, LIFState, lif_initial_state, lif_step

__all__ = ["LIFParams", "LIFState", "lif_initial_state", "lif_step"]
