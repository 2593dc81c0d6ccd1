"""SpikePoint per classified window (0.5 s of events), and the same network run as an ANN.

The counting is SpikePoint's own (:mod:`snn_control.perception.spikepoint.evaluate`, whose rule is
:mod:`snn_control.efficiency.counts`): every layer is fed spike counts (the rate-coded input, and
counts of 2-3 after an identity residual), so its operations are accumulates, ``input count x
fan-out`` (:class:`~snn_control.perception.spikepoint.model.SpikeCounts`), and there are no MACs
(batch norm folds into the weights). Spikes are the LIF layers' (the Bernoulli input spikes drive
accumulates but are not neurons' spikes). Each window is run alone, all T steps, with its own
counts, through the same step-by-step path the recognizer and ``eval spikepoint`` use
(:func:`~snn_control.perception.spikepoint.early_exit.run_early_exit`), and scored with
:func:`~snn_control.perception.spikepoint.evaluate.activity_report`, so the table's figure is
``eval spikepoint``'s.

The non-spiking equivalent: the same layers as an ANN, one pass on real values, every synapse a
MAC: ``sum over layers of positions x C_in x C_out`` (positions = outputs / C_out, read from the
counts' neuron steps divided by T).

Input: the windows of real event recordings: a gesture data set on disk (its test split), or,
by default, ten trials rendered in memory, each of the ten gestures once by the first test subject
of the default synthetic data set (``snn-control data gestures`` with seed 0; about 110 windows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from snn_control.efficiency.counts import DecisionCounts, constant_summary


def rendered_gestures(seed: int = 0, trials: int = 10) -> list:
    """``trials`` test recordings (rep 0 of the first test subject, one per gesture) rendered now."""
    import os

    os.environ.setdefault("MUJOCO_GL", "egl")
    os.environ.setdefault("LP_NUM_THREADS", "0")
    from snn_control.perception.gestures.dataset import GestureDataConfig, iter_samples, plan_trials

    config = GestureDataConfig(seed=seed)
    test = [t for t in plan_trials(config) if t.split == "test" and t.rep == 0]
    chosen = [t for t in test if t.subject == test[0].subject][:trials]
    return [sample for _, sample in iter_samples(chosen, config)]


def load_samples(data: str | Path | None, trials: int = 10, data_seed: int = 0) -> list:
    """The test split of the data set at ``data`` (its first ``trials`` recordings), or
    :func:`rendered_gestures` of the data set of ``data_seed``."""
    if data is None:
        return rendered_gestures(data_seed, trials)
    from snn_control.perception.events.datasets import load_gesture_dataset

    return load_gesture_dataset(data, "auto", split="test")[:trials]


def ann_macs(model, counts, time_steps: int, windows: int = 1) -> float:
    """MACs of one window of ``model`` run as an ANN, from a run's ``counts`` (neuron steps)."""
    from snn_control.perception.spikepoint.model import SpikingConv

    c_in = {m.label: m.c_in for m in model.modules() if isinstance(m, SpikingConv)}
    return float(sum(counts.neuron_steps[name] / (time_steps * windows) * c_in[name] for name in counts.neuron_steps))


def spikepoint(samples: Sequence[Any] | None = None, model_path: str | Path | None = None, seed: int = 0,
               data: str | Path | None = None, trials: int = 10) -> tuple[dict[str, Any], dict[str, Any]]:
    """SpikePoint per window and its ANN equivalent: ``(snn_row, ann_row)``.

    ``samples``: event recordings (default: :func:`load_samples` of ``data``); ``model_path``: a
    SpikePoint artifact (default: the shipped ``spikepoint_gestures``); ``seed``: the points each
    window samples and its input spikes (the rendered recordings are always those of data seed 0).
    """
    import torch

    from snn_control.perception.spikepoint.artifact import load_model
    from snn_control.perception.spikepoint.data import build_windows
    from snn_control.perception.spikepoint.early_exit import run_early_exit
    from snn_control.perception.spikepoint.evaluate import activity_report
    from snn_control.perception.spikepoint.model import SpikeCounts

    model, _ = load_model(model_path)
    samples = load_samples(data, trials) if samples is None else samples
    windows = build_windows(samples, model.cfg, seed)
    if len(windows) == 0:
        raise ValueError(f"no window has {model.cfg.min_events} events or more")
    generator = torch.Generator().manual_seed(seed)
    counts, correct, ann = DecisionCounts(), 0, None
    for w in range(len(windows)):
        c = SpikeCounts()
        local, cent = (torch.from_numpy(a) for a in windows.features(slice(w, w + 1)))
        rates, _ = run_early_exit(model, local, cent, None, generator, c)
        report = activity_report(c, 1)
        counts.add(report["synops_per_window"], report["macs_per_window"], sum(c.spikes.values()),
                   report["neuron_updates_per_window"])
        correct += int(rates[0].argmax()) == int(windows.labels[w])
        ann = ann_macs(model, c, model.cfg.time_steps) if ann is None else ann
    cfg = model.cfg
    neurons = sum(c.neuron_steps.values()) / cfg.time_steps  # neurons of one window (positions x channels)
    snn = {"model": f"SpikePoint ({cfg.preset}, T = {cfg.time_steps})", "decision": f"window ({cfg.window_s:g} s)",
           "neurons": int(round(neurons)), **counts.summary(), "accuracy": correct / len(windows),
           "recordings": len(samples), "seed": seed}
    ann_row = {"model": f"SpikePoint ({cfg.preset}) as an ANN", "decision": f"window ({cfg.window_s:g} s)",
               "neurons": 0, **constant_summary(0.0, ann, 0.0, neurons)}
    return snn, ann_row

