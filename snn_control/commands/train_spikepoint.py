"""``snn-control train spikepoint``: train SpikePoint on a gesture data set.

    snn-control train spikepoint --data DIR [--format auto|synthetic|dvs128|tonic] --out MODEL \\
        [--epochs 30] [--preset small|large] [--points 1024] [--groups G] [--batch 8] [--seed 0] \\
        [--val-fraction 0.15] [--window-fraction 1.0] [--augment-scale 0] [--augment-shift 0] \
        [--augment-rotate 0] [--no-augment] [--threads N] [--resume] [--device cpu] [--json]

Trains on the data set's training split, holding out whole subjects (``--val-fraction`` of them)
for model selection; the test split is never read. Writes ``MODEL.pt`` + ``MODEL.json`` (the
artifact; ``--out snn_control/artifacts/data/spikepoint_gestures`` regenerates the shipped one),
``MODEL_log.json`` (settings, data, per-epoch loss, accuracies and time), ``MODEL_confusion.png``
(validation windows, selected weights) and ``MODEL_run/`` (the grouped windows' cache and the
checkpoint written after every epoch, which ``--resume`` continues from).

Budget: the shipped weights (``--preset small --points 1024 --groups 128 --batch 8 --epochs 30
--lr 2e-3 --threads 2 --val-fraction 0.1 --window-fraction 0.5`` on ``data gestures --seed 0
--subjects 64 --reps 1``: 4,600 training windows, half of them drawn anew each epoch, and 500
validation windows) took 3,340 s on this project's 2-core machine, about 90 s per epoch (the log
records each epoch's time). The cost grows with G x K, so G = 512 takes several times longer per
epoch. On a machine shared with other jobs, ``--threads 1`` beats two threads that wait on each
other (two threads beside a one-core job ran 3 times slower).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="data set folder")
    parser.add_argument("--format", choices=("auto", "synthetic", "dvs128", "tonic"), default="auto")
    parser.add_argument("--out", type=Path, required=True, help="model artifact path (MODEL.pt + MODEL.json)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--preset", choices=("small", "large"), default="small")
    parser.add_argument("--points", type=int, default=1024, help="N, points sampled per window")
    parser.add_argument("--groups", type=int, default=0, help="G, FPS centroids (default N / 2)")
    parser.add_argument("--neighbors", type=int, default=24, help="K, points per group")
    parser.add_argument("--time-steps", type=int, default=16, help="T, rate-coding steps")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--exit-min-steps", type=int, default=None, metavar="N",
                        help="early exit may stop a window from step N on (default min(4, T))")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0, help="weights, sampling, shuffling, validation subjects")
    parser.add_argument("--val-fraction", type=float, default=0.15, help="share of training subjects held out")
    parser.add_argument("--window-fraction", type=float, default=1.0,
                        help="share of the training windows drawn anew each epoch (default all)")
    parser.add_argument("--augment-scale", type=float, default=0.0, help="image-plane scale jitter, +- share (e.g. 0.15)")
    parser.add_argument("--augment-shift", type=float, default=0.0, help="image-plane shift, up to (sensor = 1; e.g. 0.08)")
    parser.add_argument("--augment-rotate", type=float, default=0.0, help="image-plane rotation, +- degrees (e.g. 10)")
    parser.add_argument("--no-augment", action="store_true", help="train on the cached windows as they are")
    parser.add_argument("--max-windows", type=int, default=0, help="use at most this many training windows (0: all)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: all cores)")
    parser.add_argument("--device", choices=("cpu",), default="cpu")
    parser.add_argument("--resume", action="store_true", help="continue from MODEL_run/checkpoint")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on the last line")


def data_provenance(root: Path, fmt: str) -> dict:
    """Where the data came from; for our synthetic format also the generator's seed and sensor size."""
    info = {"root": str(root), "format": fmt}
    manifest = root / "manifest.json"
    if manifest.is_file():
        try:
            m = json.loads(manifest.read_text())
            info.update(seed=m.get("seed"), sensor=m.get("sensor"))
        except (OSError, ValueError):
            pass
    return info


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from snn_control.artifacts.store import ArtifactError
    from snn_control.perception.events.datasets import detect_format, load_gesture_dataset
    from snn_control.perception.spikepoint.artifact import artifact_paths, save_model
    from snn_control.perception.spikepoint.config import SpikePointConfig
    from snn_control.perception.spikepoint.data import WindowSet, build_windows, cache_key, split_by_subject
    from snn_control.perception.spikepoint.early_exit import fit_confidence_scale
    from snn_control.perception.spikepoint.evaluate import accuracy_report, plot_confusion, predict
    from snn_control.perception.spikepoint.train import TrainConfig, keep_freed_memory, train_spikepoint

    name = "snn-control train spikepoint"
    try:
        fmt = detect_format(args.data) if args.format == "auto" else args.format
        data_info = data_provenance(args.data, fmt)
        sensor = data_info.get("sensor") or (128, 128)
        cfg = SpikePointConfig(preset=args.preset, points=args.points, groups=args.groups, neighbors=args.neighbors,
                               time_steps=args.time_steps, sensor_width=int(sensor[0]), sensor_height=int(sensor[1]),
                               exit_min_steps=min(4, args.time_steps) if args.exit_min_steps is None else args.exit_min_steps)
        tcfg = TrainConfig(epochs=args.epochs, batch_size=args.batch, lr=args.lr, seed=args.seed,
                           augment_scale=args.augment_scale, augment_shift=args.augment_shift,
                           augment_rotate_deg=args.augment_rotate, window_fraction=args.window_fraction)
        if args.no_augment:
            tcfg = tcfg.without_augmentation()
        if args.threads < 0 or args.max_windows < 0:
            raise ValueError("--threads and --max-windows must be >= 0")
        samples = load_gesture_dataset(args.data, fmt, split="train")
        train_s, val_s, val_subjects = split_by_subject(samples, args.val_fraction, args.seed)
    except (ValueError, OSError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    keep_freed_memory()
    progress = not args.no_progress
    pt_path, _ = artifact_paths(args.out)
    stem = pt_path.with_suffix("")
    run_dir = stem.with_name(stem.name + "_run")

    def windows(part, tag):
        key = cache_key(part, cfg, args.seed)
        cached = WindowSet.load(run_dir / f"windows_{tag}.npz", key)
        if cached is None:
            cached = build_windows(part, cfg, args.seed, progress=progress, desc=f"group {tag} windows")
            cached.save(run_dir / f"windows_{tag}.npz", key)
        return cached, key

    t_start = time.perf_counter()
    train_w, train_key = windows(train_s, "train")
    val_w, _ = windows(val_s, "val") if val_s else (None, "")
    if args.max_windows and len(train_w) > args.max_windows:
        keep = np.sort(np.random.default_rng(args.seed).choice(len(train_w), args.max_windows, replace=False))
        train_w = WindowSet(train_w.points[keep], train_w.centroid_idx[keep], train_w.neighbor_idx[keep],
                            train_w.labels[keep], train_w.recording[keep], train_w.t0[keep], train_w.subjects)
    group_s = time.perf_counter() - t_start
    print(f"{len(train_w)} training windows ({len(train_s)} recordings), {len(val_w) if val_w else 0} validation "
          f"windows (subjects {', '.join(val_subjects) or 'none'}); grouping {group_s:.1f} s", file=sys.stderr)
    try:
        result = train_spikepoint(cfg, tcfg, train_w, val_w, run_dir=run_dir, resume=args.resume, progress=progress,
                                  data_key=f"{train_key}:{args.max_windows}",
                                  on_epoch=lambda r: print(json.dumps(r), file=sys.stderr) if progress else None)
    except (ValueError, ArtifactError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    model = result.model
    report_set, report_name = (val_w, "validation") if val_w is not None and len(val_w) else (train_w, "training")
    rates, _ = predict(model, report_set, tcfg.eval_batch, seed=args.seed)
    report = accuracy_report(rates, report_set, cfg.classes)
    beta = fit_confidence_scale(rates, report_set.labels)
    model.cfg = cfg = SpikePointConfig.from_dict({**cfg.to_dict(), "confidence_scale": beta})
    provenance = {
        "data": {**data_info, "train_recordings": len(train_s), "train_windows": len(train_w),
                 "val_subjects": list(val_subjects), "val_windows": len(val_w) if val_w else 0,
                 "skipped_windows": train_w.skipped},
        "training": {**tcfg.to_dict(), "epochs_run": len(result.rows), "best_epoch": result.best_epoch,
                     "wall_s": round(result.wall_s, 1), "threads": torch.get_num_threads()},
        "accuracy": {f"{report_name}_window": report["accuracy"], f"{report_name}_sample": report["sample_accuracy"]},
        "command": " ".join(["snn-control", "train", "spikepoint", *sys.argv[3:]]) if sys.argv[1:3] == ["train", "spikepoint"] else "",
    }
    artifact = save_model(args.out, model, provenance)
    log_path = stem.with_name(stem.name + "_log.json")
    log_path.write_text(json.dumps({"config": cfg.to_dict(), "train_config": tcfg.to_dict(), "provenance": provenance,
                                    "epochs": result.rows, f"{report_name}_report": report}, indent=1) + "\n")
    plot = plot_confusion(report["confusion"], cfg.classes, stem.with_name(stem.name + "_confusion.png"),
                          f"SpikePoint, {report_name} windows: {100 * report['accuracy']:.1f} %")
    summary = {"artifact": str(artifact), "log": str(log_path), "confusion_png": str(plot), "n_params": model.n_params(),
               "best_epoch": result.best_epoch, f"{report_name}_accuracy": report["accuracy"],
               "confidence_scale": beta, "wall_s": round(result.wall_s, 1)}
    print(f"SpikePoint {cfg.preset}: {report_name} accuracy {100 * report['accuracy']:.1f} % per window "
          f"(epoch {result.best_epoch}, {result.wall_s:.0f} s) -> {artifact}")
    if args.json:
        print(json.dumps(summary))
    return 0
