"""Save and load artifacts: ``<stem>.npz`` (arrays) next to ``<stem>.json`` (metadata).

The JSON holds ``kind``, ``format_version``, ``arrays`` (name -> shape and dtype), ``sha256`` of the
npz file, ``created`` and free-form ``metadata`` (training provenance, figures). Loading checks,
in order: both files exist, the JSON parses, the kind and version match what the caller expects,
the checksum matches, the npz opens with ``allow_pickle=False``, and every array has the recorded
shape and dtype and is finite. Each failure raises :class:`ArtifactError` naming the file and the
problem.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np


class ArtifactError(ValueError):
    """A model file is missing, corrupt, or not what the caller expected."""


def _paths(path: str | Path) -> tuple[Path, Path]:
    p = Path(path)
    stem = p.with_suffix("") if p.suffix in (".npz", ".json") else p
    return stem.with_suffix(".npz"), stem.with_suffix(".json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_artifact(
    path: str | Path,
    kind: str,
    format_version: int,
    arrays: dict[str, np.ndarray],
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Write ``<stem>.npz`` and ``<stem>.json``; returns the npz path."""
    npz_path, json_path = _paths(path)
    npz_path.parent.mkdir(parents=True, exist_ok=True)
    clean = {}
    for name, value in arrays.items():
        arr = np.asarray(value)
        if arr.dtype == object:
            raise ArtifactError(f"{npz_path}: array {name!r} has dtype object (not storable)")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ArtifactError(f"{npz_path}: array {name!r} holds NaN or inf")
        clean[name] = arr
    np.savez(npz_path, **clean)
    meta = {
        "kind": kind,
        "format_version": int(format_version),
        "arrays": {n: {"shape": list(a.shape), "dtype": str(a.dtype)} for n, a in clean.items()},
        "sha256": _sha256(npz_path),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "metadata": metadata or {},
    }
    json_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return npz_path


def load_artifact(
    path: str | Path, kind: str, format_version: int
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Load and validate an artifact; returns ``(arrays, metadata)`` (the JSON's ``metadata``)."""
    npz_path, json_path = _paths(path)
    for p in (npz_path, json_path):
        if not p.is_file():
            raise ArtifactError(f"{p}: file not found (an artifact is a .npz with a .json beside it)")
    try:
        meta = json.loads(json_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{json_path}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ArtifactError(f"{json_path}: expected a JSON object")
    for key in ("kind", "format_version", "arrays", "sha256"):
        if key not in meta:
            raise ArtifactError(f"{json_path}: missing key {key!r}")
    if meta["kind"] != kind:
        raise ArtifactError(f"{json_path}: artifact kind is {meta['kind']!r}, expected {kind!r}")
    if meta["format_version"] != format_version:
        raise ArtifactError(
            f"{json_path}: format_version {meta['format_version']!r}, this version of snn_control "
            f"reads {format_version}"
        )
    digest = _sha256(npz_path)
    if digest != meta["sha256"]:
        raise ArtifactError(f"{npz_path}: checksum mismatch (file corrupt or not the one {json_path.name} describes)")
    try:
        with np.load(npz_path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except Exception as exc:  # zipfile, ValueError for pickled content, ...
        raise ArtifactError(f"{npz_path}: cannot read arrays ({exc})") from None
    expected = meta["arrays"]
    if set(arrays) != set(expected):
        raise ArtifactError(f"{npz_path}: arrays {sorted(arrays)} differ from the recorded {sorted(expected)}")
    for name, spec in expected.items():
        arr = arrays[name]
        if list(arr.shape) != list(spec.get("shape", [])) or str(arr.dtype) != spec.get("dtype"):
            raise ArtifactError(
                f"{npz_path}: array {name!r} is {arr.dtype}{list(arr.shape)}, recorded "
                f"{spec.get('dtype')}{spec.get('shape')}"
            )
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ArtifactError(f"{npz_path}: array {name!r} holds NaN or inf")
    return arrays, dict(meta.get("metadata", {}))


def shipped_artifact(name: str) -> Path:
    """Path (npz) of an artifact that ships inside the package, e.g. ``shipped_artifact("pd_snn")``."""
    path = Path(__file__).resolve().parent / "data" / f"{name}.npz"
    if not path.is_file():
        raise ArtifactError(f"{path}: no shipped artifact named {name!r}")
    return path
