"""Place recognition at scale: generate, train and query routes of growing length (prints a table).

    .venv/bin/python bench/bench_places_scale.py --places 600 3300 10000 [--root /tmp/places_scale]
        [--epochs 10] [--workers 2] [--seed 0]

For each length N it runs the real commands: ``snn-control data places`` (spring, fall, summer and
night traverses), ``snn-control train places`` (reference spring + fall, night calibrates the
hyperactivity threshold) and ``snn-control eval places --query summer --method snn,sad
--restrict 25``. It prints N, modules, training time, batched and one-image query rates (all
modules), the restricted rate and Recall@1 of each. Long: about 3, 10 and 30 minutes of training
on the 2-core development machine. Figures are wall-clock and move with other load.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import time
from pathlib import Path

from snn_control.cli import main


def _last_json(argv: list[str]) -> dict:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(argv)
    if rc != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {rc}")
    return json.loads(buf.getvalue().strip().splitlines()[-1])


def run_one(n: int, root: Path, epochs: int, workers: int, seed: int) -> dict:
    data, model = root / f"route{n}", root / f"model{n}"
    if not (data / "manifest.json").is_file():
        _last_json(["data", "places", "--places", str(n), "--out", str(data), "--seed", str(seed),
                    "--traverses", "spring,fall,summer,night", "--workers", str(workers), "--json"])
    start = time.perf_counter()
    trained = _last_json(["train", "places", "--data", str(data), "--out", str(model), "--epochs", str(epochs),
                          "--workers", str(workers), "--seed", str(seed), "--calibrate", "night", "--json"])
    total_s = time.perf_counter() - start
    ev = _last_json(["eval", "places", "--data", str(data), "--model", str(model), "--query", "summer",
                     "--method", "snn,sad", "--restrict", "25", "--json"])
    return {"places": n, "modules": trained["n_modules"], "train_s": trained["train_s"], "train_total_s": total_s,
            "query_hz_batch": ev["query_hz"], "query_hz_single": ev["query_hz_single"],
            "restricted_hz": ev["restricted"]["query_hz_single"], "recall_at_1": ev["recall_at_1"],
            "restricted_recall_at_1": ev["restricted"]["recall_at_1"],
            "sad_recall_at_1": ev["methods"]["sad"]["recall_at_1"], "sad_query_hz": ev["methods"]["sad"]["query_hz"]}


def main_cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, nargs="+", default=[600, 3300, 10000])
    parser.add_argument("--root", type=Path, default=Path("/tmp/places_scale"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    rows = [run_one(n, args.root, args.epochs, args.workers, args.seed) for n in args.places]
    cols = ("places", "modules", "train_s", "query_hz_batch", "query_hz_single", "restricted_hz",
            "recall_at_1", "restricted_recall_at_1", "sad_recall_at_1")
    print(" ".join(f"{c:>22}" for c in cols))
    for r in rows:
        print(" ".join(f"{r[c]:>22.3f}" if isinstance(r[c], float) else f"{r[c]:>22}" for c in cols))
    print(json.dumps(rows))


if __name__ == "__main__":
    main_cli()
