"""The place_recognition node's core, without ROS: checks, active modules, fixes, health, scoring;
and the replay's image source."""

import numpy as np
import pytest

from snn_control.artifacts.store import ArtifactError
from snn_control.perception.config import ImageReplayConfig, PlaceRecognitionConfig
from snn_control.perception.place_replay import QueryImages
from snn_control.perception.place_service import (
    ERROR, ERROR_AFTER_REJECTED, OK, WARN, LatencyStats, PlaceService, load_place_model, module_ranges,
    position_variance_m2, reference_spacing_m, score_matches)
from snn_control.perception.places.data import PlaceDataError
from snn_control.perception.places.model import PlaceModel


@pytest.fixture(scope="module")
def model(tiny_places):
    return PlaceModel.load(tiny_places.model)


def test_matches_are_the_models_and_carry_its_position_and_variance(model, tiny_places):
    service = PlaceService(model)
    for image in tiny_places.query:
        out = service.localize(image)
        offline = model.match_images([image])  # one at a time, as the node matches
        assert out.level == OK and not out.rejected
        if offline.place[0] < 0:
            assert out.fix is None
            continue
        fix = out.fix
        assert (fix.place, fix.score, fix.confidence) == (offline.place[0], offline.score[0], offline.confidence[0])
        assert (fix.x_m, fix.y_m) == model.position(fix.place)
        assert fix.variance_m2 == position_variance_m2(service.spacing_m, fix.confidence)
    assert service.n_images == len(tiny_places.query) == service.n_matches + service.n_no_match
    assert service.n_matches > 0
    assert service.status_values()["last_place"] == service.last.place


def test_variance_falls_with_confidence_from_one_place_spacing(model):
    assert reference_spacing_m(model) == 10.0  # no positions: the default 10 m per place
    assert position_variance_m2(10.0, 0.0) == 100.0
    assert position_variance_m2(10.0, 1.0) == 25.0
    assert position_variance_m2(10.0, -3.0) == 100.0  # never more certain than the spacing says
    assert PlaceService(model, PlaceRecognitionConfig(place_spacing_m=4.0)).spacing_m == 4.0


@pytest.mark.parametrize("image, reason", [
    (np.zeros((0, 30), np.uint8), "non-empty grayscale"),
    (np.zeros((30, 40, 3), np.uint8), "non-empty grayscale"),
    (np.zeros((10, 40), np.uint8), "smaller than min_side_px 16"),
    (np.full((30, 40), np.nan, np.float32), "NaN or inf"),
    (np.ones((30, 40), bool), "must be numbers"),
    (np.full((30, 40), 0, np.uint8), "no contrast"),       # lens cap
    (np.full((30, 40), 255, np.uint8), "no contrast"),     # saturated
])
def test_bad_images_are_rejected_with_a_reason(model, image, reason):
    service = PlaceService(model)
    out = service.localize(image, key=7)
    assert out.fix is None and out.rejected and out.level == WARN and reason in out.message
    assert (service.n_rejected, service.n_matches, service.n_images) == (1, 0, 1)


def test_configured_size_and_error_after_many_rejections(model, tiny_places):
    service = PlaceService(model, PlaceRecognitionConfig(image_width=64, image_height=48))
    assert service.localize(tiny_places.query[0]).rejected is False
    levels = [service.localize(np.zeros((48, 60), np.uint8)).level for _ in range(ERROR_AFTER_REJECTED)]
    assert levels[:-1] == [WARN] * (ERROR_AFTER_REJECTED - 1) and levels[-1] == ERROR
    out = service.reject("encoding 'yuv422' is not supported")
    assert out.level == ERROR and "11 images in a row" in out.message and "yuv422" in out.message
    assert service.localize(tiny_places.query[0]).level == OK  # a good image ends the run of errors


def test_active_modules_restrict_the_search_and_bad_sets_are_refused(model, tiny_places):
    n = model.ensemble.n_modules
    service = PlaceService(model)
    assert service.set_active_modules([1]) is None
    restricted = [int(model.match_images([img], modules=np.array([1])).place[0]) for img in tiny_places.query]
    unrestricted = [int(model.match_images([img]).place[0]) for img in tiny_places.query]
    got = [service.localize(img).fix for img in tiny_places.query]
    assert [f.place if f else -1 for f in got] == restricted != unrestricted
    assert all(f is None or f.place >= model.ensemble.region_start[1] for f in got)
    problem = service.set_active_modules([0, n])
    assert f"module index {n} outside [0, {n})" in problem and "keeping 1" in problem
    assert service.active.tolist() == [1] and service.n_rejected_sets == 1
    out = service.localize(tiny_places.query[0])
    assert out.level == WARN and "rejected" in out.message  # the next status says so, once
    assert service.localize(tiny_places.query[0]).level == OK
    assert service.set_active_modules([]) is None and service.active is None
    assert service.status_values()["active_modules"] == "all"
    with pytest.raises(ValueError, match="active_modules: module index 5 outside"):
        PlaceService(model, PlaceRecognitionConfig(active_modules=(0, 5)))


