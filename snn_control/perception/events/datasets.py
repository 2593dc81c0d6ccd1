"""One loader for the gesture data sets: our synthetic format, DVS128 Gesture's release, tonic's copy.

**Synthetic format** (``snn_control.gestures``, version 1), written by the gesture generator
through :func:`save_gesture_sample` and :func:`write_manifest`: a folder with ``manifest.json``::

    {"format": "snn_control.gestures", "format_version": 1, "seed": 0,
     "sensor": [width, height], "classes": [the ten GESTURE_CLASSES names, in order],
     "subjects": {"s000": {"split": "train", ...free-form subject parameters...}, ...},
     "samples": [{"file": "train/s000/c03_r0.npy", "label": 3, "subject": "s000",
                  "lighting": "...", "split": "train", "n_events": 5120, "duration_s": 1.5}, ...],
     "sha256": {"train/s000/c03_r0.npy": "<hex>", ...}}        (optional; checked when present)

Each sample file is a 1-D ``.npy`` of :data:`EVENT_DTYPE` (opened with ``allow_pickle=False``),
sorted by ``t`` (seconds from the sample's start), inside the sensor, polarity +/-1. A subject
belongs to one split and all its samples carry that split (a cross-subject split, as in DVS128
Gesture), so no performer is seen in both training and test.

:func:`load_gesture_dataset` detects the format (``manifest.json``: synthetic; ``ibmGestureTrain``
or ``ibmGestureTest``: tonic; ``userNN_*.aedat``: the DVS128 release) and raises
:class:`EventFileError` naming the file for anything missing, corrupt or inconsistent.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from .checks import EventFileError, require_clean_events
from .dvs128 import dvs128_folder, load_dvs128_gesture, load_tonic_gesture, tonic_folder
from .types import EVENT_DTYPE, GESTURE_CLASSES, SENSOR_HEIGHT, SENSOR_WIDTH, EventSample

FORMAT = "snn_control.gestures"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SPLITS = ("train", "test")
FORMATS = ("auto", "synthetic", "dvs128", "tonic")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_ROW_KEYS = {"file": str, "label": int, "subject": str, "lighting": str, "split": str, "n_events": int,
             "duration_s": float}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_gesture_sample(
    root: str | Path,
    sample: EventSample,
    split: str,
    index: int,
    duration_s: float | None = None,
    sensor: tuple[int, int] = (SENSOR_WIDTH, SENSOR_HEIGHT),
) -> dict[str, Any]:
    """Write ``<root>/<split>/<subject>/c<label:02d>_r<index>.npy``; returns its manifest row.

    ``duration_s`` is the recording's length (default: the time of its last event). The events
    must already be clean (sorted, inside ``sensor`` = (width, height), polarity +/-1).
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if not _NAME.match(sample.subject):
        raise ValueError(f"subject {sample.subject!r} is not a plain name (letters, digits, '_', '.', '-')")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"index must be an int >= 0, got {index!r}")
    rel = f"{split}/{sample.subject}/c{int(sample.label):02d}_r{index}.npy"
    events = require_clean_events(sample.events, sensor[0], sensor[1], sample.source or rel)
    if duration_s is None:
        duration_s = float(events["t"][-1]) if events.size else 0.0
    path = Path(root) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, events, allow_pickle=False)
    row = {"file": rel, "label": int(sample.label), "subject": sample.subject, "lighting": sample.lighting,
           "split": split, "n_events": int(events.size), "duration_s": float(duration_s)}
    _check_row(row, f"{rel}")
    return row


def write_manifest(
    root: str | Path,
    seed: int,
    subjects: dict[str, dict[str, Any]],
    rows: list[dict[str, Any]],
    sensor: tuple[int, int] = (SENSOR_WIDTH, SENSOR_HEIGHT),
) -> Path:
    """Write ``<root>/manifest.json`` for ``rows`` (from :func:`save_gesture_sample`), with the
    sha256 of every sample file; checks the rows against ``subjects`` first."""
    root = Path(root)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int, got {seed!r}")
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "seed": int(seed), "sensor": list(sensor),
                "classes": list(GESTURE_CLASSES), "subjects": subjects, "samples": list(rows)}
    _check_manifest(manifest, root / MANIFEST)
    for row in rows:
        if not (root / row["file"]).is_file():
            raise EventFileError(f"{root / row['file']}: sample file not found (write it before the manifest)")
    manifest["sha256"] = {row["file"]: _sha256(root / row["file"]) for row in rows}
    path = root / MANIFEST
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True, default=_plain) + "\n")
    return path


