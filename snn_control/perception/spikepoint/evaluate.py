"""Scores of a trained SpikePoint: accuracy, activity, operations, energy, speed, early exit.

Accuracy. ``accuracy`` is per window (each 0.5 s window is classified alone), the protocol of the
point-cloud line of work SpikePoint follows on DVS128 Gesture (Wang et al. 2019 report both; the
98.74 % of SpikePoint is per window as we read the paper). ``sample_accuracy`` is per recording, by
majority vote of its windows (ties broken by the summed scores).

Operations and energy (45 nm, Horowitz 2014, as SNN papers use them):

    energy = 0.9 pJ x AC + 4.6 pJ x MAC

AC, accumulates: synaptic operations driven by spikes, ``sum over layers of (input spike count x
fan-out)``, for every convolution and fully connected layer. All of SpikePoint's layers get spike
counts: the first two as well, because rate coding turns the features into Bernoulli spikes, and
the layers after an identity residual (counts of 2 or 3 are 2 or 3 accumulates). MAC, multiply-
accumulates on real values: none in this network (batch norm folds into weights and thresholds at
inference). Not counted (the papers' convention): the membrane updates (reported separately as
``neuron_updates_per_window``, one multiply-add per neuron per step), max pooling, the Bernoulli
encoder and the voting mean.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np
import torch

from snn_control.perception.events.types import EventSample
from snn_control.perception.spikepoint.data import WindowSet, recording_windows, window_rng
from snn_control.perception.spikepoint.early_exit import run_early_exit
from snn_control.perception.spikepoint.model import SpikeCounts, SpikePoint
from snn_control.perception.spikepoint.preprocess import preprocess_window

PJ_PER_AC = 0.9
PJ_PER_MAC = 4.6


@torch.no_grad()
def predict(model: SpikePoint, windows: WindowSet, batch: int = 16, seed: int = 0, threshold: float | None = None,
            counts: SpikeCounts | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Class scores ``[W, classes]`` (vote rates) and steps used ``[W]`` of every window.

    Runs the network one time step at a time (:func:`run_early_exit`; ``threshold`` None: all T
    steps). On the CPU that was also the faster way in our trials: all steps at once builds
    ``[T, B, G, K, C]`` tensors that leave the cache (and take GBs at batch 32).
    """
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    rates = np.zeros((len(windows), model.cfg.n_classes), dtype=np.float32)
    steps = np.full(len(windows), model.cfg.time_steps, dtype=np.int64)
    for lo in range(0, len(windows), batch):
        local, cent = (torch.from_numpy(a) for a in windows.features(slice(lo, lo + batch)))
        r, s = run_early_exit(model, local, cent, threshold, gen, counts)
        rates[lo:lo + batch], steps[lo:lo + batch] = r.numpy(), s.numpy()
    return rates, steps


def accuracy_report(rates: np.ndarray, windows: WindowSet, classes: Sequence[str]) -> dict:
    """Per-window ``accuracy``, ``per_class_accuracy`` (by name), ``sample_accuracy`` (majority)."""
    pred = rates.argmax(axis=1)
    labels = windows.labels
    n = len(classes)
    confusion = np.zeros((n, n), dtype=np.int64)
    np.add.at(confusion, (labels, pred), 1)
    per_class = {name: (float(confusion[i, i] / confusion[i].sum()) if confusion[i].sum() else None)
                 for i, name in enumerate(classes)}
    recs = np.unique(windows.recording)
    votes = np.zeros((len(recs), n))
    where = np.searchsorted(recs, windows.recording)
    np.add.at(votes, (where, pred), 1.0)
    score = np.zeros((len(recs), n))
    np.add.at(score, where, rates)
    rec_pred = (votes + 1e-6 * score / max(float(score.max(initial=0.0)), 1e-12)).argmax(axis=1)
    rec_label = windows.recording_labels()[recs]
    return {
        "accuracy": float((pred == labels).mean()) if len(labels) else float("nan"),
        "per_class_accuracy": per_class,
        "sample_accuracy": float((rec_pred == rec_label).mean()) if len(recs) else float("nan"),
        "n_windows": int(len(labels)),
        "n_samples": int(len(recs)),
        "confusion": confusion.tolist(),
    }


def activity_report(counts: SpikeCounts, n_windows: int) -> dict:
    """``mean_spike_rate``, ``synops_per_window``, ``energy_uj_per_window`` and their parts."""
    synops = sum(counts.synops.values()) / max(n_windows, 1)
    macs = 0.0
    return {
        "mean_spike_rate": counts.mean_spike_rate(),
        "synops_per_window": synops,
        "macs_per_window": macs,
        "energy_uj_per_window": (PJ_PER_AC * synops + PJ_PER_MAC * macs) * 1e-6,
        "neuron_updates_per_window": sum(counts.neuron_steps.values()) / max(n_windows, 1),
        "spike_rate_per_layer": {k: counts.spikes[k] / counts.neuron_steps[k] for k in counts.spikes},
    }