def test_status_values_and_latency_percentiles(model, tiny_places):
    service = PlaceService(model, PlaceRecognitionConfig(active_modules=(1, 0)))
    values = service.status_values()
    assert values["latency_p50_ms"] == "" and values["active_modules"] == "0-1" and values["n_active_modules"] == 2
    for ms in range(1, 101):
        service.latency.add(ms / 1e3)
    values = service.status_values()
    assert float(values["latency_p50_ms"]) == pytest.approx(50.5)
    assert float(values["latency_p99_ms"]) == pytest.approx(99.01)
    stats = LatencyStats(keep=3)
    for s in (9.0, 1.0, 2.0, 3.0):
        stats.add(s)
    assert stats.percentile_ms(100) == 3000.0
    assert module_ranges(np.array([0, 1, 2, 3, 7, 9, 10])) == "0-3,7,9-10" and module_ranges(np.array([])) == "none"


def test_score_matches_counts_every_image_sent():
    truth = {10: 0, 20: 1, 30: 2, 40: 3, 50: 4}
    answers = [(10, 0), (20, 2), (30, -1), (40, None)]  # 50 never answered
    score = score_matches(truth, answers)
    assert score == {"n_sent": 5, "n_answered": 4, "accuracy_tol0": 0.2, "accuracy_tol1": 0.4,
                     "precision_published": 0.5}
    assert score_matches(truth, answers, withheld={20})["precision_published"] == 1.0
    assert score_matches(truth, answers, withheld={10, 20})["precision_published"] is None
    assert score_matches({}, [])["accuracy_tol0"] is None


def test_recorded_history_pairs_keys_with_answers(model, tiny_places):
    service = PlaceService(model, PlaceRecognitionConfig(record=True))
    service.localize(tiny_places.query[3], key="a")
    service.reject("bad", key="b")
    assert service.history == [("a", service.history[0][1]), ("b", None)]
    assert service.latency.samples_s.maxlen is None  # keeps every latency when recording


def test_model_that_cannot_load_names_the_file(tmp_path):
    with pytest.raises(ArtifactError, match="missing.npz"):
        load_place_model(str(tmp_path / "missing.npz"))
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ArtifactError, match="bad"):
        load_place_model(str(tmp_path / "bad.npz"))


def test_shipped_model_loads_with_its_calibration():
    model = load_place_model("")
    assert (model.ensemble.n_places, model.ensemble.n_modules, model.ensemble.threshold) == (600, 24, 40)
    assert PlaceService(model).min_confidence == pytest.approx(0.0763, abs=1e-4)   # calibrated, 90 % precision
    assert PlaceService(model, PlaceRecognitionConfig(min_confidence=0.0)).min_confidence == 0.0


def test_low_confidence_matches_are_withheld_not_published(model, tiny_places):
    service = PlaceService(model, PlaceRecognitionConfig(min_confidence=1e9, record=True))
    outs = [service.localize(image, key=i) for i, image in enumerate(tiny_places.query)]
    assert all(o.fix is None and not o.rejected and o.level == OK for o in outs)
    assert service.n_withheld == service.n_matches > 0 and len(service.withheld) == service.n_withheld
    assert "withheld" in next(o.message for o in outs if "withheld" in o.message)
    assert service.status_values()["withheld"] == service.n_withheld


def test_folder_replay_plays_the_traverse_with_its_truth(tiny_places):
    q = QueryImages(ImageReplayConfig(source="folder", folder=str(tiny_places.root), traverse="query",
                                      first_place=2, n_images=0))
    assert len(q) == 8 and q.place(0) == 2 and q.place(7) == 9
    assert np.array_equal(q.image(0), tiny_places.query[2])
    with pytest.raises(IndexError):
        q.image(8)
    with pytest.raises(PlaceDataError, match="holds 10 images"):
        QueryImages(ImageReplayConfig(source="folder", folder=str(tiny_places.root), traverse="query",
                                      first_place=5, n_images=6))
    with pytest.raises(PlaceDataError, match="no traverse folder"):
        QueryImages(ImageReplayConfig(source="folder", folder=str(tiny_places.root), traverse="winter"))


def test_synth_replay_renders_the_benchmarks_images():
    from snn_control.perception.places.synth import PlaceBenchConfig, World, image_rng, render_place

    q = QueryImages(ImageReplayConfig(source="synth", traverse="night", first_place=3, n_images=2,
                                      synth_width=64, synth_height=48))
    img = q.image(1)
    assert img.shape == (48, 64) and img.dtype == np.uint8 and q.place(1) == 4
    world = World(PlaceBenchConfig(places=5, width=64, height=48))
    bgr = render_place(world, 4, "night", image_rng(0, "night", 4))
    weights = np.array([0.114, 0.587, 0.299])  # BGR luma
    assert np.abs(img.astype(float) - bgr @ weights).max() <= 1.0


@pytest.mark.parametrize("kwargs, match", [
    ({"source": "webcam"}, "source must be one of synth, folder"),
    ({"source": "folder"}, "folder must name"),
    ({"traverse": "autumn"}, "unknown synthetic condition 'autumn'"),
    ({"n_images": 0}, "n_images must be >= 1 when source is synth"),
    ({"rate_hz": 0.0}, "rate_hz must be > 0"),
    ({"first_place": -1}, "must be >= 0"),
    ({"real_time_factor": -1.0}, "real_time_factor must be >= 0"),
])
def test_replay_config_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageReplayConfig(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"active_modules": (0, -1)}, "active_modules must be module indices >= 0"),
    ({"place_spacing_m": -1.0}, "place_spacing_m must be >= 0"),
    ({"image_width": -2}, "image_width must be >= 0"),
    ({"min_side_px": 0}, "min_side_px must be >= 1"),
    ({"frame_id": ""}, "frame_id must name"),
])
def test_recognition_config_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PlaceRecognitionConfig(**kwargs)
