"""Current-injection encoding of a scalar with paired, mirrored weights (Burgers et al. 2023).

The scalar input e (the altitude error in metres, positive = climb) enters each pair j of the
encoding layer as an input current, with weight +w_j into the "+" member, -w_j into the "-" member,
and the bias b_j shared by both:

    x_j+[k] = +w_j * e[k] + b_j,      x_j-[k] = -w_j * e[k] + b_j

so negating e swaps the currents of the two members. The currents drive a LIF layer
(:func:`snn_control.snn.lif.lif_step`). Layout: the halves of :mod:`snn_control.snn.pairs`.
"""

from __future__ import annotations

import numpy as np

from snn_control.snn.pairs import pair_mirrored, pair_shared


def paired_current(value: np.ndarray | float, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Currents ``(batch, 2P)`` for scalars ``value`` ``(batch,)`` (or one scalar for all).

    Args:
        value: the encoded scalar per batch row, shape ``(batch,)`` or ``()``.
        weight: per-pair weights w, shape ``(batch, P)`` (or ``(P,)``).
        bias: per-pair biases b, same shape as ``weight``.
    """
    e = np.asarray(value, dtype=float)
    if e.ndim == 1:
        e = e[:, None]
    return e * pair_mirrored(weight) + pair_shared(bias)

