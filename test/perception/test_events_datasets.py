"""Gesture data sets: the synthetic format's round trip, every kind of damage refused naming the
file, and format detection over the three layouts."""

import json

import numpy as np
import pytest
from dvs128_files import write_aedat31, write_labels_csv, write_tonic_npy

from snn_control.perception.events import GESTURE_CLASSES, EventSample, make_events
from snn_control.perception.events.checks import EventFileError
from snn_control.perception.events.datasets import (
    detect_format,
    load_gesture_dataset,
    save_gesture_sample,
    write_manifest,
)

SUBJECTS = {"s000": {"split": "train", "arm_length_m": np.float64(0.61)}, "s001": {"split": "test", "speed": 1.2}}


def sample(label, subject, n=5, seed=0):
    rng = np.random.default_rng(seed)
    events = make_events(rng.integers(0, 128, n), rng.integers(0, 128, n), np.sort(rng.uniform(0, 1.5, n)),
                         rng.choice([-1, 1], n))
    return EventSample(events, label, subject, lighting="lamp")


@pytest.fixture
def dataset(tmp_path):
    rows = [save_gesture_sample(tmp_path, sample(3, "s000"), "train", 0),
            save_gesture_sample(tmp_path, sample(9, "s000", seed=1), "train", 1, duration_s=2.0),
            save_gesture_sample(tmp_path, sample(0, "s001", n=0), "test", 0)]
    write_manifest(tmp_path, 7, SUBJECTS, rows)
    return tmp_path, rows


def test_round_trip_and_splits(dataset):
    root, rows = dataset
    assert rows[0] == {"file": "train/s000/c03_r0.npy", "label": 3, "subject": "s000", "lighting": "lamp",
                       "split": "train", "n_events": 5, "duration_s": float(sample(3, "s000").events["t"][-1])}
    assert rows[1]["duration_s"] == 2.0 and rows[2]["duration_s"] == 0.0
    train = load_gesture_dataset(root)
    assert [(s.label, s.subject, s.lighting) for s in train] == [(3, "s000", "lamp"), (9, "s000", "lamp")]
    np.testing.assert_array_equal(train[0].events, sample(3, "s000").events)
    assert train[0].source == str(root / "train/s000/c03_r0.npy")
    test = load_gesture_dataset(root, "synthetic", "test")
    assert len(test) == 1 and test[0].events.size == 0
    assert len(load_gesture_dataset(root, split="all")) == 3
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["classes"] == list(GESTURE_CLASSES) and manifest["seed"] == 7
    assert manifest["subjects"]["s000"]["arm_length_m"] == 0.61 and set(manifest["sha256"]) == {r["file"] for r in rows}


def edit_manifest(root, change):
    path = root / "manifest.json"
    m = json.loads(path.read_text())
    change(m)
    path.write_text(json.dumps(m))


@pytest.mark.parametrize("change, match", [
    (lambda m: m.update(format_version=2), "format_version 2, this version of snn_control reads 1"),
    (lambda m: m.update(format="other"), "format 'other'"),
    (lambda m: m.pop("subjects"), "missing key 'subjects'"),
    (lambda m: m.update(classes=m["classes"][::-1]), "differ from GESTURE_CLASSES"),
    (lambda m: m["samples"][0].update(label=10), "samples\\[0\\]: label 10 outside 0..9"),
    (lambda m: m["samples"][0].update(label="3"), "samples\\[0\\]: label must be int"),
    (lambda m: m["samples"][1].update(file="../../etc/x.npy"), "must be a relative .npy path inside"),
    (lambda m: m["samples"][1].update(subject="s001"), "subject 's001' is not in subjects with split 'train'"),
    (lambda m: m["samples"][1].pop("lighting"), "samples\\[1\\]: a sample row needs exactly the keys"),
    (lambda m: m["samples"].append(dict(m["samples"][0])), "listed twice"),
    (lambda m: m["samples"][0].update(n_events=6), "5 events, manifest.json says 6"),
])
def test_damaged_manifest_is_refused_naming_the_file(dataset, change, match):
    root, _ = dataset
    edit_manifest(root, change)
    with pytest.raises(EventFileError, match=match) as info:
        load_gesture_dataset(root, split="all")
    assert str(root) in str(info.value)


