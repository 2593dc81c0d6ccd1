"""SpikePoint evaluation: early exit, accuracy reports, energy, calibration, and the two commands."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from snn_control.cli import main
from snn_control.perception.events.datasets import load_gesture_dataset, save_gesture_sample, write_manifest
from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.data import WindowSet, build_windows
from snn_control.perception.spikepoint.early_exit import confidence, fit_confidence_scale, run_early_exit
from snn_control.perception.spikepoint.evaluate import (PJ_PER_AC, accuracy_report, activity_report, predict,
                                                        sweep_early_exit)
from snn_control.perception.spikepoint.model import SpikeCounts, SpikePoint, rate_code
from test_spikepoint_data import blob_sample

CFG = SpikePointConfig(points=32, groups=8, neighbors=4, time_steps=8, min_events=8)


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def model_and_windows(n=6):
    torch.manual_seed(0)
    model = SpikePoint(CFG).eval()
    ws = build_windows([blob_sample(i % 4, f"s{i}", i, duration_s=0.5) for i in range(n)], CFG)
    return model, ws


def test_early_exit_stops_computing_at_a_low_threshold():
    model, ws = model_and_windows()
    local, cent = (torch.from_numpy(a) for a in ws.features(slice(None)))
    full, low = SpikeCounts(), SpikeCounts()
    rates, steps = run_early_exit(model, local, cent, None, torch.Generator().manual_seed(0), full)
    assert steps.tolist() == [8] * 6
    # confidence is at least 1 / classes, so a threshold at that floor exits after the first step
    r1, s1 = run_early_exit(model, local, cent, 1 / CFG.n_classes, torch.Generator().manual_seed(0), low)
    assert s1.tolist() == [1] * 6
    assert low.neuron_steps["local_in"] * 8 == full.neuron_steps["local_in"]  # 1 of 8 steps computed
    assert sum(low.synops.values()) < sum(full.synops.values())
    _, s_never = run_early_exit(model, local, cent, 1.0, torch.Generator().manual_seed(0))
    assert s_never.tolist() == [8] * 6


def test_early_exit_waits_for_the_models_exit_min_steps():
    model, ws = model_and_windows()
    local, cent = (torch.from_numpy(a) for a in ws.features(slice(None)))
    model.cfg = SpikePointConfig.from_dict({**CFG.to_dict(), "exit_min_steps": 3})
    counts = SpikeCounts()
    _, steps = run_early_exit(model, local, cent, 1 / CFG.n_classes, torch.Generator().manual_seed(0), counts)
    assert steps.tolist() == [3] * 6  # the floor threshold would exit after step 1
    with pytest.raises(ValueError, match="exit_min_steps must be <= time_steps"):
        SpikePointConfig.from_dict({**CFG.to_dict(), "exit_min_steps": 9})
    with pytest.raises(ValueError, match="exit_min_steps must be an integer >= 1"):
        SpikePointConfig.from_dict({**CFG.to_dict(), "exit_min_steps": 0})


def test_early_exit_returns_the_running_scores_at_the_exit_step():
    model, ws = model_and_windows(1)
    local, cent = (torch.from_numpy(a) for a in ws.features(slice(0, 1)))
    # reference: step by step with the same spikes, without exiting
    gen = torch.Generator().manual_seed(3)
    state, total, conf = None, torch.zeros(1, CFG.n_classes), []
    running = []
    with torch.no_grad():
        for t in range(1, 9):
            votes, state = model.forward_steps(rate_code(local, 1, gen), rate_code(cent, 1, gen), state)
            total += votes[0]
            running.append(total / t)
            conf.append(float(confidence(total / t, CFG.confidence_scale)))
    th = sorted(conf)[len(conf) // 2]  # a threshold some step reaches
    exit_step = next(t for t, c in enumerate(conf, 1) if c >= th)
    rates, steps = run_early_exit(model, local, cent, th, torch.Generator().manual_seed(3))
    assert int(steps[0]) == exit_step
    torch.testing.assert_close(rates, running[exit_step - 1])


class _SpikeEcho:
    """A stand-in network whose votes are the mean input spike plus a per-window bias: any change
    in a window's input spikes changes its votes, and the biases spread the confidences."""

    def __init__(self, cfg, b):
        self.cfg = cfg
        self.bias = torch.linspace(0.0, 0.5, b)[:, None] * torch.nn.functional.one_hot(
            torch.arange(b) % cfg.n_classes, cfg.n_classes)

    def forward_steps(self, local_s, cent_s, state, counts):
        bias = self.bias if state is None else state[0]
        votes = 0.2 * local_s.float().mean(dim=(2, 3, 4))[:, :, None] + bias[None]
        return votes, [bias]


