"""Training an ensemble: regions, batched module learning, assignment, hyperactivity, calibration.

1. The route's places are cut into regions of ``places_per_module`` contiguous places; module ``m``
   sees its region's images from every reference traverse (the last region may be shorter; its
   images are cycled to fill the batch, so it sees them more often).
2. Modules learn in fixed batches of ``modules_per_batch`` (one vectorized simulation each), and the
   batches go through the project's population map (serial, a process pool, a cluster). Each batch
   draws its randomness from its own child of ``SeedSequence(seed)``, so the result does not
   depend on the number of workers.
3. Neurons get their places from spike counts of a test presentation of the training images
   (Poisson, lateral inhibition, no plasticity), as in the paper; the hyperactivity counts over the
   whole route use the deployed response (:mod:`.response`), since simulating every module on
   every reference image would cost as much as training them all again.
4. The hyperactivity threshold is chosen from :data:`THRESHOLDS` by Recall@1 of a calibration
   query traverse on the calibration modules (the first ``calibration_fraction`` of the route); the
   other modules are never looked at. Without a calibration traverse no neuron is removed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from snn_control.dictio import DictIO
from snn_control.perception.places.encoding import poisson_rates_hz
from snn_control.perception.places.ensemble import PlaceEnsemble
from snn_control.perception.places.module import (ModuleParams, init_weights, normalize_weights, steady_state_mv,
                                                  train_images)
from snn_control.perception.places.response import conductances, expected_counts, fired

# None: no regularization; otherwise neurons firing on >= T reference images are removed.
THRESHOLDS: tuple[int | None, ...] = (None, 5, 10, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200)


@dataclass(frozen=True)
class PlaceTrainConfig(DictIO):
    """How an ensemble is trained (module constants live in :class:`ModuleParams`)."""

    places_per_module: int = 25
    epochs: int = 10
    seed: int = 0
    modules_per_batch: int = 24
    k_active: int = 5
    calibration_fraction: float = 0.2

    def __post_init__(self) -> None:
        for name in ("places_per_module", "epochs", "modules_per_batch", "k_active"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
        if not (0.0 < self.calibration_fraction < 1.0):
            raise ValueError(f"calibration_fraction must lie in (0, 1), got {self.calibration_fraction}")


def regions(n_places: int, places_per_module: int) -> np.ndarray:
    """First place of each region ``(M,)``."""
    return np.arange(0, n_places, places_per_module, dtype=np.int64)


def region_places(start: int, places_per_module: int, n_places: int) -> np.ndarray:
    """The ``places_per_module`` places a module starting at ``start`` trains on: its region's
    places, cycled when the region is short (the last one of a route)."""
    span = max(1, min(places_per_module, n_places - start))
    return start + np.arange(places_per_module) % span


def region_images(refs: np.ndarray, start: int, places_per_module: int) -> np.ndarray:
    """Images ``(R * places_per_module, n_input)`` of one region from ``refs (R, n_places, n_input)``."""
    r, n, _ = refs.shape
    return refs[:, region_places(start, places_per_module, n)].reshape(r * places_per_module, -1)


def train_batch(pixels: np.ndarray, params: dict, epochs: int, seed: np.random.SeedSequence,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train ``b`` modules on ``pixels (b, n_img, n_input)``; returns ``(weights, theta, counts)``.

    ``counts (b, n_img, n_exc)`` are the spike counts of a final test presentation of every
    training image (no plasticity), from which neurons get their places. A picklable task for the
    population map.
    """
    p = ModuleParams.from_dict(params)
    rng = np.random.default_rng(seed)
    b, n_img, _ = pixels.shape
    w = init_weights(b, p, rng)
    theta = initial_theta(w, pixels, p)
    for _ in range(epochs):
        for k in rng.permutation(n_img):
            train_images(w, theta, pixels[:, k], p, rng)
    normalize_weights(w, p)
    counts = np.stack([train_images(w, theta, pixels[:, k], p, rng, learn=False) for k in range(n_img)], axis=1)
    return w, theta, counts


def initial_theta(w: np.ndarray, pixels: np.ndarray, p: ModuleParams) -> np.ndarray:
    """Threshold offsets that put each module's neurons just below rheobase on its own images.

    Patch-normalized images drive every input (mean rate ~32 Hz), so a neuron at the bare
    threshold sits far above rheobase and every neuron of a module fires at once; the adaptive
    threshold would then climb in lock-step for all of them. Starting each module's ``theta`` at
    its mean steady-state potential less 2 mV begins in the competitive regime Diehl & Cook reach
    on sparse MNIST input.
    """
    g = p.tau_ge_s * np.einsum("bki,bij->bkj", poisson_rates_hz(pixels), w)
    v_ss = steady_state_mv(g, p)
    level = v_ss.mean(axis=(1, 2)) - p.v_thresh_e_mv - 2.0
    return np.repeat(level[:, None], p.n_exc, axis=1).astype(np.float32)


