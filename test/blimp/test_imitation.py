"""Imitation fidelity: the scoring on the PID's own terms, the PID's constant-error terms, the report
on the shipped networks, and the report command."""

import argparse
import json

import numpy as np
import pytest

from snn_control.blimp.imitation import (
    CONSTANT_ERRORS_M,
    HELD_OUT_SEED,
    constant_error_responses,
    format_imitation,
    imitation_report,
    json_summary,
    pid_constant_error_terms,
    plot_constant_errors,
    score_imitation,
)
from snn_control.blimp.pid import PIDParams
from snn_control.blimp.plant import PlantDistribution
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.training.data import record_plant_flights
from snn_control.commands.eval_blimp_reports import run_report


@pytest.fixture(scope="module")
def report():
    return imitation_report(n_flights=3)


def test_the_pids_own_terms_score_perfectly():
    plants = PlantDistribution().draw(np.random.default_rng(0), 2)
    profiles = [SetpointProfile.uniform([0.8, 1.4], 20.0), SetpointProfile.uniform([1.2, 0.6], 20.0)]
    seqs = record_plant_flights(plants, profiles, 40.0, seed=1)
    for role in ("pd", "i"):
        s = score_imitation(seqs.target(role), seqs.target(role))
        assert s["pearson_r"] == pytest.approx(1.0, abs=1e-12) and s["mae"] == 0.0
        assert s["fitness"] == pytest.approx(0.0, abs=1e-12) and len(s["fitness_per_flight"]) == 2
    off = score_imitation(seqs.pd + 1.0, seqs.pd)  # a shifted copy: r = 1, MAE = 1
    assert off["pearson_r"] == pytest.approx(1.0, abs=1e-9) and off["mae"] == pytest.approx(1.0)
    flipped = score_imitation(-seqs.pd, seqs.pd)
    assert flipped["pearson_r"] == pytest.approx(-1.0, abs=1e-9)
    with pytest.raises(ValueError, match="same shape"):
        score_imitation(seqs.pd[:1], seqs.pd)


def test_pid_terms_on_constant_errors():
    p = PIDParams()
    e = np.array(CONSTANT_ERRORS_M)
    terms = pid_constant_error_terms(e, 200, p)
    t = np.arange(1, 201) * p.dt_s
    np.testing.assert_allclose(terms["i"], p.ki * e[:, None] * t[None, :], rtol=1e-12, atol=1e-12)  # Ki e t
    np.testing.assert_allclose(terms["pd"], np.broadcast_to(p.kp * e[:, None], (6, 200)), atol=1e-12)  # D = 0
    clamped = pid_constant_error_terms(np.array([2.0]), 200, p)["i"]  # 0.75 * 2 * t reaches the clamp at 6.7 s
    assert clamped.max() == pytest.approx(p.i_limit) and clamped[0, 70] == pytest.approx(p.i_limit)
    ce = constant_error_responses(errors_m=(0.2,), hold_s=3.0, at_s=(1.0, 3.0))  # the shipped networks
    assert [(r["network"], r["t_s"]) for r in ce["table"]] == [("PD-SNN", 1.0), ("PD-SNN", 3.0), ("I-SNN", 1.0),
                                                               ("I-SNN", 3.0)]
    assert ce["table"][3]["pid"] == pytest.approx(0.75 * 0.2 * 3.0) and ce["table"][1]["pid"] == pytest.approx(1.8)


def test_constant_error_table_and_symmetry(report, tmp_path):
    ce = report["constant_errors"]
    assert ce["t_s"][-1] == pytest.approx(20.0) and len(ce["t_s"]) == 200
    assert len(ce["table"]) == 2 * 6 * 3 and sorted({r["t_s"] for r in ce["table"]}) == pytest.approx([5.0, 10.0, 20.0])
    row = next(r for r in ce["table"] if r["network"] == "I-SNN" and r["error_m"] == 0.6 and r["t_s"] == 20.0)
    assert row["pid"] == pytest.approx(0.75 * 0.6 * 20.0)
    assert ce["errors_m"] == [-e for e in ce["errors_m"][::-1]]
    for role in ("pd", "i"):  # the networks are odd in the error, exactly: u(-e) = -u(e)
        y = ce["outputs"][role]["snn"]
        np.testing.assert_array_equal(y, -y[::-1])
        assert np.abs(y).max() > 0.5
    plot_constant_errors(report, str(tmp_path / "ce.png"))
    assert (tmp_path / "ce.png").stat().st_size > 20_000


def test_report_on_the_shipped_networks(report):
    assert report["n_flights"] == len(report["flights"]) == 3 and report["seed"] == HELD_OUT_SEED
    for role, s in report["networks"].items():
        assert np.isfinite([s["fitness"], s["pearson_r"], s["mae"]]).all()
        assert -1.0 <= s["pearson_r"] <= 1.0 and s["mae"] > 0
        assert s["fitness"] == pytest.approx(s["mae"] + 1.0 - s["pearson_r"])
        assert s["worst_fitness"] >= s["fitness"]
    starts = [f["start_m"] for f in report["flights"]]
    assert len(set(starts)) == 3 and all(0.3 <= s <= 3.0 for s in starts)  # plants' own starts
    again = imitation_report(n_flights=3, constant_errors=False)
    assert again["networks"] == report["networks"]  # seeded: the same flights
    text = format_imitation(report)
    assert "PD-SNN" in text and "I-SNN" in text and "@20 s" in text
    assert set(json.loads(json.dumps(json_summary(report)))["networks"]) == {"PD-SNN", "I-SNN"}
    with pytest.raises(ValueError, match="n_flights"):
        imitation_report(n_flights=0)


def test_report_command(tmp_path, capsys):
    plot = tmp_path / "ce.png"
    args = argparse.Namespace(imitation=True, json=True, plot=str(plot), seed=0)
    assert run_report(args) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["report"] == "imitation" and out["seed"] == HELD_OUT_SEED and out["n_flights"] == 16
    for net in ("PD-SNN", "I-SNN"):
        assert {"fitness", "pearson_r", "mae"} <= set(out["networks"][net])
    assert len(out["constant_error_table"]) == 36 and plot.stat().st_size > 20_000
    missing = argparse.Namespace(imitation=True, json=False, i_artifact=str(tmp_path / "gone.npz"))
    assert run_report(missing) == 2
    assert "gone" in capsys.readouterr().err
