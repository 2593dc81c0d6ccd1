"""Per-generation record of an evolution run: ``log.json`` and a fitness-per-generation PNG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


class EvolveLog:
    """One row per generation (JSON-serializable): fitness statistics plus the loop's own keys.

    ``best``/``worst`` follow the direction of the fitness (``minimize``: costs; else returns).
    """

    def __init__(self, config: dict[str, Any], minimize: bool = True) -> None:
        self.config = dict(config)
        self.minimize = minimize
        self.rows: list[dict[str, Any]] = []

    def add(self, generation: int, fitness: np.ndarray | None = None, **extra: Any) -> dict[str, Any]:
        """Append a row; ``fitness`` (the population's) adds best, median, mean and worst."""
        row: dict[str, Any] = {"generation": int(generation)}
        if fitness is not None:
            f = np.asarray(fitness, dtype=float)
            best, worst = (f.min(), f.max()) if self.minimize else (f.max(), f.min())
            row.update(best=float(best), median=float(np.median(f)), mean=float(f.mean()), worst=float(worst))
        for key, value in extra.items():
            row[key] = round(float(value), 3) if key == "wall_s" else value
        self.rows.append(row)
        return row

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config, "generations": self.rows}

    def write(self, path: str | Path, **extra: Any) -> Path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps({**self.to_dict(), **extra}, indent=1) + "\n")
        return Path(path)

    def load(self, path: str | Path, upto: int) -> None:
        """Rows of an earlier run's log, for generations before ``upto`` (a resumed run)."""
        p = Path(path)
        if p.is_file():
            rows = json.loads(p.read_text()).get("generations", [])
            self.rows = [r for r in rows if r.get("generation", upto) < upto]


def plot_fitness(log: EvolveLog, path: str | Path, titles: dict[str, str] | None = None) -> Path:
    """Best and median fitness per generation, one panel per stage (rows' ``stage``; ``titles``
    names them), held-out scores (rows' ``holdout``) as dots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows_all = [r for r in log.rows if "best" in r]
    stages = list(dict.fromkeys(r.get("stage", "") for r in rows_all)) or [""]
    titles = titles or {}
    direction = "lower" if log.minimize else "higher"
    fig, axes = plt.subplots(1, len(stages), figsize=(6 * len(stages), 3.8), squeeze=False)
    for ax, stage in zip(axes[0], stages):
        rows = [r for r in rows_all if r.get("stage", "") == stage]
        gen = [r["generation"] for r in rows]
        ax.plot(gen, [r["median"] for r in rows], color="0.6", lw=0.8, label="median")
        ax.plot(gen, [r["best"] for r in rows], lw=0.8, label="best (training)")
        held = [(r["generation"], r["holdout"]) for r in rows if r.get("holdout") is not None]
        if held:
            ax.plot(*zip(*held), "o-", ms=3, color="C3", label="best candidate, held-out")
        finite = [r["median"] for r in rows if np.isfinite(r["median"])]
        if finite:
            top = max(finite) if not log.minimize else min(max(finite), 5 * np.median([r["best"] for r in rows]))
            ax.set_ylim(0, top * 1.1)
        ax.set(title=titles.get(stage, stage), xlabel="generation", ylabel=f"fitness ({direction} is better)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return Path(path)