def train_modules(refs: np.ndarray, config: PlaceTrainConfig, params: ModuleParams, pmap=None,
                  on_batch: Callable[[int], None] | None = None, checkpoint_dir: Path | None = None,
                  resume: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights ``(M, n_input, n_exc)``, ``theta (M, n_exc)`` and test spike counts ``(M, n_img,
    n_exc)`` (see :func:`train_batch`) of every module of the route.

    With ``checkpoint_dir`` each finished batch is written there; ``resume`` reuses the batches of
    an interrupted run with the same data, config and parameters (anything else is an error).
    """
    starts = regions(refs.shape[1], config.places_per_module)
    seeds = np.random.SeedSequence(config.seed).spawn(math.ceil(len(starts) / config.modules_per_batch))
    jobs = []
    for i, seed in enumerate(seeds):
        chunk = starts[i * config.modules_per_batch:(i + 1) * config.modules_per_batch]
        pixels = np.stack([region_images(refs, int(s), config.places_per_module) for s in chunk])
        jobs.append((pixels, params.to_dict(), config.epochs, seed))
    mapper, width = (pmap.map, max(1, pmap.n_chunks)) if pmap is not None else (map, 1)
    done = _open_checkpoint(checkpoint_dir, resume, refs, config, params) if checkpoint_dir else {}
    for i in done:
        if on_batch is not None:
            on_batch(len(done[i][0]))
    todo = [i for i in range(len(jobs)) if i not in done]
    for r in range(0, len(todo), width):  # rounds of one batch per worker, so progress can show
        ids = todo[r:r + width]
        for i, result in zip(ids, mapper(_train_job, [jobs[i] for i in ids])):
            done[i] = result
            if checkpoint_dir:
                w, theta, counts = result
                np.savez(Path(checkpoint_dir) / f"batch_{i:05d}.npz", w=w, theta=theta, counts=counts)
            if on_batch is not None:
                on_batch(len(result[0]))
    return tuple(np.concatenate([done[i][k] for i in range(len(jobs))]) for k in range(3))


def _open_checkpoint(folder: Path, resume: bool, refs: np.ndarray, config: PlaceTrainConfig,
                     params: ModuleParams) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Finished batches of an earlier run of the same job (``{}`` unless ``resume``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = {"config": config.to_dict(), "params": params.to_dict(), "shape": list(refs.shape),
             "data_sha256": hashlib.sha256(np.ascontiguousarray(refs).tobytes()).hexdigest()}
    meta = folder / "checkpoint.json"
    done: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    if resume and meta.is_file():
        if json.loads(meta.read_text()) != json.loads(json.dumps(stamp)):
            raise ValueError(f"{folder}: the checkpoint is of a different run (data, config or parameters "
                             "differ); remove it or train without --resume")
        for f in sorted(folder.glob("batch_*.npz")):
            with np.load(f, allow_pickle=False) as z:
                done[int(f.stem.split("_")[1])] = (z["w"], z["theta"], z["counts"])
    else:
        for f in folder.glob("batch_*.npz"):
            f.unlink()
    meta.write_text(json.dumps(stamp))
    return done


def _train_job(job: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return train_batch(*job)


def assign(counts: np.ndarray, n_places: int, n_traverses: int, places_per_module: int) -> np.ndarray:
    """Each neuron's place ``(M, n_exc)``: the place of its region it fired most for in the test
    presentation of the training images (``counts (M, n_traverses * places_per_module, n_exc)``,
    summed over traverses); a neuron that never fired gets -1."""
    m, _, n_e = counts.shape
    out = np.full((m, n_e), -1, np.int64)
    for i, s in enumerate(regions(n_places, places_per_module)):
        local = region_places(s, places_per_module, n_places) - s
        per = counts[i].reshape(n_traverses, places_per_module, n_e).sum(axis=0)   # (ppm, n_exc)
        total = np.zeros((local.max() + 1, n_e))
        np.add.at(total, local, per)
        out[i] = np.where(total.max(axis=0) > 0, s + total.argmax(axis=0), -1)
    return out


def hyperactivity(ensemble: PlaceEnsemble, refs: np.ndarray, k_active: int, chunk: int = 256) -> np.ndarray:
    """Reference images (of the whole route, every traverse) on which each of the ensemble's
    neurons fired, ``(K,)``."""
    p = ensemble.params
    w = np.ascontiguousarray(ensemble.weights.T)
    images = refs.reshape(-1, refs.shape[-1])
    total = np.zeros(ensemble.n_neurons, np.int64)
    for a in range(0, len(images), chunk):
        counts = expected_counts(conductances(images[a:a + chunk], w, p), ensemble.theta, p)
        total += fired(counts, ensemble.module, k_active).sum(axis=0)
    return total


def calibrate(ensemble: PlaceEnsemble, queries: np.ndarray, n_calib_places: int) -> dict:
    """Choose the threshold by Recall@1 of ``queries (n_places, n_input)`` on the calibration modules.

    Returns ``{"threshold", "recall_by_threshold", "calibration_places", "calibration_modules"}``
    and leaves the ensemble set to the chosen threshold (ties go to the least removal).
    """
    mods = np.nonzero(ensemble.region_start < n_calib_places)[0]
    places = np.arange(int(ensemble.region_start[mods[-1]] + ensemble.places_per_module))
    places = places[places < ensemble.n_places]
    recall = {}
    for t in THRESHOLDS:
        ensemble.set_threshold(t)
        got = ensemble.match(queries[places], mods).place
        recall[t] = float(np.mean(got == places))
    best = max(recall.values())
    order = [None] + [t for t in THRESHOLDS if t is not None][::-1]   # least removal first
    choice = next(t for t in order if recall[t] == best)
    ensemble.set_threshold(choice)
    match = ensemble.match(queries[places], mods)
    return {"threshold": choice, "recall_by_threshold": {str(k): v for k, v in recall.items()},
            "calibration_places": int(len(places)), "calibration_modules": int(len(mods)),
            "min_confidence": confidence_for_precision(match.confidence, match.place == places, 0.9)}


def confidence_for_precision(confidence: np.ndarray, correct: np.ndarray, precision: float) -> float:
    """The smallest confidence whose accepted matches (confidence >= it) reach ``precision``;
    ``inf`` when no threshold does (then nothing would be accepted)."""
    best = float("inf")
    for c in np.unique(confidence)[::-1]:
        ok = confidence >= c
        if c > 0 and correct[ok].mean() >= precision:
            best = float(c)
    return best


def train_ensemble(refs: np.ndarray, config: PlaceTrainConfig, params: ModuleParams | None = None,
                   calibration: np.ndarray | None = None, pmap=None,
                   on_batch: Callable[[int], None] | None = None, size: int = 28, patch: int = 7,
                   checkpoint_dir: Path | None = None, resume: bool = False):
    """The whole recipe on patch-normalized ``refs (R, n_places, n_input)``; returns ``(model, report)``.

    ``calibration`` (``(n_places, n_input)``, one query traverse) chooses the hyperactivity
    threshold on the calibration modules; without it no neuron is removed.
    """
    from snn_control.perception.places.model import PlaceModel

    if refs.ndim != 3:
        raise ValueError(f"refs must be (traverses, places, n_input), got shape {refs.shape}")
    params = params or ModuleParams(n_input=refs.shape[2])
    if refs.shape[2] != params.n_input:
        raise ValueError(f"refs must be (traverses, places, {params.n_input}), got {refs.shape}")
    if refs.shape[1] < config.places_per_module:
        raise ValueError(f"{refs.shape[1]} places are fewer than one module's {config.places_per_module}")
    n_cal = max(config.places_per_module, int(round(config.calibration_fraction * refs.shape[1])))
    if calibration is not None and len(regions(n_cal, config.places_per_module)) >= len(
            regions(refs.shape[1], config.places_per_module)):
        raise ValueError(f"calibration would take every module of {refs.shape[1]} places and leave none to test; "
                         "use a longer route or no calibration traverse")
    weights, theta, counts = train_modules(refs, config, params, pmap, on_batch, checkpoint_dir, resume)
    weights = weights.astype(np.float16).astype(np.float32)   # as the artifact stores them
    starts = regions(refs.shape[1], config.places_per_module)
    assignment = assign(counts, refs.shape[1], refs.shape[0], config.places_per_module)
    ensemble = PlaceEnsemble.from_modules(params, weights, theta, assignment, np.zeros_like(assignment),
                                          starts, config.places_per_module, refs.shape[1])
    ensemble.activity = hyperactivity(ensemble, refs, config.k_active)
    model = PlaceModel(ensemble, size, patch, {"train": config.to_dict()})
    report = {"n_modules": int(len(starts)), "assigned_neurons": ensemble.n_neurons,
              "places_with_neurons": int(np.unique(ensemble.place).size)}
    if calibration is not None:
        report["calibration"] = calibrate(model.ensemble, calibration, n_cal)
    model.metadata["report"] = report
    return model, report
