"""Spiking primitives: pure, batch-first step functions over explicit state (numpy only).

Terminology: a *step* advances one tick (``x_step``), a *rollout* a sequence (``x_rollout``);
arrays are shaped ``(batch, neurons)`` so one controller on a robot and a whole population during
evolution run the same code; parameters broadcast against that shape (per-neuron, or per-individual
with a leading batch axis). A *pair* is two neurons that mirror each other (:mod:`.pairs`);
*IWTA* is the adaptive-threshold pair coupling of the integrating controller (:mod:`.iwta`); the
*readout* is a non-spiking leaky integrator (:mod:`.readout`); :mod:`.state` selects between
explicit states row by row (a guard that refuses to step some rows).
"""

from snn_control.snn.iwta import IWTAParams, IWTAState, iwta_initial_state, iwta_step
from snn_control.snn.lif import LIFParams, LIFState, lif_initial_state, lif_step
from snn_control.snn.pairs import pair_mirrored, pair_shared, partner_index
from snn_control.snn.readout import LIParams, LIState, li_initial_state, paired_li_step
from snn_control.snn.state import select_state

__all__ = [
    "IWTAParams",
    "IWTAState",
    "LIFParams",
    "LIFState",
    "LIParams",
    "LIState",
    "iwta_initial_state",
    "iwta_step",
    "li_initial_state",
    "lif_initial_state",
    "lif_step",
    "pair_mirrored",
    "paired_li_step",
    "pair_shared",
    "partner_index",
    "select_state",
]
