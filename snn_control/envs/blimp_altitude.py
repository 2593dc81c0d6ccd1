"""``snn_control/BlimpAltitude-v0``: track a set-point profile with the blimp's ToF reading.

One :meth:`BlimpAltitudeEnv.step` is one control period (0.1 s) of the chosen sim, the MuJoCo
blimp (:class:`~snn_control.blimp.sim.BlimpEnv`) or its numpy twin
(:class:`~snn_control.blimp.twin.BlimpBatchSim`), holding the action u (motor units). At tick k
(time t_k = k * 0.1 s), with r_k the ToF reading, z_k the true altitude and z*(t) the profile:

    observation  o_k = [clip(r_k, r_min, r_max), z*(t_k), z*(t_k) - clip(r_k, r_min, r_max)]   (m)
    reward       R_k = -|z*(t_k) - z_k|          after the step that reached tick k (m)
    truncated    k == round(duration / 0.1);     terminated is always False

The reading follows REP 117 (``-inf`` below ``r_min`` = 0.3 m, ``+inf`` above ``r_max`` = 12 m);
the observation holds it clipped to the sensor range, so the Box stays finite, and
``info["reading_m"]`` holds it raw, beside ``altitude_m`` (true), ``setpoint_m`` and ``time_s``.

Seeding: ``reset(seed=s)`` seeds the sim's sensor noise with s exactly as ``BlimpEnv.reset(s)`` /
``BlimpBatchSim.reset(s)`` do; ``reset()`` draws the sim's seed from ``self.np_random``; the
``seed`` kwarg is the seed of a first ``reset()``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp.plant import PLANT_KEYS, BlimpPlant, load_plant
from snn_control.blimp.profiles import PAPER_PROFILE, SetpointProfile
from snn_control.blimp.tof import ToFSensor

SIMS = ("mujoco", "twin")
CONTROL_PERIOD_S = 0.1


def as_profile(profile: SetpointProfile | dict | str | Path) -> SetpointProfile:
    """A :class:`SetpointProfile` from itself, a ``from_dict`` mapping, or a YAML/JSON file path."""
    if isinstance(profile, SetpointProfile):
        return profile
    if isinstance(profile, dict):
        return SetpointProfile.from_dict(profile, source="profile")
    if isinstance(profile, (str, Path)):
        return SetpointProfile.load(profile)
    raise ValueError(f"profile must be a SetpointProfile, a dict or a file path, got {type(profile).__name__}")


# BlimpDynamics fields a plant dict may set beside the plant-file keys.
_MODEL_ONLY_KEYS = ("dt_s", "u_max", "reverse_efficiency")


def as_plant(plant: BlimpPlant | BlimpDynamics | dict | str | Path | None) -> BlimpPlant:
    """A :class:`BlimpPlant` from itself, a ``BlimpDynamics`` (nominal sensor and start), a dict of
    plant-file keys (:data:`~snn_control.blimp.plant.PLANT_KEYS`) and ``BlimpDynamics`` fields, a
    preset name or a plant-file path; None is nominal. ValueError naming the key or file."""
    if plant is None:
        return BlimpPlant()
    if isinstance(plant, BlimpPlant):
        return plant
    if isinstance(plant, BlimpDynamics):
        return BlimpPlant(plant, name="custom")
    if isinstance(plant, (str, Path)):
        return load_plant(plant)
    if isinstance(plant, dict):
        unknown = sorted(set(plant) - set(PLANT_KEYS) - set(_MODEL_ONLY_KEYS))
        if unknown:
            raise ValueError(f"plant: {unknown[0]}: unknown key (known: {', '.join(PLANT_KEYS + _MODEL_ONLY_KEYS)})")
        base = BlimpPlant.from_dict({k: v for k, v in plant.items() if k in PLANT_KEYS}, source="plant")
        extra = {k: v for k, v in plant.items() if k in _MODEL_ONLY_KEYS}
        return replace(base, dynamics=replace(base.dynamics, **extra)) if extra else base
    raise ValueError(f"plant must be a BlimpPlant, a BlimpDynamics, a dict, a preset name or a file path, "
                     f"got {type(plant).__name__}")


def make_blimp_sim(sim: str, plant: BlimpDynamics, sensor: ToFSensor, initial_altitude_m: float) -> Any:
    """The project's own sim: ``BlimpEnv`` (``"mujoco"``) or a one-row ``BlimpBatchSim`` (``"twin"``)."""
    if sim == "mujoco":
        from snn_control.blimp.sim import BlimpEnv

        return BlimpEnv(sensor=sensor, control_period_s=CONTROL_PERIOD_S, initial_altitude_m=initial_altitude_m,
                        dynamics=plant)
    if sim == "twin":
        from snn_control.blimp.twin import BlimpBatchSim

        return BlimpBatchSim(1, plant, sensor, control_period_s=CONTROL_PERIOD_S, initial_altitude_m=initial_altitude_m)
    raise ValueError(f"sim must be one of {SIMS}, got {sim!r}")


