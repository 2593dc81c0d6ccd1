import json

import numpy as np
import pytest

from snn_control.artifacts.store import ArtifactError
from snn_control.evolve.popmap import population_map
from snn_control.perception.places.model import PlaceModel
from snn_control.perception.places.module import ModuleParams
from snn_control.perception.places.train import (THRESHOLDS, PlaceTrainConfig, assign, region_images,
                                                 regions, train_ensemble, train_modules)

from places_fixtures import inputs, scenes, traverse

PARAMS = ModuleParams(n_exc=20, present_s=0.05)
CONFIG = PlaceTrainConfig(places_per_module=5, epochs=2, modules_per_batch=2)


@pytest.fixture(scope="module")
def data():
    base = scenes(12, seed=4)
    refs = np.stack([inputs(traverse(base, g, o, 3.0, s)) for g, o, s in [(1.0, 0, 1), (0.8, 20, 2)]])
    query = inputs(traverse(base, 0.6, 40, 6.0, 3))
    return refs, query


@pytest.fixture(scope="module")
def trained(data):
    refs, query = data
    return train_ensemble(refs, CONFIG, PARAMS, calibration=query)


def test_regions_cover_the_route_and_short_regions_cycle():
    assert regions(12, 5).tolist() == [0, 5, 10]
    refs = np.arange(2 * 12 * 1, dtype=np.float32).reshape(2, 12, 1)
    imgs = region_images(refs, 10, 5)
    assert imgs[:, 0].tolist() == [10, 11, 10, 11, 10, 22, 23, 22, 23, 22]


def test_config_validates():
    with pytest.raises(ValueError, match="epochs"):
        PlaceTrainConfig(epochs=0)
    with pytest.raises(ValueError, match="calibration_fraction"):
        PlaceTrainConfig(calibration_fraction=1.0)


def test_every_neuron_is_assigned_inside_its_own_region(trained):
    model, report = trained
    e = model.ensemble
    assert e.n_modules == 3 and report["n_modules"] == 3
    assert 0 < e.n_neurons == report["assigned_neurons"] < 3 * PARAMS.n_exc
    for m in range(3):
        a = e.place[e.module == m]
        assert a.size > 0
        assert np.all((a >= e.region_start[m]) & (a < e.region_start[m] + 5))
    assert report["calibration"]["threshold"] in THRESHOLDS
    assert set(report["calibration"]["recall_by_threshold"]) == {str(t) for t in THRESHOLDS}


def test_assignment_follows_the_test_spike_counts():
    counts = np.zeros((1, 2 * 3, 4))        # one module, 3 places x 2 traverses, 4 neurons
    counts[0, 1, 0] = 2                     # neuron 0: place 1 (traverse 0)
    counts[0, 3 + 2, 1] = 5                 # neuron 1: place 2 (traverse 1) ...
    counts[0, 0, 1] = 3                     # ... over place 0
    counts[0, 0, 2] = counts[0, 3 + 0, 2] = 1
    counts[0, 4, 2] = 1                     # neuron 2: place 0 (2 spikes) over place 1 (1)
    assert assign(counts, n_places=3, n_traverses=2, places_per_module=3).tolist() == [[1, 2, 0, -1]]


def test_the_ensemble_recognizes_places_better_than_chance(trained, data):
    model, _ = trained
    refs, query = data
    assert np.mean(model.ensemble.match(refs[0]).place == np.arange(12)) >= 0.75   # a reference traverse
    assert np.mean(model.ensemble.match(query).place == np.arange(12)) >= 0.5      # the query; chance 1/12


def test_restricted_search_scores_equal_the_full_search_on_its_places(trained, data):
    e = trained[0].ensemble
    _, query = data
    full = e.scores(query)
    part = e.scores(query, np.array([1]))
    assert np.allclose(part[:, 5:10], full[:, 5:10], rtol=1e-5, atol=1e-6)   # same sums, other BLAS blocking
    assert np.all(np.isneginf(part[:, :5])) and np.all(np.isneginf(part[:, 10:]))
    assert e.modules_near(7, 2).tolist() == [1]
    assert e.modules_near(5, 1).tolist() == [0, 1]
    with pytest.raises(ValueError, match="active modules"):
        e.scores(query, np.array([3]))


def test_removing_hyperactive_neurons_drops_only_them(trained):
    e = trained[0].ensemble
    chosen = e.threshold
    e.set_threshold(None)
    everyone = e.n_kept
    e.set_threshold(1)
    assert e.n_kept == int((e.activity < 1).sum()) < everyone
    e.set_threshold(chosen)
    with pytest.raises(ValueError, match="threshold"):
        e.set_threshold(-1)


def test_artifact_round_trip_gives_identical_matches(trained, data, tmp_path):
    model, _ = trained
    _, query = data
    path = model.save(tmp_path / "places")
    back = PlaceModel.load(path)
    a, b = model.ensemble.match(query), back.ensemble.match(query)
    assert np.array_equal(a.place, b.place) and np.array_equal(a.score, b.score)
    assert back.ensemble.threshold == model.ensemble.threshold
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["kind"] == "place_ensemble"