def speed_windows(samples: Sequence[EventSample], cfg, n: int) -> list[tuple[np.ndarray, float, float, int]]:
    """The first ``n`` windows with enough events: ``(events, t0, t1, window index)``."""
    out = []
    for sample in samples:
        for w, (t0, t1, sl) in enumerate(recording_windows(sample.events, cfg)):
            if sl.stop - sl.start >= cfg.min_events:
                out.append((sample.events[sl], t0, t1, w))
                if len(out) == n:
                    return out
    return out


def _best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@torch.no_grad()
def measure_speed(model: SpikePoint, samples: Sequence[EventSample], n_windows: int = 24, seed: int = 0,
                  threshold: float | None = None, repeats: int = 2) -> dict:
    """Single-window latency on one thread, as the streaming recognizer runs it: preprocessing, then
    the network step by step over all T steps; with ``threshold`` also with early exit, timed on
    the same windows interleaved with the full runs (the saving is measured, not inferred from the
    mean steps). Each time is the best of ``repeats`` (a shared machine's noise only adds)."""
    model.eval()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        wins = speed_windows(samples, model.cfg, n_windows)
        if not wins:
            return {}
        warm = preprocess_window(*wins[0][:3], model.cfg, window_rng(seed, 0, 0))
        run_early_exit(model, *(torch.from_numpy(a) for a in warm), None, torch.Generator().manual_seed(seed))
        t_pre = t_net = t_exit = 0.0
        for events, t0, t1, w in wins:
            feats = []
            t_pre += _best_time(lambda: feats.append(preprocess_window(events, t0, t1, model.cfg,
                                                                       window_rng(seed, 0, w))), repeats)
            local, cent = (torch.from_numpy(a) for a in feats[0])
            gen_seed = seed * 1_000_003 + w
            t_net += _best_time(lambda: run_early_exit(model, local, cent, None,
                                                       torch.Generator().manual_seed(gen_seed)), repeats)
            if threshold is not None:
                t_exit += _best_time(lambda: run_early_exit(model, local, cent, threshold,
                                                            torch.Generator().manual_seed(gen_seed)), repeats)
        n = len(wins)
        out = {"windows_per_s": n / (t_pre + t_net), "preprocess_ms_per_window": 1e3 * t_pre / n,
               "network_ms_per_window": 1e3 * t_net / n, "speed_windows": n}
        if threshold is not None:
            out.update(early_exit_ms_per_window=1e3 * t_exit / n, early_exit_time_saving=1.0 - t_exit / t_net,
                       early_exit_windows_per_s=n / (t_pre + t_exit))
        return out
    finally:
        torch.set_num_threads(threads)


def sweep_early_exit(model: SpikePoint, windows: WindowSet, thresholds: Sequence[float], batch: int = 16,
                     seed: int = 0) -> list[dict]:
    """``{threshold, accuracy, mean_time_steps}`` per threshold (same input spikes for each)."""
    rows = []
    for th in thresholds:
        rates, steps = predict(model, windows, batch, seed, threshold=float(th))
        rows.append({"threshold": float(th), "accuracy": float((rates.argmax(1) == windows.labels).mean()),
                     "mean_time_steps": float(steps.mean())})
    return rows


def plot_sweep(rows: list[dict], path, full_accuracy: float | None = None, time_steps: int = 16):
    """Accuracy against mean time steps, one point per threshold; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4))
    xs, ys = [r["mean_time_steps"] for r in rows], [100 * r["accuracy"] for r in rows]
    ax.plot(xs, ys, "o-", color="tab:blue", label="early exit")
    for r, x, y in zip(rows, xs, ys):
        ax.annotate(f"{r['threshold']:g}", (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    if full_accuracy is not None:
        ax.axhline(100 * full_accuracy, color="gray", ls="--", lw=1, label=f"all {time_steps} steps")
    ax.set_xlabel("mean time steps per window")
    ax.set_ylabel("accuracy per window (%)")
    ax.set_title("SpikePoint early exit (Dynamic Confidence)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_confusion(confusion: np.ndarray, classes: Sequence[str], path, title: str):
    """Row-normalized confusion matrix (rows: true class) with counts; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    confusion = np.asarray(confusion)
    norm = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(classes)):
        for j in range(len(classes)):
            if confusion[i, j]:
                ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(classes)), classes, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(classes)), classes, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
