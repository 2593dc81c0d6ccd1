"""``snn-control import nir``: read a NIR file back, validate it, simulate it and summarize.

    snn-control import nir FILE [--steps 100] [--input 1.0] [--standard] [--json]

Reads FILE with ``nir.read``, checks that the project's numpy interpreter
(:mod:`snn_control.artifacts.nir_sim`) can step every node, then drives every input with the
constant ``--input`` for ``--steps`` ticks from rest and prints the graph (node types, edges,
inputs, outputs, metadata), the outputs' first, last, min and max values and the spikes of each
``*.spike`` node. ``--standard`` ignores our ``snn_control.*`` metadata extensions and reads the
graph as any NIR tool would.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="NIR file (HDF5)")
    parser.add_argument("--steps", type=int, default=100, help="ticks to simulate (0: only validate)")
    parser.add_argument("--input", type=float, default=1.0, help="constant value fed to every input")
    parser.add_argument("--standard", action="store_true", help="ignore the snn_control.* extensions")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on the last line")


def simulate(graph, steps: int, value: float, extensions: bool) -> dict:
    """Outputs' statistics and spike counts of ``steps`` ticks with every input held at ``value``."""
    from snn_control.artifacts.nir_sim import NIRSimulator

    sim = NIRSimulator(graph, extensions=extensions)
    feed = {name: np.full(tuple(np.atleast_1d(node.output_type["output"]).astype(int)), value)
            for name, node in graph.inputs.items()}
    outs: dict[str, list[np.ndarray]] = {name: [] for name in graph.outputs}
    spikes = {name: 0 for name in graph.nodes if name.endswith(".spike")}
    for _ in range(steps):
        for name, y in sim.step(feed).items():
            outs[name].append(y)
        for name in spikes:
            spikes[name] += int(sim.out[name].sum())
    stats = {name: {"first": np.asarray(v[0]).round(6).tolist(), "last": np.asarray(v[-1]).round(6).tolist(),
                    "min": float(np.min(v)), "max": float(np.max(v))} for name, v in outs.items() if v}
    return {"steps": steps, "input": value, "extensions": extensions, "outputs": stats, "spikes": spikes}


def run(args: argparse.Namespace) -> int:
    from snn_control.artifacts.nir_export import describe, read_nir
    from snn_control.artifacts.nir_sim import NIRSimError, NIRSimulator
    from snn_control.artifacts.store import ArtifactError

    if args.steps < 0:
        print("snn-control import nir: --steps must be >= 0", file=sys.stderr)
        return 2
    try:
        graph = read_nir(args.file)
        NIRSimulator(graph)  # validates: node types, delays, cycles, dt
        summary = describe(graph)
        if args.steps:
            summary["simulation"] = simulate(graph, args.steps, args.input, not args.standard)
    except (ArtifactError, NIRSimError) as exc:
        print(f"snn-control import nir: {exc}", file=sys.stderr)
        return 2
    meta = summary["metadata"]
    print(f"{args.file}: {meta.get('kind', 'NIR graph')}, {summary['nodes']} nodes, {summary['edges']} edges, "
          f"dt {meta.get('dt_s')} s")
    print("  node types: " + ", ".join(f"{k} {v}" for k, v in summary["node_types"].items()))
    print(f"  inputs {summary['inputs']}, outputs {summary['outputs']}")
    sim = summary.get("simulation")
    if sim:
        for name, s in sim["outputs"].items():
            print(f"  {name} over {sim['steps']} ticks at input {sim['input']}: last {s['last']}, "
                  f"range [{s['min']:.4g}, {s['max']:.4g}]")
        print(f"  spikes: {sum(sim['spikes'].values())} in {len(sim['spikes'])} spiking populations")
    if args.json:
        print(json.dumps(summary))
    return 0
