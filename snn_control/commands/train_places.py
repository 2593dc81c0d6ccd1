"""``snn-control train places``: train the modular place-recognition SNN ensemble.

    snn-control train places --data DIR --reference spring,fall --out MODEL [--calibrate night|none]
        [--epochs 10] [--places-per-module 25] [--seed 0] [--workers 2] [--backend serial|pool|ray]
        [--address ADDR] [--resume] [--json]

Every module learns ``--places-per-module`` contiguous places from the reference traverses
(Poisson inputs, STDP); module batches go through the population map (``--workers`` processes, or
Ray tasks with ``--backend ray``; the model does not depend on either).
Finished batches are kept in ``MODEL.ckpt/``; ``--resume`` picks them up after an interruption.
``--calibrate TRAVERSE`` chooses the hyperactive-neuron threshold by Recall@1 of that traverse on
the first 20 % of the route (the calibration region, which evaluation then leaves out); the
default is the first non-reference traverse. Writes ``MODEL.npz`` + ``MODEL.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from snn_control.evolve.popmap import add_backend_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="folder with one subfolder per traverse")
    parser.add_argument("--reference", default="spring,fall", help="comma-separated reference traverses")
    parser.add_argument("--out", type=Path, required=True, help="model path (writes .npz and .json)")
    parser.add_argument("--calibrate", default="auto",
                        help="traverse that picks the regularization threshold (auto: first non-reference; none)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--places-per-module", type=int, default=25)
    parser.add_argument("--modules-per-batch", type=int, default=24,
                        help="modules simulated together (bigger: faster per module, more memory)")
    parser.add_argument("--neurons", type=int, default=400, help="excitatory neurons per module")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="processes training module batches")
    add_backend_arguments(parser)
    parser.add_argument("--limit-places", type=int, default=None, help="use only the first N places")
    parser.add_argument("--resume", action="store_true", help="reuse finished batches in MODEL.ckpt/")
    parser.add_argument("--json", action="store_true", help="print the report as JSON on the last line")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from snn_control.evolve.popmap import population_map
    from snn_control.perception.places.data import PlaceDataError, open_traverses
    from snn_control.perception.places.harness import load_inputs
    from snn_control.perception.places.module import ModuleParams
    from snn_control.perception.places.train import PlaceTrainConfig, regions, train_ensemble

    import numpy as np

    name = "snn-control train places"
    try:
        config = PlaceTrainConfig(places_per_module=args.places_per_module, epochs=args.epochs, seed=args.seed,
                                  modules_per_batch=args.modules_per_batch)
        references = [r.strip() for r in args.reference.split(",") if r.strip()]
        if not references:
            raise ValueError("--reference names no traverse")
        tset = open_traverses(args.data)
        calib = _calibration_traverse(args.calibrate, tset.names, references)
        tset = open_traverses(args.data, references + ([calib] if calib else []))
        n = tset.n_places if args.limit_places is None else min(tset.n_places, int(args.limit_places))
        start = time.perf_counter()
        refs = np.stack([load_inputs(tset, r, progress=True)[:n] for r in references])
        cal = load_inputs(tset, calib)[:n] if calib else None
    except (ValueError, PlaceDataError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    load_s = time.perf_counter() - start
    n_modules = len(regions(n, config.places_per_module))
    start = time.perf_counter()
    ckpt = args.out.with_suffix(".ckpt")
    try:
        with population_map(args.workers, args.backend, args.address) as pmap, \
                tqdm(total=n_modules, desc="modules", unit="module") as bar:
            model, report = train_ensemble(refs, config, ModuleParams(n_exc=args.neurons), calibration=cal, pmap=pmap,
                                           on_batch=bar.update, checkpoint_dir=ckpt, resume=args.resume)
    except (ValueError, ImportError, ConnectionError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    report.update({"train_s": round(time.perf_counter() - start, 1), "load_s": round(load_s, 1), "n_places": n,
                   "reference": references, "calibrate": calib, "data": str(args.data), "workers": args.workers,
                   "backend": pmap.backend})
    model.metadata.update({"reference": references, "calibrate": calib, "data": str(args.data),
                           "train_s": report["train_s"]})
    if n < tset.n_places:
        model.metadata["limit_places"] = n
    if references[0] in tset.positions:
        model.positions = tset.positions[references[0]][:n]
    path = model.save(args.out)
    shutil.rmtree(ckpt, ignore_errors=True)
    report["model"] = str(path)
    cal_text = (f", threshold {report['calibration']['threshold']} chosen on {calib}"
                if "calibration" in report else ", no regularization")
    print(f"trained {report['n_modules']} modules for {n} places in {report['train_s']} s{cal_text}; wrote {path}")
    if args.json:
        print(json.dumps(report))
    return 0


def _calibration_traverse(choice: str, names: tuple[str, ...], references: list[str]) -> str | None:
    if choice == "none":
        return None
    if choice == "auto":
        others = [n for n in names if n not in references]
        return others[0] if others else None
    if choice in references:
        raise ValueError(f"--calibrate {choice!r} is a reference traverse; pick another or 'none'")
    return choice
