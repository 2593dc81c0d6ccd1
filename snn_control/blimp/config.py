"""Configuration schemas of the blimp graph's nodes, validated without ROS.

One frozen dataclass per node (``blimp_sim``, ``altitude_controller``, ``setpoint_schedule``): the
fields are the node's ROS parameters (name, type, default), ``__post_init__`` checks their values,
and :func:`snn_control.dictio.validate_params` checks a whole parameter file against them before
any node exists. The nodes in :mod:`snn_control.nodes` declare these fields as parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from snn_control.blimp.controllers import CONTROLLERS
from snn_control.blimp.guard import GuardParams
from snn_control.blimp.profiles import PAPER_PROFILE, SetpointProfile
from snn_control.dictio import DictIO


def _check_positive(owner: object, *names: str) -> None:
    for name in names:
        value = getattr(owner, name)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be > 0, got {value}")


def _check_non_negative(owner: object, *names: str) -> None:
    for name in names:
        value = getattr(owner, name)
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be >= 0, got {value}")


@dataclass(frozen=True)
class BlimpSimConfig(DictIO):
    """``blimp_sim``: the MuJoCo blimp, its ToF sensor and its lockstep pacing."""

    model_path: str = ""  # empty: the package's sim/blimp.xml
    seed: int = 0
    initial_altitude_m: float = 0.5
    control_period_s: float = 0.1
    real_time_factor: float = 1.0  # 0 = as fast as possible
    lockstep: bool = True
    lockstep_timeout_s: float = 1.0
    range_noise_std_m: float = 0.01
    duration_s: float = 0.0  # 0 = run until stopped
    frame_id: str = "tof"

    def __post_init__(self) -> None:
        _check_non_negative(self, "real_time_factor")
        _check_positive(self, "control_period_s", "lockstep_timeout_s")
        _check_non_negative(self, "duration_s", "range_noise_std_m")


@dataclass(frozen=True)
class AltitudeControllerConfig(DictIO):
    """``altitude_controller``: a controller of :data:`CONTROLLERS` behind the guard."""

    controller: str = "pid"
    pd_artifact: str = ""  # empty: the shipped PD-SNN
    i_artifact: str = ""  # empty: the shipped I-SNN
    control_period_s: float = 0.1
    sensor_timeout_s: float = 0.5
    fallback_cmd: float = 2.0
    min_range_m: float = 0.3
    max_range_m: float = 12.0

    def __post_init__(self) -> None:
        if self.controller not in CONTROLLERS:
            raise ValueError(f"controller must be one of {', '.join(CONTROLLERS)}, got {self.controller!r}")
        _check_positive(self, "control_period_s", "sensor_timeout_s")
        self.guard_params()  # validates the ranges and the fallback

    def guard_params(self) -> GuardParams:
        """The guard's parameters: the sensor timeout is how long the last command is held."""
        return GuardParams(self.min_range_m, self.max_range_m, self.sensor_timeout_s, self.fallback_cmd)


@dataclass(frozen=True)
class SetpointScheduleConfig(DictIO):
    """``setpoint_schedule``: a piecewise-constant altitude profile, published ``lead_s`` ahead."""

    setpoints_m: tuple[float, ...] = PAPER_PROFILE.setpoints_m
    segments_s: tuple[float, ...] = (70.0,)  # one value for all segments, or one per set-point
    lead_s: float = 1.0
    frame_id: str = "map"

    def __post_init__(self) -> None:
        self.profile()  # validates
        _check_non_negative(self, "lead_s")

    def profile(self) -> SetpointProfile:
        """The profile: ``segments_s`` repeated when it holds one value."""
        segments = tuple(self.segments_s) * len(self.setpoints_m) if len(self.segments_s) == 1 else self.segments_s
        return SetpointProfile(tuple(self.setpoints_m), tuple(segments))