def test_corrupt_or_mismatched_artifacts_are_refused(trained, tmp_path):
    path = trained[0].save(tmp_path / "places")
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ArtifactError, match="checksum"):
        PlaceModel.load(path)
    with pytest.raises(ArtifactError, match="not found"):
        PlaceModel.load(tmp_path / "missing")


def test_training_does_not_depend_on_the_number_of_workers(data):
    refs, _ = data
    cfg = PlaceTrainConfig(places_per_module=5, epochs=1, modules_per_batch=1)
    serial = train_modules(refs, cfg, PARAMS)
    with population_map(2) as pmap:
        pooled = train_modules(refs, cfg, PARAMS, pmap)
    assert np.array_equal(serial[0], pooled[0]) and np.array_equal(serial[1], pooled[1])


def test_resume_reuses_finished_batches_and_refuses_another_run(data, tmp_path):
    refs, _ = data
    cfg = PlaceTrainConfig(places_per_module=5, epochs=1, modules_per_batch=1)
    full = train_modules(refs, cfg, PARAMS, checkpoint_dir=tmp_path / "ck")
    (tmp_path / "ck" / "batch_00001.npz").unlink()           # as if interrupted before batch 1 ended
    calls = []
    again = train_modules(refs, cfg, PARAMS, on_batch=calls.append, checkpoint_dir=tmp_path / "ck", resume=True)
    assert np.array_equal(full[0], again[0]) and len(calls) == 3
    with pytest.raises(ValueError, match="different run"):
        train_modules(refs, PlaceTrainConfig(places_per_module=5, epochs=2, modules_per_batch=1), PARAMS,
                      checkpoint_dir=tmp_path / "ck", resume=True)


def test_bad_shapes_are_refused(data):
    refs, _ = data
    with pytest.raises(ValueError, match="refs"):
        train_ensemble(refs[:, :, :100], CONFIG, PARAMS)
    with pytest.raises(ValueError, match="fewer than one module"):
        train_ensemble(refs[:, :3], CONFIG, PARAMS)


def test_progress_is_reported_without_a_checkpoint(data):
    refs, _ = data
    calls = []
    train_modules(refs, PlaceTrainConfig(places_per_module=5, epochs=1, modules_per_batch=2), PARAMS,
                  on_batch=calls.append)
    assert calls == [2, 1]


def test_calibration_never_looks_past_the_calibration_region(data):
    refs, query = data
    garbage = query.copy()
    garbage[5:] = np.random.default_rng(0).random(garbage[5:].shape) * 255   # test-region queries
    cfg = PlaceTrainConfig(places_per_module=5, epochs=1, modules_per_batch=4, calibration_fraction=0.2)
    a = train_ensemble(refs, cfg, PARAMS, calibration=query)[1]["calibration"]
    b = train_ensemble(refs, cfg, PARAMS, calibration=garbage)[1]["calibration"]
    assert a == b and a["calibration_places"] == 5


def test_calibration_must_leave_a_module_to_test(data):
    refs, query = data
    with pytest.raises(ValueError, match="leave none to test"):
        train_ensemble(refs[:, :5], CONFIG, PARAMS, calibration=query[:5])


def _rewrite(path, **changes):
    """Rewrite a saved model's arrays or metadata and re-seal its checksum (a valid but wrong file)."""
    import hashlib

    npz, meta_path = path.with_suffix(".npz"), path.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    with np.load(npz, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    for key, value in changes.items():
        if key in arrays:
            arrays[key] = value
            meta["arrays"][key] = {"shape": list(value.shape), "dtype": str(value.dtype)}
        else:
            meta["metadata"][key] = value
    np.savez(npz, **arrays)
    meta["sha256"] = hashlib.sha256(npz.read_bytes()).hexdigest()
    meta_path.write_text(json.dumps(meta))


@pytest.mark.parametrize("change, message", [
    (lambda a: {"region_start": a["region_start"][::-1].copy()}, "region_start"),
    (lambda a: {"module": a["module"].astype(np.float32)}, "integers"),
    (lambda a: {"threshold": 5.7}, "threshold"),
    (lambda a: {"patch": 4}, "patch"),
])
def test_inconsistent_model_files_are_refused(trained, tmp_path, change, message):
    path = trained[0].save(tmp_path / "m")
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    _rewrite(path, **change(arrays))
    with pytest.raises(ArtifactError, match=message):
        PlaceModel.load(path)


def test_a_camera_frame_is_prepared_exactly_as_training_read_it_from_disk(trained, tmp_path):
    """The node's path (match_images on a mono8 frame) and the data path (load_traverse on the
    same image written to disk) give identical model inputs."""
    import cv2

    from snn_control.perception.places.data import load_traverse, open_traverses
    from snn_control.perception.places.encoding import patch_normalize

    frame = (np.random.default_rng(3).random((96, 128)) * 255).astype(np.uint8)
    (tmp_path / "t").mkdir()
    cv2.imwrite(str(tmp_path / "t" / "00000.png"), frame)
    from_disk = patch_normalize(load_traverse(open_traverses(tmp_path), "t")).reshape(1, -1)
    assert np.array_equal(trained[0].prepare([frame]), from_disk)
