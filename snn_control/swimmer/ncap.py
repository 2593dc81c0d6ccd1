"""NCAP: the C. elegans forward-locomotion circuit as a swimmer controller (rate model), batch-first.

Bhattasali, Zador, Engel (NeurIPS 2022), as written in PAPERS.md section 2. Per control step,
for joint angles q (rad, index i = 0 is the head joint) of an N-joint body:

    q̂_i   = clip(q_i / (2π/(N+1)), -1, 1)                      normalized joint angle
    s_i^d  = clip(q̂_i, 0, 1),   s_i^v = -clip(q̂_i, -1, 0)       dorsal / ventral stretch
    o^d    = 1 if (t mod T) < T/2 else 0,   o^v = 1 - o^d        head oscillator, T = 60 steps
    b_0^x  = σ(exc(w_osc) o^x),   b_i^x = σ(exc(w_prop) s_{i-1}^x)   (i >= 1, x in {d, v})
    m_i^d  = σ(exc(w_ipsi) b_i^d + inh(w_contra) b_i^v)          muscles (m^v: swap d and v)
    a_i    = m_i^d - m_i^v                                       normalized torque in [-1, 1]

with σ(x) = clip(x, 0, 1) (graded), exc(w) = max(w, 0), inh(w) = min(w, 0) (sign constraints)
and t the control steps since reset.

Parameters (a flat vector per individual, shape ``(batch, n_params)``):
    shared   (4):  [w_osc, w_prop, w_ipsi, w_contra], canonical init [+1, +1, +1, -1]; the same
                   four weights drive a body of any length (zero-shot transfer).
    unshared (6N): rows [in_d, in_v, ipsi_d, ipsi_v, contra_d, contra_v] of N columns each (flattened
                   row-major); ``in`` is w_osc at joint 0 and w_prop elsewhere; ``contra_d`` weighs
                   B^v onto M^d. Canonical init +1 (in, ipsi) and -1 (contra).
Ablations (paper, Fig. 5): ``sign_constraints=False`` uses raw weights; ``oscillator=False``
silences the head drive; ``ncap_initial_params(..., init="random")`` draws every weight from
U(-1, 1) (either sign) instead of the canonical ±1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from snn_control.dictio import DictIO

SHARED_NAMES = ("w_osc", "w_prop", "w_ipsi", "w_contra")
UNSHARED_ROWS = ("in_d", "in_v", "ipsi_d", "ipsi_v", "contra_d", "contra_v")
_CANONICAL_ROW = np.array([1.0, 1.0, 1.0, 1.0, -1.0, -1.0])


def _check_flag(owner: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{owner}.{name} must be a bool, got {value!r}")


def _check_int(owner: str, name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{owner}.{name} must be an integer >= {minimum}, got {value!r}")


@dataclass(frozen=True)
class NCAPConfig(DictIO):
    """Architecture of one NCAP (weights live apart, in a flat parameter vector)."""

    n_joints: int = 5
    shared: bool = True
    sign_constraints: bool = True
    oscillator: bool = True
    oscillator_period: int = 60  # control steps; dorsal half first

    def __post_init__(self) -> None:
        _check_int("NCAPConfig", "n_joints", self.n_joints, 1)
        _check_int("NCAPConfig", "oscillator_period", self.oscillator_period, 2)
        if self.oscillator_period % 2:
            raise ValueError(f"NCAPConfig.oscillator_period must be even, got {self.oscillator_period}")
        for name in ("shared", "sign_constraints", "oscillator"):
            _check_flag("NCAPConfig", name, getattr(self, name))

    @property
    def n_params(self) -> int:
        return 4 if self.shared else 6 * self.n_joints

    @property
    def joint_limit_rad(self) -> float:
        return 2.0 * np.pi / (self.n_joints + 1)



class NCAPState(NamedTuple):
    """Batch state: ``t`` (batch,) int, control steps since reset (the oscillator's phase)."""

    t: np.ndarray


class NCAPOutput(NamedTuple):
    """Activities, each shaped ``(batch, n_joints)``; ``action`` = ``m_d - m_v``."""

    b_d: np.ndarray
    b_v: np.ndarray
    m_d: np.ndarray
    m_v: np.ndarray
    action: np.ndarray


def ncap_initial_state(batch: int = 1) -> NCAPState:
    return NCAPState(np.zeros(batch, dtype=np.int64))


def ncap_initial_params(
    config: NCAPConfig, init: str = "canonical", rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """One parameter vector ``(n_params,)``: ``"canonical"`` (±1) or ``"random"`` (U(-1, 1))."""
    if init == "canonical":
        if config.shared:
            return np.array([1.0, 1.0, 1.0, -1.0])
        return np.repeat(_CANONICAL_ROW, config.n_joints)
    if init == "random":
        return np.random.default_rng(rng).uniform(-1.0, 1.0, size=config.n_params)
    raise ValueError(f"init must be 'canonical' or 'random', got {init!r}")


def expand_weights(config: NCAPConfig, params: np.ndarray) -> np.ndarray:
    """Per-joint weights ``(batch, 6, N)`` (rows :data:`UNSHARED_ROWS`) with signs enforced."""
    p = np.asarray(params, dtype=float)
    if p.ndim == 1:
        p = p[None]
    if p.ndim != 2 or p.shape[1] != config.n_params:
        raise ValueError(f"params must be shaped (batch, {config.n_params}), got {np.shape(params)}")
    n = config.n_joints
    if config.shared:
        w_osc, w_prop, w_ipsi, w_contra = (p[:, k, None] for k in range(4))
        w_in = np.concatenate([w_osc, np.repeat(w_prop, n - 1, axis=1)], axis=1)
        w = np.stack([w_in, w_in, *([np.broadcast_to(w_ipsi, w_in.shape)] * 2),
                      *([np.broadcast_to(w_contra, w_in.shape)] * 2)], axis=1)
    else:
        w = p.reshape(-1, 6, n)
    if config.sign_constraints:
        w = np.concatenate([np.maximum(w[:, :4], 0.0), np.minimum(w[:, 4:], 0.0)], axis=1)
    return w


def oscillator(config: NCAPConfig, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Square wave (o^d, o^v), each ``(batch,)``: o^d = 1 in the first half of each period."""
    if not config.oscillator:
        z = np.zeros(np.shape(t))
        return z, z.copy()
    o_d = ((np.asarray(t) % config.oscillator_period) < config.oscillator_period // 2).astype(float)
    return o_d, 1.0 - o_d


def stretch(config: NCAPConfig, joint_angles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dorsal and ventral stretch signals (s^d, s^v) in [0, 1], each ``(batch, N)``."""
    q = np.asarray(joint_angles, dtype=float)
    if q.ndim != 2 or q.shape[1] != config.n_joints:
        raise ValueError(f"joint_angles must be shaped (batch, {config.n_joints}), got {q.shape}")
    if not np.all(np.isfinite(q)):
        raise ValueError("joint_angles must be finite")
    q_hat = np.clip(q / config.joint_limit_rad, -1.0, 1.0)
    return np.clip(q_hat, 0.0, 1.0), -np.clip(q_hat, -1.0, 0.0)


def graded(x: np.ndarray) -> np.ndarray:
    """σ(x) = clip(x, 0, 1)."""
    return np.clip(x, 0.0, 1.0)


def ncap_step(
    config: NCAPConfig, params: np.ndarray, state: NCAPState, joint_angles: np.ndarray
) -> tuple[NCAPState, NCAPOutput]:
    """One control step for a batch: ``params`` (batch or 1, n_params), ``joint_angles`` (batch, N)."""
    w = expand_weights(config, params)
    s_d, s_v = stretch(config, joint_angles)
    o_d, o_v = oscillator(config, state.t)
    in_d = np.concatenate([o_d[:, None], s_d[:, :-1]], axis=1)
    in_v = np.concatenate([o_v[:, None], s_v[:, :-1]], axis=1)
    b_d, b_v = graded(w[:, 0] * in_d), graded(w[:, 1] * in_v)
    m_d = graded(w[:, 2] * b_d + w[:, 4] * b_v)
    m_v = graded(w[:, 3] * b_v + w[:, 5] * b_d)
    return NCAPState(state.t + 1), NCAPOutput(b_d, b_v, m_d, m_v, m_d - m_v)


class CircuitController:
    """One circuit driven one control step at a time (what a ROS node holds).

    ``torques = controller.step(joint_angles)``: angles (rad) shaped (N,), torques in [-1, 1];
    ``last`` holds the step's activities. Subclasses name the circuit's step functions.
    """

    def __init__(self, config: Any, params: np.ndarray | None = None) -> None:
        self.config = config
        p = self.default_params(config) if params is None else np.asarray(params, dtype=float)
        if p.shape != (config.n_params,):
            raise ValueError(f"params must be shaped ({config.n_params},) for {config}, got {p.shape}")
        if not np.all(np.isfinite(p)):
            raise ValueError("params must be finite")
        self.params = p.copy()
        self.reset()

    @staticmethod
    def default_params(config: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def initial_state(config: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def circuit_step(config: Any, params: np.ndarray, state: Any, joint_angles: np.ndarray) -> tuple[Any, Any]:
        raise NotImplementedError

    @property
    def n_joints(self) -> int:
        return self.config.n_joints

    def reset(self) -> None:
        """Back to the rest state (the oscillator's phase of the next step is 0)."""
        self.state = self.initial_state(self.config)
        self.last = None

    def step(self, joint_angles: np.ndarray) -> np.ndarray:
        q = np.asarray(joint_angles, dtype=float).reshape(1, -1)
        self.state, self.last = self.circuit_step(self.config, self.params[None], self.state, q)
        return self.last.action[0].copy()


class NCAPController(CircuitController):
    """The rate NCAP as a :class:`CircuitController`."""

    def __init__(self, config: NCAPConfig = NCAPConfig(), params: np.ndarray | None = None) -> None:
        super().__init__(config, params)

    default_params = staticmethod(ncap_initial_params)
    initial_state = staticmethod(lambda config: ncap_initial_state(1))
    circuit_step = staticmethod(ncap_step)
