"""A numpy interpreter of the NIR nodes :mod:`snn_control.artifacts.nir_export` writes, tick by tick.

Per tick every node reads the sum of its incoming edges (in edge order) and updates in a
topological order of the graph without the edges leaving ``Delay`` nodes; a ``Delay`` of one tick
(``delay == dt``, the only one supported) outputs what it received on the previous tick. Node
semantics, with dt = ``metadata["dt_s"]`` and forward Euler (see ``nir_export``):

    Input      the value fed in            Output     x
    Affine     W x + b                     Linear     W x            Scale   s * x
    LI         v = (1 - dt/tau) v + (dt/tau) (v_leak + R x)
    I          v = v + dt R x              Threshold  1[x > threshold]

With ``extensions=True`` (default) the ``snn_control.*`` node metadata are applied too: the
adaptive reset, ``clip``, ``initial`` and shunting inhibition (``shunt``); ``extensions=False``
reads the graph as any NIR tool would, and a subset such as ``{"clip"}`` applies only those, which
is how the approximation of each part is measured.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

import nir

from snn_control.artifacts.nir_export import EXT

EXTENSIONS = ("reset", "clip", "initial", "shunt")
SUPPORTED = (nir.Input, nir.Output, nir.Affine, nir.Linear, nir.Scale, nir.LI, nir.I, nir.Threshold, nir.Delay)


class NIRSimError(ValueError):
    """The graph uses a node, a delay or a structure this interpreter does not simulate."""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _shape(node: nir.NIRNode, port: str) -> tuple[int, ...]:
    types = node.output_type if port == "output" else node.input_type
    return tuple(int(v) for v in np.atleast_1d(types[port]))


def _order(graph: nir.NIRGraph) -> list[str]:
    """Topological order of the nodes, edges out of Delay nodes cut (they carry the last tick)."""
    deps: dict[str, set[str]] = {name: set() for name in graph.nodes}
    for src, dst in graph.edges:
        if src not in graph.nodes or dst not in graph.nodes:
            raise NIRSimError(f"edge {src!r} -> {dst!r} names a node the graph lacks")
        if not isinstance(graph.nodes[src], nir.Delay):
            deps[dst].add(src)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(deps):
        ready = [n for n in deps if n not in done and deps[n] <= done]
        if not ready:
            stuck = sorted(n for n in deps if n not in done)
            raise NIRSimError(f"the graph has a cycle without a Delay node through {stuck[:6]}")
        order += ready
        done.update(ready)
    return order


class NIRSimulator:
    """``sim.step({input_name: x}) -> {output_name: y}``; ``reset()`` back to tick 0."""

    def __init__(self, graph: nir.NIRGraph, extensions: bool | Iterable[str] = True) -> None:
        if "dt_s" not in graph.metadata:
            raise NIRSimError("the graph's metadata lacks dt_s (the tick this interpreter steps with)")
        chosen = set(EXTENSIONS if extensions is True else () if extensions is False else extensions)
        if chosen - set(EXTENSIONS):
            raise ValueError(f"unknown extensions {sorted(chosen - set(EXTENSIONS))}; choose from {EXTENSIONS}")
        self.graph, self.extensions = graph, chosen
        self.dt_s = float(graph.metadata["dt_s"])
        for name, node in graph.nodes.items():
            if not isinstance(node, SUPPORTED):
                raise NIRSimError(f"node {name!r}: type {type(node).__name__} is not simulated "
                                  f"(supported: {', '.join(t.__name__ for t in SUPPORTED)})")
            if isinstance(node, nir.Delay) and not np.allclose(node.delay, self.dt_s, rtol=1e-9, atol=0):
                raise NIRSimError(f"node {name!r}: only one-tick delays (dt = {self.dt_s}) are simulated")
        self.order = _order(graph)
        self.sources: dict[str, list[str]] = {name: [] for name in graph.nodes}
        for src, dst in graph.edges:
            self.sources[dst].append(src)
        self.reset()

    def _meta(self, name: str, key: str, default: Any = None) -> Any:
        if key.split("_")[0] not in self.extensions:
            return default
        return self.graph.nodes[name].metadata.get(EXT + key, default)

    def reset(self) -> None:
        self.state: dict[str, np.ndarray] = {}
        self.out: dict[str, np.ndarray] = {}
        for name, node in self.graph.nodes.items():
            if isinstance(node, (nir.LI, nir.I, nir.Delay)):
                shape = np.shape(node.delay if isinstance(node, nir.Delay) else node.r)
                self.state[name] = np.array(self._meta(name, "initial", np.zeros(shape)), dtype=float).reshape(shape)
        self.prev = {name: np.zeros(_shape(node, "output")) for name, node in self.graph.nodes.items()}

    def _input(self, name: str) -> np.ndarray:
        total = None
        for src in self.sources[name]:
            value = self.state[src] if isinstance(self.graph.nodes[src], nir.Delay) else self.out[src]
            total = value if total is None else total + value
        if total is None:
            raise NIRSimError(f"node {name!r} has no input edge")
        return total

    def _node(self, name: str, node: nir.NIRNode, x: np.ndarray) -> np.ndarray:
        if isinstance(node, nir.Affine):
            return node.weight @ x + node.bias
        if isinstance(node, nir.Linear):
            if self._meta(name, "reset") == "adaptive":
                meta = node.metadata
                theta = np.maximum(float(meta[EXT + "theta_min"]), self.prev[_text(meta[EXT + "theta_node"])])
                return -x * theta
            return node.weight @ x
        if isinstance(node, nir.Scale):
            return node.scale * x
        if isinstance(node, nir.Threshold):
            return (x > node.threshold).astype(float)
        if isinstance(node, nir.LI):
            k = self.dt_s / node.tau
            v = (1.0 - k) * self.state[name] + k * (node.v_leak + node.r * x)
        elif isinstance(node, nir.I):
            v = self.state[name] + (self.dt_s * node.r) * x
        else:  # Output
            v = x
        shunt = self._meta(name, "shunt_sources")
        if shunt is not None:
            x_inh = sum(self.out[s] for s in _text(shunt).split(",") if s)
            rest, ceiling = node.metadata[EXT + "shunt_rest"], float(node.metadata[EXT + "shunt_max"])
            v = np.minimum(np.maximum(v, np.minimum(v - x_inh, rest)), ceiling)
        clip = self._meta(name, "clip")
        if clip is not None:
            v = np.clip(v, -float(clip), float(clip))
        if not isinstance(node, nir.Output):
            self.state[name] = v
        return v

    def step(self, inputs: dict[str, Any] | Any) -> dict[str, np.ndarray]:
        """One tick; ``inputs`` maps every Input node to its value (or is the value, for one input)."""
        names = list(self.graph.inputs)
        feed = inputs if isinstance(inputs, dict) else {names[0]: inputs} if len(names) == 1 else None
        if feed is None or set(feed) != set(names):
            raise NIRSimError(f"feed a value to each input node: {names}")
        self.out = {}
        for name in self.order:
            node = self.graph.nodes[name]
            if isinstance(node, nir.Input):
                x = np.asarray(feed[name], dtype=float).reshape(_shape(node, "output"))
                self.out[name] = x
            elif not isinstance(node, nir.Delay):
                self.out[name] = self._node(name, node, self._input(name))
        for name, node in self.graph.nodes.items():
            if isinstance(node, nir.Delay):
                self.out[name] = self.state[name]
                self.state[name] = self._input(name)
        self.prev = self.out
        return {name: self.out[name] for name in self.graph.outputs}

    def rollout(self, inputs: np.ndarray, output: str | None = None) -> np.ndarray:
        """Outputs ``(T, ...)`` of one output node for one input node's values ``(T, ...)``."""
        name = output or next(iter(self.graph.outputs))
        return np.stack([self.step(x)[name] for x in np.asarray(inputs, dtype=float)])
