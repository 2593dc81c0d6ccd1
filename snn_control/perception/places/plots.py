"""Figures of an evaluation: precision-recall curves of every method, and a strip of example matches."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from snn_control.perception.places.data import TraverseSet, read_gray
from snn_control.perception.places.metrics import best_match, correct_mask, pr_curve


def plot_results(path: str | Path, results: dict, truth: np.ndarray, tset: TraverseSet, query: str,
                 reference: str, tolerance: int = 0, examples: int = 6, distances: np.ndarray | None = None,
                 tolerance_m: float | None = None) -> Path:
    """PR curves (top) and, for ``examples`` evenly spaced queries, the query image above the first
    method's match (green frame: correct, red: wrong). ``results``: method -> :class:`MethodResult`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(max(8, 1.6 * examples), 8))
    grid = fig.add_gridspec(3, examples, height_ratios=[2.2, 1, 1])
    ax = fig.add_subplot(grid[0, :])
    judged = {}
    for method, r in results.items():
        best, _, confidence = best_match(r.scores, r.min_score)
        ok = correct_mask(best, truth, tolerance, distances, tolerance_m)
        judged[method] = (best, ok)
        p, rec = pr_curve(confidence, ok)
        ax.step(rec, p, where="post", label=f"{method} (R@1 {ok.mean():.2f})")
    rule = f"{tolerance_m:g} m" if distances is not None else f"{tolerance} places"
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02),
           title=f"query {query}: {len(truth)} places, tolerance {rule}")
    ax.legend(loc="lower left")
    first = next(iter(results))
    best, ok = judged[first]
    for col, q in enumerate(np.linspace(0, len(truth) - 1, examples).astype(int)):
        _show(fig.add_subplot(grid[1, col]), read_gray(tset.files[query][truth[q]]), f"{query} {truth[q]}", None)
        img = read_gray(tset.files[reference][best[q]]) if best[q] >= 0 else np.zeros((8, 8), np.uint8)
        _show(fig.add_subplot(grid[2, col]), img, f"{first}: {best[q]}", "tab:green" if ok[q] else "tab:red")
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _show(ax, img: np.ndarray, title: str, frame: str | None) -> None:
    ax.imshow(img, cmap="gray", vmin=0, vmax=255)
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    if frame:
        for side in ax.spines.values():
            side.set_edgecolor(frame)
            side.set_linewidth(3)
