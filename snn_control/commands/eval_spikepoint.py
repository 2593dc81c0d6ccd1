"""``snn-control eval spikepoint``: score a SpikePoint model on a gesture data set.

    snn-control eval spikepoint --data DIR [--format auto|synthetic|dvs128|tonic] [--model MODEL] \\
        [--split test|all] [--early-exit THRESHOLD] [--sweep-early-exit [TH ...]] [--plot FILE] [--json]

``--model`` defaults to the shipped ``spikepoint_gestures``. Prints accuracy per window (the
``accuracy`` key; the paper's protocol) and per recording (majority of its windows), accuracy per
class, parameters, mean spike rate, synaptic operations and estimated energy per window (45 nm:
0.9 pJ per accumulate, 4.6 pJ per multiply-accumulate; what counts as which is in
:mod:`snn_control.perception.spikepoint.evaluate`), and single-thread speed with preprocessing
(``windows_per_s``; preprocessing and network also apart). ``--early-exit TH`` runs each window
step by step and stops once its confidence reaches TH (adds ``mean_time_steps`` and the measured
time saving). ``--sweep-early-exit`` tabulates accuracy and mean steps over thresholds and plots
them (``--plot``, default ``spikepoint_early_exit.png``). ``--samplings K`` averages each window's
class scores over K independent draws of its N points (and of the input spikes): the voting over
random samplings that point-cloud networks use at test time, K times the network's work
(``windows_per_s`` divides the one-sampling rate by K; spikes and energy count all K).
``--json`` prints the result as JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_SWEEP = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="data set folder")
    parser.add_argument("--format", choices=("auto", "synthetic", "dvs128", "tonic"), default="auto")
    parser.add_argument("--model", default=None, help="model artifact (.pt path or shipped name; default shipped)")
    parser.add_argument("--split", choices=("test", "all"), default="test")
    parser.add_argument("--early-exit", type=float, default=None, metavar="THRESHOLD",
                        help="stop a window's time steps once its confidence reaches THRESHOLD in (0, 1]")
    parser.add_argument("--samplings", type=int, default=1, metavar="K",
                        help="average the class scores of K independent point samplings of each window "
                             "(K times the network's work; not with --early-exit or --sweep-early-exit)")
    parser.add_argument("--exit-min-steps", type=int, default=None, metavar="N",
                        help="early exit from step N on (default: the model's exit_min_steps)")
    parser.add_argument("--sweep-early-exit", type=float, nargs="*", default=None, metavar="TH",
                        help=f"tabulate thresholds (default {' '.join(map(str, DEFAULT_SWEEP))})")
    parser.add_argument("--plot", type=Path, default=Path("spikepoint_early_exit.png"), help="sweep plot")
    parser.add_argument("--batch", type=int, default=16, help="windows per forward pass")
    parser.add_argument("--seed", type=int, default=0, help="point sampling and input spikes")
    parser.add_argument("--speed-windows", type=int, default=24, help="windows timed on one thread (0: skip)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads for the accuracy pass (0: all)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on the last line")


def run(args: argparse.Namespace) -> int:
    import os

    import numpy as np
    import torch

    from snn_control.artifacts.store import ArtifactError
    from snn_control.commands.train_spikepoint import data_provenance
    from snn_control.perception.events.datasets import load_gesture_dataset
    from snn_control.perception.spikepoint.artifact import load_model
    from snn_control.perception.spikepoint.config import SpikePointConfig
    from snn_control.perception.spikepoint.data import build_windows
    from snn_control.perception.spikepoint.evaluate import (accuracy_report, activity_report, measure_speed,
                                                            plot_sweep, predict, sweep_early_exit)
    from snn_control.perception.spikepoint.model import SpikeCounts

    name = "snn-control eval spikepoint"
    try:
        if args.early_exit is not None and not 0.0 < args.early_exit <= 1.0:
            raise ValueError(f"--early-exit must be in (0, 1], got {args.early_exit}")
        if args.samplings < 1:
            raise ValueError(f"--samplings must be >= 1, got {args.samplings}")
        if args.samplings > 1 and (args.early_exit is not None or args.sweep_early_exit is not None):
            raise ValueError("--samplings > 1 does not combine with --early-exit or --sweep-early-exit (yet)")
        if args.batch < 1 or args.speed_windows < 0 or args.threads < 0:
            raise ValueError("--batch must be >= 1, --speed-windows and --threads >= 0")
        model, meta = load_model(args.model)
        if args.exit_min_steps is not None:
            model.cfg = SpikePointConfig.from_dict({**model.cfg.to_dict(), "exit_min_steps": args.exit_min_steps})
        sensor = data_provenance(args.data, args.format).get("sensor")
        if sensor and list(sensor) != [model.cfg.sensor_width, model.cfg.sensor_height]:
            raise ValueError(f"{args.data} was recorded on a {sensor[0]}x{sensor[1]} sensor, the model expects "
                             f"{model.cfg.sensor_width}x{model.cfg.sensor_height}")
        samples = load_gesture_dataset(args.data, args.format, split=args.split)
    except (ValueError, OSError, ArtifactError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    cfg = model.cfg
    windows = build_windows(samples, cfg, args.seed, progress=not args.no_progress)
    if len(windows) == 0:
        print(f"{name}: no window of {args.data} ({args.split}) has {cfg.min_events} events or more", file=sys.stderr)
        return 2
    counts = SpikeCounts()
    rates, steps = predict(model, windows, args.batch, args.seed, threshold=args.early_exit, counts=counts)
    for k in range(1, args.samplings):  # another draw of each window's N points and of the input spikes
        again = build_windows(samples, cfg, args.seed + k, progress=not args.no_progress)
        if not (np.array_equal(again.labels, windows.labels) and np.array_equal(again.t0, windows.t0)):
            raise RuntimeError("point samplings of one data set must give the same windows")  # pragma: no cover
        rates = rates + predict(model, again, args.batch, args.seed + k, counts=counts)[0]
    result = {"model": str(args.model or "spikepoint_gestures"), "split": args.split, "preset": cfg.preset,
              "points": cfg.points, "groups": cfg.groups, "time_steps": cfg.time_steps}
    report = accuracy_report(rates, windows, cfg.classes)
    confusion = report.pop("confusion")
    result.update(report)
    result["n_params"] = model.n_params()
    result["samplings"] = args.samplings
    result.update(activity_report(counts, len(windows)))  # per window: all K samplings
    if args.early_exit is not None:
        result["early_exit"] = args.early_exit
        result["mean_time_steps"] = float(steps.mean())
    if args.speed_windows:
        result.update(measure_speed(model, samples, args.speed_windows, args.seed, args.early_exit))
        if args.samplings > 1:  # K passes of the same work, one after the other
            result["windows_per_s_one_sampling"] = result["windows_per_s"]
            result["windows_per_s"] = result["windows_per_s"] / args.samplings
    if args.sweep_early_exit is not None:
        thresholds = args.sweep_early_exit or DEFAULT_SWEEP
        if not all(0.0 < th <= 1.0 for th in thresholds):
            print(f"{name}: --sweep-early-exit thresholds must be in (0, 1]", file=sys.stderr)
            return 2
        if args.early_exit is None:
            full = result["accuracy"]
        else:  # the all-steps reference for the plot, with the same input spikes
            full_rates, _ = predict(model, windows, args.batch, args.seed)
            full = float((full_rates.argmax(1) == windows.labels).mean())
        result["accuracy_all_steps"] = full
        rows = sweep_early_exit(model, windows, thresholds, args.batch, args.seed)
        result["sweep"] = rows
        result["sweep_plot"] = str(plot_sweep(rows, args.plot, full, cfg.time_steps))
    _print_report(result, confusion)
    if args.json:
        print(json.dumps({**result, "confusion": confusion}))
    return 0


def _print_report(r: dict, confusion: list) -> None:
    print(f"SpikePoint {r['preset']} ({r['n_params']} parameters), {r['split']} split: "
          f"{r['n_windows']} windows of {r['n_samples']} recordings")
    print(f"  accuracy per window {100 * r['accuracy']:.2f} %, per recording (majority) {100 * r['sample_accuracy']:.2f} %")
    for cls, acc in r["per_class_accuracy"].items():
        print(f"    {cls:<28} {'-' if acc is None else f'{100 * acc:.1f} %'}")
    print(f"  mean spike rate {r['mean_spike_rate']:.4f}, {r['synops_per_window'] / 1e6:.2f} M synaptic ops "
          f"per window, {r['energy_uj_per_window']:.2f} uJ per window (45 nm)")
    if "mean_time_steps" in r:
        print(f"  early exit at {r['early_exit']}: {r['mean_time_steps']:.2f} of {r['time_steps']} steps on average")
    if "windows_per_s" in r:
        print(f"  one thread: {r['windows_per_s']:.1f} windows/s ({r['preprocess_ms_per_window']:.1f} ms "
              f"preprocessing + {r['network_ms_per_window']:.1f} ms network per window)")
    if "early_exit_time_saving" in r:
        print(f"  early exit saves {100 * r['early_exit_time_saving']:.0f} % of the network time "
              f"({r['early_exit_ms_per_window']:.1f} vs {r['network_ms_per_window']:.1f} ms per window)")
    if "sweep" in r:
        print("  threshold  accuracy  mean steps")
        for row in r["sweep"]:
            print(f"  {row['threshold']:>9.3f}  {100 * row['accuracy']:7.2f} %  {row['mean_time_steps']:10.2f}")
        print(f"  plot: {r['sweep_plot']}")
