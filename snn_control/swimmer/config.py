"""Configuration schemas of the swimmer graph's nodes, and the controller a config asks for.

One frozen dataclass per node (``swimmer_sim``, ``ncap_controller``): the fields are the node's ROS
parameters, ``__post_init__`` checks their values, and :func:`snn_control.dictio.validate_params`
checks a whole parameter file against them before any node exists. :func:`build_ncap_controller`
is shared by the ROS node and the offline comparison, so both fly the same controller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from snn_control.dictio import DictIO

NODE_VARIANTS = ("rate", "spiking")  # the MLP baseline needs body velocities JointState lacks


@dataclass(frozen=True)
class SwimmerSimConfig(DictIO):
    """``swimmer_sim``: the MuJoCo swimmer, one seeded episode, paced in lockstep."""

    n_links: int = 6
    seed: int = 0
    episode_steps: int = 1000
    real_time_factor: float = 1.0  # 0 = as fast as possible
    lockstep: bool = True
    lockstep_timeout_s: float = 1.0
    autostart: bool = True  # configure and activate at start (false: a lifecycle manager brings it up)

    def __post_init__(self) -> None:
        if self.n_links < 3:
            raise ValueError(f"n_links must be >= 3, got {self.n_links}")
        if self.episode_steps < 1:
            raise ValueError(f"episode_steps must be >= 1, got {self.episode_steps}")
        if not (math.isfinite(self.real_time_factor) and self.real_time_factor >= 0):
            raise ValueError(f"real_time_factor must be >= 0, got {self.real_time_factor}")
        if not (math.isfinite(self.lockstep_timeout_s) and self.lockstep_timeout_s > 0):
            raise ValueError(f"lockstep_timeout_s must be > 0, got {self.lockstep_timeout_s}")


@dataclass(frozen=True)
class NCAPControllerConfig(DictIO):
    """``ncap_controller``: a rate or spiking NCAP, from an artifact or the initial weights."""

    variant: str = "rate"
    n_links: int = 6
    artifact: str = ""  # empty: the shipped ncap_<variant>_6link
    untrained: bool = False

    def __post_init__(self) -> None:
        if self.variant not in NODE_VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(NODE_VARIANTS)}, got {self.variant!r}")
        if self.n_links < 3:
            raise ValueError(f"n_links must be >= 3, got {self.n_links}")


def build_ncap_controller(config: NCAPControllerConfig) -> Any:
    """The controller ``config`` asks for, with ``step(joint_angles) -> torques``.

    Args:
        config: ``untrained`` takes the variant's initial weights; otherwise the ``artifact`` (empty:
            the shipped 6-link policy of the variant), moved to ``n_links`` links.

    Returns:
        A stateful controller (reset on construction).
    """
    from snn_control.swimmer.policy import load_controller, make_policy

    if config.untrained:
        policy = make_policy(config.variant, config.n_links)
        return policy.controller(policy.initial_params())
    return load_controller(config.artifact or f"ncap_{config.variant}_6link", n_links=config.n_links)