def test_windows_that_keep_running_see_the_spikes_of_the_all_steps_run():
    _, ws = model_and_windows()
    local, cent = (torch.from_numpy(a) for a in ws.features(slice(None)))
    net = _SpikeEcho(CFG, len(local))
    full, _ = run_early_exit(net, local, cent, None, torch.Generator().manual_seed(5))
    for th in np.linspace(0.1, 1.0, 181):  # a threshold where some windows exit early and some do not
        rates, steps = run_early_exit(net, local, cent, float(th), torch.Generator().manual_seed(5))
        ran = steps == CFG.time_steps
        if bool(ran.any()) and not bool(ran.all()):
            break
    assert bool(ran.any()) and not bool(ran.all())
    torch.testing.assert_close(rates[ran], full[ran], rtol=0, atol=0)


def test_predict_sweep_and_activity():
    model, ws = model_and_windows()
    counts = SpikeCounts()
    rates, steps = predict(model, ws, batch=4, seed=1, counts=counts)
    assert rates.shape == (6, 10) and (steps == 8).all()
    act = activity_report(counts, len(ws))
    assert act["energy_uj_per_window"] == pytest.approx(PJ_PER_AC * act["synops_per_window"] * 1e-6)
    assert act["macs_per_window"] == 0.0 and 0 < act["mean_spike_rate"] < 1
    rows = sweep_early_exit(model, ws, [0.1, 1.0], batch=4, seed=1)
    assert rows[0]["mean_time_steps"] == 1.0 and rows[1]["mean_time_steps"] == 8.0
    assert rows[1]["accuracy"] == pytest.approx(float((rates.argmax(1) == ws.labels).mean()))  # same spikes


def test_accuracy_report_per_window_per_class_and_majority():
    labels = np.array([0, 0, 0, 1, 1, 2])
    ws = WindowSet(np.zeros((6, 1, 3), np.float32), np.zeros((6, 1), np.uint16), np.zeros((6, 1, 1), np.uint16),
                   labels, np.array([0, 0, 0, 1, 1, 2]), np.zeros(6), ("a", "b", "c"))
    rates = np.eye(3)[[0, 1, 0, 1, 2, 1]] * 0.5
    rates[4, 1] = 0.4  # recording 1: one vote each for classes 1 and 2, the scores break the tie for 1
    r = accuracy_report(rates, ws, ("x", "y", "z"))
    assert r["accuracy"] == pytest.approx(3 / 6)
    assert r["per_class_accuracy"] == {"x": pytest.approx(2 / 3), "y": 0.5, "z": 0.0}
    assert r["sample_accuracy"] == pytest.approx(2 / 3)  # recordings 0 and 1 right, 2 wrong
    assert r["confusion"][0] == [2, 1, 0]


def test_confidence_scale_fit_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    rates = rng.random((4000, 5)).astype(np.float32)
    p = np.exp(12.0 * rates)
    p /= p.sum(1, keepdims=True)
    labels = np.array([rng.choice(5, p=row) for row in p])
    assert fit_confidence_scale(rates, labels) == pytest.approx(12.0, rel=0.15)
    with pytest.raises(ValueError):
        fit_confidence_scale(rates[:0], labels[:0])


