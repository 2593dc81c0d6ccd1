"""A trained SpikePoint as a versioned artifact: ``<stem>.pt`` (state dict) + ``<stem>.json``.

The JSON holds ``kind`` ("spikepoint"), ``format_version``, ``config`` (a
:class:`SpikePointConfig`: preset, points, groups, K, T, classes, window, ...), ``provenance``
(data, seeds, epochs, time, accuracy), ``n_params``, ``tensors`` (name -> shape, dtype),
``sha256`` of the .pt and ``created``. Loading checks, in order: both files exist, the JSON parses
and has every key, kind and version match, the config is valid, the checksum matches, the .pt
loads with ``torch.load(weights_only=True)`` (never unpickling code), and its tensors are exactly
the model's (names, shapes, dtypes) and finite. Each failure raises :class:`ArtifactError` naming
the file and the problem, as :mod:`snn_control.artifacts.store` does for ``.npz`` artifacts.

The shipped model is ``snn_control/artifacts/data/spikepoint_gestures.{pt,json}``
(``snn-control train spikepoint --out`` there regenerates it).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import snn_control.artifacts as _artifacts
from snn_control.artifacts.store import ArtifactError
from snn_control.perception.spikepoint.config import SpikePointConfig

KIND = "spikepoint"
FORMAT_VERSION = 1
SHIPPED_NAME = "spikepoint_gestures"
_KEYS = ("kind", "format_version", "config", "provenance", "tensors", "sha256")


def artifact_paths(path: str | Path) -> tuple[Path, Path]:
    """``(<stem>.pt, <stem>.json)`` for a stem or either file's path."""
    p = Path(path)
    stem = p.with_suffix("") if p.suffix in (".pt", ".json") else p
    return stem.with_name(stem.name + ".pt"), stem.with_name(stem.name + ".json")


def shipped_model_path() -> Path:
    """Where the shipped model lives (it may not exist yet)."""
    return Path(_artifacts.__file__).resolve().parent / "data" / f"{SHIPPED_NAME}.pt"


def resolve_model_path(model: str | Path | None) -> Path:
    """``None``: the shipped model; a bare name without a folder: a shipped artifact of that name."""
    if model is None:
        return shipped_model_path()
    p = Path(model)
    if p.parent == Path(".") and not artifact_paths(p)[0].exists():
        shipped = shipped_model_path().with_name(artifact_paths(p)[0].name)
        if shipped.exists():
            return shipped
    return artifact_paths(p)[0]


def save_model(path: str | Path, model, provenance: dict[str, Any] | None = None) -> Path:
    """Write ``model`` (a :class:`SpikePoint`) and its metadata; returns the .pt path."""
    import torch

    pt_path, json_path = artifact_paths(path)
    pt_path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    for name, tensor in state.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise ArtifactError(f"{pt_path}: tensor {name!r} holds NaN or inf")
    buffer = io.BytesIO()
    torch.save(state, buffer)
    pt_path.write_bytes(buffer.getvalue())
    meta = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "config": model.cfg.to_dict(),
        "provenance": provenance or {},
        "n_params": model.n_params(),
        "tensors": {k: {"shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", "")} for k, v in state.items()},
        "sha256": hashlib.sha256(buffer.getvalue()).hexdigest(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    json_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return pt_path


def read_metadata(path: str | Path) -> tuple[dict[str, Any], SpikePointConfig]:
    """The validated JSON of an artifact and its config (no torch needed, no checksum check)."""
    pt_path, json_path = artifact_paths(path)
    for p in (pt_path, json_path):
        if not p.is_file():
            raise ArtifactError(f"{p}: file not found (a SpikePoint model is a .pt with a .json beside it)")
    try:
        meta = json.loads(json_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{json_path}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ArtifactError(f"{json_path}: expected a JSON object")
    missing = [k for k in _KEYS if k not in meta]
    if missing:
        raise ArtifactError(f"{json_path}: missing key {missing[0]!r}")
    if meta["kind"] != KIND:
        raise ArtifactError(f"{json_path}: artifact kind is {meta['kind']!r}, expected {KIND!r}")
    if meta["format_version"] != FORMAT_VERSION:
        raise ArtifactError(f"{json_path}: format_version {meta['format_version']!r}, this version of "
                            f"snn_control reads {FORMAT_VERSION}")
    tensors = meta["tensors"]
    if not isinstance(tensors, dict) or not all(isinstance(v, dict) for v in tensors.values()):
        raise ArtifactError(f"{json_path}: 'tensors' must map each tensor name to its shape and dtype")
    try:
        cfg = SpikePointConfig.from_dict(meta["config"])
    except (TypeError, ValueError) as exc:
        raise ArtifactError(f"{json_path}: invalid config ({exc})") from None
    return meta, cfg


def load_model(path: str | Path | None = None):
    """Load and validate a model (None: the shipped one); returns ``(SpikePoint in eval mode, metadata)``."""
    import torch

    from snn_control.perception.spikepoint.model import SpikePoint

    pt_path = resolve_model_path(path)
    meta, cfg = read_metadata(pt_path)
    raw = pt_path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != meta["sha256"]:
        raise ArtifactError(f"{pt_path}: checksum mismatch (file corrupt or not the one "
                            f"{artifact_paths(pt_path)[1].name} describes)")
    try:
        state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling refused, truncated zip, ...
        raise ArtifactError(f"{pt_path}: cannot read tensors ({type(exc).__name__}: {exc})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ArtifactError(f"{pt_path}: expected a state dict of tensors")
    model = SpikePoint(cfg)
    expected = {k: (list(v.shape), str(v.dtype).replace("torch.", "")) for k, v in model.state_dict().items()}
    found = {k: (list(v.shape), str(v.dtype).replace("torch.", "")) for k, v in state.items()}
    recorded = {k: (list(v.get("shape", [])), v.get("dtype")) for k, v in meta["tensors"].items()}
    if found != expected or recorded != expected:
        wrong = sorted(set(expected) ^ set(found)) or sorted(k for k in expected if found.get(k) != expected[k]
                                                             or recorded.get(k) != expected[k])
        raise ArtifactError(f"{pt_path}: tensors do not match a {cfg.preset} SpikePoint (first: {wrong[:3]})")
    for name, tensor in state.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise ArtifactError(f"{pt_path}: tensor {name!r} holds NaN or inf")
    model.load_state_dict(state, strict=True)
    model.eval()
    return model, meta
