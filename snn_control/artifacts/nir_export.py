"""NIR graphs (Neuromorphic Intermediate Representation, PyPI ``nir``) of our discrete-time SNNs.

NIR nodes are continuous-time; our step functions are discrete. Every graph written here carries
``metadata["dt_s"]`` (the tick) and ``metadata["discretization"] = "forward_euler"``: a node with
time constant tau and resistance R, stepped with dt, is the per-tick update (the convention
snnTorch's and Norse's NIR importers use)

    LI   tau dv/dt = (v_leak - v) + R x   ->  v[k] = lambda v[k-1] + g x[k],   lambda = 1 - dt/tau,
                                                                           g = (dt/tau) R, v_leak = 0
    I    dv/dt = R x                      ->  v[k] = v[k-1] + g x[k],          g = dt R

so a decay per tick lambda in [0, 1) and an input gain g become tau = dt / (1 - lambda) and
R = g / (1 - lambda), and lambda = 1 becomes an ``I`` node with R = g / dt. Each such node also
records ``decay_per_tick`` and ``gain_per_tick`` in its metadata, for tools that discretize with
the exact exponential instead (they should set exp(-dt/tau) to ``decay_per_tick``).

**One LIF neuron of ours** (:mod:`snn_control.snn.lif`: synaptic current, *soft* reset that
subtracts theta on the tick after a spike) has no single NIR node: ``CubaLIF`` resets to
``v_reset`` (hard) and would pass a reset current through its synapse. It is written as five
standard nodes, exact under the convention above:

    NAME.syn    LI (or I)    i[k] = lambda_i i[k-1] + x[k]
    NAME.mem    LI (or I)    v[k] = lambda_v v[k-1] + i[k] + r[k]
    NAME.spike  Threshold    s[k] = 1[v[k] > theta]
    NAME.delay  Delay(dt)    s[k-1]: the previous tick's spikes (recurrent inputs read it)
    NAME.reset  Linear       r[k] = -diag(theta) s[k-1]

**Adaptive (IWTA) threshold** (:mod:`snn_control.snn.iwta`): ``NAME.trace`` (LI, t[k] = lambda_t
t[k-1] + s[k-1]), ``NAME.theta`` (Affine: y = base + a (t_partner - t)), ``NAME.below``
(Linear -I of theta), and the spike s = 1[v > max(theta_min, y)] as two Thresholds summed into a
third (``NAME.over_min`` = 1[v > theta_min], ``NAME.over_theta`` = 1[v - y > 0],
``NAME.spike`` = 1[sum > 1.5]): exact. The reset subtracts the threshold that was crossed,
max(theta_min, y[k-1]): a product of a spike and a state that no NIR node computes. The graph
subtracts the *resting* threshold max(theta_min, base) (standard NIR, approximate), and the
reset node's metadata ``snn_control.reset = "adaptive"`` names the exact rule, which
:mod:`snn_control.artifacts.nir_sim` applies unless told to read standard NIR only.

Other extensions, all in node metadata under ``snn_control.*`` and ignored by other tools:
``clip`` (clamp a node's output to +-clip: the integrating readout's anti-windup, the pair's
motor limit), ``initial`` (a node's state at tick 0: NIR starts every node at rest), and
``shunt_*`` (shunting inhibition of the spiking NCAP's units, see :mod:`snn_control.swimmer.nir`).
Nodes fed by several edges sum them, in edge order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import nir

from snn_control.artifacts.store import ArtifactError

EXT = "snn_control."


def _vec(x: Any, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()


def leaky_node(decay: Any, gain: Any, dt_s: float, n: int, **metadata: Any) -> nir.NIRNode:
    """A node stepping ``v[k] = decay v[k-1] + gain x[k]``: ``LI`` if every decay < 1, else ``I``."""
    lam, g = _vec(decay, n), _vec(gain, n)
    meta = {"decay_per_tick": lam, "gain_per_tick": g, **metadata}
    if np.all(lam == 1.0):
        return nir.I(r=g / dt_s, metadata=meta)
    if np.any(lam < 0.0) or np.any(lam >= 1.0):
        raise ValueError(f"decays per tick must all lie in [0, 1) or all be 1, got {lam}")
    tau = dt_s / (1.0 - lam)
    return nir.LI(tau=tau, r=g / (1.0 - lam), v_leak=np.zeros(n), metadata=meta)


class GraphBuilder:
    """Nodes and edges of one NIR graph at tick ``dt_s``; :meth:`build` checks and returns it."""

    def __init__(self, dt_s: float) -> None:
        if not dt_s > 0:
            raise ValueError(f"dt_s must be > 0, got {dt_s}")
        self.dt_s = float(dt_s)
        self.nodes: dict[str, nir.NIRNode] = {}
        self.edges: list[tuple[str, str]] = []

    def add(self, name: str, node: nir.NIRNode, *sources: str) -> str:
        if name in self.nodes:
            raise ValueError(f"duplicate node name {name!r}")
        self.nodes[name] = node
        for src in sources:
            self.edge(src, name)
        return name

    def edge(self, src: str, dst: str) -> None:
        self.edges.append((src, dst))

    def lif(self, name: str, leak_i: Any, leak_v: Any, threshold: Any, n: int, v0: Any = None,
            s0: Any = None, **mem_metadata: Any) -> str:
        """Our LIF population (five nodes, see the module docstring); returns its input node's name."""
        theta = _vec(threshold, n)
        mem_meta = dict(mem_metadata)
        if v0 is not None:
            mem_meta[EXT + "initial"] = _vec(v0, n)
        delay_meta = {} if s0 is None else {EXT + "initial": _vec(s0, n)}
        self.add(f"{name}.syn", leaky_node(leak_i, 1.0, self.dt_s, n))
        self.add(f"{name}.mem", leaky_node(leak_v, 1.0, self.dt_s, n, **mem_meta), f"{name}.syn")
        self.add(f"{name}.spike", nir.Threshold(theta), f"{name}.mem")
        self.add(f"{name}.delay", nir.Delay(np.full(n, self.dt_s), metadata=delay_meta), f"{name}.spike")
        self.add(f"{name}.reset", nir.Linear(-np.diag(theta)), f"{name}.delay")
        self.edge(f"{name}.reset", f"{name}.mem")
        return f"{name}.syn"

    def iwta(self, name: str, leak_i: Any, leak_v: Any, base: Any, adapt: Any, leak_t: Any, theta_min: float,
             partners: np.ndarray) -> str:
        """Our IWTA population (the LIF nodes with an adaptive threshold); returns its input node."""
        n = len(partners)
        rest = np.maximum(theta_min, _vec(base, n))
        self.add(f"{name}.syn", leaky_node(leak_i, 1.0, self.dt_s, n))
        self.add(f"{name}.mem", leaky_node(leak_v, 1.0, self.dt_s, n), f"{name}.syn")
        self.add(f"{name}.over_min", nir.Threshold(np.full(n, float(theta_min))), f"{name}.mem")
        self.add(f"{name}.delay", nir.Delay(np.full(n, self.dt_s)))
        self.add(f"{name}.trace", leaky_node(leak_t, 1.0, self.dt_s, n), f"{name}.delay")
        a = _vec(adapt, n)
        w_theta = -np.diag(a)
        w_theta[np.arange(n), partners] += a
        self.add(f"{name}.theta", nir.Affine(w_theta, _vec(base, n)), f"{name}.trace")
        self.add(f"{name}.below", nir.Linear(-np.eye(n)), f"{name}.theta")
        self.add(f"{name}.over_theta", nir.Threshold(np.zeros(n)), f"{name}.mem", f"{name}.below")
        self.add(f"{name}.spike", nir.Threshold(np.full(n, 1.5)), f"{name}.over_min", f"{name}.over_theta")
        self.edge(f"{name}.spike", f"{name}.delay")
        meta = {EXT + "reset": "adaptive", EXT + "theta_node": f"{name}.theta", EXT + "theta_min": float(theta_min)}
        self.add(f"{name}.reset", nir.Linear(-np.diag(rest), metadata=meta), f"{name}.delay")
        self.edge(f"{name}.reset", f"{name}.mem")
        return f"{name}.syn"

    def build(self, **metadata: Any) -> nir.NIRGraph:
        meta = {"dt_s": self.dt_s, "discretization": "forward_euler", **metadata}
        return nir.NIRGraph(dict(self.nodes), list(self.edges), metadata=meta)


