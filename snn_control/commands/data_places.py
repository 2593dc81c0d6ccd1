"""``snn-control data places``: generate the synthetic multi-traverse place benchmark.

    snn-control data places --out DIR [--places 600] [--seed 0] [--width 128 --height 96] \\
        [--traverses spring,fall,summer,winter,night] [--workers 2] [--preview FILE.png] [--force] [--json]

Renders the same seeded route once per traverse (season, light, weather, night) and writes the
folder that ``open_traverses(DIR)`` reads: ``<traverse>/%05d.png``, ``<traverse>/positions.csv``
and ``manifest.json`` (see :mod:`snn_control.perception.places.synth`). The same seed and sizes
give byte-identical files, with any number of workers. A folder that is not empty and holds no
earlier place benchmark is refused unless ``--force``; an earlier benchmark there is replaced.
``--preview`` also draws a grid of a few places x every traverse to a PNG. ``--json`` prints the
summary as JSON on the last line. 600 places x 5 traverses at 128 x 96 (76 MB) took 8-9 s with
one worker and 5.4 s with two on the 2-core development machine; 10,000 places take about 25 times
as long.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from snn_control.perception.places.synth import CONDITIONS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--places", type=int, default=600, help="places per traverse")
    parser.add_argument("--seed", type=int, default=0, help="the route and every random choice")
    parser.add_argument("--width", type=int, default=128, help="image width, pixels")
    parser.add_argument("--height", type=int, default=96, help="image height, pixels")
    parser.add_argument("--traverses", default=",".join(CONDITIONS),
                        help=f"comma-separated conditions, each at most once, among {','.join(CONDITIONS)}")
    parser.add_argument("--place-spacing-m", type=float, default=10.0, help="distance between places, metres")
    parser.add_argument("--workers", type=int, default=2, help="processes rendering places in parallel")
    parser.add_argument("--preview", type=Path, default=None, help="also write a preview PNG here")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder that is no benchmark")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on the last line")


def _refusal(out: Path, force: bool) -> str | None:
    """Why ``out`` must not be written, or None."""
    from snn_control.perception.places.synth import is_place_benchmark

    if out.exists() and not out.is_dir():
        return f"{out} exists and is not a folder"
    if force or not out.is_dir() or is_place_benchmark(out) or not any(out.iterdir()):
        return None
    return f"{out} is not empty and holds no place benchmark (no manifest.json of this generator); use --force"


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from snn_control.perception.places.synth import PlaceBenchConfig, generate_places, write_preview

    try:
        if args.workers < 1:
            raise ValueError(f"--workers must be >= 1, got {args.workers}")
        config = PlaceBenchConfig(places=args.places, seed=args.seed, width=args.width, height=args.height,
                                  traverses=tuple(t.strip() for t in args.traverses.split(",") if t.strip()),
                                  place_spacing_m=args.place_spacing_m)
        refusal = _refusal(args.out, args.force)
        if refusal:
            raise ValueError(refusal)
        start = time.perf_counter()
        with tqdm(total=config.places * len(config.traverses), desc="places", unit="img") as bar:
            summary = generate_places(args.out, config, workers=args.workers, on_image=lambda *_: bar.update())
        if args.preview is not None:
            summary["preview"] = str(write_preview(args.preview, args.out))
    except (ValueError, OSError) as exc:
        print(f"snn-control data places: {exc}", file=sys.stderr)
        return 2
    summary["wall_s"] = round(time.perf_counter() - start, 2)
    print(f"{summary['n_places']} places x {len(config.traverses)} traverses ({', '.join(config.traverses)}) "
          f"at {config.width} x {config.height}: {summary['images']} images, {summary['images_per_s']} images/s")
    print(f"wrote {args.out} in {summary['wall_s']} s")
    if args.json:
        print(json.dumps(summary))
    return 0
