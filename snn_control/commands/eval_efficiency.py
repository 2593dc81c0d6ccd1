"""``snn-control eval efficiency``: synaptic operations, spikes and energy per decision, one table.

    snn-control eval efficiency [--seed N] [--blimp-flights 3] [--episodes 2] [--gestures DIR] \\
        [--gesture-trials 10] [--no-spikepoint] [--markdown] [--json]

Measures every spiking model on a real run beside its non-spiking equivalents
(:mod:`snn_control.efficiency.table`): the blimp PD-SNN + I-SNN in closed-loop twin flights of the
paper profile (five plants per seed) beside the PID and the pair's graph as a rate network; the
spiking NCAP over MuJoCo swimmer episodes beside the rate NCAP and the MLP; SpikePoint over event
windows (default: ten gestures rendered now, about 100 windows; ``--gestures DIR``: the test split
of a data set on disk) beside the same layers as an ANN. Each cell is the mean per decision with
the max in parentheses; the counting rule is printed under the table (and in
:mod:`snn_control.efficiency.counts`). ``--json`` prints ``{"rule", "rows"}`` on the last line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0,
                        help="first flight / episode seed; SpikePoint's sampling seed")
    parser.add_argument("--blimp-flights", type=int, default=3, help="seeds of blimp flights (five plants each)")
    parser.add_argument("--episodes", type=int, default=2, help="swimmer episodes (1000 control steps each)")
    parser.add_argument("--gestures", default=None, metavar="DIR", help="gesture data set (its test split)")
    parser.add_argument("--gesture-trials", type=int, default=10, help="recordings SpikePoint classifies")
    parser.add_argument("--no-spikepoint", action="store_true", help="skip SpikePoint (no torch)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on the last line")


def run(args: argparse.Namespace) -> int:
    from snn_control.efficiency.table import efficiency_table, format_table

    name = "snn-control eval efficiency"
    for flag, value in (("--blimp-flights", args.blimp_flights), ("--episodes", args.episodes),
                        ("--gesture-trials", args.gesture_trials)):
        if value < 1:
            print(f"{name}: {flag} must be >= 1, got {value}", file=sys.stderr)
            return 2
    if args.seed < 0:
        print(f"{name}: --seed must be >= 0, got {args.seed}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        result = efficiency_table(args.seed, args.blimp_flights, args.episodes, not args.no_spikepoint,
                                  args.gestures, args.gesture_trials,
                                  progress=lambda msg: print(f"... {msg}", file=sys.stderr, flush=True))
    except (ValueError, OSError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    result["wall_s"] = round(time.perf_counter() - start, 1)
    print(format_table(result["rows"], markdown=args.markdown))
    print(f"\nper decision: mean (max). {result['rule']}.")
    for row in result["rows"]:
        if "returns" in row:
            print(f"{row['model']}: episode returns {row['returns']}")
        if "accuracy" in row:
            print(f"{row['model']}: {row['decisions']} windows of {row['recordings']} recordings, "
                  f"accuracy {100 * row['accuracy']:.1f} %")
        if "rmse_m" in row:
            print(f"{row['model']}: {row['flights']} flights ({', '.join(row['plants'])} x seeds {row['seeds']}), "
                  f"{row['decisions']} ticks, RMSE {min(row['rmse_m']):.3f}-{max(row['rmse_m']):.3f} m")
    print(f"wall {result['wall_s']} s")
    if args.json:
        print(json.dumps(result))
    return 0
