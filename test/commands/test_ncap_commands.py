"""``snn-control evolve ncap`` and ``snn-control eval ncap`` end to end (small budgets)."""

from __future__ import annotations

import json
import os

import pytest

from snn_control.cli import main
from snn_control.swimmer.policy import load_policy


def _last_json(capsys) -> dict:
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


def test_eval_untrained_rate_prints_json_last(capsys):
    rc = main(["eval", "ncap", "--links", "6", "--variant", "rate", "--untrained", "--episodes", "2", "--seed", "3",
               "--episode-steps", "100", "--json"])
    assert rc == 0
    result = _last_json(capsys)
    assert {"mean_return", "std_return", "n_params"} <= set(result)
    assert result["n_params"] == 4 and result["episodes"] == 2 and len(result["returns"]) == 2
    assert 0 < result["mean_return"] <= 100


def test_eval_shipped_spiking_transfers_to_another_body(capsys):
    rc = main(["eval", "ncap", "--links", "8", "--variant", "spiking", "--episodes", "1", "--episode-steps", "60",
               "--json"])
    assert rc == 0
    result = _last_json(capsys)
    assert result["weights"] == "ncap_spiking_6link" and result["links"] == 8


@pytest.mark.parametrize(
    "argv, message",
    [(["--variant", "mlp"], "--artifact"), (["--links", "2", "--untrained"], "--links"),
     (["--episodes", "0", "--untrained"], "--episodes"), (["--artifact", "/nonexistent/x.npz"], "not found"),
     (["--untrained", "--video", "out.avi", "--episode-steps", "3", "--episodes", "1"], ".gif or .mp4")],
)
def test_eval_bad_input_exits_2_with_a_message(capsys, argv, message):
    assert main(["eval", "ncap", *argv]) == 2
    assert message in capsys.readouterr().err


def test_evolve_writes_artifact_log_and_plot_then_eval_reads_it(tmp_path, capsys):
    rc = main(["evolve", "ncap", "--links", "4", "--variant", "rate", "--algorithm", "es", "--population", "4",
               "--steps", "800", "--episode-steps", "100", "--eval-every", "1", "--eval-episodes", "1",
               "--test-episodes", "2", "--out", str(tmp_path), "--no-progress", "--json"])
    assert rc == 0
    summary = _last_json(capsys)
    assert summary["train_env_steps"] == 800 and summary["n_params"] == 4 and "test_mean_return" in summary
    for key in ("artifact", "log", "plot"):
        assert os.path.isfile(summary[key])
    policy, params, meta = load_policy(summary["artifact"])
    assert policy.n_joints == 3 and meta["training"]["config"]["algorithm"] == "es"
    assert meta["evaluation"]["episodes"] == 2
    rc = main(["eval", "ncap", "--links", "4", "--variant", "rate", "--artifact", summary["artifact"],
               "--episodes", "1", "--episode-steps", "100", "--json"])
    assert rc == 0 and _last_json(capsys)["n_params"] == 4
    rc = main(["eval", "ncap", "--links", "4", "--variant", "spiking", "--artifact", summary["artifact"],
               "--episodes", "1", "--episode-steps", "10"])
    assert rc == 2 and "not 'spiking'" in capsys.readouterr().err


def test_evolve_mlp_and_bad_input(tmp_path, capsys):
    rc = main(["evolve", "ncap", "--links", "3", "--variant", "mlp", "--population", "2", "--steps", "100",
               "--episode-steps", "50", "--eval-episodes", "1", "--out", str(tmp_path), "--no-progress", "--json"])
    assert rc == 0 and _last_json(capsys)["n_params"] == (11 * 64 + 64) + (64 * 64 + 64) + (64 * 2 + 2)
    assert main(["evolve", "ncap", "--population", "3", "--out", str(tmp_path)]) == 2
    assert "population" in capsys.readouterr().err
    assert main(["evolve", "ncap", "--variant", "mlp", "--no-shared", "--out", str(tmp_path)]) == 2
    assert main(["evolve", "ncap", "--variant", "rate", "--ticks", "5", "--out", str(tmp_path)]) == 2


@pytest.mark.slow
def test_eval_renders_a_gif(tmp_path, capsys):
    os.environ.setdefault("MUJOCO_GL", "egl")
    gif = tmp_path / "swim.gif"
    rc = main(["eval", "ncap", "--links", "6", "--variant", "rate", "--episodes", "1", "--episode-steps", "30",
               "--video", str(gif), "--video-every", "5", "--json"])
    assert rc == 0
    result = _last_json(capsys)
    assert result["frames"] == 7 and gif.read_bytes()[:6] == b"GIF89a"
