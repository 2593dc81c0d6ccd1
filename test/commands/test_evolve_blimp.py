"""``snn-control evolve blimp``: a tiny real run writes a loadable artifact, logs and a plot."""

import json

from snn_control.cli import main
from snn_control.blimp.snn.controller import BlimpSNNNetwork


def test_tiny_run_and_resume(capsys, tmp_path):
    run_dir, out = tmp_path / "run", tmp_path / "pd.npz"
    args = ["evolve", "blimp", "--controller", "pd", "--pairs", "2", "--population", "6", "--generations", "2",
            "--closed-loop-generations", "1", "--holdout-every", "1", "--checkpoint-every", "1",
            "--run-dir", str(run_dir), "--out", str(out), "--no-progress", "--json"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["generations"] == 3 and summary["n_spiking_neurons"] == 8
    net = BlimpSNNNetwork.from_artifact(out, "pd")
    assert net.metadata["provenance"]["config"]["population"] == 6
    assert (run_dir / "log.json").is_file() and (run_dir / "fitness.png").is_file()
    assert main(args + ["--resume"]) == 0  # nothing left to do: returns the same genome
    assert (BlimpSNNNetwork.from_artifact(out, "pd").genome == net.genome).all()


def test_bad_partner_is_refused(capsys, tmp_path):
    assert main(["evolve", "blimp", "--controller", "i", "--partner", str(tmp_path / "none.npz"),
                 "--run-dir", str(tmp_path), "--no-progress"]) == 2
    assert "file not found" in capsys.readouterr().err


def test_init_from_is_checked(capsys, tmp_path):
    base = ["evolve", "blimp", "--controller", "pd", "--run-dir", str(tmp_path), "--no-progress"]
    assert main(base + ["--init", "design", "--init-from", str(tmp_path / "x.npz")]) == 2
    assert "exclude each other" in capsys.readouterr().err
    assert main(base + ["--init-from", str(tmp_path / "none.npz"), "--generations", "0",
                        "--closed-loop-generations", "1"]) == 2
    assert "file not found" in capsys.readouterr().err


def test_the_recipe_rebuilds_the_shipped_pair():
    # README's four commands (RECIPE) must rebuild the shipped networks' settings, and the checksums in
    # their provenance must chain: the I-SNN flew beside the shipped PD-SNN, both refinements started
    # from and flew beside the same first versions
    import argparse
    import shlex

    from snn_control.artifacts.store import shipped_artifact
    from snn_control.commands.evolve_blimp import RECIPE, add_arguments, build_config

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    meta = {}
    for name, flags in RECIPE:
        if name not in ("pd_snn", "i_snn"):
            continue
        shipped = json.loads(shipped_artifact(name).with_suffix(".json").read_text())
        meta[name] = shipped
        saved = shipped["metadata"]["provenance"]["config"]
        built = build_config(parser.parse_args(shlex.split(flags))).to_dict()
        differ = {k for k in set(saved) | set(built) if saved.get(k, built.get(k)) != built.get(k)}
        assert differ <= {"partner", "init"}, (name, {k: (saved.get(k), built.get(k)) for k in differ})
    pd, i = (meta[n]["metadata"]["provenance"] for n in ("pd_snn", "i_snn"))
    assert i["partner"]["sha256"] == meta["pd_snn"]["sha256"]
    assert pd["partner"]["artifact"] == i["init"]["artifact"] == "i_base"
    assert pd["partner"]["sha256"] == i["init"]["sha256"]
    assert pd["init"]["artifact"] == "pd_base"
    # and README shows the same four commands
    from pathlib import Path

    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text()
    readme = " ".join(readme.replace("\\\n", " ").split())
    for _, flags in RECIPE:
        assert f"snn-control evolve blimp {flags}" in readme, flags
