"""A blimp that is not exactly our model: plant files, presets, and distributions of plants.

A *plant* is everything about the flying blimp that the controller cannot know: the altitude
model's parameters (:class:`~snn_control.blimp.dynamics.BlimpDynamics`), the ToF sensor's noise
and the altitude it starts from. A helium blimp changes from day to day (helium loss, payload, a
different battery), so every flight command takes one (``--plant FILE|PRESET``) and evolution draws
them from :class:`PlantDistribution`.

A plant file is YAML (or JSON) with any of these keys, every other one left nominal::

    thrust_mps2_per_unit: 0.1     # k, m/s^2 per motor unit
    heaviness_mps2: 0.3           # g_b, net weight minus buoyancy per mass (or hover_units: g_b / k)
    drag_per_m: 1.3               # c, 1/m
    motor_tau_s: 0.1              # motor spin-up lag
    servo_flip_s: 0.3             # thrust reversal time
    dead_zone: 0.3                # |u| below this: motors off
    range_noise_std_m: 0.01       # ToF noise
    initial_altitude_m: 0.5       # where the blimp rests at the start

Presets live in ``config/plants/<name>.yaml`` (``nominal``, ``paper``, ``light``, ``heavy``,
``laggy``); :func:`load_plant` takes a preset name or a path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp.tof import ToFSensor

DYNAMICS_KEYS = ("thrust_mps2_per_unit", "heaviness_mps2", "drag_per_m", "motor_tau_s", "servo_flip_s", "dead_zone")
PLANT_KEYS = DYNAMICS_KEYS + ("hover_units", "range_noise_std_m", "initial_altitude_m")
PRESETS = ("nominal", "paper", "light", "heavy", "laggy")
_NOMINAL = BlimpDynamics()


@dataclass(frozen=True)
class BlimpPlant:
    """One blimp: its altitude model, its sensor noise and its start altitude (defaults: nominal)."""

    dynamics: BlimpDynamics = _NOMINAL
    range_noise_std_m: float = 0.01
    initial_altitude_m: float = 0.5
    name: str = "nominal"

    def __post_init__(self) -> None:
        for key in ("range_noise_std_m", "initial_altitude_m"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ValueError(f"{key} must be a finite number >= 0, got {v!r}")
        if self.initial_altitude_m > ToFSensor().max_m:
            raise ValueError(f"initial_altitude_m must be at most {ToFSensor().max_m} m, got {self.initial_altitude_m}")
        g = 9.81
        if self.dynamics.heaviness_mps2 > g:
            raise ValueError(f"heaviness_mps2 must be at most g = {g} (buoyancy cannot pull down), "
                             f"got {self.dynamics.heaviness_mps2}")
        if self.dynamics.hover_units >= self.dynamics.u_max:
            raise ValueError(f"hover_units must be below u_max = {self.dynamics.u_max} (the blimp could not "
                             f"take off), got {self.dynamics.hover_units:g}")

    @property
    def hover_units(self) -> float:
        return self.dynamics.hover_units

    def sensor(self) -> ToFSensor:
        return ToFSensor(noise_std_m=self.range_noise_std_m)

    def model_dynamics(self) -> BlimpDynamics | None:
        """What to write into a MuJoCo model (``BlimpEnv(dynamics=...)``): None for the nominal
        dynamics, so the nominal plant flies the model file as it is (``sim/blimp.xml``, whose
        numbers equal the nominal ones to 1e-10, or a node's own ``model_path``)."""
        return None if self.dynamics == _NOMINAL else self.dynamics

    def with_start(self, initial_altitude_m: float) -> "BlimpPlant":
        return replace(self, initial_altitude_m=float(initial_altitude_m))

    def to_dict(self) -> dict[str, Any]:
        """The plant-file keys (``heaviness_mps2``, not ``hover_units``)."""
        d = {k: getattr(self.dynamics, k) for k in DYNAMICS_KEYS}
        return {**d, "range_noise_std_m": self.range_noise_std_m, "initial_altitude_m": self.initial_altitude_m}

    @classmethod
    def from_dict(cls, data: Any, source: str = "plant", name: str = "custom") -> "BlimpPlant":
        """A plant from plant-file keys; ``ValueError`` naming ``source`` and the key."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ValueError(f"{source}: expected a mapping of plant parameters ({', '.join(PLANT_KEYS)})")
        for key, value in data.items():
            if key not in PLANT_KEYS:
                raise ValueError(f"{source}: {key}: unknown plant parameter (known: {', '.join(PLANT_KEYS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{source}: {key}: expected a finite number, got {value!r}")
        if "hover_units" in data and "heaviness_mps2" in data:
            raise ValueError(f"{source}: hover_units: give hover_units or heaviness_mps2, not both")
        dyn = {k: float(data[k]) for k in DYNAMICS_KEYS if k in data}
        if "hover_units" in data:
            k = dyn.get("thrust_mps2_per_unit", _NOMINAL.thrust_mps2_per_unit)
            dyn["heaviness_mps2"] = float(data["hover_units"]) * k
        extra = {k: float(data[k]) for k in ("range_noise_std_m", "initial_altitude_m") if k in data}
        try:
            dynamics = replace(_NOMINAL, **dyn)
        except ValueError as exc:  # "BlimpDynamics.<key> must be ..."
            key = str(exc).split(" ")[0].removeprefix("BlimpDynamics.")
            raise ValueError(f"{source}: {key}: {exc}") from None
        try:
            return cls(dynamics, name=name, **extra)
        except ValueError as exc:
            key = "hover_units" if "hover_units" in data and "hover" in str(exc) else str(exc).split(" ")[0]
            raise ValueError(f"{source}: {key}: {exc}") from None


def preset_path(name: str) -> Path:
    from snn_control.paths import share_dir

    return share_dir() / "config" / "plants" / f"{name}.yaml"


def load_plant(spec: str | Path | None) -> BlimpPlant:
    """A plant from a preset name (:data:`PRESETS`), a YAML/JSON file path, or None (nominal).

    Raises:
        ValueError: an unreadable or malformed file, an unknown key or an impossible value, with the
            file and the key named.
    """
    if spec is None or spec == "":
        return BlimpPlant()
    import yaml

    path, name = Path(spec), Path(spec).stem
    if str(spec) in PRESETS:
        path, name = preset_path(str(spec)), str(spec)
    elif not path.is_file():
        raise ValueError(f"{spec}: no such plant file (or preset: {', '.join(PRESETS)})")
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read plant file: {exc}") from None
    return BlimpPlant.from_dict(data, source=str(path), name=name)


# -- many plants at once (the twin's batch rows) -------------------------------------------------


class BatchDynamics(NamedTuple):
    """:class:`BlimpDynamics` with one value per batch row (arrays ``(batch,)``; ``dt_s`` shared).

    The step functions of :mod:`snn_control.blimp.dynamics` broadcast over it unchanged.
    """

    dt_s: float
    thrust_mps2_per_unit: np.ndarray
    heaviness_mps2: np.ndarray
    drag_per_m: np.ndarray
    motor_tau_s: np.ndarray
    servo_flip_s: np.ndarray
    u_max: np.ndarray
    dead_zone: np.ndarray
    reverse_efficiency: np.ndarray


def stack_dynamics(dynamics: list[BlimpDynamics]) -> BatchDynamics:
    """One row per plant; every plant must share the physics step ``dt_s``."""
    if not dynamics:
        raise ValueError("stack_dynamics needs at least one plant")
    dts = {d.dt_s for d in dynamics}
    if len(dts) != 1:
        raise ValueError(f"plants flown together must share dt_s, got {sorted(dts)}")
    cols = {f.name: np.array([getattr(d, f.name) for d in dynamics], dtype=float) for f in fields(BlimpDynamics)}
    cols["dt_s"] = float(dynamics[0].dt_s)
    return BatchDynamics(**cols)


def plant_rows(plants: list[BlimpPlant]) -> dict[str, Any]:
    """One row per plant, as the twin takes them: ``BlimpBatchSim(len(plants), **plant_rows(plants))``
    (``dynamics``, ``initial_altitude_m`` and ``noise_std_m``)."""
    return {"dynamics": [p.dynamics for p in plants],
            "initial_altitude_m": np.array([p.initial_altitude_m for p in plants]),
            "noise_std_m": np.array([p.range_noise_std_m for p in plants])}


@dataclass(frozen=True)
class PlantDistribution:
    """Plants drawn uniformly (log-uniform for the lags) around the nominal blimp: what evolution
    trains over, so no controller is tuned to one blimp.

    Ranges are ``(low, high)``; ``hover_units`` sets the heaviness through the drawn thrust gain.
    """

    hover_units: tuple[float, float] = (1.2, 5.5)
    thrust_mps2_per_unit: tuple[float, float] = (0.05, 0.13)
    drag_per_m: tuple[float, float] = (0.7, 1.8)
    motor_tau_s: tuple[float, float] = (0.05, 0.35)
    servo_flip_s: tuple[float, float] = (0.2, 0.6)
    dead_zone: tuple[float, float] = (0.2, 0.5)
    range_noise_std_m: tuple[float, float] = (0.005, 0.02)
    initial_altitude_m: tuple[float, float] = (0.3, 3.0)

    def __post_init__(self) -> None:
        for f in fields(self):
            lo, hi = getattr(self, f.name)
            if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo <= hi):
                raise ValueError(f"PlantDistribution.{f.name} must be 0 <= low <= high, got {(lo, hi)}")

    def draw(self, rng: np.random.Generator, n: int, tail: float = 0.0) -> list[BlimpPlant]:
        """``n`` plants (the nominal dt_s and u_max).

        With ``tail`` in (0, 0.5] every parameter is drawn from the lowest or the highest ``tail``
        of its range instead (each end with probability 1/2, independently per parameter; for the
        lags on the log scale): *corner* plants, where several ranges sit at an end at once (a
        slow motor and a slow servo and a wide dead zone), which uniform draws almost never give.
        """
        if not 0.0 <= tail <= 0.5:
            raise ValueError(f"tail must be in [0, 0.5], got {tail}")

        def share() -> np.ndarray:  # where in [0, 1] of each range a draw falls
            x = rng.uniform(0.0, 1.0, n)
            if tail == 0.0:
                return x
            return np.where(rng.uniform(0.0, 1.0, n) < 0.5, tail * x, 1.0 - tail * x)

        u = lambda r: r[0] + (r[1] - r[0]) * share()  # noqa: E731
        def logu(r: tuple[float, float]) -> np.ndarray:
            lo, hi = np.log(max(r[0], 1e-6)), np.log(max(r[1], 1e-6))
            return np.exp(lo + (hi - lo) * share())

        k, hover = u(self.thrust_mps2_per_unit), u(self.hover_units)
        drag, tau, servo, dz = u(self.drag_per_m), logu(self.motor_tau_s), logu(self.servo_flip_s), u(self.dead_zone)
        noise, start = u(self.range_noise_std_m), u(self.initial_altitude_m)
        return [
            BlimpPlant(replace(_NOMINAL, thrust_mps2_per_unit=float(k[j]), heaviness_mps2=float(hover[j] * k[j]),
                               drag_per_m=float(drag[j]), motor_tau_s=float(tau[j]), servo_flip_s=float(servo[j]),
                               dead_zone=float(dz[j])),
                       float(noise[j]), float(start[j]), name=f"random{j}")
            for j in range(n)
        ]
