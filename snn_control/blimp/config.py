"""Configuration schemas of the blimp graph's nodes, validated without ROS.

One frozen dataclass per node (``blimp_sim``, ``altitude_controller``, ``setpoint_schedule``): the
fields are the node's ROS parameters (name, type, default), ``__post_init__`` checks their values,
and :func:`snn_control.dictio.validate_params` checks a whole parameter file against them before
any node exists. The nodes in :mod:`snn_control.nodes` declare these fields as parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Mapping

from snn_control.blimp.controllers import CONTROLLERS
from snn_control.blimp.guard import GuardParams
from snn_control.blimp.plant import DYNAMICS_KEYS, BlimpPlant, load_plant
from snn_control.blimp.profiles import PAPER_PROFILE, SetpointProfile
from snn_control.dictio import DictIO, config_from_mapping

# The plant keys of blimp_sim (plant-file keys but hover_units, which the node takes as heaviness_mps2).
PLANT_PARAMS = DYNAMICS_KEYS + ("range_noise_std_m", "initial_altitude_m")


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
    """``blimp_sim``: the MuJoCo blimp, the plant it flies, its ToF sensor and its lockstep pacing.

    The plant (:meth:`plant`): ``plant_file`` (a preset name of ``config/plants/`` or a plant file;
    empty: nominal) is the base, and each plant parameter (:data:`PLANT_PARAMS`, defaults: the
    nominal plant) that differs from its default replaces the file's value. So a parameter file may
    list every key at its nominal value and still fly ``plant_file``; a key set to exactly its
    nominal value does not override the file. ``snn-control launch blimp --plant F`` and the launch
    file's ``plant_file:=F`` write the resolved plant into every key and empty ``plant_file``
    (:func:`pin_plant`), so their ``--initial-altitude`` / ``initial_altitude_m:=`` always wins.
    The nominal dynamics leave the model file as it is (a custom ``model_path`` keeps its own).
    ``sync_topic`` (empty: none): a std_msgs/Float64 of the simulated time up to which the rest of
    the graph (perception) has caught up; each observation waits until it is at most one period
    behind, at most ``sync_timeout_s`` of wall time (the mission keeps its cameras' recognizers in
    step with a fast simulation this way; the control loop itself is not delayed).
    ``range_deadline_wall_s``: the ROS 2 QoS deadline ``/blimp/range`` offers (0: none). Longer than
    any wait of the pacing above, so a subscriber that requests it (the coordinator) hears of a
    stalled or vanished simulator from DDS itself: simulated time cannot tell, it stops too.
    """

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
    autostart: bool = True  # configure and activate at start (false: a lifecycle manager brings it up)
    sync_topic: str = ""
    sync_timeout_s: float = 1.0
    range_deadline_wall_s: float = 2.0  # the QoS deadline /blimp/range offers (wall s; 0: none)
    plant_file: str = ""  # a preset or a plant file; empty: nominal
    thrust_mps2_per_unit: float = 0.1
    heaviness_mps2: float = 0.3
    drag_per_m: float = 1.3
    motor_tau_s: float = 0.1
    servo_flip_s: float = 0.3
    dead_zone: float = 0.3

    def __post_init__(self) -> None:
        _check_non_negative(self, "real_time_factor")
        _check_positive(self, "control_period_s", "lockstep_timeout_s", "sync_timeout_s")
        _check_non_negative(self, "duration_s", "range_noise_std_m", "range_deadline_wall_s")
        self.plant()  # validates the plant file and the plant keys

    def plant(self) -> BlimpPlant:
        """The plant: ``plant_file``, with the plant parameters that differ from their defaults on top.

        Raises:
            ValueError: an unreadable plant file, or an impossible value, naming the file or key.
        """
        base = load_plant(self.plant_file)
        defaults = {f.name: f.default for f in fields(self)}
        changed = {k: getattr(self, k) for k in PLANT_PARAMS if getattr(self, k) != defaults[k]}
        if not changed:
            return base
        keys = sorted(set(changed) - {"initial_altitude_m"})
        name = f"{base.name}+{'+'.join(keys)}" if keys else base.name
        return BlimpPlant.from_dict({**base.to_dict(), **changed}, source=f"plant {self.plant_file} with parameters" if self.plant_file else "plant",
                                   name=name)


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
    autostart: bool = True  # configure and activate at start (false: a lifecycle manager brings it up)

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


def pin_plant(
    sim_params: Mapping[str, Any], where: str, plant_file: str | None = None, initial_altitude_m: float | None = None,
) -> tuple[BlimpPlant, dict[str, Any]]:
    """The plant ``blimp_sim`` flies with ``sim_params``, ``plant_file`` and ``initial_altitude_m``
    (from a command line) applied, and the parameters that pin it.

    Returns:
        ``(plant, params)``: ``params`` sets every key of :data:`PLANT_PARAMS` to the plant's value
        and ``plant_file`` to "", so the node flies exactly ``plant`` whatever the defaults.

    Raises:
        ValueError: a bad parameter (``"<where>.<key>: ..."``), plant file (its path and key) or
            start altitude.
    """
    values = dict(sim_params) if plant_file is None else {**sim_params, "plant_file": plant_file}
    plant = config_from_mapping(BlimpSimConfig, values, where).plant()
    if initial_altitude_m is not None:
        try:
            plant = plant.with_start(initial_altitude_m)
        except ValueError as exc:
            raise ValueError(f"{where}.initial_altitude_m: {exc}") from None
    pinned = {k: float(v) for k, v in plant.to_dict().items() if k in PLANT_PARAMS}
    return plant, {**pinned, "plant_file": ""}
