"""Checkpoints of an evolution run: strategy state, extra arrays and the run's settings.

A checkpoint is an artifact (``checkpoint.npz`` + ``checkpoint.json`` in the run folder, see
:mod:`snn_control.artifacts.store`): the strategy's arrays and scalars (``state()``), any arrays
the robot's loop keeps (best genomes, candidates), the generation reached, the settings of the run
and, when the run draws from one generator throughout, that generator's state. Loading refuses a
checkpoint whose settings differ from the run's (except the keys a run may change when resumed,
e.g. the number of generations), naming the keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from snn_control.artifacts.store import ArtifactError, load_artifact, save_artifact
from snn_control.evolve.strategies import strategy_from_state

CHECKPOINT_VERSION = 1
STEM = "checkpoint"


class Checkpoint(NamedTuple):
    generation: int
    strategy: Any
    arrays: dict[str, np.ndarray]  # the loop's own arrays (strategy arrays removed)
    meta: dict[str, Any]  # the loop's own metadata
    rng: np.random.Generator | None


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


def save_checkpoint(out_dir: str | Path, kind: str, config: dict[str, Any], generation: int, strategy: Any,
                    arrays: dict[str, np.ndarray] | None = None, meta: dict[str, Any] | None = None,
                    rng: np.random.Generator | None = None) -> Path:
    """Write ``out_dir/checkpoint.npz/.json``; returns the npz path."""
    s_arrays, s_scalars = strategy.state()
    clash = set(s_arrays) & set(arrays or {})
    if clash:
        raise ValueError(f"checkpoint arrays {sorted(clash)} clash with the strategy's")
    info = {"config": _plain(config), "generation": int(generation), "strategy": strategy.name,
            "strategy_state": s_scalars, "strategy_arrays": sorted(s_arrays), "loop": meta or {},
            "rng": None if rng is None else rng.bit_generator.state}
    return save_artifact(Path(out_dir) / STEM, kind, CHECKPOINT_VERSION, {**s_arrays, **(arrays or {})}, info)


def has_checkpoint(out_dir: str | Path) -> bool:
    return (Path(out_dir) / f"{STEM}.json").is_file()


def load_checkpoint(out_dir: str | Path, kind: str, config: dict[str, Any], resumable: set[str] = frozenset()) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint` for a run with settings ``config``."""
    where = Path(out_dir) / f"{STEM}.json"
    arrays, info = load_artifact(Path(out_dir) / STEM, kind, CHECKPOINT_VERSION)
    try:
        saved = _plain(info["config"])
        mine = _plain(config)
        diff = sorted(k for k in set(mine) | set(saved) if k not in resumable and mine.get(k) != saved.get(k))
        if diff:
            raise ArtifactError(f"{where}: the run's settings differ from the checkpoint's ({diff})")
        s_arrays = {k: arrays.pop(k) for k in info["strategy_arrays"]}
        strategy = strategy_from_state(info["strategy"], s_arrays, info["strategy_state"])
        rng = None
        if info.get("rng") is not None:
            rng = np.random.default_rng()
            rng.bit_generator.state = info["rng"]
        return Checkpoint(int(info["generation"]), strategy, arrays, dict(info.get("loop", {})), rng)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ArtifactError):
            raise
        raise ArtifactError(f"{where}: malformed checkpoint ({exc})") from None
