"""MLP policy (numpy), the swimmer baseline NCAP is compared with, batch-first.

    h_1 = tanh(W_1 x + c_1),  h_2 = tanh(W_2 h_1 + c_2),  a = tanh(W_3 h_2 + c_3)

x is the env observation (joint angles and link velocities), a the normalized torques in [-1, 1].
Each individual's weights are one flat vector: for every layer, ``W`` (fan_in x fan_out, row-major)
then ``c``. Default hidden sizes 64-64 (6,021 parameters for the 6-link swimmer's 23 inputs and 5
outputs). The initial weights are N(0, 1/fan_in), the biases 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np


@dataclass(frozen=True)
class MLPConfig:
    obs_size: int = 23
    act_size: int = 5
    hidden: tuple[int, ...] = (64, 64)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(self.hidden))
        for name in ("obs_size", "act_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"MLPConfig.{name} must be an integer >= 1, got {value!r}")
        for h in self.hidden:
            if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
                raise ValueError(f"MLPConfig.hidden must hold integers >= 1, got {self.hidden!r}")

    @property
    def layer_sizes(self) -> list[tuple[int, int]]:
        sizes = [self.obs_size, *self.hidden, self.act_size]
        return list(zip(sizes[:-1], sizes[1:]))

    @property
    def n_params(self) -> int:
        return sum(i * o + o for i, o in self.layer_sizes)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MLPConfig":
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"MLPConfig: unknown keys {sorted(unknown)}")
        return cls(**data)


def mlp_initial_params(config: MLPConfig, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """One parameter vector ``(n_params,)``: W ~ N(0, 1/fan_in), c = 0."""
    rng = np.random.default_rng(rng)
    parts = []
    for fan_in, fan_out in config.layer_sizes:
        parts += [rng.normal(0.0, 1.0 / np.sqrt(fan_in), fan_in * fan_out), np.zeros(fan_out)]
    return np.concatenate(parts)


def mlp_forward(config: MLPConfig, params: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Actions ``(batch, act_size)`` for ``params`` (batch or 1, n_params) and ``obs`` (batch, obs_size)."""
    p = np.asarray(params, dtype=float)
    p = p[None] if p.ndim == 1 else p
    x = np.asarray(obs, dtype=float)
    if p.ndim != 2 or p.shape[1] != config.n_params:
        raise ValueError(f"params must be shaped (batch, {config.n_params}), got {np.shape(params)}")
    if x.ndim != 2 or x.shape[1] != config.obs_size:
        raise ValueError(f"obs must be shaped (batch, {config.obs_size}), got {x.shape}")
    offset = 0
    for fan_in, fan_out in config.layer_sizes:
        w = p[:, offset : offset + fan_in * fan_out].reshape(-1, fan_in, fan_out)
        offset += fan_in * fan_out
        c = p[:, offset : offset + fan_out]
        offset += fan_out
        x = np.tanh(np.matmul(x[:, None, :], w)[:, 0] + c)
    return x


class MLPController:
    """One MLP policy: ``torques = controller.step(observation)`` (stateless; reset is a no-op)."""

    def __init__(self, config: MLPConfig, params: np.ndarray | None = None) -> None:
        self.config = config
        p = mlp_initial_params(config, 0) if params is None else np.asarray(params, dtype=float)
        if p.shape != (config.n_params,):
            raise ValueError(f"params must be shaped ({config.n_params},), got {p.shape}")
        if not np.all(np.isfinite(p)):
            raise ValueError("params must be finite")
        self.params = p.copy()

    def reset(self) -> None:
        pass

    def step(self, observation: np.ndarray) -> np.ndarray:
        return mlp_forward(self.config, self.params[None], np.asarray(observation, dtype=float)[None])[0]
