"""``snn-control bench control``: the keys the issue asks for, from a runtime-only process."""

import argparse
import json

import pytest

import snn_control.efficiency as efficiency
from snn_control.commands import bench_control

KEYS = {"pair_tick_us", "synops_per_tick", "energy_nj_per_tick", "pid_tick_us", "runtime_rss_mb", "import_s"}


def _args(**kw) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench_control.add_arguments(parser)
    return parser.parse_args(["--json", "--ticks", "200", "--repeats", "2", *kw.get("extra", [])])


def test_bench_control_json_has_the_issue_keys(monkeypatch, capsys):
    counts = {"synops": 13.0, "energy_nj": 0.38, "macs": 80.0, "spikes": 13.0, "decisions": 7000}
    monkeypatch.setattr(efficiency, "blimp_pair_per_tick", lambda seed=0: counts)  # the twin flights: tested there
    assert bench_control.run(_args()) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert KEYS <= set(result)
    assert result["synops_per_tick"] == 13.0 and result["energy_nj_per_tick"] == 0.38
    assert result["runtime_modules"] == ["numpy"] and result["n_spiking_neurons"] == 160
    for key in ("pair_tick_us", "pair_tick_us_population_step", "guarded_pair_tick_us", "pid_tick_us"):
        assert 0 < result[key] < 10_000
    assert 10 < result["runtime_rss_mb"] < 60 and 0 < result["import_s"] < 30


def test_bench_control_refuses_bad_counts(capsys):
    args = _args(extra=["--no-energy"])
    args.ticks = 0
    assert bench_control.run(args) == 2
    assert "must be >= 1" in capsys.readouterr().err


def test_the_command_module_imports_only_the_standard_library_at_the_top():
    head = open(bench_control.__file__).read().split("\ndef ", 1)[0]
    assert "import rclpy" not in head and "import numpy" not in head


def test_node_probe_measures_stamp_to_command(monkeypatch):
    pytest.importorskip("rclpy")
    monkeypatch.setenv("ROS_AUTOMATIC_DISCOVERY_RANGE", "OFF")
    result = bench_control._in_fresh_process("node_probe(30)", timeout_s=120)
    assert result["node_samples"] == 30 and result["discovery_range"] == "OFF"
    assert 0 < result["node_latency_us"] <= result["node_latency_max_us"] < 1e6
    assert result["node_rss_mb"] > 0 and result["node_import_s"] > 0
