"""The real DVS128 Gesture data set (IBM, Amir et al., CVPR 2017): its AEDAT 3.1 files and tonic's npy copy.

**Original release** (``DvsGesture/``): per trial ``userNN_<lighting>.aedat`` (AEDAT 3.1) and
``userNN_<lighting>_labels.csv``; ``trials_to_train.txt`` / ``trials_to_test.txt`` list the
``.aedat`` names (users 1-23 train, 24-29 test, the rule used when the lists are absent).

AEDAT 3.1 (iniVation's format page; libcaer ``events/common.h`` and ``events/polarity.h``; the
data set's README): ASCII header lines starting with ``#`` and ending in CRLF, the first
``#!AER-DAT3.1``, the last ``#!END-HEADER``; then packets, all integers little-endian. A packet is a
28-byte header ``int16 eventType, int16 eventSource, int32 eventSize, int32 eventTSOffset,
int32 eventTSOverflow, int32 eventCapacity, int32 eventNumber, int32 eventValid`` followed by
``eventCapacity * eventSize`` bytes, of which the first ``eventNumber`` events are used. Polarity
events (eventType 1) are 8 bytes, ``uint32 data, int32 timestamp``:

    valid = data & 1,  p = (data >> 1) & 1 (1 = ON),  y = (data >> 2) & 0x7FFF,  x = (data >> 17) & 0x7FFF
    t_us  = timestamp + (eventTSOverflow << 31)

Other packet types are skipped, events without the valid mark dropped. In AEDAT 3.1 the origin is
the top-left pixel (libcaer; 3.0 had it bottom-left), which is ours, and the data set's users (its
README, tonic, SpikingJelly) read x and y as stored, so no flip is applied.

Labels: header ``class,startTime_usec,endTime_usec``, class 1..11 (11 = "other gestures"), times in
the recording's microsecond clock. Each row becomes one :class:`EventSample` with the events of
``[start, end)``, ``t`` in seconds from ``start`` and label ``class - 1``. Class 11 is skipped:
:data:`GESTURE_CLASSES` holds the ten gestures, as SpikePoint and most papers use.

**tonic's copy** (``tonic.datasets.DVSGesture``, source read at neuromorphs/tonic):
``<root>/DVSGesture/ibmGestureTrain|ibmGestureTest/userNN_<lighting>/<label>.npy``, each an (N, 4)
array of columns ``x, y, p, t`` with p in {0, 1} and t in **milliseconds** (tonic multiplies by
1000 to get microseconds), the file stem the 0-based class index (10 = other, skipped). The trial
start is not stored, so ``t`` counts from the sample's first event.

Every reader opens arrays with ``allow_pickle=False`` and raises :class:`EventFileError` naming
the file for a missing, truncated or corrupt file or an unknown layout.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np

from .checks import EventFileError, require_clean_events
from .types import EVENT_DTYPE, GESTURE_CLASSES, EventSample

RAW_DTYPE = np.dtype([("x", "<u2"), ("y", "<u2"), ("t_us", "<i8"), ("p", "i1")])
DVS128_SIZE = 128
OTHER_CLASS = 11  # 1-based class of "other gestures" in the labels CSV
LABELS_HEADER = "class,startTime_usec,endTime_usec"
_PACKET = struct.Struct("<hhiiiiii")
_POLARITY_EVENT = np.dtype([("data", "<u4"), ("ts", "<i4")])
_RECORDING = re.compile(r"^(user\d+)_(\w+)$")
TONIC_FOLDERS = {"train": "ibmGestureTrain", "test": "ibmGestureTest"}


def _header_end(data: bytes, path: Path) -> int:
    """Offset of the first packet (just after ``#!END-HEADER``)."""
    first = data[: data.find(b"\n") + 1 or 64].rstrip(b"\r\n")
    if not first.startswith(b"#!AER-DAT"):
        raise EventFileError(f"{path}: not an AEDAT file (first line {first[:40]!r})")
    if first != b"#!AER-DAT3.1":
        raise EventFileError(f"{path}: AEDAT version {first[9:].decode(errors='replace')!r}; this reader reads 3.1")
    offset, line_no = 0, 1
    while True:
        end = data.find(b"\n", offset)
        if end < 0:
            raise EventFileError(f"{path}: corrupt header: no #!END-HEADER line (file truncated?)")
        line = data[offset:end].rstrip(b"\r")
        if not line.startswith(b"#"):
            raise EventFileError(f"{path}: corrupt header: line {line_no} does not start with '#'")
        if line == b"#!END-HEADER":
            return end + 1
        offset, line_no = end + 1, line_no + 1


def read_aedat31(path: str | Path) -> np.ndarray:
    """All valid polarity events of an AEDAT 3.1 file as :data:`RAW_DTYPE` (x, y, t_us, p = +/-1),
    sorted by time (stable; files are time-ordered, the sort only guards against a damaged one)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EventFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    offset = _header_end(data, path)
    blocks: list[np.ndarray] = []
    overflows: list[int] = []
    while offset < len(data):
        if len(data) - offset < _PACKET.size:
            raise EventFileError(f"{path}: truncated: {len(data) - offset} bytes at {offset}, a packet header is 28")
        etype, _, size, _, overflow, capacity, number, _ = _PACKET.unpack_from(data, offset)
        if size <= 0 or capacity < 0 or not 0 <= number <= capacity or overflow < 0:
            raise EventFileError(f"{path}: corrupt packet header at byte {offset} (size {size}, "
                                 f"capacity {capacity}, number {number}, overflow {overflow})")
        body = offset + _PACKET.size
        if body + capacity * size > len(data):
            raise EventFileError(f"{path}: truncated: packet at byte {offset} declares {capacity * size} bytes, "
                                 f"{len(data) - body} left")
        if etype == 1:
            if size != _POLARITY_EVENT.itemsize:
                raise EventFileError(f"{path}: polarity packet at byte {offset} has eventSize {size}, expected 8")
            blocks.append(np.frombuffer(data, _POLARITY_EVENT, count=number, offset=body))
            overflows.append(overflow)
        offset = body + capacity * size
    return _decode(blocks, overflows)


def _decode(blocks: list[np.ndarray], overflows: list[int]) -> np.ndarray:
    if not blocks:
        return np.empty(0, dtype=RAW_DTYPE)
    events = np.concatenate(blocks)
    base = np.repeat(np.array(overflows, dtype=np.int64) << 31, [b.size for b in blocks])
    words = events["data"]
    valid = (words & 1).astype(bool)
    out = np.empty(int(valid.sum()), dtype=RAW_DTYPE)
    words = words[valid]
    out["x"], out["y"] = (words >> 17) & 0x7FFF, (words >> 2) & 0x7FFF
    out["p"] = 2 * ((words >> 1) & 1).astype(np.int8) - 1
    out["t_us"] = events["ts"][valid].astype(np.int64) + base[valid]
    if np.any(np.diff(out["t_us"]) < 0):
        out = out[np.argsort(out["t_us"], kind="stable")]
    return out


def read_labels_csv(path: str | Path) -> np.ndarray:
    """Rows ``(class, start_us, end_us)`` of a ``*_labels.csv`` as int64 (K, 3)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EventFileError(f"{path}: cannot read labels ({exc})") from None
    if not lines or lines[0].strip().replace(" ", "") != LABELS_HEADER:
        raise EventFileError(f"{path}: header {lines[0].strip() if lines else ''!r}, expected {LABELS_HEADER!r}")
    rows = []
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            cls, start, end = (int(v) for v in line.split(","))
        except ValueError:
            raise EventFileError(f"{path}: line {no}: expected three integers, got {line.strip()!r}") from None
        if not 1 <= cls <= OTHER_CLASS or end <= start:
            raise EventFileError(f"{path}: line {no}: class {cls} outside 1..11 or end {end} <= start {start}")
        rows.append((cls, start, end))
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def _recording_name(path: Path) -> tuple[str, str]:
    match = _RECORDING.match(path.stem.removesuffix("_labels"))
    if not match:
        raise EventFileError(f"{path}: name is not userNN_<lighting> (DVS128 Gesture layout)")
    return match.group(1), match.group(2)


def _in_sensor(raw: np.ndarray, path: Path) -> None:
    if raw.size and (raw["x"].max() >= DVS128_SIZE or raw["y"].max() >= DVS128_SIZE):
        raise EventFileError(f"{path}: events up to x={raw['x'].max()}, y={raw['y'].max()}; "
                             f"a DVS128 is {DVS128_SIZE}x{DVS128_SIZE}")


def load_dvs128_recording(aedat_path: str | Path) -> list[EventSample]:
    """The labelled trials of one recording (its ``_labels.csv`` beside it), class 11 skipped."""
    aedat_path = Path(aedat_path)
    subject, lighting = _recording_name(aedat_path)
    labels = read_labels_csv(aedat_path.with_name(aedat_path.stem + "_labels.csv"))
    raw = read_aedat31(aedat_path)
    _in_sensor(raw, aedat_path)
    samples = []
    for row, (cls, start, end) in enumerate(labels, start=1):
        if cls == OTHER_CLASS:
            continue
        lo, hi = np.searchsorted(raw["t_us"], [start, end], side="left")
        events = np.empty(hi - lo, dtype=EVENT_DTYPE)
        cut = raw[lo:hi]
        events["x"], events["y"], events["p"] = cut["x"], cut["y"], cut["p"]
        events["t"] = (cut["t_us"] - start) * 1e-6
        samples.append(EventSample(events, int(cls) - 1, subject, lighting, f"{aedat_path}#trial{row}"))
    return samples


def _user_number(name: str) -> int:
    match = re.match(r"^user(\d+)_", name)
    return int(match.group(1)) if match else -1


def dvs128_folder(root: str | Path) -> Path | None:
    """The folder holding the ``.aedat`` files: ``root`` or ``root/DvsGesture``; None if neither."""
    for folder in (Path(root), Path(root) / "DvsGesture"):
        if folder.is_dir() and any(folder.glob("user*.aedat")):
            return folder
    return None


def _trial_names(folder: Path, split: str) -> list[str]:
    listing = folder / f"trials_to_{split}.txt"
    if listing.is_file():
        return [line.strip() for line in listing.read_text().splitlines() if line.strip()]
    users = range(1, 24) if split == "train" else range(24, 30)
    return sorted(p.name for p in folder.glob("user*.aedat") if _user_number(p.name) in users)


def load_dvs128_gesture(root: str | Path, split: str = "train") -> list[EventSample]:
    """DVS128 Gesture from its original release (``root`` or ``root/DvsGesture``)."""
    splits = _splits(split)
    folder = dvs128_folder(root)
    if folder is None:
        raise EventFileError(f"{root}: no userNN_<lighting>.aedat files here or in DvsGesture/")
    samples: list[EventSample] = []
    for part in splits:
        for name in _trial_names(folder, part):
            path = folder / name
            if not path.is_file():
                raise EventFileError(f"{path}: listed in trials_to_{part}.txt but missing")
            samples += load_dvs128_recording(path)
    return samples


def _splits(split: str) -> tuple[str, ...]:
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
    return ("train", "test") if split == "all" else (split,)


def tonic_folder(root: str | Path, split: str) -> Path | None:
    """``root/DVSGesture/<ibmGestureTrain|Test>`` or ``root/<...>``; None if neither exists."""
    for folder in (Path(root) / "DVSGesture" / TONIC_FOLDERS[split], Path(root) / TONIC_FOLDERS[split]):
        if folder.is_dir():
            return folder
    return None


def read_tonic_npy(path: str | Path) -> np.ndarray:
    """One tonic sample (N, 4) ``x, y, p, t_ms`` as :data:`EVENT_DTYPE`, t in s from its first event."""
    path = Path(path)
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:  # OSError, ValueError (pickled or damaged), EOFError ...
        raise EventFileError(f"{path}: cannot read as a numpy array ({exc})") from None
    if arr.ndim != 2 or arr.shape[1] != 4 or arr.dtype.kind not in "biuf":
        raise EventFileError(f"{path}: {arr.dtype}{list(arr.shape)}, "
                             f"tonic's DVSGesture holds numeric (N, 4) x, y, p, t")
    x, y, p, t_ms = (arr[:, i].astype(np.float64) for i in range(4))
    if not np.all(np.isin(p, (0, 1))):
        raise EventFileError(f"{path}: polarity column holds values other than 0 and 1")
    order = np.argsort(t_ms, kind="stable")
    t0 = t_ms[order[0]] if t_ms.size and np.all(np.isfinite(t_ms)) else 0.0
    events = np.empty(arr.shape[0], dtype=[("x", "f8"), ("y", "f8"), ("t", "f8"), ("p", "f8")])
    events["x"], events["y"], events["p"] = x[order], y[order], 2 * p[order] - 1
    events["t"] = (t_ms[order] - t0) * 1e-3
    return require_clean_events(events, DVS128_SIZE, DVS128_SIZE, str(path))


def load_tonic_gesture(root: str | Path, split: str = "train") -> list[EventSample]:
    """DVS128 Gesture from tonic's npy layout (label 10, "other", skipped)."""
    samples: list[EventSample] = []
    for part in _splits(split):
        folder = tonic_folder(root, part)
        if folder is None:
            raise EventFileError(f"{root}: no DVSGesture/{TONIC_FOLDERS[part]} or {TONIC_FOLDERS[part]} folder")
        for recording in sorted(p for p in folder.iterdir() if p.is_dir()):
            subject, lighting = _recording_name(recording)
            for path in sorted(recording.glob("*.npy"), key=lambda p: (len(p.stem), p.stem)):
                if not path.stem.isdigit() or int(path.stem) > len(GESTURE_CLASSES):
                    raise EventFileError(f"{path}: name is not <label>.npy with label 0..{len(GESTURE_CLASSES)}")
                if int(path.stem) == len(GESTURE_CLASSES):  # "other gestures"
                    continue
                samples.append(EventSample(read_tonic_npy(path), int(path.stem), subject, lighting, str(path)))
    return samples
