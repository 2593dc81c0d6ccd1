"""Issue 8's reports behind ``snn-control eval blimp``: the robustness matrix and imitation fidelity.

    snn-control eval blimp --robustness [--robustness-sim twin|mujoco] [--random-plants N] [--noise-seeds K]
                           [--controller C]
                           [--profile FILE]
                           [--pd-artifact F] [--i-artifact F] [--seed N] [--json] [--plot FILE.png]
    snn-control eval blimp --imitation [--pd-artifact F] [--i-artifact F] [--seed N] [--json] [--plot FILE.png]

``--robustness`` flies ``--controller`` and the PID over the matrix of
:mod:`snn_control.blimp.robustness` (7 plants x 4 start altitudes x noise seeds N .. N + K - 1, K = 2 by default, on
``--profile`` or the issue's 6 x 70 s profile) and prints one line per cell and the verdict;
``--plot`` draws the heat map. ``--imitation`` scores the PD-SNN and I-SNN open loop on held-out
PID flights (seed 12345 + N) and on constant errors (:mod:`snn_control.blimp.imitation`);
``--plot`` draws the constant-error responses. With ``--json`` the result is one JSON object on the
last stdout line. Exit status 2 with a message on bad input (a missing artifact, a bad profile).

:func:`add_report_arguments` adds the flags to ``eval blimp``'s parser; :func:`run_report` returns
None when neither report is asked for (``eval blimp`` then flies as usual).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

PROG = "snn-control eval blimp"
RANDOM_PLANTS_SEED = 4321  # --random-plants: a seed no training run draws plants from


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    reports = parser.add_mutually_exclusive_group()
    reports.add_argument("--robustness", action="store_true",
                         help="robustness matrix: plants x starts x seeds, beside the PID (--plot: heat map)")
    reports.add_argument("--imitation", action="store_true",
                         help="imitation fidelity of both networks, open loop (--plot: constant-error responses)")
    parser.add_argument("--robustness-sim", choices=("twin", "mujoco"), default="twin",
                        help="simulator of --robustness (default twin: all cells of a seed in one batch)")
    parser.add_argument("--random-plants", type=int, metavar="N",
                        help="--robustness over N plants drawn from the training distribution with a seed "
                        "evolution never uses (4321 + --seed), instead of the issue's matrix")
    parser.add_argument("--noise-seeds", type=int, default=2, metavar="K",
                        help="--robustness: sensor-noise seeds --seed .. --seed + K - 1 per cell (default 2)")


def run_report(args: argparse.Namespace) -> int | None:
    """Run the report ``args`` asks for and print it; None when it asks for none."""
    robustness, imitation = bool(getattr(args, "robustness", False)), bool(getattr(args, "imitation", False))
    if not (robustness or imitation):
        return None
    if robustness and imitation:
        return _refuse("choose one of --robustness and --imitation")
    plot = getattr(args, "plot", None)
    if plot and not Path(plot).resolve().parent.is_dir():
        return _refuse(f"--plot: no such directory: {Path(plot).parent}")
    ignored = ("plant", "initial_altitude", "step_response") + (() if robustness else ("profile",))
    for flag in ignored:
        if getattr(args, flag, None) is not None:
            print(f"{PROG}: --{flag.replace('_', '-')} is ignored by the reports", file=sys.stderr)
    run = _robustness if robustness else _imitation
    result = run(args)
    if isinstance(result, int):
        return result
    summary, text = result
    if plot:
        summary["plot"] = plot
    if getattr(args, "json", False):
        print(json.dumps(summary))
    else:
        print(text + (f"\nplot: {plot}" if plot else ""))
    return 0


def _refuse(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def _robustness(args: argparse.Namespace) -> tuple[dict[str, Any], str] | int:
    from snn_control.artifacts.store import ArtifactError
    from snn_control.blimp.controllers import make_altitude_controller
    from snn_control.blimp.profiles import SetpointProfile
    from snn_control.blimp.robustness import ROBUSTNESS_PROFILE, RobustnessSpec, format_table, plot_heatmap, run_matrix

    name, seed = getattr(args, "controller", "snn"), int(getattr(args, "seed", 0) or 0)
    try:
        profile_path = getattr(args, "profile", None)
        profile = SetpointProfile.load(profile_path) if profile_path else ROBUSTNESS_PROFILE
        n_seeds = int(getattr(args, "noise_seeds", 2))
        if n_seeds < 1:
            raise ValueError(f"--noise-seeds must be >= 1, got {n_seeds}")
        spec = RobustnessSpec(seeds=tuple(range(seed, seed + n_seeds)), profile=profile)
        n_random = getattr(args, "random_plants", None)
        if n_random is not None:
            if n_random < 1:
                raise ValueError(f"--random-plants must be >= 1, got {n_random}")
            from dataclasses import replace

            from snn_control.blimp.plant import PlantDistribution

            import numpy as np

            drawn = PlantDistribution().draw(np.random.default_rng(RANDOM_PLANTS_SEED + seed), n_random)
            spec = replace(spec, plants=tuple(replace(p, name=f"random{k}") for k, p in enumerate(drawn)))
        controller = make_altitude_controller(name, getattr(args, "pd_artifact", None), getattr(args, "i_artifact", None))
    except (ArtifactError, ValueError) as exc:
        return _refuse(str(exc))
    result = run_matrix(controller, spec, sim=getattr(args, "robustness_sim", "twin"), progress=sys.stderr.isatty(),
                        name=name)
    if getattr(args, "plot", None):
        plot_heatmap(result, args.plot)
    return {"report": "robustness", **result}, format_table(result)


def _imitation(args: argparse.Namespace) -> tuple[dict[str, Any], str] | int:
    from snn_control.artifacts.store import ArtifactError
    from snn_control.blimp.imitation import (HELD_OUT_SEED, format_imitation, imitation_report, json_summary,
                                             load_networks, plot_constant_errors)

    pd, i = getattr(args, "pd_artifact", None), getattr(args, "i_artifact", None)
    seed = HELD_OUT_SEED + int(getattr(args, "seed", 0) or 0)
    if seed < 0:
        return _refuse(f"--seed: the held-out seed 12345 + N must be >= 0, got {seed}")
    try:
        load_networks(pd, i)
    except (ArtifactError, ValueError) as exc:
        return _refuse(str(exc))
    result = imitation_report(pd, i, seed=seed)
    if getattr(args, "plot", None):
        plot_constant_errors(result, args.plot)
    return {"report": "imitation", **json_summary(result)}, format_imitation(result)
