"""SpikePoint model artifacts: round trip, and every way a file can be wrong is refused by name."""

from __future__ import annotations

import hashlib
import io
import json
import pickle

import pytest
import torch

from snn_control.artifacts.store import ArtifactError
from snn_control.perception.spikepoint.artifact import (artifact_paths, load_model, read_metadata,
                                                       resolve_model_path, save_model, shipped_model_path)
from snn_control.perception.spikepoint.config import SpikePointConfig
from snn_control.perception.spikepoint.model import SpikePoint

CFG = SpikePointConfig(points=32, groups=8, neighbors=4, time_steps=4)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = SpikePoint(CFG)
    with torch.no_grad():
        model.local_in.bn.running_mean.uniform_()  # buffers travel too
    path = save_model(tmp_path / "sp", model, {"training": {"epochs": 3, "seed": 7}, "accuracy": {"val_window": 0.9}})
    return model, path


def test_round_trip_restores_weights_buffers_config_and_provenance(saved):
    model, path = saved
    assert path.name == "sp.pt" and artifact_paths(path)[1].name == "sp.json"
    loaded, meta = load_model(path)
    assert not loaded.training and loaded.cfg == CFG
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, loaded.state_dict()[name]), name
    assert meta["kind"] == "spikepoint" and meta["format_version"] == 1
    assert meta["provenance"]["training"]["seed"] == 7 and meta["n_params"] == model.n_params()
    assert meta["config"]["classes"] == list(CFG.classes) and meta["config"]["time_steps"] == 4
    # the stem and the JSON path name the same artifact
    assert load_model(path.with_suffix(""))[1]["sha256"] == meta["sha256"]
    assert read_metadata(artifact_paths(path)[1])[1] == CFG


def _expect(path, match):
    with pytest.raises(ArtifactError, match=match) as err:
        load_model(path)
    assert str(path.parent) in str(err.value)  # the message names the file


def test_corrupt_or_foreign_files_are_refused_naming_the_file(saved, tmp_path):
    _, path = saved
    pt, js = artifact_paths(path)
    meta = json.loads(js.read_text())
    raw = pt.read_bytes()

    pt.write_bytes(raw[:-40])  # truncated
    _expect(pt, "checksum")
    pt.write_bytes(raw)

    def with_meta(**changes):
        js.write_text(json.dumps({**meta, **changes}))

    with_meta(kind="ncap")
    _expect(pt, "kind")
    with_meta(format_version=99)
    _expect(pt, "format_version")
    with_meta(config={**meta["config"], "preset": "huge"})
    _expect(pt, "invalid config.*preset")
    with_meta(config={**meta["config"], "preset": "large"})  # the tensors no longer fit the config
    _expect(pt, "do not match")
    broken = dict(meta)
    del broken["sha256"]
    js.write_text(json.dumps(broken))
    _expect(pt, "missing key 'sha256'")
    js.write_text("{not json")
    _expect(pt, "not valid JSON")
    js.write_text(json.dumps(meta))
    js.unlink()
    _expect(pt, "file not found")


def test_pickled_code_is_never_run(saved, tmp_path):
    _, path = saved
    pt, js = artifact_paths(path)

    class Evil:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pwned')",))

    payload = pickle.dumps({"local_in.fc.weight": Evil()}, protocol=2)
    import hashlib
    import zipfile

    with zipfile.ZipFile(pt, "w") as z:  # a torch.save-style archive holding a malicious pickle
        z.writestr("sp/data.pkl", payload)
        z.writestr("sp/version", "3\n")
    meta = json.loads(js.read_text())
    meta["sha256"] = hashlib.sha256(pt.read_bytes()).hexdigest()  # even with a matching checksum
    js.write_text(json.dumps(meta))
    _expect(pt, "cannot read tensors")


def test_non_finite_weights_are_neither_saved_nor_loaded(saved, tmp_path):
    model, path = saved
    with torch.no_grad():
        model.fc1.fc.weight[0, 0] = float("nan")
    with pytest.raises(ArtifactError, match="NaN"):
        save_model(tmp_path / "nan", model)
    # a file written around the check (matching checksum and JSON) is refused on load
    pt, js = artifact_paths(path)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    buffer = io.BytesIO()
    torch.save(state, buffer)
    pt.write_bytes(buffer.getvalue())
    meta = json.loads(js.read_text())
    meta["sha256"] = hashlib.sha256(pt.read_bytes()).hexdigest()
    js.write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match=r"tensor 'fc1\.fc\.weight' holds NaN"):
        load_model(path)


def test_malformed_tensor_table_is_refused_naming_the_file(saved):
    _, path = saved
    pt, js = artifact_paths(path)
    meta = json.loads(js.read_text())
    meta["tensors"] = ["not", "a", "table"]
    js.write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match=f"{js.name}: 'tensors' must map"):
        load_model(path)


def test_shipped_location_and_name_resolution(saved, tmp_path, monkeypatch):
    assert shipped_model_path().name == "spikepoint_gestures.pt"
    assert shipped_model_path().parent.name == "data" and shipped_model_path().parent.parent.name == "artifacts"
    assert resolve_model_path(None) == shipped_model_path()
    _, path = saved
    assert resolve_model_path(path) == path
    monkeypatch.chdir(tmp_path)
    assert resolve_model_path("sp") == artifact_paths(tmp_path / "sp")[0].relative_to(tmp_path)
    with pytest.raises(ArtifactError, match="file not found"):
        load_model(tmp_path / "nothing_here")