@pytest.mark.slow
def test_train_and_eval_commands_end_to_end(tmp_path, capsys):
    data = tmp_path / "data"
    rows, subjects = [], {}
    for i in range(8):
        split = "test" if i >= 6 else "train"
        subject = f"s{i // 2}"
        subjects[subject] = {"split": split}
        sample = blob_sample(i % 4, subject, i, duration_s=1.0)
        rows.append(save_gesture_sample(data, sample, split, index=i, duration_s=1.0))
    write_manifest(data, seed=42, subjects=subjects, rows=rows)
    assert len(load_gesture_dataset(data, split="test")) == 2
    out = tmp_path / "m"
    args = ["train", "spikepoint", "--data", str(data), "--out", str(out), "--epochs", "2", "--points", "32",
            "--groups", "8", "--neighbors", "4", "--time-steps", "4", "--threads", "1", "--window-fraction", "0.5",
            "--augment-rotate", "5", "--augment-scale", "0.15", "--no-progress", "--json"]
    # training in a child process: it tunes the process's allocator (train.keep_freed_memory)
    run = subprocess.run([sys.executable, "-m", "snn_control.cli", *args], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["n_params"] == 159_285 and (tmp_path / "m.pt").is_file()
    log = json.loads((tmp_path / "m_log.json").read_text())
    assert [r["epoch"] for r in log["epochs"]] == [1, 2] and "val_accuracy" in log["epochs"][0]
    assert log["provenance"]["data"]["seed"] == 42 and len(log["provenance"]["data"]["val_subjects"]) == 1
    assert log["train_config"]["window_fraction"] == 0.5 and log["train_config"]["augment_rotate_deg"] == 5.0
    assert log["train_config"]["augment_scale"] == 0.15  # the augmentation, recorded
    assert (tmp_path / "m_confusion.png").stat().st_size > 1000
    assert (tmp_path / "m_run" / "checkpoint.pt").is_file() and (tmp_path / "m_run" / "windows_train.npz").is_file()
    ev = ["eval", "spikepoint", "--data", str(data), "--model", str(out), "--threads", "1", "--speed-windows", "2",
          "--early-exit", "0.5", "--sweep-early-exit", "0.2", "0.9", "--plot", str(tmp_path / "sweep.png"),
          "--no-progress", "--json"]
    assert main(ev) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("accuracy", "per_class_accuracy", "sample_accuracy", "n_params", "windows_per_s",
                "preprocess_ms_per_window", "mean_spike_rate", "synops_per_window", "energy_uj_per_window",
                "mean_time_steps", "early_exit_time_saving", "sweep"):
        assert key in result, key
    assert result["n_windows"] == 2 * 3 and set(result["per_class_accuracy"]) == set(CFG.classes)
    assert (tmp_path / "sweep.png").is_file()
    assert main(["eval", "spikepoint", "--data", str(data), "--model", str(tmp_path / "missing")]) == 2
    # two point samplings per window: their scores averaged, twice the spikes, half the rate
    base = ["eval", "spikepoint", "--data", str(data), "--model", str(out), "--threads", "1", "--speed-windows", "2",
            "--no-progress", "--json"]
    assert main(base) == 0
    one = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(base + ["--samplings", "2"]) == 0
    two = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert one["samplings"] == 1 and two["samplings"] == 2 and two["n_windows"] == one["n_windows"]
    assert two["synops_per_window"] > 1.5 * one["synops_per_window"]
    assert two["windows_per_s"] == pytest.approx(two["windows_per_s_one_sampling"] / 2)
    capsys.readouterr()
    assert main(base + ["--samplings", "0"]) == 2
    assert main(base + ["--samplings", "2", "--early-exit", "0.9"]) == 2
    assert "does not combine" in capsys.readouterr().err
