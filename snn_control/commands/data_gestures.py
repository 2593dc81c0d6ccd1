"""``snn-control data gestures``: generate the synthetic event-gesture data set.

    snn-control data gestures --out DIR [--seed 0] [--subjects 24] [--reps 2] [--duration-s 3] \\
        [--fps 200] [--workers 2] [--preview FILE.png] [--json]

Renders every (subject, repetition, gesture) trial of the MuJoCo upper body headless
(MUJOCO_GL=egl), turns it into events with the emulator and writes the folder that
``load_gesture_dataset(DIR)`` reads (``manifest.json``, ``train/``, ``test/``). Subjects are split
by person (the last 20% are test subjects). The same seed and sizes give the same files.
``--preview`` also draws one frame and the events of each gesture (first test subject) to a PNG.
``--json`` prints the summary (trials, events per trial, wall time) as JSON on the last line.
The defaults (480 trials, 817 MB) took 571 s with 2 workers on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--subjects", type=int, default=24, help="synthetic people (20%% of them test subjects)")
    parser.add_argument("--reps", type=int, default=2, help="trials of each gesture per subject")
    parser.add_argument("--duration-s", type=float, default=3.0, help="length of one trial")
    parser.add_argument("--fps", type=float, default=200.0, help="rendered frames per simulated second")
    parser.add_argument("--workers", type=int, default=2, help="processes rendering subjects in parallel")
    parser.add_argument("--preview", type=Path, default=None, help="also write a preview PNG here")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on the last line")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("MUJOCO_GL", "egl")
    os.environ.setdefault("LP_NUM_THREADS", "0")  # llvmpipe without helper threads: faster here (dataset.py)
    from tqdm import tqdm

    from snn_control.perception.events.types import GESTURE_CLASSES
    from snn_control.perception.gestures.dataset import GestureDataConfig, generate, subjects_by_split

    try:
        if args.workers < 1:
            raise ValueError(f"--workers must be >= 1, got {args.workers}")
        config = GestureDataConfig(seed=args.seed, subjects=args.subjects, reps=args.reps,
                                   duration_s=args.duration_s, fps=args.fps)
    except ValueError as exc:
        print(f"snn-control data gestures: {exc}", file=sys.stderr)
        return 2
    total = config.subjects * config.reps * len(GESTURE_CLASSES)
    start = time.perf_counter()
    with tqdm(total=total, desc="gestures", unit="trial") as bar:
        summary = generate(args.out, config, workers=args.workers, on_trial=lambda *_: bar.update())
    summary["wall_s"] = round(time.perf_counter() - start, 1)
    summary["out"] = str(args.out)
    if args.preview is not None:
        from snn_control.perception.gestures.preview import write_preview

        summary["preview"] = str(write_preview(args.preview, subjects_by_split(config)["test"][0], args.seed))
    for split, s in summary["splits"].items():
        print(f"{split}: {s['trials']} trials of {len(s['subjects'])} subjects, events per trial "
              f"{s['events_mean']:.0f} (min {s['events_min']}, max {s['events_max']})")
    print(f"wrote {args.out} in {summary['wall_s']} s")
    if args.json:
        print(json.dumps(summary))
    return 0
