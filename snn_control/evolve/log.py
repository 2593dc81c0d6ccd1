"""Per-generation record of an evolution run: ``log.json`` and a fitness-per-generation PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


class EvolveLog:
    """Fitness statistics per generation (JSON-serializable)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = dict(config)
        self.rows: list[dict[str, Any]] = []

    def add(self, generation: int, stage: str, fitness: np.ndarray, sigma: float, holdout: float | None,
            wall_s: float) -> None:
        f = np.asarray(fitness, dtype=float)
        self.rows.append({
            "generation": int(generation), "stage": stage,
            "best": float(f.min()), "median": float(np.median(f)), "mean": float(f.mean()),
            "worst": float(f.max()), "sigma": float(sigma),
            "holdout": None if holdout is None else float(holdout), "wall_s": round(float(wall_s), 3),
        })

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config, "generations": self.rows}

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n")

    def load(self, path: str | Path, upto: int) -> None:
        """Rows of an earlier run's log, for generations before ``upto`` (a resumed run)."""
        p = Path(path)
        if p.is_file():
            rows = json.loads(p.read_text()).get("generations", [])
            self.rows = [r for r in rows if r.get("generation", upto) < upto]


def plot_fitness(log: EvolveLog, path: str | Path) -> Path:
    """Best and median fitness per generation, one panel per stage, held-out scores as dots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = list(dict.fromkeys(r["stage"] for r in log.rows)) or ["imitation"]
    titles = {"imitation": "imitation: MAE + 1 - Pearson", "closed_loop": "closed loop: tracking cost"}
    fig, axes = plt.subplots(1, len(stages), figsize=(6 * len(stages), 3.8), squeeze=False)
    for ax, stage in zip(axes[0], stages):
        rows = [r for r in log.rows if r["stage"] == stage]
        gen = [r["generation"] for r in rows]
        ax.plot(gen, [r["median"] for r in rows], color="0.6", lw=0.8, label="median")
        ax.plot(gen, [r["best"] for r in rows], lw=0.8, label="best (training)")
        held = [(r["generation"], r["holdout"]) for r in rows if r["holdout"] is not None]
        if held:
            ax.plot(*zip(*held), "o-", ms=3, color="C3", label="best candidate, held-out")
        finite = [r["median"] for r in rows if np.isfinite(r["median"])]
        if finite:
            ax.set_ylim(0, min(max(finite), 5 * np.median([r["best"] for r in rows])) * 1.1)
        ax.set(title=titles.get(stage, stage), xlabel="generation", ylabel="fitness (lower is better)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return Path(path)