def _plain(value: Any) -> Any:
    """numpy scalars and arrays in free-form subject parameters, as JSON numbers and lists."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"subject parameter {value!r} ({type(value).__name__}) is not JSON serializable")


def _check_row(row: Any, where: str) -> None:
    if not isinstance(row, dict) or set(row) != set(_ROW_KEYS):
        keys = sorted(row) if isinstance(row, dict) else type(row).__name__
        raise EventFileError(f"{where}: a sample row needs exactly the keys {sorted(_ROW_KEYS)}, got {keys}")
    for key, kind in _ROW_KEYS.items():
        value = row[key]
        ok = isinstance(value, kind) or (kind is float and isinstance(value, int))
        if not ok or isinstance(value, bool):
            raise EventFileError(f"{where}: {key} must be {kind.__name__}, got {value!r}")
    if not 0 <= row["label"] < len(GESTURE_CLASSES):
        raise EventFileError(f"{where}: label {row['label']} outside 0..{len(GESTURE_CLASSES) - 1}")
    if row["split"] not in SPLITS or row["n_events"] < 0 or not (math.isfinite(row["duration_s"])
                                                                 and row["duration_s"] >= 0):
        raise EventFileError(f"{where}: split {row['split']!r}, n_events {row['n_events']}, duration_s "
                             f"{row['duration_s']}: expected train/test, >= 0, finite >= 0")
    rel = PurePosixPath(row["file"])
    if rel.is_absolute() or ".." in rel.parts or rel.suffix != ".npy" or "\\" in row["file"]:
        raise EventFileError(f"{where}: file {row['file']!r} must be a relative .npy path inside the data set")


def _check_manifest(m: Any, path: Path) -> None:
    """Structure and consistency of a manifest (not the sample files)."""
    if not isinstance(m, dict):
        raise EventFileError(f"{path}: expected a JSON object")
    if m.get("format") != FORMAT:
        raise EventFileError(f"{path}: format {m.get('format')!r}, expected {FORMAT!r}")
    if m.get("format_version") != FORMAT_VERSION:
        raise EventFileError(f"{path}: format_version {m.get('format_version')!r}, this version of snn_control "
                             f"reads {FORMAT_VERSION}")
    for key in ("seed", "sensor", "classes", "subjects", "samples"):
        if key not in m:
            raise EventFileError(f"{path}: missing key {key!r}")
    sensor = m["sensor"]
    if not (isinstance(m["seed"], int) and isinstance(sensor, list) and len(sensor) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sensor)):
        raise EventFileError(f"{path}: seed must be an int and sensor [width, height] positive ints")
    if m["classes"] != list(GESTURE_CLASSES):
        raise EventFileError(f"{path}: classes {m['classes']!r} differ from GESTURE_CLASSES (labels would mean "
                             f"other gestures)")
    subjects = m["subjects"]
    if not isinstance(subjects, dict) or not all(
            isinstance(v, dict) and v.get("split") in SPLITS for v in subjects.values()):
        raise EventFileError(f"{path}: subjects must map names to objects with split 'train' or 'test'")
    if not isinstance(m["samples"], list) or not isinstance(m.get("sha256", {}), dict):
        raise EventFileError(f"{path}: samples must be a list and sha256 an object")
    seen: set[str] = set()
    for i, row in enumerate(m["samples"]):
        where = f"{path}: samples[{i}]"
        _check_row(row, where)
        if row["file"] in seen:
            raise EventFileError(f"{where}: file {row['file']!r} listed twice")
        seen.add(row["file"])
        subject = subjects.get(row["subject"])
        if subject is None or subject["split"] != row["split"]:
            raise EventFileError(f"{where}: subject {row['subject']!r} is not in subjects with split {row['split']!r}")


def _load_sample(root: Path, row: dict[str, Any], sha: dict[str, str], sensor: list[int]) -> EventSample:
    path = root / row["file"]
    if not path.is_file():
        raise EventFileError(f"{path}: sample file not found (listed in {MANIFEST})")
    if row["file"] in sha and _sha256(path) != sha[row["file"]]:
        raise EventFileError(f"{path}: checksum mismatch (file changed since {MANIFEST} was written)")
    try:
        events = np.load(path, allow_pickle=False)
    except Exception as exc:  # OSError, ValueError (pickled or damaged), EOFError ...
        raise EventFileError(f"{path}: cannot read as a numpy array ({exc})") from None
    if events.dtype != EVENT_DTYPE or events.ndim != 1:
        raise EventFileError(f"{path}: {events.dtype}{list(events.shape)}, expected 1-D EVENT_DTYPE {EVENT_DTYPE}")
    if events.size != row["n_events"]:
        raise EventFileError(f"{path}: {events.size} events, {MANIFEST} says {row['n_events']}")
    events = require_clean_events(events, sensor[0], sensor[1], str(path))
    return EventSample(events, row["label"], row["subject"], row["lighting"], str(path))


def load_synthetic_gestures(root: str | Path, split: str = "train") -> list[EventSample]:
    """The samples of a synthetic data set (``split``: train, test or all), in manifest order."""
    root = Path(root)
    path = root / MANIFEST
    if not path.is_file():
        raise EventFileError(f"{path}: not found (a synthetic gesture data set has {MANIFEST} at its root)")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EventFileError(f"{path}: not valid JSON ({exc})") from None
    _check_manifest(manifest, path)
    splits = SPLITS if split == "all" else (split,)
    return [_load_sample(root, row, manifest.get("sha256", {}), manifest["sensor"])
            for row in manifest["samples"] if row["split"] in splits]


def detect_format(root: str | Path) -> str:
    """``"synthetic"``, ``"tonic"`` or ``"dvs128"`` from the folder's layout (see the module docstring)."""
    root = Path(root)
    if (root / MANIFEST).is_file():
        return "synthetic"
    if any(tonic_folder(root, s) is not None for s in SPLITS):
        return "tonic"
    if dvs128_folder(root) is not None:
        return "dvs128"
    raise EventFileError(f"{root}: unknown data set layout (no {MANIFEST}, no DVSGesture/ibmGestureTrain|Test, "
                         f"no userNN_<lighting>.aedat here or in DvsGesture/)")


def load_gesture_dataset(root: str | Path, fmt: str = "auto", split: str = "train") -> list[EventSample]:
    """Gesture samples of ``split`` ("train", "test" or "all") from a folder in format ``fmt``
    ("auto" detects it; "synthetic", "dvs128" or "tonic")."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
    if split not in SPLITS + ("all",):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
    if fmt == "auto":
        fmt = detect_format(root)
    loader = {"synthetic": load_synthetic_gestures, "dvs128": load_dvs128_gesture, "tonic": load_tonic_gesture}[fmt]
    return loader(root, split)
