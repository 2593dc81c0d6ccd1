"""Training SpikePoint: BPTT with the ATan surrogate, MSE of the vote rates to the one-hot label.

Recipe (Ren et al. 2024): Adam, learning rate 1e-3 with a cosine schedule over the epochs
(lr_e = lr / 2 (1 + cos(pi e / E)) for epoch e = 0..E-1), batches of 8, loss

    L = mean_j (mean_t vote[t]_j - onehot_j)^2,

back-propagated through all T steps. Optional augmentation (ours; the paper's text does not describe
any; off by default): each training window's points get a random rotation (+-10 deg), scale (+-15 %) and shift
(up to 0.08, staying on the sensor) in the image plane and are grouped again (FPS + kNN, a few ms
a window), so the network sees people of other sizes and positions than the few it trains on;
``window_fraction`` < 1 draws that share of the training windows anew each epoch (neighbouring
windows overlap by half, so more people at the same cost beat every window of fewer people).
Model selection by per-window accuracy on validation
subjects held out of the training subjects (never the test split); without validation subjects
the last epoch's weights are kept.

Each epoch shuffles with ``default_rng([seed, epoch])`` and draws input spikes from a torch
generator seeded by ``(seed, epoch)``, and the checkpoint (``run_dir/checkpoint.pt`` + ``.json``,
written after every epoch) holds model, optimizer, best weights and the log, so a resumed run
reaches exactly the weights of an uninterrupted one. The run may change ``epochs`` when resumed
(the cosine schedule then follows the new length); any other setting must match.
"""

from __future__ import annotations

import copy
import ctypes
import io
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from snn_control.artifacts.store import ArtifactError
from snn_control.dictio import DictIO
from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.data import WindowSet
from snn_control.perception.spikepoint.evaluate import predict
from snn_control.perception.spikepoint.model import SpikePoint
from snn_control.perception.spikepoint.preprocess import group_features, group_points, jitter_points

CHECKPOINT = "checkpoint"
RESUMABLE = {"epochs"}


