"""DVS128 Gesture readers: tiny AEDAT 3.1 / labels / tonic files written to spec and read back
exactly, and every kind of damage refused with a message naming the file."""

import struct

import numpy as np
import pytest
from dvs128_files import HEADER, write_aedat31, write_labels_csv, write_tonic_npy

from snn_control.perception.events import EVENT_DTYPE
from snn_control.perception.events.checks import EventFileError
from snn_control.perception.events.dvs128 import (
    load_dvs128_gesture,
    load_dvs128_recording,
    load_tonic_gesture,
    read_aedat31,
    read_labels_csv,
)

# x, y, t_us, p; the last three lie beyond the first 2**31 us overflow epoch
X = [0, 127, 5, 64, 3, 100, 7, 127]
Y = [0, 3, 127, 64, 9, 1, 2, 126]
T = [10, 1500, 1500, 2999, 4000, 2**31 + 5, 2**31 + 7, 2**32 + 1]
P = [1, -1, 1, 1, -1, -1, 1, 1]


def test_aedat31_round_trip_with_overflow_invalid_marks_and_other_packets(tmp_path):
    path = write_aedat31(tmp_path / "user01_lab.aedat", X, Y, T, P, per_packet=3, invalid=(2,))
    raw = read_aedat31(path)
    keep = [i for i in range(len(X)) if i != 2]
    np.testing.assert_array_equal(raw["x"], np.array(X)[keep])
    np.testing.assert_array_equal(raw["y"], np.array(Y)[keep])
    np.testing.assert_array_equal(raw["t_us"], np.array(T, dtype=np.int64)[keep])
    np.testing.assert_array_equal(raw["p"], np.array(P)[keep])


