"""Where the package's data folders (config/, sim/, launch/) live.

An installed package (colcon or ``pip install .``) keeps them under
``<prefix>/share/snn_control``; an editable install keeps them in the source tree. Both are found.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = "snn_control"
_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def share_dir() -> Path:
    """The folder holding ``config/``, ``sim/`` and ``launch/``.

    Order: the source tree next to this module (editable installs and checkouts), then the ament
    index (``AMENT_PREFIX_PATH``), then ``<sys.prefix>/share/snn_control``.
    """
    if (_SOURCE_ROOT / "sim").is_dir() and (_SOURCE_ROOT / "config").is_dir():
        return _SOURCE_ROOT
    for prefix in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) + [sys.prefix]:
        candidate = Path(prefix) / "share" / PACKAGE
        if prefix and (candidate / "sim").is_dir():
            return candidate
    raise FileNotFoundError(
        f"cannot find the {PACKAGE} data folders (config/, sim/): looked next to {_SOURCE_ROOT}, "
        f"in AMENT_PREFIX_PATH and in {sys.prefix}/share/{PACKAGE}"
    )


def sim_path(name: str) -> Path:
    """Path of a simulator asset, e.g. ``sim_path("blimp.xml")``."""
    return _existing(share_dir() / "sim" / name)


def config_path(name: str) -> Path:
    """Path of a shipped parameter file, e.g. ``config_path("blimp.yaml")``."""
    return _existing(share_dir() / "config" / name)


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    return path
