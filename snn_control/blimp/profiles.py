"""Altitude set-point profiles: piecewise-constant schedules of (set-point, duration).

The paper's evaluation profile is :data:`PAPER_PROFILE`: 0.5, 1.0, 0.5, 1.5, 0.5, 1.0, 0.5, 1.5,
0.5, 0.5 m, 70 s each. Files (``--profile FILE``) are YAML or JSON::

    setpoints_m: [0.5, 1.0, 0.5]
    segment_s: 70          # one duration for all, or a list as long as setpoints_m
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SetpointProfile:
    setpoints_m: tuple[float, ...]
    segments_s: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.setpoints_m) == 0:
            raise ValueError("SetpointProfile.setpoints_m must not be empty")
        if len(self.segments_s) != len(self.setpoints_m):
            raise ValueError(
                f"SetpointProfile.segments_s has {len(self.segments_s)} entries, "
                f"setpoints_m has {len(self.setpoints_m)}"
            )
        for name, values in (("setpoints_m", self.setpoints_m), ("segments_s", self.segments_s)):
            for v in values:
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
                    raise ValueError(f"SetpointProfile.{name} must hold finite numbers, got {v!r}")
        if min(self.setpoints_m) < 0:
            raise ValueError("SetpointProfile.setpoints_m must be >= 0")
        if min(self.segments_s) <= 0:
            raise ValueError("SetpointProfile.segments_s must be > 0")

    @classmethod
    def uniform(cls, setpoints_m: list[float] | tuple[float, ...], segment_s: float) -> "SetpointProfile":
        return cls(tuple(float(s) for s in setpoints_m), tuple(float(segment_s) for _ in setpoints_m))

    @property
    def starts_s(self) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(self.segments_s)[:-1]])

    @property
    def duration_s(self) -> float:
        return float(sum(self.segments_s))

    def at(self, t_s: np.ndarray | float) -> np.ndarray:
        """Set-point in force at time(s) ``t_s``; the last one holds after the end."""
        idx = np.searchsorted(self.starts_s, np.asarray(t_s, dtype=float), side="right") - 1
        return np.asarray(self.setpoints_m)[np.clip(idx, 0, len(self.setpoints_m) - 1)]

    def to_dict(self) -> dict[str, Any]:
        return {"setpoints_m": list(self.setpoints_m), "segment_s": list(self.segments_s)}

    @classmethod
    def from_dict(cls, data: Any, source: str = "profile") -> "SetpointProfile":
        if not isinstance(data, dict):
            raise ValueError(f"{source}: expected a mapping with setpoints_m and segment_s")
        unknown = set(data) - {"setpoints_m", "segment_s"}
        if unknown:
            raise ValueError(f"{source}: unknown key(s) {sorted(unknown)} (known: setpoints_m, segment_s)")
        if "setpoints_m" not in data:
            raise ValueError(f"{source}: missing key setpoints_m")
        setpoints = data["setpoints_m"]
        if not isinstance(setpoints, list):
            raise ValueError(f"{source}: setpoints_m must be a list of numbers")
        segment = data.get("segment_s", 70.0)
        segments = segment if isinstance(segment, list) else [segment] * len(setpoints)
        try:
            return cls(tuple(setpoints), tuple(segments))
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None

    @classmethod
    def load(cls, path: str | Path) -> "SetpointProfile":
        import yaml

        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read profile: {exc}") from None
        return cls.from_dict(data, source=str(path))


PAPER_PROFILE = SetpointProfile.uniform([0.5, 1.0, 0.5, 1.5, 0.5, 1.0, 0.5, 1.5, 0.5, 0.5], 70.0)


def random_profile(
    rng: np.random.Generator,
    n_segments: int = 6,
    low_m: float = 0.5,
    high_m: float = 2.0,
    segment_s: tuple[float, float] = (20.0, 50.0),
    max_step_m: float = 1.0,
) -> SetpointProfile:
    """Random piecewise-constant profile (training data): steps of at most ``max_step_m``."""
    points = [float(rng.uniform(low_m, min(high_m, low_m + max_step_m)))]
    for _ in range(n_segments - 1):
        points.append(float(np.clip(points[-1] + rng.uniform(-max_step_m, max_step_m), low_m, high_m)))
    durations = rng.uniform(*segment_s, size=n_segments)
    return SetpointProfile(tuple(points), tuple(float(d) for d in durations))