class BlimpAltitudeEnv(gymnasium.Env):
    """Altitude tracking of a set-point profile by the heavier-than-air blimp.

    Args:
        profile: the set-point schedule (a ``SetpointProfile``, a dict as
            ``SetpointProfile.from_dict`` takes, or a YAML/JSON file); one episode flies it once.
        plant: the blimp (:func:`as_plant`): a ``BlimpPlant``, a ``BlimpDynamics``, a dict of
            plant-file keys or ``BlimpDynamics`` fields (e.g. ``{"hover_units": 4.0}``), a preset
            name (``"heavy"``) or a plant-file path; default nominal. Its dynamics reach the MuJoCo
            model too.
        sim: ``"mujoco"`` or ``"twin"``.
        initial_altitude_m: altitude at reset, at rest; None: the plant's (0.5 m nominal). Given,
            it wins over the plant's.
        range_noise_std_m: ToF noise standard deviation; None: the plant's (0.01 m nominal).
            Given, it wins over the plant's.
        seed: seed of the first ``reset()`` called without one.
        render_mode: only ``None``.

    Raises:
        ValueError: a bad kwarg, named in the message.
    """

    metadata: dict[str, Any] = {"render_modes": [], "render_fps": 1.0 / CONTROL_PERIOD_S}

    def __init__(
        self,
        profile: SetpointProfile | dict | str | Path = PAPER_PROFILE,
        plant: BlimpPlant | BlimpDynamics | dict | str | Path | None = None,
        sim: str = "mujoco",
        initial_altitude_m: float | None = None,
        range_noise_std_m: float | None = None,
        seed: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None:
            raise ValueError(f"render_mode must be None (no rendering), got {render_mode!r}")
        self.profile = as_profile(profile)
        given = {k: v for k, v in (("initial_altitude_m", initial_altitude_m),
                                   ("range_noise_std_m", range_noise_std_m)) if v is not None}
        self.plant = replace(as_plant(plant), **given)  # validates the given values, naming them
        if not isinstance(sim, str) or sim not in SIMS:
            raise ValueError(f"sim must be one of {SIMS}, got {sim!r}")
        self.sensor = self.plant.sensor()
        self.sim_kind = sim
        self.sim = make_blimp_sim(sim, self.plant.dynamics, self.sensor, self.plant.initial_altitude_m)
        self.episode_steps = max(1, int(round(self.profile.duration_s / CONTROL_PERIOD_S)))
        self._seed = seed
        u_max = self.plant.dynamics.u_max
        self.action_space = spaces.Box(-u_max, u_max, shape=(1,), dtype=np.float64)
        lo, hi = min(self.profile.setpoints_m), max(self.profile.setpoints_m)
        s = self.sensor
        self.observation_space = spaces.Box(
            np.array([s.min_m, lo, lo - s.max_m]), np.array([s.max_m, hi, hi - s.min_m]), dtype=np.float64
        )
        self._k = 0
        self._reading = float("nan")

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """Start the profile from rest; ``seed`` seeds the sensor noise (same seed, same episode)."""
        if seed is None and self._np_random is None:
            seed = self._seed
        super().reset(seed=seed)
        sim_seed = seed if seed is not None else int(self.np_random.integers(2**63))
        self._k = 0
        self._reading = _scalar(self.sim.reset(seed=sim_seed))
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        """Hold ``action`` (motor units, shape (1,)) for one control period."""
        if self._k >= self.episode_steps:
            raise RuntimeError("episode is over (truncated was True): call reset() first")
        u = np.asarray(action, dtype=float).reshape(-1)
        if u.shape != (1,):
            raise ValueError(f"action must hold one motor command, got shape {np.shape(action)}")
        if not np.isfinite(u[0]):
            raise ValueError(f"action must be finite, got {u[0]}")
        self._reading = _scalar(self.sim.step(float(u[0])))
        self._k += 1
        reward = -abs(self.setpoint_m - self.altitude_m)
        return self._observation(), reward, False, self._k >= self.episode_steps, self._info()

    @property
    def time_s(self) -> float:
        return self._k * CONTROL_PERIOD_S

    @property
    def setpoint_m(self) -> float:
        """Set-point in force now."""
        return float(self.profile.at(self.time_s))

    @property
    def altitude_m(self) -> float:
        """True altitude of the blimp (m)."""
        return _scalar(self.sim.altitude_m)

    def _observation(self) -> np.ndarray:
        reading = float(np.clip(self._reading, self.sensor.min_m, self.sensor.max_m))
        setpoint = self.setpoint_m
        return np.array([reading, setpoint, setpoint - reading], dtype=np.float64)

    def _info(self) -> dict[str, float]:
        return {"reading_m": self._reading, "altitude_m": self.altitude_m, "setpoint_m": self.setpoint_m,
                "time_s": self.time_s}


def _scalar(x: Any) -> float:
    """A float from a float or a one-row array (the twin's batch of one)."""
    return float(np.asarray(x, dtype=float).reshape(-1)[0])
