"""``snn-control export nir``: write a controller as a NIR graph (HDF5, PyPI ``nir``).

    snn-control export nir blimp --out pair.nir [--model PD_ARTIFACT I_ARTIFACT] [--dt 0.1]
    snn-control export nir ncap --out ncap.nir [--model POLICY_ARTIFACT]

``blimp``: the deployed PD-SNN + I-SNN pair (default: the shipped ``pd_snn`` and ``i_snn``),
error in, motor units out, one tick per control period. ``ncap``: the spiking NCAP (default: the
shipped ``ncap_spiking_6link``), one tick per spiking tick. The node mapping and what standard
NIR cannot express: :mod:`snn_control.artifacts.nir_export`, :mod:`snn_control.blimp.snn.nir`,
:mod:`snn_control.swimmer.nir`. Read a file back with ``snn-control import nir FILE``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("system", choices=("blimp", "ncap"), help="which controller to export")
    parser.add_argument("--out", type=Path, required=True, help="NIR file to write (HDF5)")
    parser.add_argument("--model", nargs="+", default=None,
                        help="blimp: PD_ARTIFACT I_ARTIFACT; ncap: a spiking policy artifact (default: shipped)")
    parser.add_argument("--dt", type=float, default=None, help="blimp: control period in s; must be the evolved one (0.1), checked")


def build_graph(args: argparse.Namespace):
    """The NIR graph the command line asks for (raises ValueError / ArtifactError)."""
    if args.system == "blimp":
        from snn_control.blimp.config import BlimpSimConfig
        from snn_control.blimp.snn.controller import BlimpSNNController
        from snn_control.blimp.snn.nir import blimp_pair_graph

        if args.model is not None and len(args.model) != 2:
            raise ValueError("--model takes two artifacts for blimp: PD_ARTIFACT I_ARTIFACT")
        period = BlimpSimConfig().control_period_s
        if args.dt is not None and abs(args.dt - period) > 1e-12:
            raise ValueError(f"--dt {args.dt:g}: the networks' per-tick decays were evolved at the "
                             f"{period:g} s control period; a graph at another dt would run other time constants")
        controller = BlimpSNNController.from_artifacts(*(args.model or (None, None)))
        return blimp_pair_graph(controller, period)
    from snn_control.swimmer.nir import spiking_ncap_graph
    from snn_control.swimmer.policy import load_policy

    if args.model is not None and len(args.model) != 1:
        raise ValueError("--model takes one policy artifact for ncap")
    if args.dt is not None:
        raise ValueError("--dt applies to blimp only (the NCAP's tick comes from its config)")
    policy, params, _ = load_policy(args.model[0] if args.model else "ncap_spiking_6link")
    if policy.variant != "spiking":
        raise ValueError(f"the policy is a {policy.variant!r} NCAP; only the spiking one has a NIR graph")
    return spiking_ncap_graph(policy.config, params)


def run(args: argparse.Namespace) -> int:
    from snn_control.artifacts.nir_export import describe, write_nir
    from snn_control.artifacts.store import ArtifactError

    try:
        graph = build_graph(args)
        path = write_nir(args.out, graph)
    except (ArtifactError, ValueError, OSError) as exc:
        print(f"snn-control export nir: {exc}", file=sys.stderr)
        return 2
    summary = describe(graph)
    print(f"wrote {path}: {summary['nodes']} nodes, {summary['edges']} edges, dt {summary['metadata']['dt_s']} s")
    print(json.dumps({"path": str(path), "node_types": summary["node_types"], "kind": summary["metadata"]["kind"]}))
    return 0
