"""``snn-control eval places``: Recall@N, PR AUC and query rate of place recognition.

    snn-control eval places --data DIR --model MODEL --query summer [--method snn|snn-noreg|sad|tempo|all]
        [--tolerance 0] [--restrict R] [--plot FILE.png] [--json]

Queries are the test places of ``--query`` (the route after the model's calibration region), and
every method searches the same places: the ensemble, the ensemble without regularization, SAD and
VPRTempo's method (trained here on the model's reference traverses). ``--restrict R`` also scores
each query on only the modules within ``R`` places of its true place (as the coordinator does with
the last known place) and reports its Recall@1 and rate. ``--method`` takes a comma list or
``all``; with ``--json`` the last line holds the first method's keys at top level and every method
under ``methods``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

KEYS = ("recall_at_1", "recall_at_5", "auc_pr", "recall_at_100p", "query_hz")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="folder with one subfolder per traverse")
    parser.add_argument("--model", type=Path, required=True, help="model from `snn-control train places`")
    parser.add_argument("--query", required=True, help="query traverse name")
    parser.add_argument("--method", default="snn", help="snn, snn-noreg, sad, tempo, a comma list, or all")
    parser.add_argument("--reference", default=None, help="reference traverses of the baselines (default: the model's)")
    parser.add_argument("--tolerance", type=int, default=0, help="a match within N places counts as correct")
    parser.add_argument("--tolerance-m", type=float, default=None,
                        help="judge by distance instead: a match within this many metres of the query's position "
                             "(needs positions.csv in the query and first reference traverse)")
    parser.add_argument("--restrict", type=int, default=None, metavar="R",
                        help="also search only modules within R places of the true place")
    parser.add_argument("--plot", type=Path, default=None, help="PR curves and example matches (PNG)")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from snn_control.artifacts.store import ArtifactError
    from snn_control.perception.places.data import PlaceDataError

    try:
        setup = _setup(args)
    except (ValueError, PlaceDataError, ArtifactError) as exc:
        print(f"snn-control eval places: {exc}", file=sys.stderr)
        return 2
    model, tset, refs, queries, places, distances, methods = setup
    results = {m: _run_method(m, model, tset, refs, queries, places, args.query) for m in methods}
    out = {m: _metrics(r, places, args, distances) for m, r in results.items()}
    summary = dict(out[methods[0]])
    summary.update({"method": methods[0], "query": args.query, "n_places": int(len(places)),
                    "n_modules": model.ensemble.n_modules, "threshold": model.ensemble.threshold,
                    "kept_neurons": model.ensemble.n_kept, "methods": out})
    summary["query_hz_single"] = _single_rate(model, queries[places])
    if args.restrict is not None:
        summary["restricted"] = _restricted(model, queries, places, args, distances)
    _print_table(out, summary)
    if args.plot is not None:
        from snn_control.perception.places.plots import plot_results

        plot_results(args.plot, results, places, tset, args.query, refs[0], args.tolerance,
                     distances=None if distances is None else distances[places], tolerance_m=args.tolerance_m)
        print(f"wrote {args.plot}")
    if args.json:
        print(json.dumps(summary))
    return 0


def _setup(args: argparse.Namespace):
    """Load and check everything before any method runs (every problem raises ValueError & co)."""
    from snn_control.perception.places import harness as h
    from snn_control.perception.places.data import open_traverses, place_distances
    from snn_control.perception.places.model import PlaceModel

    methods = list(h.METHODS) if args.method == "all" else [m.strip() for m in args.method.split(",")]
    bad = [m for m in methods if m not in h.METHODS]
    if bad or not methods:
        raise ValueError(f"unknown --method {bad or args.method}; choose from {', '.join(h.METHODS)} or all")
    if args.tolerance < 0:
        raise ValueError(f"--tolerance must be >= 0, got {args.tolerance}")
    if args.tolerance_m is not None and not args.tolerance_m >= 0:
        raise ValueError(f"--tolerance-m must be >= 0, got {args.tolerance_m}")
    model = PlaceModel.load(args.model)
    refs = args.reference.split(",") if args.reference else list(model.metadata.get("reference", []))
    if not refs:
        raise ValueError(f"{args.model} names no reference traverse; pass --reference")
    tset = open_traverses(args.data, sorted({args.query, *refs}))
    n = model.ensemble.n_places
    limited = model.metadata.get("limit_places") == n
    if tset.n_places != n and not (limited and tset.n_places > n):
        raise ValueError(f"{args.model} was trained on {n} places but {args.data} has {tset.n_places}; "
                         "use the data set the model was trained on")
    queries = h.load_inputs(tset, args.query, model.size, model.patch)[:n]
    places = h.test_places(model)
    distances = None
    if args.tolerance_m is not None:
        distances = place_distances(tset, args.query, refs[0])
        if distances is None:
            raise ValueError(f"--tolerance-m needs positions.csv in {args.query}/ and {refs[0]}/ of {args.data}")
        distances = distances[:n, :n]
    return model, tset, refs, queries, places, distances, methods


def _run_method(method, model, tset, refs, queries, places, query):
    import numpy as np

    from snn_control.perception.places import harness as h

    if method in ("snn", "snn-noreg"):
        return h.run_snn(model, queries[places], places, regularized=method == "snn")
    if method == "sad":
        return h.run_sad(tset, query, refs, places, places, model.ensemble.n_places)
    n = model.ensemble.n_places
    ref_inputs = np.stack([h.load_inputs(tset, x, model.size, model.patch)[:n] for x in refs])
    return h.run_tempo(ref_inputs, queries[places], places)


def _metrics(result, places, args, distances) -> dict:
    from snn_control.perception.places import harness as h

    return h.metrics_of(result, places, args.tolerance, None if distances is None else distances[places],
                        args.tolerance_m)


def _single_rate(model, queries, n: int = 200) -> float:
    """Queries per second answering one image at a time (as the ROS node does), all modules."""
    import numpy as np

    idx = np.linspace(0, len(queries) - 1, min(n, len(queries))).astype(int)
    start = time.perf_counter()
    for i in idx:
        model.ensemble.match(queries[i:i + 1])
    return float(len(idx) / (time.perf_counter() - start))


def _restricted(model, queries, places, args, distances) -> dict:
    from snn_control.perception.places import harness as h

    e = model.ensemble
    modules = [e.modules_near(int(p), args.restrict) for p in places]
    r = h.run_snn(model, queries[places], places, regularized=True, modules=modules)
    m = _metrics(r, places, args, distances)
    return {"radius_places": args.restrict, "recall_at_1": m["recall_at_1"], "query_hz_single": m["query_hz"],
            "mean_modules": float(sum(len(x) for x in modules) / len(modules))}


def _print_table(out: dict, summary: dict) -> None:
    print(f"query {summary['query']}: {summary['n_places']} test places, {summary['n_modules']} modules, "
          f"threshold {summary['threshold']} ({summary['kept_neurons']} neurons kept)")
    print(f"{'method':<10}" + "".join(f"{k:>16}" for k in KEYS))
    for method, m in out.items():
        print(f"{method:<10}" + "".join(f"{m[k]:>16.3f}" if k != "query_hz" else f"{m[k]:>16.1f}" for k in KEYS))
    print(f"single-image queries (all modules): {summary['query_hz_single']:.1f} Hz")
    if "restricted" in summary:
        r = summary["restricted"]
        print(f"restricted to modules within {r['radius_places']} places ({r['mean_modules']:.1f} modules): "
              f"Recall@1 {r['recall_at_1']:.3f}, {r['query_hz_single']:.1f} Hz one image at a time")
