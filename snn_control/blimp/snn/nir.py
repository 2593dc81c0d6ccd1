"""The blimp SNNs as NIR graphs: one network, or the deployed PD-SNN + I-SNN pair.

Input ``error`` (1,): e = set-point - altitude (m), one value per control tick (dt = the control
period, 0.1 s). Output ``u`` (1,): motor units. Per network NAME (``pd`` or ``i``), with the
node conventions of :mod:`snn_control.artifacts.nir_export`:

    NAME.enc_in   Affine (2P x 1)   x0 = [+w0, -w0] e + [b0, b0]
    NAME.enc.*    our LIF            (5 nodes: syn, mem, spike, delay, reset)
    NAME.hid_in   Affine (2P x 2P)  x1 = diag(w1) s0 + wc partner(s0) + b1
    NAME.hid_rec  Linear            r1 s1[k-1] + rc partner(s1[k-1])        (recurrent kinds)
    NAME.hid.*    our LIF or IWTA
    NAME.readout_w Linear (1 x 2P)  sum_j c_j (s1_j+ - s1_j-)
    NAME.readout  LI (leaky: decay a, gain 1 - a) or LI/I (integrating: decay a, gain 1,
                  metadata snn_control.clip = 10: the anti-windup clamp, no NIR node)

The pair's two readouts feed ``u``, whose metadata ``snn_control.clip`` is the controller's
motor limit u_max. What standard NIR cannot say: the IWTA reset by the adapted threshold and the
two clamps (see ``nir_export``); everything else is exact up to floating-point rounding.
"""

from __future__ import annotations

import numpy as np

import nir

from snn_control.artifacts.nir_export import EXT, GraphBuilder, leaky_node
from snn_control.blimp.snn.controller import BlimpSNNController, BlimpSNNNetwork
from snn_control.snn.iwta import IWTAParams
from snn_control.snn.pairs import partner_index
from snn_control.snn.readout import IntegratorParams

GRAPH_KIND = "snn_control.blimp_snn_pair"


def _row(x: np.ndarray | float) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a[0] if a.ndim >= 1 and a.shape[0] == 1 else a


def add_network(b: GraphBuilder, name: str, net: BlimpSNNNetwork, source: str) -> str:
    """Add one network fed by node ``source`` (the error); returns the name of its readout node."""
    p = net.params
    n = p.neurons
    idx = partner_index(n)
    swap = np.zeros((n, n))
    swap[np.arange(n), idx] = 1.0
    b.add(f"{name}.enc_in", nir.Affine(_row(p.enc_weight)[:, None].copy(), _row(p.enc_bias)), source)
    b.edge(f"{name}.enc_in", b.lif(f"{name}.enc", _row(p.enc.leak_i), _row(p.enc.leak_v), _row(p.enc.threshold), n))
    w_hid = np.diag(_row(p.hid_weight))
    if p.hid_cross is not None:
        w_hid = w_hid + _row(p.hid_cross)[:, None] * swap
    if isinstance(p.hid, IWTAParams):
        h = p.hid
        hid_in = b.iwta(f"{name}.hid", _row(h.leak_i), _row(h.leak_v), _row(h.base), _row(h.adapt), _row(h.leak_t),
                        float(h.theta_min), idx)
    else:
        hid_in = b.lif(f"{name}.hid", _row(p.hid.leak_i), _row(p.hid.leak_v), _row(p.hid.threshold), n)
    b.add(f"{name}.hid_in", nir.Affine(w_hid, _row(p.hid_bias)), f"{name}.enc.spike")
    b.edge(f"{name}.hid_in", hid_in)
    if p.rec_self is not None:
        w_rec = np.diag(_row(p.rec_self)) + _row(p.rec_cross)[:, None] * swap
        b.add(f"{name}.hid_rec", nir.Linear(w_rec), f"{name}.hid.delay")
        b.edge(f"{name}.hid_rec", hid_in)
    c = _row(p.out.weight)
    b.add(f"{name}.readout_w", nir.Linear(np.concatenate([c, -c])[None, :]), f"{name}.hid.spike")
    a = float(_row(p.out.leak))
    if isinstance(p.out, IntegratorParams):
        node = leaky_node(a, 1.0, b.dt_s, 1, **{EXT + "clip": float(p.out.limit)})
    else:
        node = leaky_node(a, 1.0 - a, b.dt_s, 1)
    return b.add(f"{name}.readout", node, f"{name}.readout_w")


def blimp_pair_graph(controller: BlimpSNNController, dt_s: float = 0.1) -> nir.NIRGraph:
    """The deployed pair: ``u = clip(u_pd + u_i, +-u_max)`` for the error input, at tick ``dt_s``."""
    b = GraphBuilder(dt_s)
    b.add("error", nir.Input(np.array([1])))
    outs = [add_network(b, role, net, "error") for role, net in (("pd", controller.pd), ("i", controller.i))]
    clip = {} if controller.u_max is None else {EXT + "clip": float(controller.u_max)}
    b.add("u", nir.Output(np.array([1]), metadata=clip), *outs)
    return b.build(kind=GRAPH_KIND, input="error: set-point - altitude (m)", output="u: motor units",
                   pd_layout=str(controller.pd.layout.to_dict()), i_layout=str(controller.i.layout.to_dict()))
