"""The synthetic event-gesture data set: subjects x repetitions x the ten gestures, split by subject.

Generation, all deterministic for ``GestureDataConfig.seed``:

1. :func:`plan_trials` draws the subjects from ``default_rng(seed)`` and splits them (the last
   ``test_fraction`` are test subjects); each trial (subject, repetition, gesture) gets its own
   generator ``default_rng([seed, subject, rep, label])`` for its timing (period = nominal /
   ``speed_scale`` x U(0.9, 1.1), amplitude = ``amplitude_scale`` x U(0.9, 1.1), phase U(0, 2 pi))
   and for the camera and sensor noise, so a trial never depends on the others, on the order of
   work, or on the number of workers.
2. :func:`iter_samples` renders a subject's trials (one model and GL context per subject) and
   turns each into events with the emulator, the subject's threshold C and background rate.
3. :func:`generate` writes every sample with ``events.datasets.save_gesture_sample``
   (``<split>/<subject>/c<label>_r<rep>.npy``), the manifest with ``write_manifest`` (every
   subject's parameters included) and :data:`GENERATION_FILE` (this config, to regenerate it).

Default size (24 subjects, 19 train / 5 test, 2 repetitions, 3 s at 200 frames/s): 380 train and
100 test trials, 11 windows of 0.5 s (0.25 s stride) each; about 135,000 events per trial
(13,000-440,000: dim, distant subjects make few), 817 MB. Measured on this project's 2-core
machine with 2 workers while other work ran on it (load about 3): 571 s wall, 650 CPU-seconds
(about 1.35 CPU-s per trial: rendering two thirds, the emulator most of the rest).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from snn_control.dictio import DictIO
from snn_control.perception.events.types import GESTURE_CLASSES, EventSample
from snn_control.perception.gestures.motions import NOMINAL_PERIOD_S, MotionParams
from snn_control.perception.gestures.render import DEFAULT_FPS
from snn_control.perception.gestures.subjects import Subject, draw_subjects, split_subjects

SPLITS = ("train", "test")
GENERATION_FILE = "generation.json"


@dataclass(frozen=True)
class GestureDataConfig(DictIO):
    """What to generate: ``subjects`` x ``reps`` x 10 gestures, trials of ``duration_s``."""

    seed: int = 0
    subjects: int = 24
    reps: int = 2
    duration_s: float = 3.0
    fps: float = DEFAULT_FPS
    test_fraction: float = 0.2

    def __post_init__(self) -> None:
        for name, low in (("seed", 0), ("subjects", 2), ("reps", 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ValueError(f"GestureDataConfig.{name} must be an int >= {low}, got {v!r}")
        if not 0.05 <= self.duration_s <= 60.0:
            raise ValueError(f"GestureDataConfig.duration_s must be in [0.05, 60], got {self.duration_s!r}")
        if not 10.0 <= self.fps <= 5000.0:
            raise ValueError(f"GestureDataConfig.fps must be in [10, 5000], got {self.fps!r}")
        if not 0.0 < self.test_fraction < 1.0:
            raise ValueError(f"GestureDataConfig.test_fraction must be in (0, 1), got {self.test_fraction!r}")


@dataclass(frozen=True)
class Trial:
    """One recording to make: repetition ``rep`` of gesture ``label`` by ``subject``."""

    split: str
    subject: Subject
    rep: int
    label: int
    params: MotionParams
    noise_seed: int

    @property
    def gesture(self) -> str:
        return GESTURE_CLASSES[self.label]


def subjects_by_split(config: GestureDataConfig) -> dict[str, tuple[Subject, ...]]:
    """The subjects of ``config.seed``, split into ``{"train": ..., "test": ...}``."""
    subjects = draw_subjects(config.subjects, np.random.default_rng(config.seed))
    return split_subjects(subjects, config.test_fraction)


def trial_params(gesture: str, subject: Subject, rng: np.random.Generator) -> MotionParams:
    """One trial's timing and size around the subject's own speed and amplitude."""
    return MotionParams(period_s=NOMINAL_PERIOD_S[gesture] / subject.speed_scale * rng.uniform(0.9, 1.1),
                        amplitude=subject.amplitude_scale * rng.uniform(0.9, 1.1),
                        phase_rad=rng.uniform(0.0, 2.0 * np.pi), style=subject.style)


def plan_trials(config: GestureDataConfig) -> list[Trial]:
    """Every trial of the data set, train then test, each split by subject, rep, gesture."""
    trials = []
    in_draw_order = [(split, subject) for split, group in subjects_by_split(config).items() for subject in group]
    for number, (split, subject) in enumerate(in_draw_order):
        for rep in range(config.reps):
            for label, gesture in enumerate(GESTURE_CLASSES):
                rng = np.random.default_rng([config.seed, number, rep, label])
                trials.append(Trial(split, subject, rep, label, trial_params(gesture, subject, rng),
                                    int(rng.integers(2**63))))
    return trials


def emulator_config(subject: Subject):
    """The event sensor as this subject's recording saw it (threshold C and background rate)."""
    from snn_control.perception.events.emulator import EmulatorConfig

    return EmulatorConfig(threshold_on=subject.event_threshold, threshold_off=subject.event_threshold,
                          noise_rate_hz=subject.event_noise_hz)


