"""``snn-control train places`` and ``eval places`` end to end on a tiny folder data set."""

import json
import sys
from pathlib import Path

import pytest

from snn_control.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "perception"))
from places_fixtures import write_folder  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("places")
    data = write_folder(root / "data", ("spring", "fall", "summer", "winter"), n_places=12)
    model = root / "model"
    rc = main(["train", "places", "--data", str(data), "--reference", "spring,fall", "--out", str(model),
               "--calibrate", "winter", "--places-per-module", "4", "--epochs", "1", "--neurons", "12",
               "--workers", "1", "--json"])
    assert rc == 0
    return data, model


def test_train_writes_a_model_and_removes_its_checkpoint(trained, capsys):
    data, model = trained
    assert model.with_suffix(".npz").is_file() and model.with_suffix(".json").is_file()
    assert not model.with_suffix(".ckpt").exists()
    meta = json.loads(model.with_suffix(".json").read_text())["metadata"]
    assert meta["reference"] == ["spring", "fall"] and meta["calibrate"] == "winter"


def test_eval_prints_every_key_for_every_method(trained, capsys, tmp_path):
    data, model = trained
    plot = tmp_path / "pr.png"
    rc = main(["eval", "places", "--data", str(data), "--model", str(model), "--query", "summer",
               "--method", "all", "--restrict", "4", "--plot", str(plot), "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("recall_at_1", "recall_at_5", "auc_pr", "recall_at_100p", "query_hz", "n_places", "n_modules"):
        assert key in out
    assert set(out["methods"]) == {"snn", "snn-noreg", "sad", "tempo"}
    assert out["n_modules"] == 3 and out["n_places"] == 8          # the first module calibrated
    assert out["methods"]["sad"]["recall_at_1"] >= 0.75
    # the true place is always searched and only competitors are dropped: never worse
    assert out["restricted"]["recall_at_1"] >= out["recall_at_1"]
    assert plot.is_file() and plot.stat().st_size > 10_000


@pytest.mark.parametrize("argv, message", [
    (["--method", "nope"], "unknown --method"),
    (["--tolerance", "-1"], "--tolerance"),
])
def test_eval_bad_arguments_are_clear(trained, capsys, argv, message):
    data, model = trained
    rc = main(["eval", "places", "--data", str(data), "--model", str(model), "--query", "summer", *argv])
    assert rc == 2 and message in capsys.readouterr().err


def test_eval_refuses_a_model_of_another_data_set(trained, tmp_path, capsys):
    _, model = trained
    other = write_folder(tmp_path / "other", ("spring", "fall", "summer"), n_places=9)
    rc = main(["eval", "places", "--data", str(other), "--model", str(model), "--query", "summer"])
    assert rc == 2 and "trained on 12 places" in capsys.readouterr().err


def test_train_refuses_a_missing_traverse(tmp_path, capsys):
    data = write_folder(tmp_path / "d", ("spring", "fall"), n_places=4)
    rc = main(["train", "places", "--data", str(data), "--reference", "spring,autumn", "--out",
               str(tmp_path / "m"), "--calibrate", "none"])
    assert rc == 2 and "autumn" in capsys.readouterr().err


def test_eval_by_distance_needs_positions(trained, capsys):
    data, model = trained
    rc = main(["eval", "places", "--data", str(data), "--model", str(model), "--query", "summer",
               "--tolerance-m", "15"])
    assert rc == 2 and "positions.csv" in capsys.readouterr().err
    for name in ("spring", "fall", "summer"):
        rows = "".join(f"{i:05d}.png,{10.0 * i},0\n" for i in range(12))
        (data / name / "positions.csv").write_text("file,x,y\n" + rows)
    try:
        rc = main(["eval", "places", "--data", str(data), "--model", str(model), "--query", "summer",
                   "--method", "sad", "--tolerance-m", "15", "--json"])
        by_metres = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert rc == 0 and by_metres["tolerance_m"] == 15.0
        rc = main(["eval", "places", "--data", str(data), "--model", str(model), "--query", "summer",
                   "--method", "sad", "--tolerance", "1", "--json"])
        by_places = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        for key in ("recall_at_1", "recall_at_5", "auc_pr"):   # 10 m apart: 15 m is one place either side
            assert by_metres[key] == by_places[key]
    finally:
        for name in ("spring", "fall", "summer"):
            (data / name / "positions.csv").unlink()
