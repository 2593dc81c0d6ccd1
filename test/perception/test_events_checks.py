"""Bad input in event streams: each kind of damage repaired or dropped, said in a short problem
string, and never an exception for bad data."""

import numpy as np
import pytest

from snn_control.perception.events import EVENT_DTYPE, make_events
from snn_control.perception.events.checks import EventFileError, require_clean_events, sanitize_events


def packet(x, y, t, p):
    return make_events(x, y, t, p)


def test_clean_packet_passes_unchanged_as_a_copy():
    ev = packet([0, 127, 5], [0, 127, 9], [0.1, 0.2, 0.2], [1, -1, 1])
    out, problems = sanitize_events(ev, 128, 128)
    assert problems == [] and out.dtype == EVENT_DTYPE
    np.testing.assert_array_equal(out, ev)
    out["x"][0] = 9
    assert ev["x"][0] == 0


def test_each_bad_event_is_dropped_and_counted():
    ev = np.zeros(6, dtype=[("x", "f8"), ("y", "f8"), ("t", "f8"), ("p", "f8")])
    ev["x"] = [1, 2, 128, 3, 4, 2.5]
    ev["y"] = [1, 2, 3, -1, 4, 5]
    ev["t"] = [0.1, np.nan, 0.3, 0.4, 0.5, 0.6]
    ev["p"] = [1, 1, 1, 1, 0, -1]
    out, problems = sanitize_events(ev, 128, 128)
    assert problems == ["1 events with non-finite t dropped", "3 events outside the 128x128 sensor dropped",
                        "1 events with polarity not +1/-1 dropped"]
    np.testing.assert_array_equal(out, packet([1], [1], [0.1], [1]))


def test_out_of_order_events_are_sorted_and_late_ones_dropped():
    ev = packet([1, 2, 3, 4], [0, 0, 0, 0], [0.30, 0.10, 0.20, 0.05], [1, 1, -1, -1])
    out, problems = sanitize_events(ev, 8, 8)
    assert problems == ["2 events out of time order; packet sorted"]
    np.testing.assert_array_equal(out["x"], [4, 2, 3, 1])
    out, problems = sanitize_events(ev, 8, 8, t_floor=0.15)
    assert problems == ["2 late events (t < 0.150000 s) dropped", "1 events out of time order; packet sorted"]
    np.testing.assert_array_equal(out["x"], [3, 1])


def test_bursts_are_capped_to_an_even_subsample():
    n = 1000
    ev = packet(np.zeros(n), np.zeros(n), np.linspace(0, 1, n), np.ones(n))
    out, problems = sanitize_events(ev, 4, 4, max_events=100)
    assert problems == ["burst of 1000 events over the cap 100; kept an even subsample"]
    assert out.size == 100 and out["t"][0] == 0.0 and out["t"][-1] == 1.0
    assert np.all(np.diff(out["t"]) > 0) and np.std(np.diff(out["t"])) < 1e-3
    assert sanitize_events(ev, 4, 4, max_events=None)[1] == []


@pytest.mark.parametrize("arr, match", [
    (None, "packet is a NoneType"),
    ([(1, 2, 0.1, 1)], "packet is a list"),
    (np.zeros((3, 4)), "lacks fields \\['x', 'y', 't', 'p'\\]"),
    (np.zeros(3, dtype=[("x", "u2"), ("y", "u2"), ("t", "f8")]), "lacks fields \\['p'\\]"),
    (np.zeros((2, 2), dtype=[("x", "u2"), ("y", "u2"), ("t", "f8"), ("p", "i1")]), "shape \\(2, 2\\)"),
    (np.zeros(2, dtype=[("x", "U3"), ("y", "u2"), ("t", "f8"), ("p", "i1")]), "field 'x' has dtype <U3"),
])
def test_wrong_containers_give_an_empty_packet_and_one_problem(arr, match):
    out, problems = sanitize_events(arr, 128, 128)
    assert out.dtype == EVENT_DTYPE and out.size == 0 and len(problems) == 1
    assert problems[0].endswith("packet dropped")
    assert __import__("re").search(match, problems[0])


def test_other_field_types_and_order_are_converted():
    ev = np.zeros(2, dtype=[("t", "f4"), ("p", "i4"), ("x", "i8"), ("y", "u1"), ("extra", "f8")])
    ev["t"], ev["p"], ev["x"], ev["y"] = [0.5, 0.25], [1, -1], [3, 4], [5, 6]
    out, problems = sanitize_events(ev, 8, 8)
    assert out.dtype == EVENT_DTYPE
    assert problems == ["1 events out of time order; packet sorted"]
    np.testing.assert_array_equal(out, packet([4, 3], [6, 5], [0.25, 0.5], [-1, 1]))


def test_require_clean_events_raises_naming_the_source():
    ev = packet([1, 200, 3], [1, 1, 1], [0.2, 0.1, 0.3], [1, 1, 2])
    with pytest.raises(EventFileError, match="^a.npy: 1 events outside the 16x16 sensor dropped; "
                                             "1 events with polarity not"):
        require_clean_events(ev, 16, 16, "a.npy")
    big = packet(np.zeros(300_000), np.zeros(300_000), np.zeros(300_000), np.ones(300_000))
    assert require_clean_events(big, 1, 1, "b").size == 300_000  # files are never capped


def test_bad_sensor_or_cap_is_a_programming_error():
    with pytest.raises(ValueError, match="width and height"):
        sanitize_events(packet([], [], [], []), 0, 128)
    with pytest.raises(ValueError, match="max_events"):
        sanitize_events(packet([], [], [], []), 128, 128, max_events=0)