def iter_samples(trials: list[Trial], config: GestureDataConfig) -> Iterator[tuple[Trial, EventSample]]:
    """Render and emulate trials of one subject; yields ``(trial, sample)`` in the given order."""
    from snn_control.perception.events.emulator import emulate
    from snn_control.perception.gestures.render import GestureRenderer, RenderConfig

    if len({t.subject for t in trials}) > 1:
        raise ValueError("iter_samples: trials of one subject at a time (one model per subject)")
    with GestureRenderer(trials[0].subject, RenderConfig(fps=config.fps)) as renderer:
        for trial in trials:
            render_rng, sensor_rng = np.random.default_rng(trial.noise_seed).spawn(2)
            frames, times = renderer.trial(trial.gesture, trial.params, config.duration_s, render_rng)
            events = emulate(frames, times, emulator_config(trial.subject), sensor_rng)
            yield trial, EventSample(events=events, label=trial.label, subject=trial.subject.name,
                                     lighting=trial.subject.lighting,
                                     source=f"{trial.subject.name}/c{trial.label:02d}_r{trial.rep}")


def _by_subject(trials: list[Trial]) -> list[list[Trial]]:
    groups: dict[str, list[Trial]] = {}
    for trial in trials:
        groups.setdefault(trial.subject.name, []).append(trial)
    return list(groups.values())


def _rendered(config: GestureDataConfig, trials: list[Trial], workers: int) -> Iterator[tuple[Trial, EventSample]]:
    """Every trial's sample, in plan order; subjects in parallel when ``workers > 1``."""
    groups = _by_subject(trials)
    if workers <= 1:
        for group in groups:
            yield from iter_samples(group, config)
        return
    import multiprocessing

    # spawn: a worker must not inherit a parent's GL context
    with multiprocessing.get_context("spawn").Pool(min(workers, len(groups)), initializer=_init_worker) as pool:
        for done in pool.imap(_render_group, [(group, config) for group in groups]):
            yield from done


def _init_worker() -> None:
    """Mesa's llvmpipe renders on the calling thread (no helper threads): with one worker per core,
    helper threads only compete (measured: 20 trials on 2 workers, 16-22 s instead of 27 s)."""
    os.environ.setdefault("LP_NUM_THREADS", "0")
    os.environ.setdefault("MUJOCO_GL", "egl")


def _render_group(job: tuple[list[Trial], GestureDataConfig]) -> list[tuple[Trial, EventSample]]:
    return list(iter_samples(*job))


def generate(root: str | Path, config: GestureDataConfig, workers: int = 1,
             on_trial: Callable[[Trial, EventSample], None] | None = None) -> dict[str, Any]:
    """Write the data set under ``root``; returns a summary (trials and events per split).

    Args:
        root: Output folder (created).
        config: What to generate.
        workers: Processes rendering subjects in parallel (1: this process).
        on_trial: Called after each trial is written (a progress bar).
    """
    from snn_control.perception.events.datasets import save_gesture_sample, write_manifest

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    trials = plan_trials(config)
    rows = []
    events = {split: [] for split in SPLITS}
    for trial, sample in _rendered(config, trials, workers):
        rows.append(save_gesture_sample(root, sample, trial.split, trial.rep, duration_s=config.duration_s))
        events[trial.split].append(sample.events.size)
        if on_trial is not None:
            on_trial(trial, sample)
    subjects = subjects_by_split(config)
    write_manifest(root, config.seed, {x.name: {"split": s, **x.to_dict()} for s in SPLITS for x in subjects[s]}, rows)
    (root / GENERATION_FILE).write_text(json.dumps({"generator": __name__, **config.to_dict()}, indent=1) + "\n")
    return {
        "config": config.to_dict(),
        "splits": {s: {"trials": len(events[s]), "subjects": [x.name for x in subjects[s]],
                       "events_mean": float(np.mean(events[s])) if events[s] else 0.0,
                       "events_min": int(np.min(events[s])) if events[s] else 0,
                       "events_max": int(np.max(events[s])) if events[s] else 0} for s in SPLITS},
    }
