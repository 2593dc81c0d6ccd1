"""Swimmer policies behind one batch interface, and their artifact files.

A :class:`SwimmerPolicy` names a variant (``"rate"`` NCAP, ``"spiking"`` NCAP, ``"mlp"`` baseline)
with its architecture config; its :meth:`~SwimmerPolicy.step` maps the env observation (joint
angles first, then link velocities; see :mod:`snn_control.swimmer.env`) to torques for a batch
of individuals, and :meth:`~SwimmerPolicy.controller` builds the single stateful controller a ROS
node holds (``reset()``, ``step(joint_angles)``). Evolution, evaluation and nodes all go through
here, so a ROS-driven episode and an offline one run the same arithmetic.

Artifact (kind ``"ncap"``, format 1): array ``params`` (n_params,) float64; metadata ``variant``,
``config`` (the config's ``to_dict``), plus free-form ``training``/``evaluation`` provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Union

import numpy as np

from snn_control.artifacts.store import ArtifactError, load_artifact, save_artifact, shipped_artifact
from snn_control.swimmer.mlp import MLPConfig, MLPController, mlp_forward, mlp_initial_params
from snn_control.swimmer.ncap import NCAPConfig, NCAPController, ncap_initial_params, ncap_initial_state, ncap_step
from snn_control.swimmer.ncap_spiking import (
    SpikingNCAPConfig,
    SpikingNCAPController,
    spiking_ncap_initial_state,
    spiking_ncap_step,
)

ARTIFACT_KIND = "ncap"
ARTIFACT_VERSION = 1
VARIANTS = ("rate", "spiking", "mlp")
_CONFIGS = {"rate": NCAPConfig, "spiking": SpikingNCAPConfig, "mlp": MLPConfig}
AnyConfig = Union[NCAPConfig, SpikingNCAPConfig, MLPConfig]
AnyController = Union[NCAPController, SpikingNCAPController, MLPController]


@dataclass(frozen=True)
class SwimmerPolicy:
    """A policy family for an N-joint swimmer: variant + architecture (weights live apart)."""

    variant: str
    config: AnyConfig

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"SwimmerPolicy.variant must be one of {VARIANTS}, got {self.variant!r}")
        if not isinstance(self.config, _CONFIGS[self.variant]):
            raise ValueError(f"SwimmerPolicy.config must be a {_CONFIGS[self.variant].__name__} for {self.variant!r}")

    @property
    def n_params(self) -> int:
        return self.config.n_params

    @property
    def n_joints(self) -> int:
        return self.config.act_size if self.variant == "mlp" else self.config.n_joints

    def initial_params(self, init: str = "canonical", rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Starting weights: NCAP ``"canonical"`` (±1) or ``"random"``; the MLP is always random."""
        if self.variant == "mlp":
            return mlp_initial_params(self.config, rng)
        circuit = self.config if self.variant == "rate" else self.config.circuit
        return ncap_initial_params(circuit, init, rng)

    def initial_state(self, batch: int) -> Any:
        if self.variant == "rate":
            return ncap_initial_state(batch)
        if self.variant == "spiking":
            return spiking_ncap_initial_state(self.config, batch)
        return None

    def step(self, params: np.ndarray, state: Any, observation: np.ndarray) -> tuple[Any, np.ndarray]:
        """Torques ``(batch, N)`` for observations ``(batch, obs_size)`` and params ``(batch or 1, P)``."""
        obs = np.asarray(observation, dtype=float)
        if self.variant == "mlp":
            return None, mlp_forward(self.config, params, obs)
        joints = obs[:, : self.n_joints]
        if self.variant == "rate":
            state, out = ncap_step(self.config, params, state, joints)
        else:
            state, out = spiking_ncap_step(self.config, params, state, joints)
        return state, out.action

    def controller(self, params: np.ndarray) -> AnyController:
        """The single, stateful controller for these weights."""
        cls = {"rate": NCAPController, "spiking": SpikingNCAPController, "mlp": MLPController}[self.variant]
        return cls(self.config, params)

    def with_joints(self, n_joints: int) -> "SwimmerPolicy":
        """The same circuit on a body with ``n_joints`` joints (shared-weight NCAP only)."""
        if n_joints == self.n_joints:
            return self
        if self.variant == "mlp" or not self.config.shared:
            raise ValueError(
                f"n_joints: a {self.variant} policy {'without weight sharing ' if self.variant != 'mlp' else ''}"
                f"is tied to {self.n_joints} joints, cannot move it to {n_joints}"
            )
        return SwimmerPolicy(self.variant, replace(self.config, n_joints=n_joints))

    def to_dict(self) -> dict[str, Any]:
        return {"variant": self.variant, "config": self.config.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SwimmerPolicy":
        unknown = set(data) - {"variant", "config"}
        if unknown or "variant" not in data or "config" not in data:
            raise ValueError(f"SwimmerPolicy: expected keys variant and config, got {sorted(data)}")
        if data["variant"] not in VARIANTS:
            raise ValueError(f"SwimmerPolicy.variant must be one of {VARIANTS}, got {data['variant']!r}")
        return cls(data["variant"], _CONFIGS[data["variant"]].from_dict(dict(data["config"])))


def make_policy(variant: str, n_links: int, **config: Any) -> SwimmerPolicy:
    """Policy for an ``n_links`` swimmer; ``config`` overrides architecture fields (e.g. ``shared``)."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    if isinstance(n_links, bool) or not isinstance(n_links, (int, np.integer)) or n_links < 3:
        raise ValueError(f"n_links must be an integer >= 3, got {n_links!r}")
    n = int(n_links) - 1
    if variant == "mlp":
        return SwimmerPolicy("mlp", MLPConfig(obs_size=n + 3 * (n + 1), act_size=n, **config))
    return SwimmerPolicy(variant, _CONFIGS[variant](n_joints=n, **config))


def save_policy(path: str | Path, policy: SwimmerPolicy, params: np.ndarray, metadata: dict[str, Any] | None = None) -> Path:
    """Write a policy artifact (``<stem>.npz`` + ``<stem>.json``); returns the npz path."""
    p = np.asarray(params, dtype=np.float64)
    if p.shape != (policy.n_params,):
        raise ValueError(f"params must be shaped ({policy.n_params},), got {p.shape}")
    meta = {**(metadata or {}), **policy.to_dict()}
    return save_artifact(path, ARTIFACT_KIND, ARTIFACT_VERSION, {"params": p}, meta)


def load_policy(path: str | Path) -> tuple[SwimmerPolicy, np.ndarray, dict[str, Any]]:
    """Load and validate a policy artifact: ``(policy, params, metadata)``.

    ``path`` is a file (``.npz``/``.json``/stem) or the name of a shipped artifact
    (``"ncap_rate_6link"``).
    """
    if not Path(path).with_suffix(".npz").is_file() and "/" not in str(path) and not Path(path).suffix:
        path = shipped_artifact(str(path))
    arrays, meta = load_artifact(path, ARTIFACT_KIND, ARTIFACT_VERSION)
    try:
        policy = SwimmerPolicy.from_dict({"variant": meta.get("variant"), "config": meta.get("config", {})})
    except (ValueError, TypeError) as exc:
        raise ArtifactError(f"{path}: bad policy metadata ({exc})") from None
    params = arrays.get("params")
    if params is None or params.shape != (policy.n_params,) or params.dtype != np.float64:
        raise ArtifactError(f"{path}: 'params' must be float64 shaped ({policy.n_params},)")
    return policy, params, meta


def load_controller(path: str | Path, n_links: int | None = None) -> AnyController:
    """A ready controller from an artifact, moved to an ``n_links`` body when given (transfer)."""
    policy, params, _ = load_policy(path)
    if n_links is not None:
        policy = policy.with_joints(int(n_links) - 1)
    return policy.controller(params)
