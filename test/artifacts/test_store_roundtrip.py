"""Artifact files: round trip, and every kind of damage refused with a message naming it."""

import json

import numpy as np
import pytest

from snn_control.artifacts import ArtifactError, load_artifact, save_artifact


@pytest.fixture
def saved(tmp_path):
    path = save_artifact(tmp_path / "model", "demo", 1, {"w": np.arange(6.0).reshape(2, 3), "n": np.array(4)},
                         {"seed": 3})
    return path


def test_round_trip(saved):
    arrays, meta = load_artifact(saved, "demo", 1)
    np.testing.assert_array_equal(arrays["w"], np.arange(6.0).reshape(2, 3))
    assert meta == {"seed": 3}


def test_wrong_kind_or_version(saved):
    with pytest.raises(ArtifactError, match="kind is 'demo', expected 'other'"):
        load_artifact(saved, "other", 1)
    with pytest.raises(ArtifactError, match="format_version 1"):
        load_artifact(saved, "demo", 2)


def test_corrupt_npz_fails_the_checksum(saved):
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="checksum mismatch"):
        load_artifact(saved, "demo", 1)


def test_broken_json_and_missing_files(saved):
    js = saved.with_suffix(".json")
    js.write_text("{not json")
    with pytest.raises(ArtifactError, match="not valid JSON"):
        load_artifact(saved, "demo", 1)
    js.unlink()
    with pytest.raises(ArtifactError, match="file not found"):
        load_artifact(saved, "demo", 1)


def test_pickled_or_reshaped_arrays_are_refused(saved, tmp_path):
    meta = json.loads(saved.with_suffix(".json").read_text())
    np.savez(saved, w=np.array([{"evil": 1}], dtype=object), n=np.array(4))
    meta["sha256"] = __import__("hashlib").sha256(saved.read_bytes()).hexdigest()
    saved.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="cannot read arrays"):
        load_artifact(saved, "demo", 1)
    np.savez(saved, w=np.zeros((3, 2)), n=np.array(4))
    meta["sha256"] = __import__("hashlib").sha256(saved.read_bytes()).hexdigest()
    saved.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="recorded float64\\[2, 3\\]"):
        load_artifact(saved, "demo", 1)


def test_non_finite_arrays_are_not_saved(tmp_path):
    with pytest.raises(ArtifactError, match="NaN"):
        save_artifact(tmp_path / "x", "demo", 1, {"w": np.array([1.0, np.nan])})