@dataclass(frozen=True)
class TrainConfig(DictIO):
    """Optimization settings (the model's are a :class:`SpikePointConfig`)."""

    epochs: int = 30
    batch_size: int = 8
    lr: float = 1e-3
    seed: int = 0
    eval_batch: int = 16
    augment_scale: float = 0.0  # opt-in (e.g. 0.15, 0.08, 10): no measured gain yet, and the shipped
    augment_shift: float = 0.0  # weights were trained without it, so the README's recipe still rebuilds them
    augment_rotate_deg: float = 0.0
    window_fraction: float = 1.0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "eval_batch"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be > 0, got {self.lr}")
        for name, hi in (("augment_scale", 0.9), ("augment_shift", 0.5), ("augment_rotate_deg", 180.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= hi:
                raise ValueError(f"{name} must be a number in [0, {hi}], got {value!r}")
        if not (isinstance(self.window_fraction, (int, float)) and 0.0 < self.window_fraction <= 1.0):
            raise ValueError(f"window_fraction must be in (0, 1], got {self.window_fraction!r}")

    @property
    def augments(self) -> bool:
        return bool(self.augment_scale or self.augment_shift or self.augment_rotate_deg)

    def without_augmentation(self) -> "TrainConfig":
        return TrainConfig.from_dict({**self.to_dict(), "augment_scale": 0.0, "augment_shift": 0.0,
                                      "augment_rotate_deg": 0.0})


@dataclass
class TrainResult:
    model: SpikePoint  # the selected (best validation) weights, eval mode
    rows: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = 0
    best_val_accuracy: float | None = None
    wall_s: float = 0.0


def keep_freed_memory() -> None:
    """Ask glibc to keep freed memory for reuse instead of returning it to the kernel.

    A training step allocates and frees tensors of hundreds of MB; by default each comes from a
    fresh ``mmap`` and costs page faults on every touch, which more than halved the speed of a
    step here (measured: 236 -> 135 ms per window at N = 512). Safe to call once per process; a
    no-op where glibc's ``mallopt`` is not found.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_max = -1, -4
    libc.mallopt(m_mmap_max, 0)
    libc.mallopt(m_trim_threshold, 1 << 30)


def cosine_lr(lr: float, epoch: int, epochs: int) -> float:
    return 0.5 * lr * (1.0 + math.cos(math.pi * epoch / epochs))


def batch_features(windows: WindowSet, idx: np.ndarray, model_cfg: SpikePointConfig, cfg: TrainConfig,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The network's inputs for training windows ``idx``: augmented and grouped again when
    ``cfg`` augments, else the cached grouping's."""
    if not cfg.augments:
        return windows.features(idx)
    pts = jitter_points(windows.points[idx], rng, cfg.augment_scale, cfg.augment_shift, cfg.augment_rotate_deg)
    cidx, nidx = group_points(pts, model_cfg.groups, model_cfg.neighbors)
    return group_features(pts, cidx, nidx)


def train_epoch(model: SpikePoint, opt: torch.optim.Optimizer, windows: WindowSet, cfg: TrainConfig, epoch: int,
                progress: bool = False) -> tuple[float, float]:
    """One pass over ``windows`` (or ``cfg.window_fraction`` of them); returns ``(mean loss,
    training accuracy)``."""
    from tqdm import tqdm

    model.train()
    order = np.random.default_rng([cfg.seed, epoch]).permutation(len(windows))
    order = order[:max(1, int(round(cfg.window_fraction * len(order))))]
    aug_rng = np.random.default_rng([cfg.seed, epoch, 1])
    gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + epoch)
    eye = torch.eye(model.cfg.n_classes)
    loss_sum, correct = 0.0, 0
    batches = range(0, len(order), cfg.batch_size)
    bar = tqdm(batches, desc=f"epoch {epoch + 1}/{cfg.epochs}", unit="batch", disable=not progress, leave=False)
    for lo in bar:
        idx = np.sort(order[lo:lo + cfg.batch_size])
        local, cent = (torch.from_numpy(a) for a in batch_features(windows, idx, model.cfg, cfg, aug_rng))
        labels = torch.from_numpy(windows.labels[idx])
        rates = model(local, cent, gen).mean(dim=0)
        loss = torch.nn.functional.mse_loss(rates, eye[labels])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        value = loss.item()
        loss_sum += value * len(idx)
        correct += int((rates.argmax(dim=1) == labels).sum())
        bar.set_postfix(loss=f"{value:.4f}")
    return loss_sum / len(order), correct / len(order)


def _save_checkpoint(run_dir: Path, config: dict, state: dict) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    tmp = run_dir / f"{CHECKPOINT}.pt.tmp"
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(run_dir / f"{CHECKPOINT}.pt")
    (run_dir / f"{CHECKPOINT}.json").write_text(json.dumps({"config": config, "epoch": state["epoch"]}, indent=1))


def _load_checkpoint(run_dir: Path, config: dict) -> dict:
    where = run_dir / f"{CHECKPOINT}.json"
    try:
        saved = json.loads(where.read_text())["config"]
    except (OSError, ValueError, KeyError) as exc:
        raise ArtifactError(f"{where}: cannot read checkpoint settings ({exc})") from None
    diff = sorted(k for k in set(saved) | set(config) if k not in RESUMABLE and saved.get(k) != config.get(k))
    if diff:
        raise ArtifactError(f"{where}: the run's settings differ from the checkpoint's ({diff})")
    try:
        return torch.load(run_dir / f"{CHECKPOINT}.pt", map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ArtifactError(f"{run_dir / (CHECKPOINT + '.pt')}: cannot read ({type(exc).__name__}: {exc})") from None


def train_spikepoint(model_cfg: SpikePointConfig, cfg: TrainConfig, train_set: WindowSet,
                     val_set: WindowSet | None = None, run_dir: str | Path | None = None, resume: bool = False,
                     progress: bool = False, data_key: str = "",
                     on_epoch: Callable[[dict], None] | None = None) -> TrainResult:
    """Train from scratch (or from ``run_dir``'s checkpoint with ``resume``); see the module docstring.

    ``data_key`` identifies the training data (a resumed run must see the same); ``on_epoch`` is
    called with each epoch's log row after its checkpoint is written.
    """
    if len(train_set) == 0:
        raise ValueError("no training windows")
    with torch.random.fork_rng():  # seeded initial weights, the global generator left alone
        torch.manual_seed(cfg.seed)
        model = SpikePoint(model_cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    settings = json.loads(json.dumps({"model": model_cfg.to_dict(), **cfg.to_dict(), "data": data_key}))
    run_dir = Path(run_dir) if run_dir is not None else None
    rows: list[dict] = []
    best_state, best_acc, best_epoch, first, wall0 = None, None, 0, 0, 0.0
    if resume and run_dir is not None and (run_dir / f"{CHECKPOINT}.pt").is_file():
        ck = _load_checkpoint(run_dir, settings)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        best_state, best_acc, best_epoch = ck["best_state"], ck["best_acc"], ck["best_epoch"]
        rows, first, wall0 = json.loads(ck["rows"]), ck["epoch"] + 1, ck["wall_s"]
    start = time.perf_counter() - wall0
    for epoch in range(first, cfg.epochs):
        for group in opt.param_groups:
            group["lr"] = cosine_lr(cfg.lr, epoch, cfg.epochs)
        t0 = time.perf_counter()
        loss, train_acc = train_epoch(model, opt, train_set, cfg, epoch, progress)
        row = {"epoch": epoch + 1, "loss": loss, "train_accuracy": train_acc, "lr": opt.param_groups[0]["lr"]}
        select_acc = math.inf  # no validation windows: keep the last epoch (training accuracy is a
        if val_set is not None and len(val_set):  # moving, train-mode figure, no ground for selection)
            rates, _ = predict(model, val_set, cfg.eval_batch, seed=cfg.seed)
            row["val_accuracy"] = select_acc = float((rates.argmax(1) == val_set.labels).mean())
        row["epoch_s"] = round(time.perf_counter() - t0, 2)
        row["wall_s"] = round(time.perf_counter() - start, 2)
        rows.append(row)
        if best_acc is None or select_acc > best_acc or math.isinf(select_acc):
            best_acc, best_epoch = select_acc, epoch + 1
            best_state = copy.deepcopy(model.state_dict())
        if run_dir is not None:
            _save_checkpoint(run_dir, settings, {
                "model": model.state_dict(), "optimizer": opt.state_dict(), "best_state": best_state,
                "best_acc": best_acc, "best_epoch": best_epoch, "rows": json.dumps(rows), "epoch": epoch,
                "wall_s": time.perf_counter() - start})
        if on_epoch is not None:
            on_epoch(row)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    has_val = val_set is not None and len(val_set) > 0
    return TrainResult(model, rows, best_epoch, best_acc if has_val else None, time.perf_counter() - start)
