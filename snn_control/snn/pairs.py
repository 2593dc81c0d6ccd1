"""Neuron pairs laid out as halves: the layout every paired layer of the blimp SNNs uses.

A paired layer of 2P neurons holds P pairs; neuron j (j < P) is the "+" member of pair j and
neuron j + P its "-" member, so ``x[:, :P]`` are the "+" neurons and ``x[:, P:]`` their partners.
Genes are per pair, shaped ``(batch, P)``; :func:`pair_shared` copies a gene to both members
(leaks, thresholds, biases), :func:`pair_mirrored` gives the "-" member the negated value (input
and readout weights, so that flipping the sign of the input swaps the members), and
:func:`partner_index` indexes the halves swapped (``x[..., partner_index(2P)]`` is the value of
each neuron's partner).
"""

from __future__ import annotations

import numpy as np


def pair_shared(per_pair: np.ndarray) -> np.ndarray:
    """``(batch, P) -> (batch, 2P)``: the same value for both members of each pair."""
    g = np.asarray(per_pair, dtype=float)
    return np.concatenate((g, g), axis=-1)


def pair_mirrored(per_pair: np.ndarray) -> np.ndarray:
    """``(batch, P) -> (batch, 2P)``: ``+g`` for the "+" member, ``-g`` for the "-" member."""
    g = np.asarray(per_pair, dtype=float)
    return np.concatenate((g, -g), axis=-1)


def partner_index(neurons: int) -> np.ndarray:
    """Index array ``idx`` with ``x[..., idx]`` = the partner's value of every neuron."""
    if neurons % 2:
        raise ValueError(f"a paired layer needs an even number of neurons, got {neurons}")
    half = neurons // 2
    return np.concatenate((np.arange(half, neurons), np.arange(half)))
