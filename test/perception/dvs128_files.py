"""Writers of tiny DVS128 Gesture files for the tests: AEDAT 3.1, labels CSV, split lists, tonic npy.

Written from the format description in ``snn_control/perception/events/dvs128.py``, independently
of the reader, so a round trip checks the reader against the spec rather than against itself.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

HEADER = (b"#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n"
          b"#Start-Time: 2017-01-01 12:00:00 (TZ+0000)\r\n#!END-HEADER\r\n")


def polarity_word(x: int, y: int, p: int, valid: bool = True) -> int:
    return (int(x) << 17) | (int(y) << 2) | ((1 if p > 0 else 0) << 1) | int(valid)


def polarity_packet(events: list[tuple[int, int, int, int, bool]], spare: int = 0) -> bytes:
    """One polarity packet of ``(x, y, t_us, p, valid)`` (all in one 2**31 overflow epoch);
    ``spare`` unused slots after the events (capacity = number + spare)."""
    overflow = events[0][2] >> 31
    body = b"".join(struct.pack("<Ii", polarity_word(x, y, p, v), t - (overflow << 31)) for x, y, t, p, v in events)
    body += b"\xAB" * 8 * spare
    n = len(events)
    return struct.pack("<hhiiiiii", 1, 1, 8, 4, overflow, n + spare, n, sum(e[4] for e in events)) + body


def special_packet(n: int = 2) -> bytes:
    """A packet of another type (special events, 8 bytes each) that a polarity reader must skip."""
    return struct.pack("<hhiiiiii", 0, 1, 8, 4, 0, n, n, n) + b"\x00" * 8 * n


def write_aedat31(path: Path, x, y, t_us, p, per_packet: int = 3, invalid: tuple[int, ...] = ()) -> Path:
    """Events (time-ordered) in packets of ``per_packet``, split at 2**31 overflow boundaries, with a
    special-event packet in between; events whose index is in ``invalid`` lack the valid mark."""
    rows = [(int(a), int(b), int(c), int(d), i not in invalid) for i, (a, b, c, d) in enumerate(zip(x, y, t_us, p))]
    packets, current = [special_packet()], []
    for row in rows:
        if current and (len(current) == per_packet or (row[2] >> 31) != (current[0][2] >> 31)):
            packets.append(polarity_packet(current, spare=1))
            current = []
        current.append(row)
    if current:
        packets.append(polarity_packet(current))
    packets.insert(2, special_packet(1))
    path.write_bytes(HEADER + b"".join(packets))
    return path


def write_labels_csv(path: Path, rows: list[tuple[int, int, int]]) -> Path:
    path.write_text("class,startTime_usec,endTime_usec\n" + "".join(f"{c},{s},{e}\n" for c, s, e in rows))
    return path


def write_tonic_npy(path: Path, x, y, p01, t_ms) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.stack([x, y, p01, t_ms], axis=1).astype(np.int64))
    return path
