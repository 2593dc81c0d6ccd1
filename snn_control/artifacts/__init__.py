"""Versioned model files: ``NAME.npz`` arrays + ``NAME.json`` metadata, validated, never unpickled.

Terminology: an *artifact* is one trained or evolved model (a blimp SNN genome, NCAP weights, ...);
its *kind* names the model family and its *format_version* the file layout of that kind. Shipped
artifacts live in ``snn_control/artifacts/data/``.
"""

from snn_control.artifacts.store import ArtifactError, load_artifact, save_artifact, shipped_artifact

__all__ = ["ArtifactError", "load_artifact", "save_artifact", "shipped_artifact"]
