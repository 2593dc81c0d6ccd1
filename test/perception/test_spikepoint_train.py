"""SpikePoint training: a tiny separable problem is learned, checkpoints resume exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from snn_control.artifacts.store import ArtifactError
from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.data import build_windows
from snn_control.perception.spikepoint.train import TrainConfig, cosine_lr, train_spikepoint
from test_spikepoint_data import blob_sample

CFG = SpikePointConfig(points=32, groups=8, neighbors=4, time_steps=8, min_events=8, classes=("across", "down"))


@pytest.fixture(autouse=True)
def one_thread():
    # tiny tensors: one thread is faster, and immune to the other users of a shared machine
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def windows(n_per_class: int, seed: int, subject: str = "s"):
    # label 0 moves along x, label 1 along y (directions 0 and 90 degrees of four); one window each
    samples = [blob_sample(c, f"{subject}{i}", seed + 10 * i + c, duration_s=0.5, n_classes=4)
               for i in range(n_per_class) for c in (0, 1)]
    return build_windows(samples, CFG, seed)


class Interrupted(Exception):
    pass


def test_training_learns_a_separable_problem_and_overfits_a_few_windows():
    train = windows(3, seed=0)
    # the training windows double as validation: eval-mode accuracy on the windows it was trained on
    result = train_spikepoint(CFG, TrainConfig(epochs=60, batch_size=6, lr=1e-2), train, train)
    losses = [r["loss"] for r in result.rows]
    assert losses[-1] < 0.6 * losses[0]
    val = [r["val_accuracy"] for r in result.rows]
    assert val[0] == 0.5 and sum(v == 1.0 for v in val[-15:]) >= 10  # chance at first, then learned
    assert result.best_val_accuracy == 1.0 and not result.model.training
    assert [r["lr"] for r in result.rows[:2]] == [pytest.approx(1e-2), pytest.approx(cosine_lr(1e-2, 1, 60))]


def test_without_validation_the_last_epoch_is_kept():
    result = train_spikepoint(CFG, TrainConfig(epochs=3, batch_size=4), windows(2, seed=0))
    assert result.best_epoch == 3 and result.best_val_accuracy is None


def test_selection_uses_the_validation_windows():
    train, val = windows(3, seed=0), windows(2, seed=100, subject="v")
    result = train_spikepoint(CFG, TrainConfig(epochs=4, batch_size=4, lr=3e-3), train, val)
    accs = [r["val_accuracy"] for r in result.rows]
    assert result.best_val_accuracy == max(accs)
    assert result.best_epoch == accs.index(max(accs)) + 1


def test_resume_after_an_interruption_reaches_the_same_weights(tmp_path):
    train = windows(2, seed=0)
    cfg = TrainConfig(epochs=3, batch_size=2, lr=2e-3, seed=5)
    whole = train_spikepoint(CFG, cfg, train, run_dir=tmp_path / "a", data_key="d")

    def stop_after_two(row):
        if row["epoch"] == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        train_spikepoint(CFG, cfg, train, run_dir=tmp_path / "b", data_key="d", on_epoch=stop_after_two)
    assert json.loads((tmp_path / "b" / "checkpoint.json").read_text())["epoch"] == 1  # zero-based
    resumed = train_spikepoint(CFG, cfg, train, run_dir=tmp_path / "b", resume=True, data_key="d")
    for name, tensor in whole.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name
    a = torch.load(tmp_path / "a" / "checkpoint.pt", weights_only=True)
    b = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=True)
    for name, tensor in a["model"].items():
        assert torch.equal(tensor, b["model"][name]), name
    assert [r["loss"] for r in whole.rows] == [r["loss"] for r in resumed.rows]
    assert resumed.best_epoch == whole.best_epoch
    # more epochs may be asked for on resume; other settings may not change
    with pytest.raises(ArtifactError, match="lr"):
        train_spikepoint(CFG, TrainConfig(epochs=3, batch_size=2, lr=1e-3, seed=5), train, run_dir=tmp_path / "b",
                         resume=True, data_key="d")
    with pytest.raises(ArtifactError, match="data"):
        train_spikepoint(CFG, cfg, train, run_dir=tmp_path / "b", resume=True, data_key="other")


def test_train_config_validation():
    with pytest.raises(ValueError, match="batch_size"):
        TrainConfig(batch_size=0)
    with pytest.raises(ValueError, match="lr"):
        TrainConfig(lr=-1.0)
    with pytest.raises(ValueError, match="no training windows"):
        train_spikepoint(CFG, TrainConfig(epochs=1), windows(0, seed=0))


def test_augmented_training_regroups_and_window_fraction_draws_a_share():
    from snn_control.perception.spikepoint.train import batch_features

    train = windows(3, seed=0)
    cfg = TrainConfig(epochs=2, batch_size=2, window_fraction=0.5, augment_scale=0.15, augment_shift=0.08,
                      augment_rotate_deg=10.0)
    idx = np.arange(len(train))
    plain = train.features(idx)
    local, cent = batch_features(train, idx, CFG, cfg, np.random.default_rng(0))
    assert local.shape == plain[0].shape and cent.shape == plain[1].shape
    assert not np.allclose(cent, plain[1])  # moved
    np.testing.assert_array_equal(batch_features(train, idx, CFG, cfg.without_augmentation(),
                                                 np.random.default_rng(0))[0], plain[0])
    result = train_spikepoint(CFG, cfg, train)
    assert len(result.rows) == 2 and all(np.isfinite(r["loss"]) for r in result.rows)
    with pytest.raises(ValueError, match="window_fraction"):
        TrainConfig(window_fraction=0.0)
    with pytest.raises(ValueError, match="augment_rotate_deg"):
        TrainConfig(augment_rotate_deg=-1.0)