def write_nir(path: str | Path, graph: nir.NIRGraph) -> Path:
    """Write ``graph`` to an HDF5 NIR file (``nir.write``); returns the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    nir.write(p, graph)
    return p


def read_nir(path: str | Path) -> nir.NIRGraph:
    """Read a NIR file (``nir.read``), naming every way it can fail in one :class:`ArtifactError`."""
    p = Path(path)
    if not p.is_file():
        raise ArtifactError(f"{p}: no such NIR file")
    try:
        graph = nir.read(p)
    except OSError as exc:
        raise ArtifactError(f"{p}: not an HDF5 NIR file ({exc})") from None
    except (KeyError, ValueError, TypeError, AttributeError, AssertionError) as exc:
        raise ArtifactError(f"{p}: not a valid NIR graph ({type(exc).__name__}: {exc})") from None
    if not isinstance(graph, nir.NIRGraph):
        raise ArtifactError(f"{p}: holds a single {type(graph).__name__} node, not a NIR graph")
    return graph


def describe(graph: nir.NIRGraph) -> dict[str, Any]:
    """Counts by node type, edges, inputs/outputs with their shapes, and the graph metadata."""
    types: dict[str, int] = {}
    for node in graph.nodes.values():
        types[type(node).__name__] = types.get(type(node).__name__, 0) + 1
    shapes = {name: [int(v) for v in np.atleast_1d(node.input_type["input"])] for name, node in graph.inputs.items()}
    outs = {name: [int(v) for v in np.atleast_1d(node.output_type["output"])] for name, node in graph.outputs.items()}
    meta = {k: (v.tolist() if isinstance(v, np.ndarray) else v.item() if isinstance(v, np.generic) else v)
            for k, v in graph.metadata.items()}
    return {"nodes": len(graph.nodes), "edges": len(graph.edges), "node_types": dict(sorted(types.items())),
            "inputs": shapes, "outputs": outs, "metadata": meta}
