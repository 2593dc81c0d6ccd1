"""``snn-control``: one command line for launching graphs and offline work.

    snn-control launch blimp [--duration S] [--fast] [--profile FILE] [--seed N] [--json] [--plot F]
    snn-control evolve blimp|ncap ...      snn-control eval blimp|ncap ...

Each ``<verb> <target>`` lives in its own module of :mod:`snn_control.commands`, imported only when
used (so ``launch blimp`` never imports torch), exposing ``add_arguments(parser)`` and
``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[tuple[str, str], tuple[str, str]] = {
    ("launch", "blimp"): ("snn_control.commands.launch_blimp", "run the blimp graph (sim, controller, set-points)"),
    ("launch", "swimmer"): ("snn_control.commands.launch_swimmer", "run the swimmer graph (sim, NCAP controller)"),
    ("launch", "perception"): ("snn_control.commands.launch_perception",
                               "run the perception graph (event camera, SpikePoint action recognition)"),
    ("launch", "mission"): ("snn_control.commands.launch_mission",
                            "run the whole mission (blimp, place recognition, gestures, coordinator) with faults"),
    ("evolve", "blimp"): ("snn_control.commands.evolve_blimp", "evolve the blimp PD-SNN or I-SNN with DEAP"),
    ("evolve", "ncap"): ("snn_control.commands.evolve_ncap", "train NCAP / MLP swimmer policies with ES"),
    ("eval", "blimp"): ("snn_control.commands.eval_blimp", "fly a controller on a profile and print metrics"),
    ("eval", "ncap"): ("snn_control.commands.eval_ncap", "evaluate a swimmer policy over seeded episodes"),
    ("train", "spikepoint"): ("snn_control.commands.train_spikepoint", "train SpikePoint on event gestures"),
    ("eval", "spikepoint"): ("snn_control.commands.eval_spikepoint", "score SpikePoint: accuracy, energy, early exit"),
    ("eval", "efficiency"): ("snn_control.commands.eval_efficiency", "synaptic ops and energy per decision, all models"),
    ("data", "gestures"): ("snn_control.commands.data_gestures", "generate the synthetic event-gesture data set"),
    ("data", "places"): ("snn_control.commands.data_places", "generate the synthetic multi-traverse place benchmark"),
    ("train", "places"): ("snn_control.commands.train_places", "train the modular place-recognition SNN ensemble"),
    ("eval", "places"): ("snn_control.commands.eval_places", "score place recognition: Recall@N, PR AUC, query rate"),
    ("export", "nir"): ("snn_control.commands.export_nir", "write the blimp SNN pair or the spiking NCAP as a NIR graph"),
    ("import", "nir"): ("snn_control.commands.import_nir", "read a NIR graph back, validate, simulate and summarize it"),
    ("bench", "control"): ("snn_control.commands.bench_control", "time the on-board control tick, its memory and imports"),
}


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="snn-control", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    by_verb: dict[str, dict[str, tuple[str, str]]] = {}
    for (verb, target), entry in COMMANDS.items():
        by_verb.setdefault(verb, {})[target] = entry
    wanted = argv[:2]
    for verb, targets in by_verb.items():
        verb_parser = verbs.add_parser(verb, help=f"{verb} " + "|".join(targets))
        sub = verb_parser.add_subparsers(dest="target", metavar="TARGET", required=True)
        for target, (module_name, help_text) in targets.items():
            target_parser = sub.add_parser(target, help=help_text)
            target_parser.set_defaults(_module=module_name)
            if wanted == [verb, target]:  # import only the command being run
                _load(module_name).add_arguments(target_parser)
    return parser


def _load(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("snn_control"):
            raise SystemExit(f"snn-control: this command is not available in this version ({module_name})")
        raise SystemExit(f"snn-control: missing dependency {exc.name!r}: pip install -r requirements.txt")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(_load(args._module).run(args) or 0)
    except KeyboardInterrupt:
        print("snn-control: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