def test_damaged_sample_files_are_refused(dataset):
    root, _ = dataset
    (root / "manifest.json").write_text("{not json")
    with pytest.raises(EventFileError, match="manifest.json: not valid JSON"):
        load_gesture_dataset(root, "synthetic")
    write_manifest(root, 7, SUBJECTS, dataset[1])
    target = root / "train/s000/c03_r0.npy"
    good = target.read_bytes()
    target.write_bytes(good[:-3])
    with pytest.raises(EventFileError, match="c03_r0.npy: checksum mismatch"):
        load_gesture_dataset(root)
    edit_manifest(root, lambda m: m.pop("sha256"))  # without checksums the damage is still caught
    with pytest.raises(EventFileError, match="c03_r0.npy: cannot read as a numpy array"):
        load_gesture_dataset(root)
    np.save(target, np.zeros(5))
    with pytest.raises(EventFileError, match="c03_r0.npy: float64\\[5\\], expected 1-D EVENT_DTYPE"):
        load_gesture_dataset(root)
    np.save(target, np.array([{"evil": 1}] * 5, dtype=object), allow_pickle=True)
    with pytest.raises(EventFileError, match="c03_r0.npy: cannot read as a numpy array"):
        load_gesture_dataset(root)
    bad = sample(3, "s000").events.copy()
    bad["t"] = bad["t"][::-1]
    np.save(target, bad)
    with pytest.raises(EventFileError, match="c03_r0.npy: 4 events out of time order"):
        load_gesture_dataset(root)
    target.unlink()
    with pytest.raises(EventFileError, match="c03_r0.npy: sample file not found"):
        load_gesture_dataset(root)


def test_saver_refuses_bad_samples(tmp_path):
    with pytest.raises(ValueError, match="split must be one of"):
        save_gesture_sample(tmp_path, sample(1, "s000"), "val", 0)
    with pytest.raises(ValueError, match="not a plain name"):
        save_gesture_sample(tmp_path, sample(1, "../up"), "train", 0)
    with pytest.raises(ValueError, match="index must be an int >= 0"):
        save_gesture_sample(tmp_path, sample(1, "s000"), "train", -1)
    outside = sample(1, "s000")
    outside.events["x"][0] = 200
    with pytest.raises(EventFileError, match="1 events outside the 128x128 sensor"):
        save_gesture_sample(tmp_path, outside, "train", 0)
    row = save_gesture_sample(tmp_path, sample(1, "s000"), "train", 0)
    with pytest.raises(EventFileError, match="subject 's000' is not in subjects with split 'train'"):
        write_manifest(tmp_path, 0, {"s000": {"split": "test"}}, [row])
    with pytest.raises(ValueError, match="seed must be an int"):
        write_manifest(tmp_path, 1.5, SUBJECTS, [row])
    (tmp_path / row["file"]).unlink()
    with pytest.raises(EventFileError, match="sample file not found \\(write it before the manifest\\)"):
        write_manifest(tmp_path, 0, SUBJECTS, [row])


def test_format_detection_over_the_three_layouts(tmp_path, dataset):
    assert detect_format(dataset[0]) == "synthetic"
    tonic = tmp_path / "t"
    write_tonic_npy(tonic / "DVSGesture" / "ibmGestureTest" / "user24_led" / "2.npy", [1], [2], [1], [0])
    assert detect_format(tonic) == "tonic"
    assert [s.label for s in load_gesture_dataset(tonic, split="test")] == [2]
    release = tmp_path / "r" / "DvsGesture"
    release.mkdir(parents=True)
    write_aedat31(release / "user05_lab.aedat", [1, 2], [3, 4], [10, 20], [1, -1])
    write_labels_csv(release / "user05_lab_labels.csv", [(8, 0, 100)])
    assert detect_format(tmp_path / "r") == "dvs128"
    (got,) = load_gesture_dataset(tmp_path / "r")
    assert (got.label, got.subject, got.events.size) == (7, "user05", 2)
    with pytest.raises(EventFileError, match="unknown data set layout"):
        load_gesture_dataset(tmp_path / "empty")
    with pytest.raises(ValueError, match="fmt must be one of"):
        load_gesture_dataset(tonic, fmt="hdf5")
    with pytest.raises(ValueError, match="split must be"):
        load_gesture_dataset(tonic, split="val")
