"""``/camera/events`` as sensor_msgs/PointCloud2 and back (the adapter side of the event record).

The topic contract's layout is CARLA's DVS layout with time in seconds: fields ``x`` (UINT16),
``y`` (UINT16), ``t`` (FLOAT64, seconds) and ``p`` (INT8), one point per event, ``height`` 1.
:data:`~snn_control.perception.events.EVENT_DTYPE` is that layout packed (13 bytes a point), so
writing a message is one ``tobytes`` and reading one of ours is one ``frombuffer``. A producer
whose fields sit at other offsets, in another order or with padding is read field by field; a
cloud without the four fields, with another datatype for one of them, or whose data length does
not match its header is refused with a reason (the caller skips it and says so).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from snn_control.perception.events import EVENT_DTYPE

# sensor_msgs/PointField datatypes
_UINT16, _INT8, _FLOAT64 = 4, 1, 8
_CODES = {"x": (_UINT16, "<u2"), "y": (_UINT16, "<u2"), "t": (_FLOAT64, "<f8"), "p": (_INT8, "i1")}
_FIELDS = (("x", 0), ("y", 2), ("t", 4), ("p", 12))


class EventMsgError(ValueError):
    """A PointCloud2 that is not an event packet of the topic contract."""


def events_to_pointcloud2(events: np.ndarray, stamp: Any, frame_id: str = "event_camera") -> Any:
    """A PointCloud2 holding ``events`` (an :data:`EVENT_DTYPE` array), stamped ``stamp``."""
    from sensor_msgs.msg import PointCloud2, PointField

    if events.dtype != EVENT_DTYPE:
        raise EventMsgError(f"events must have EVENT_DTYPE, got {events.dtype}")
    msg = PointCloud2()
    msg.header.stamp = stamp
    msg.header.frame_id = frame_id
    msg.height = 1
    msg.width = int(events.shape[0])
    msg.fields = [PointField(name=n, offset=o, datatype=_CODES[n][0], count=1) for n, o in _FIELDS]
    msg.is_bigendian = False
    msg.point_step = EVENT_DTYPE.itemsize
    msg.row_step = msg.point_step * msg.width
    msg.is_dense = True
    msg.data = np.ascontiguousarray(events).tobytes()
    return msg


def pointcloud2_to_events(msg: Any) -> np.ndarray:
    """The :data:`EVENT_DTYPE` array a PointCloud2 holds (a copy, safe to keep).

    Raises:
        EventMsgError: A field is missing or has another datatype, the cloud is big-endian, or the
            data is shorter or longer than ``width * height * point_step``.
    """
    if msg.is_bigendian:
        raise EventMsgError("big-endian point clouds are not supported")
    fields = {f.name: f for f in msg.fields}
    missing = [n for n in _CODES if n not in fields]
    if missing:
        raise EventMsgError(f"missing field(s) {', '.join(missing)} (have {', '.join(fields) or 'none'})")
    for name, (code, _) in _CODES.items():
        f = fields[name]
        if f.datatype != code or f.count != 1:
            raise EventMsgError(f"field {name!r} has datatype {f.datatype} x{f.count}, expected {code} x1")
    n = int(msg.width) * int(msg.height)
    step = int(msg.point_step)
    data = memoryview(msg.data).cast("B") if not isinstance(msg.data, (bytes, bytearray)) else msg.data
    if len(data) != n * step:
        raise EventMsgError(f"data holds {len(data)} bytes, header says {n} points x {step} bytes")
    if n == 0:
        return np.empty(0, dtype=EVENT_DTYPE)
    ends = [fields[name].offset + np.dtype(fmt).itemsize for name, (_, fmt) in _CODES.items()]
    if step < max(ends):
        raise EventMsgError(f"point_step {step} is shorter than the fields ({max(ends)} bytes)")
    if step == EVENT_DTYPE.itemsize and all(fields[name].offset == off for name, off in _FIELDS):
        return np.frombuffer(data, dtype=EVENT_DTYPE, count=n).copy()
    layout = np.dtype({"names": list(_CODES), "formats": [fmt for _, fmt in _CODES.values()],
                       "offsets": [fields[name].offset for name in _CODES], "itemsize": step})
    raw = np.frombuffer(data, dtype=layout, count=n)
    out = np.empty(n, dtype=EVENT_DTYPE)
    for name in _CODES:
        out[name] = raw[name]
    return out