def test_recording_cut_into_labelled_trials(tmp_path):
    path = write_aedat31(tmp_path / "user03_fluorescent_led.aedat", X, Y, T, P)
    write_labels_csv(tmp_path / "user03_fluorescent_led_labels.csv",
                     [(1, 1500, 2999), (11, 2999, 4001), (10, 2999, 2**31 + 7)])
    a, b = load_dvs128_recording(path)  # class 11 ("other") skipped
    assert (a.label, b.label) == (0, 9)
    assert (a.subject, a.lighting) == ("user03", "fluorescent_led") and a.source.endswith("#trial1")
    assert b.source.endswith("#trial3") and a.events.dtype == EVENT_DTYPE
    # [start, end): the events at 1500 are in, the one at 2999 is out of the first trial
    np.testing.assert_array_equal(a.events["x"], [127, 5])
    np.testing.assert_array_equal(a.events["t"], [0.0, 0.0])
    np.testing.assert_array_equal(b.events["x"], [64, 3, 100])
    np.testing.assert_allclose(b.events["t"], (np.array([2999, 4000, 2**31 + 5]) - 2999) * 1e-6, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(b.events["p"], [1, -1, -1])


def make_release(folder, with_lists=True):
    folder.mkdir(parents=True, exist_ok=True)
    for name, cls in (("user02_led", 3), ("user25_natural", 5), ("user23_lab", 2)):
        write_aedat31(folder / f"{name}.aedat", X[:5], Y[:5], T[:5], P[:5])
        write_labels_csv(folder / f"{name}_labels.csv", [(cls, 0, 5000)])
    if with_lists:
        (folder / "trials_to_train.txt").write_text("user02_led.aedat\n\n")
        (folder / "trials_to_test.txt").write_text("user25_natural.aedat\nuser23_lab.aedat\n")


def test_split_lists_and_the_user_rule(tmp_path):
    make_release(tmp_path / "a" / "DvsGesture")
    train = load_dvs128_gesture(tmp_path / "a", "train")
    assert [(s.subject, s.label) for s in train] == [("user02", 2)]
    assert [s.subject for s in load_dvs128_gesture(tmp_path / "a", "test")] == ["user25", "user23"]
    assert len(load_dvs128_gesture(tmp_path / "a" / "DvsGesture", "all")) == 3
    make_release(tmp_path / "b", with_lists=False)  # users 1-23 train, 24-29 test
    assert [s.subject for s in load_dvs128_gesture(tmp_path / "b", "train")] == ["user02", "user23"]
    assert [s.subject for s in load_dvs128_gesture(tmp_path / "b", "test")] == ["user25"]
    (tmp_path / "a" / "DvsGesture" / "user02_led.aedat").unlink()
    with pytest.raises(EventFileError, match="user02_led.aedat: listed in trials_to_train.txt but missing"):
        load_dvs128_gesture(tmp_path / "a", "train")
    with pytest.raises(EventFileError, match="no userNN_<lighting>.aedat files"):
        load_dvs128_gesture(tmp_path / "nothing")


@pytest.fixture
def good_file(tmp_path):
    return write_aedat31(tmp_path / "user01_lab.aedat", X, Y, T, P)


@pytest.mark.parametrize("damage, match", [
    (lambda b: b[:-5], "truncated: packet at byte \\d+ declares 8 bytes, 3 left"),
    (lambda b: b + b"\x01\x00\x00", "truncated: 3 bytes at \\d+, a packet header is 28"),
    (lambda b: b[: len(HEADER) - 16], "no #!END-HEADER line"),
    (lambda b: b.replace(b"#Format: RAW", b"Format: RAW"), "line 2 does not start with '#'"),
    (lambda b: b.replace(b"#!AER-DAT3.1", b"#!AER-DAT2.0"), "AEDAT version '2.0'; this reader reads 3.1"),
    (lambda b: b"\x00\x01garbage", "not an AEDAT file"),
    (lambda b: b + struct.pack("<hhiiiiii", 1, 1, 8, 4, 0, -1, 0, 0),
     "corrupt packet header at byte \\d+ \\(size 8, capacity -1"),
    (lambda b: b + struct.pack("<hhiiiiii", 1, 1, 6, 4, 0, 1, 1, 1) + b"\x00" * 6,
     "polarity packet at byte \\d+ has eventSize 6"),
])
def test_damaged_aedat_files_are_refused_naming_the_file(good_file, damage, match):
    good_file.write_bytes(damage(good_file.read_bytes()))
    with pytest.raises(EventFileError, match=match) as info:
        read_aedat31(good_file)
    assert str(good_file) in str(info.value)


def test_bad_labels_names_and_coordinates(tmp_path, good_file):
    with pytest.raises(EventFileError, match="user01_lab_labels.csv: cannot read labels"):
        load_dvs128_recording(good_file)
    labels = tmp_path / "user01_lab_labels.csv"
    labels.write_text("label,start,end\n1,0,10\n")
    with pytest.raises(EventFileError, match="header 'label,start,end'"):
        read_labels_csv(labels)
    for body, match in (("1,5,x\n", "line 2: expected three integers"), ("12,0,10\n", "line 2: class 12"),
                        ("3,10,10\n", "end 10 <= start 10")):
        labels.write_text("class,startTime_usec,endTime_usec\n" + body)
        with pytest.raises(EventFileError, match=match):
            read_labels_csv(labels)
    odd = write_aedat31(tmp_path / "recording.aedat", X, Y, T, P)
    with pytest.raises(EventFileError, match="recording.aedat: name is not userNN_<lighting>"):
        load_dvs128_recording(odd)
    big = write_aedat31(tmp_path / "user04_led.aedat", [130], [2], [5], [1])
    write_labels_csv(tmp_path / "user04_led_labels.csv", [(1, 0, 10)])
    with pytest.raises(EventFileError, match="user04_led.aedat: events up to x=130.*a DVS128 is 128x128"):
        load_dvs128_recording(big)


def test_tonic_layout_round_trip(tmp_path):
    train = tmp_path / "DVSGesture" / "ibmGestureTrain"
    write_tonic_npy(train / "user01_fluorescent" / "4.npy", [3, 127, 0], [5, 0, 127], [1, 0, 1], [1203, 1200, 1210])
    write_tonic_npy(train / "user01_fluorescent" / "10.npy", [1], [1], [1], [5])  # "other": skipped
    write_tonic_npy(train / "user02_led" / "0.npy", [9], [8], [0], [77])
    write_tonic_npy(tmp_path / "DVSGesture" / "ibmGestureTest" / "user24_lab" / "9.npy", [1], [2], [1], [0])
    a, b = load_tonic_gesture(tmp_path, "train")
    assert (a.label, a.subject, a.lighting, b.label, b.subject) == (4, "user01", "fluorescent", 0, "user02")
    np.testing.assert_array_equal(a.events["x"], [127, 3, 0])  # sorted by time
    np.testing.assert_array_equal(a.events["y"], [0, 5, 127])
    np.testing.assert_array_equal(a.events["p"], [-1, 1, 1])
    np.testing.assert_allclose(a.events["t"], [0.0, 0.003, 0.010], rtol=0, atol=1e-12)  # ms -> s, from first event
    assert [s.subject for s in load_tonic_gesture(tmp_path / "DVSGesture", "all")] == ["user01", "user02", "user24"]


@pytest.mark.parametrize("write, match", [
    (lambda p: np.save(p, np.array([{"a": 1}], dtype=object)), "cannot read as a numpy array"),
    (lambda p: np.save(p, np.zeros((3, 3))), "tonic's DVSGesture holds numeric \\(N, 4\\)"),
    (lambda p: np.save(p, np.array([[1, 2, 2, 5]])), "polarity column"),
    (lambda p: np.save(p, np.array([[128, 2, 1, 5]])), "outside the 128x128 sensor"),
    (lambda p: np.save(p, np.array([[1.5, 2, 1, 5]])), "outside the 128x128 sensor"),
    (lambda p: np.save(p, np.array([[1, 2, 1, np.nan]])), "non-finite t"),
    (lambda p: p.write_bytes(b"\x93NUMPY\x01\x00trunc"), "cannot read as a numpy array"),
])
def test_damaged_tonic_files_are_refused(tmp_path, write, match):
    path = tmp_path / "ibmGestureTrain" / "user01_lab" / "3.npy"
    path.parent.mkdir(parents=True)
    write(path)
    with pytest.raises(EventFileError, match=match) as info:
        load_tonic_gesture(tmp_path)
    assert str(path) in str(info.value)


def test_unknown_tonic_layout(tmp_path):
    write_tonic_npy(tmp_path / "ibmGestureTrain" / "user01_lab" / "three.npy", [1], [1], [1], [1])
    with pytest.raises(EventFileError, match="three.npy: name is not <label>.npy"):
        load_tonic_gesture(tmp_path)
    write_tonic_npy(tmp_path / "ibmGestureTest" / "somebody" / "1.npy", [1], [1], [1], [1])
    with pytest.raises(EventFileError, match="somebody: name is not userNN_<lighting>"):
        load_tonic_gesture(tmp_path, "test")
    with pytest.raises(EventFileError, match="no DVSGesture/ibmGestureTrain"):
        load_tonic_gesture(tmp_path / "missing")
