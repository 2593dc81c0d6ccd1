"""A deployable place model: the ensemble, its input pipeline and its artifact file.

``PlaceModel.match_images(images)`` takes grayscale images of any size (what a camera gives),
resizes them to ``size x size`` (OpenCV, area interpolation), patch-normalizes them and matches
them; the artifact is ``<stem>.npz`` + ``<stem>.json`` through :mod:`snn_control.artifacts.store`
(validated, never unpickled). Weights are stored as float16 and the in-memory model rounds them
the same way (:func:`.train.train_ensemble`), so a model answers identically before and after a
save. Only neurons with a place are stored (about a third of them after training).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from snn_control.artifacts.store import ArtifactError, load_artifact, save_artifact
from snn_control.perception.places.data import resize_gray
from snn_control.perception.places.encoding import patch_normalize
from snn_control.perception.places.ensemble import Match, PlaceEnsemble
from snn_control.perception.places.module import ModuleParams

KIND = "place_ensemble"
VERSION = 1


def resize_images(images: np.ndarray | list, size: int) -> np.ndarray:
    """Grayscale ``(n, h, w)`` (or a list of differently sized images) -> float32 ``(n, size, size)``,
    by the same rule as the training data (:func:`.data.resize_gray`)."""
    out = []
    for img in images:
        a = np.asarray(img)
        if a.ndim != 2 or a.size == 0:
            raise ValueError(f"expected non-empty grayscale images (h, w), got shape {a.shape}")
        out.append(resize_gray(a, size, size))
    return np.stack(out) if out else np.zeros((0, size, size), np.float32)


@dataclass
class PlaceModel:
    """An ensemble plus how its inputs were prepared and where it came from."""

    ensemble: PlaceEnsemble
    size: int = 28
    patch: int = 7
    metadata: dict[str, Any] = field(default_factory=dict)
    positions: np.ndarray | None = None   # (n_places, 2) metres of the reference places, if known

    def position(self, place: int) -> tuple[float, float]:
        """Where reference place ``place`` is, in metres (``(place * 10 m, 0)`` without positions)."""
        if self.positions is not None:
            return float(self.positions[place, 0]), float(self.positions[place, 1])
        return float(place) * float(self.metadata.get("place_spacing_m", 10.0)), 0.0

    def prepare(self, images) -> np.ndarray:
        """Patch-normalized model inputs ``(n, size * size)`` from grayscale images."""
        return patch_normalize(resize_images(images, self.size), self.patch).reshape(-1, self.size * self.size)

    def match_images(self, images, modules: np.ndarray | None = None) -> Match:
        return self.ensemble.match(self.prepare(images), modules)

    def save(self, path: str | Path) -> Path:
        e = self.ensemble
        meta = dict(self.metadata)
        meta.update({"params": e.params.to_dict(), "places_per_module": e.places_per_module,
                     "n_places": e.n_places, "threshold": e.threshold, "size": self.size, "patch": self.patch})
        arrays = {"weights": e.weights.astype(np.float16), "theta": e.theta, "place": e.place,
                  "module": e.module, "activity": e.activity, "region_start": e.region_start}
        if self.positions is not None:
            arrays["positions"] = np.asarray(self.positions, dtype=np.float64)
        return save_artifact(path, KIND, VERSION, arrays, meta)

    @classmethod
    def load(cls, path: str | Path) -> "PlaceModel":
        arrays, meta = load_artifact(path, KIND, VERSION)
        try:
            params = ModuleParams.from_dict(meta["params"])
            ensemble = PlaceEnsemble(
                params=params, weights=arrays["weights"].astype(np.float32), theta=arrays["theta"],
                place=arrays["place"], module=arrays["module"], activity=arrays["activity"],
                region_start=arrays["region_start"], places_per_module=int(meta["places_per_module"]),
                n_places=int(meta["n_places"]), threshold=meta["threshold"])
            size, patch = int(meta["size"]), int(meta["patch"])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ArtifactError(f"{path}: not a valid place model ({exc})") from None
        if size * size != params.n_input:
            raise ArtifactError(f"{path}: size {size} does not match n_input {params.n_input}")
        if patch < 3 or patch % 2 == 0 or patch > size:
            raise ArtifactError(f"{path}: patch {patch} must be an odd integer in [3, size {size}]")
        positions = arrays.get("positions")
        if positions is not None and positions.shape != (ensemble.n_places, 2):
            raise ArtifactError(f"{path}: positions must be ({ensemble.n_places}, 2), got {positions.shape}")
        return cls(ensemble, size, patch, meta, positions)
