"""PointCloud2 <-> event record: the topic contract's layout, foreign layouts, broken packets."""

import numpy as np
import pytest

pytest.importorskip("rclpy")

from sensor_msgs.msg import PointCloud2, PointField  # noqa: E402

from snn_control.nodes.common import time_msg  # noqa: E402
from snn_control.nodes.event_msgs import EventMsgError, events_to_pointcloud2, pointcloud2_to_events  # noqa: E402
from snn_control.perception.events import EVENT_DTYPE, make_events  # noqa: E402


def _events(n=50, seed=0):
    rng = np.random.default_rng(seed)
    return make_events(rng.integers(0, 128, n), rng.integers(0, 128, n), np.sort(rng.random(n)),
                       rng.choice([-1, 1], n))


def test_round_trip_is_exact_and_carries_the_contract_fields():
    ev = _events()
    msg = events_to_pointcloud2(ev, time_msg(1.5))
    assert [(f.name, f.offset, f.datatype) for f in msg.fields] == [("x", 0, 4), ("y", 2, 4), ("t", 4, 8), ("p", 12, 1)]
    assert msg.point_step == 13 and msg.width == 50 and msg.height == 1
    back = pointcloud2_to_events(msg)
    assert back.dtype == EVENT_DTYPE
    np.testing.assert_array_equal(back, ev)
    assert pointcloud2_to_events(events_to_pointcloud2(ev[:0], time_msg(0.0))).size == 0


def test_a_padded_reordered_foreign_layout_is_read_field_by_field():
    ev = _events(7)
    layout = np.dtype({"names": ["t", "p", "x", "y"], "formats": ["<f8", "i1", "<u2", "<u2"],
                       "offsets": [0, 8, 10, 12], "itemsize": 16})
    raw = np.zeros(7, dtype=layout)
    for name in ("x", "y", "t", "p"):
        raw[name] = ev[name]
    msg = PointCloud2(height=1, width=7, point_step=16, row_step=112, is_dense=True, data=raw.tobytes(),
                      fields=[PointField(name="t", offset=0, datatype=8, count=1),
                              PointField(name="p", offset=8, datatype=1, count=1),
                              PointField(name="x", offset=10, datatype=4, count=1),
                              PointField(name="y", offset=12, datatype=4, count=1)])
    np.testing.assert_array_equal(pointcloud2_to_events(msg), ev)


@pytest.mark.parametrize("breakage, match", [
    (lambda m: setattr(m, "fields", m.fields[:3]), "missing field"),
    (lambda m: setattr(m.fields[2], "datatype", 7), "field 't' has datatype 7"),
    (lambda m: setattr(m, "data", bytes(m.data)[:-5]), "bytes, header says"),
    (lambda m: setattr(m, "is_bigendian", True), "big-endian"),
])
def test_broken_packets_are_refused_with_the_reason(breakage, match):
    msg = events_to_pointcloud2(_events(5), time_msg(0.0))
    breakage(msg)
    with pytest.raises(EventMsgError, match=match):
        pointcloud2_to_events(msg)


def test_writing_needs_the_event_record():
    with pytest.raises(EventMsgError, match="EVENT_DTYPE"):
        events_to_pointcloud2(np.zeros(3), time_msg(0.0))
