"""Simulated robots as environments (MuJoCo models next to their Python tasks).

Terminology: an *env* owns one MuJoCo model and data and steps it one control period at a time;
a *batch sim* or *twin* steps many copies at once in numpy; a *registry id* names an env
(``make("blimp-v0")``).
"""

from __future__ import annotations

import importlib
from typing import Any

REGISTRY: dict[str, str] = {
    "blimp-v0": "snn_control.blimp.sim:BlimpEnv",
    "blimp-batch-v0": "snn_control.blimp.twin:BlimpBatchSim",
    "swimmer-v0": "snn_control.swimmer.env:SwimmerEnv",
}


def make(env_id: str, **kwargs: Any) -> Any:
    """Build a registered env by id (``module:Class`` entries in :data:`REGISTRY`)."""
    if env_id not in REGISTRY:
        raise KeyError(f"unknown env id {env_id!r}; registered: {sorted(REGISTRY)}")
    module_name, cls_name = REGISTRY[env_id].split(":")
    return getattr(importlib.import_module(module_name), cls_name)(**kwargs)
