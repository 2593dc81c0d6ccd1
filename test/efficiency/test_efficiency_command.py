"""``snn-control eval efficiency``: the one table, printed and as JSON."""

import json
import os
import subprocess
import sys

import pytest

from snn_control.cli import main
from snn_control.efficiency.table import format_table


def test_the_table_without_spikepoint(capsys):
    assert main(["eval", "efficiency", "--no-spikepoint", "--blimp-flights", "1", "--episodes", "1", "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    models = [r["model"] for r in result["rows"]]
    assert models == ["blimp PD-SNN + I-SNN", "blimp PID", "blimp pair graph as a rate network",
                      "swimmer spiking NCAP", "swimmer rate NCAP", "swimmer MLP 64-64"]
    for row in result["rows"]:
        assert row["energy_nj"] > 0 and row["energy_nj_max"] >= row["energy_nj"] * (1 - 1e-12)
    assert "0.9 pJ x AC + 4.6 pJ x MAC" in result["rule"]
    assert "blimp PD-SNN + I-SNN" in out and "energy nJ" in out
    md = format_table(result["rows"], markdown=True).splitlines()
    assert md[0].startswith("| model |") and md[1].startswith("|---|") and len(md) == 2 + 6


def test_bad_arguments(capsys):
    assert main(["eval", "efficiency", "--episodes", "0"]) == 2
    assert "--episodes must be >= 1" in capsys.readouterr().err


@pytest.mark.slow
def test_the_whole_table_with_a_rendered_gesture():
    """One gesture rendered in a fresh process that has not set MUJOCO_GL (the swimmer loads MuJoCo first)."""
    env = {k: v for k, v in os.environ.items() if k != "MUJOCO_GL"}
    cmd = [sys.executable, "-m", "snn_control.cli", "eval", "efficiency", "--blimp-flights", "1", "--episodes", "1",
           "--gesture-trials", "1", "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = {r["model"]: r for r in json.loads(out.stdout.strip().splitlines()[-1])["rows"]}
    snn, ann = rows["SpikePoint (small, T = 16)"], rows["SpikePoint (small) as an ANN"]
    assert snn["recordings"] == 1 and snn["decisions"] >= 5 and snn["synops"] > 0 and snn["macs"] == 0
    assert ann["macs"] > 0 and ann["synops"] == 0
