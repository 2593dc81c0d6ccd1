"""Blimp SNN artifacts: round trip, and every kind of bad file refused with a message naming it."""

import json
import shutil

import numpy as np
import pytest

from snn_control.artifacts.store import ArtifactError, save_artifact, shipped_artifact
from snn_control.blimp.snn.controller import BlimpSNNController, BlimpSNNNetwork, load_blimp_snn, save_blimp_snn
from snn_control.blimp.snn.genome import BlimpSNNLayout


@pytest.fixture
def pd_file(tmp_path):
    layout = BlimpSNNLayout.for_role("pd")
    genome = layout.denormalize(np.random.default_rng(0).uniform(size=layout.n_genes))
    return save_blimp_snn(tmp_path / "pd", layout, genome, {"note": "test"}), layout, genome


def test_round_trip(pd_file):
    path, layout, genome = pd_file
    layout2, genome2, meta = load_blimp_snn(path, role="pd")
    assert layout2 == layout and meta["note"] == "test" and meta["n_spiking_neurons"] == 80
    np.testing.assert_array_equal(genome2, genome)
    net = BlimpSNNNetwork.from_artifact(path, "pd")
    assert np.isfinite(net.step(0.2))


@pytest.mark.parametrize("name", ["pd_snn", "i_snn"])
def test_shipped_artifacts_validate(name):
    layout, genome, meta = load_blimp_snn(shipped_artifact(name), role=name[:-4])
    assert genome.shape == (layout.n_genes,)
    assert "provenance" in meta


def test_corrupt_npz_is_refused(pd_file):
    path = pd_file[0]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        load_blimp_snn(path)


def test_truncated_json_is_refused(pd_file):
    path = pd_file[0]
    js = path.with_suffix(".json")
    js.write_text(js.read_text()[:40])
    with pytest.raises(ArtifactError, match="not valid JSON"):
        load_blimp_snn(path)


def test_missing_half_is_refused(pd_file):
    path = pd_file[0]
    path.with_suffix(".json").unlink()
    with pytest.raises(ArtifactError, match="file not found"):
        load_blimp_snn(path)


def test_wrong_role_is_refused(pd_file):
    with pytest.raises(ArtifactError, match="role is 'pd', expected 'i'"):
        BlimpSNNController.from_artifacts(pd_path=pd_file[0], i_path=pd_file[0])


def _rewrite_meta(path, **changes):
    js = path.with_suffix(".json")
    meta = json.loads(js.read_text())
    meta["metadata"].update(changes)
    js.write_text(json.dumps(meta))


def test_layout_genome_mismatch_is_refused(pd_file):
    path = pd_file[0]
    _rewrite_meta(path, layout={**BlimpSNNLayout.for_role("pd").to_dict(), "hidden": "rlif"})
    with pytest.raises(ArtifactError, match="does not match the layout"):
        load_blimp_snn(path)


def test_invalid_layout_is_refused(pd_file):
    path = pd_file[0]
    _rewrite_meta(path, layout={"role": "pd", "hidden": "transformer"})
    with pytest.raises(ArtifactError, match="invalid or missing genome layout"):
        load_blimp_snn(path)


def test_out_of_bounds_genome_is_refused(tmp_path):
    layout = BlimpSNNLayout.for_role("i")
    genome = np.full(layout.n_genes, 50.0)
    meta = {"layout": layout.to_dict(), "role": "i", "n_genes": layout.n_genes}
    save_artifact(tmp_path / "i", "blimp_snn", 1, {"genome": genome}, meta)
    with pytest.raises(ArtifactError, match="leaves the layout's gene bounds"):
        load_blimp_snn(tmp_path / "i.npz")


def test_other_kind_and_version_are_refused(tmp_path, pd_file):
    save_artifact(tmp_path / "x", "ncap", 1, {"genome": np.zeros(3)})
    with pytest.raises(ArtifactError, match="kind is 'ncap', expected 'blimp_snn'"):
        load_blimp_snn(tmp_path / "x.npz")
    shutil.copy(pd_file[0], tmp_path / "v.npz")
    meta = json.loads(pd_file[0].with_suffix(".json").read_text())
    meta["format_version"] = 99
    (tmp_path / "v.json").write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="format_version 99"):
        load_blimp_snn(tmp_path / "v.npz")


def test_pickled_npz_is_never_unpickled(tmp_path):
    path = tmp_path / "p.npz"
    np.savez(path, genome=np.array([{"evil": 1}], dtype=object))
    import hashlib

    meta = {"kind": "blimp_snn", "format_version": 1, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "arrays": {"genome": {"shape": [1], "dtype": "object"}}, "metadata": {}}
    (tmp_path / "p.json").write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="cannot read arrays"):
        load_blimp_snn(path)


def test_shipped_i_snn_integrates_and_holds():
    """The I-SNN's job (issue 8): ramp with the sign of the error like the PID's I term, hold at zero."""
    from snn_control.blimp.imitation import pid_constant_error_terms, ramp_and_hold
    from snn_control.blimp.snn.network import blimp_snn_rollout

    net = BlimpSNNNetwork.from_artifact(None, "i")
    errors = np.array([0.1, 0.3, -0.3])
    out = blimp_snn_rollout(net.params, np.repeat(errors[:, None], 200, axis=1))
    pid = pid_constant_error_terms(errors, 200)["i"]
    # still climbing after 20 s (no plateau), within 40 % of the PID's ramp, and with the error's sign
    assert np.all(np.sign(out[:, -1]) == np.sign(errors))
    assert np.all(np.abs(out[:, -1]) > 1.5 * np.abs(out[:, 99]))
    np.testing.assert_allclose(out[:, -1], pid[:, -1], rtol=0.4)
    for row in ramp_and_hold(net, errors_m=(0.1, 0.3, -0.3)):
        assert abs(row["drift"]) < 0.1 * abs(row["at_release"])
