"""One conformance test over every Gymnasium id registered under ``snn_control/``.

For each id and each of its kwarg cases: ``gymnasium.make`` builds it, Gymnasium's own
``check_env`` passes, observations are finite and inside the space, the same seed repeats an
episode bit for bit and another seed does not, and the episode equals the project's own sim
stepped directly with the same seed and actions. Kwarg errors name the kwarg.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import snn_control.envs
from snn_control.blimp.dynamics import BlimpDynamics
from snn_control.blimp.plant import BlimpPlant, load_plant
from snn_control.blimp.sim import BlimpEnv
from snn_control.blimp.tof import ToFSensor
from snn_control.blimp.twin import BlimpBatchSim
from snn_control.swimmer.env import SwimmerEnv

BLIMP, SWIMMER = "snn_control/BlimpAltitude-v0", "snn_control/Swimmer-v0"
SHORT = {"setpoints_m": [0.5, 1.0], "segment_s": 3}  # 60 control steps
STEPS = 50

CASES: dict[str, list[dict]] = {
    BLIMP: [{}, {"profile": SHORT}, {"profile": SHORT, "sim": "twin"},
            {"profile": SHORT, "plant": {"heaviness_mps2": 0.4, "thrust_mps2_per_unit": 0.12}},
            {"profile": SHORT, "plant": "laggy"},
            {"profile": SHORT, "plant": "paper", "sim": "twin", "initial_altitude_m": 1.0}],
    SWIMMER: [{}, {"n_links": 8}, {"n_links": 4, "episode_steps": 60}],
}


def registered_ids() -> list[str]:
    return sorted(i for i in gymnasium.registry if i.startswith(f"{snn_control.envs.NAMESPACE}/"))


CASE_PARAMS = [pytest.param(i, kw, id=f"{i}-{kw}") for i in registered_ids() for kw in CASES.get(i, [])]


def actions(env_id: str, space: gymnasium.spaces.Box, seed: int = 0) -> np.ndarray:
    """A fixed action sequence; the blimp's keeps it flying (a floor of -inf readings proves little)."""
    rng = np.random.default_rng(seed)
    if env_id == BLIMP:
        return rng.uniform(2.0, 7.0, size=(STEPS, 1))
    return rng.uniform(-1.0, 1.0, size=(STEPS, *space.shape))


def rollout(env: gymnasium.Env, seed: int, acts: np.ndarray) -> dict[str, np.ndarray]:
    obs, info = env.reset(seed=seed)
    out = {"obs": [obs], "reward": [], "truncated": [], "info": [info]}
    for a in acts:
        obs, reward, terminated, truncated, info = env.step(a)
        assert terminated is False and isinstance(truncated, bool) and isinstance(reward, float)
        for key, value in (("obs", obs), ("reward", reward), ("truncated", truncated), ("info", info)):
            out[key].append(value)
    return {"obs": np.array(out["obs"]), "reward": np.array(out["reward"]),
            "truncated": np.array(out["truncated"]),
            "info": {k: np.array([i.get(k, np.nan) for i in out["info"]]) for k in out["info"][-1]}}


def test_every_expected_id_is_registered_and_has_cases():
    ids = registered_ids()
    assert {BLIMP, SWIMMER} <= set(ids)
    assert set(ids) == set(CASES), "every registered id needs conformance cases here"
    assert snn_control.envs.register_envs() == []  # idempotent


def test_make_without_importing_first_by_module_prefix():
    code = (
        "import sys, gymnasium\n"
        "assert 'snn_control' not in sys.modules\n"
        f"env = gymnasium.make('snn_control.envs:{BLIMP}', profile={SHORT!r}, sim='twin')\n"
        "print(env.unwrapped.spec.id, env.reset(seed=0)[0].shape)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [BLIMP, "(3,)"]


@pytest.mark.parametrize(("env_id", "kwargs"), CASE_PARAMS)
def test_conformance(env_id, kwargs):
    env = gymnasium.make(env_id, **kwargs)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(symmetric and normalized|infinity)")
        check_env(env.unwrapped, skip_render_check=True)
    acts = actions(env_id, env.action_space)
    assert all(a in env.action_space for a in acts)
    a, b, c = rollout(env, 3, acts), rollout(env, 3, acts), rollout(env, 4, acts)
    assert np.all(np.isfinite(a["obs"])) and all(o in env.observation_space for o in a["obs"])
    assert np.all(np.isfinite(a["reward"]))
    for key in ("obs", "reward", "truncated"):
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert not np.array_equal(a["obs"], c["obs"])
    env.close()


def blimp_reference(kwargs: dict, seed: int, acts: np.ndarray) -> dict[str, np.ndarray]:
    """The same flight stepped on ``BlimpEnv`` or ``BlimpBatchSim`` directly: raw readings, altitudes."""
    spec = kwargs.get("plant", {})
    plant = load_plant(spec) if isinstance(spec, str) else BlimpPlant(BlimpDynamics.from_dict(spec))
    sensor = ToFSensor(noise_std_m=kwargs.get("range_noise_std_m", plant.range_noise_std_m))
    start = kwargs.get("initial_altitude_m", plant.initial_altitude_m)
    if kwargs.get("sim", "mujoco") == "mujoco":
        sim = BlimpEnv(sensor=sensor, dynamics=plant.dynamics, initial_altitude_m=start, seed=seed)
        step, altitude = (lambda u: sim.step(u)), (lambda: sim.altitude_m)
    else:
        sim = BlimpBatchSim(1, plant.dynamics, sensor, initial_altitude_m=start, seed=seed)
        step, altitude = (lambda u: sim.step(u)[0]), (lambda: sim.altitude_m[0])
    readings, altitudes = [float(np.ravel(sim.reset(seed))[0])], [altitude()]
    for a in acts:
        readings.append(float(step(float(a[0]))))
        altitudes.append(float(altitude()))
    return {"reading_m": np.array(readings), "altitude_m": np.array(altitudes)}


@pytest.mark.parametrize("kwargs", CASES[BLIMP][1:], ids=str)
def test_blimp_agrees_with_its_sim(kwargs):
    env = gymnasium.make(BLIMP, **kwargs)
    acts = actions(BLIMP, env.action_space)
    got = rollout(env, 11, acts)
    want = blimp_reference(kwargs, 11, acts)
    np.testing.assert_array_equal(got["info"]["reading_m"], want["reading_m"])
    np.testing.assert_array_equal(got["info"]["altitude_m"], want["altitude_m"])
    r = got["info"]["reading_m"]
    np.testing.assert_array_equal(got["obs"][:, 0], np.clip(r, 0.3, 12.0))
    np.testing.assert_array_equal(got["obs"][:, 2], got["obs"][:, 1] - got["obs"][:, 0])
    np.testing.assert_array_equal(got["reward"], -np.abs(got["info"]["setpoint_m"][1:] - got["info"]["altitude_m"][1:]))
    np.testing.assert_allclose(got["info"]["time_s"], 0.1 * np.arange(STEPS + 1), atol=1e-12)
    assert np.isfinite(r).mean() > 0.9  # it flew within the sensor's range


@pytest.mark.parametrize("kwargs", CASES[SWIMMER], ids=str)
def test_swimmer_agrees_with_its_sim(kwargs):
    env = gymnasium.make(SWIMMER, **kwargs)
    acts = actions(SWIMMER, env.action_space)
    got = rollout(env, 5, acts)
    sim = SwimmerEnv(**kwargs)
    want_obs, want_reward = [sim.reset(5)], []
    for a in acts:
        obs, reward, _, _ = sim.step(a)
        want_obs.append(obs)
        want_reward.append(reward)
    np.testing.assert_array_equal(got["obs"], np.array(want_obs))
    np.testing.assert_array_equal(got["reward"], np.array(want_reward))
    assert got["reward"].max() > 0.0  # it swam


def test_episodes_truncate_at_their_length():
    blimp = gymnasium.make(BLIMP, profile=SHORT, sim="twin")
    swimmer = gymnasium.make(SWIMMER, n_links=4, episode_steps=7)
    for env, n, action in ((blimp, 60, np.array([3.0])), (swimmer, 7, np.zeros(3))):
        env.reset(seed=0)
        flags = [env.step(action)[3] for _ in range(n)]
        assert flags == [False] * (n - 1) + [True]
        with pytest.raises(RuntimeError, match="reset"):
            env.step(action)


def test_plant_kwarg_changes_the_flight():
    acts = actions(BLIMP, None)
    nominal = rollout(gymnasium.make(BLIMP, profile=SHORT), 2, acts)
    heavier = rollout(gymnasium.make(BLIMP, profile=SHORT, plant={"heaviness_mps2": 0.4}), 2, acts)
    assert np.max(np.abs(nominal["info"]["altitude_m"] - heavier["info"]["altitude_m"])) > 0.05


def test_plant_kwarg_takes_a_plant_a_preset_a_file_or_plant_keys(tmp_path):
    def plant_of(**kwargs):
        return gymnasium.make(BLIMP, profile=SHORT, sim="twin", **kwargs).unwrapped

    assert plant_of(plant="heavy").plant == load_plant("heavy")
    assert plant_of(plant=load_plant("laggy")).sensor.noise_std_m == 0.02
    assert plant_of(plant=BlimpDynamics(heaviness_mps2=0.4)).plant.hover_units == pytest.approx(4.0)
    f = tmp_path / "high.yaml"
    f.write_text("hover_units: 4.0\ninitial_altitude_m: 2.0\nrange_noise_std_m: 0.03\n")
    env = plant_of(plant=str(f))
    assert env.plant.name == "high" and env.sensor.noise_std_m == 0.03
    assert env.reset(seed=0)[1]["altitude_m"] == 2.0
    env = plant_of(plant=f, initial_altitude_m=1.0, range_noise_std_m=0.0)  # given kwargs win
    assert env.reset(seed=0)[1]["altitude_m"] == 1.0 and env.sensor.noise_std_m == 0.0
    assert env.plant.hover_units == pytest.approx(4.0)
    env = plant_of(plant={"hover_units": 4.0, "initial_altitude_m": 1.5, "range_noise_std_m": 0.0, "u_max": 9.0})
    assert env.plant.hover_units == pytest.approx(4.0) and env.action_space.high[0] == 9.0
    obs, info = env.reset(seed=0)
    assert info["altitude_m"] == 1.5 and info["reading_m"] == 1.5  # noise-free


@pytest.mark.parametrize(("env_id", "kwargs", "name"), [
    (BLIMP, {"plant": {"heaviness": 0.4}}, "heaviness"),
    (BLIMP, {"plant": {"hover_units": 12.0}}, "hover_units"),
    (BLIMP, {"plant": {"u_max": -1.0}}, "u_max"),
    (BLIMP, {"plant": "heavvy"}, "heavvy"),
    (BLIMP, {"plant": {"drag_per_m": -1.0}}, "drag_per_m"),
    (BLIMP, {"plant": {"heaviness_mps2": 20.0}}, "heaviness_mps2"),
    (BLIMP, {"plant": 3.0}, "plant"),
    (BLIMP, {"sim": "bullet"}, "sim"),
    (BLIMP, {"profile": {"setpoints_m": []}}, "setpoints_m"),
    (BLIMP, {"profile": {"setpoints": [1.0]}}, "setpoints"),
    (BLIMP, {"profile": "/nonexistent/profile.yaml"}, "profile"),
    (BLIMP, {"profile": 7}, "profile"),
    (BLIMP, {"range_noise_std_m": -0.1}, "range_noise_std_m"),
    (BLIMP, {"initial_altitude_m": 20.0}, "initial_altitude_m"),
    (SWIMMER, {"n_links": 2}, "n_links"),
    (SWIMMER, {"episode_steps": 0}, "episode_steps"),
])
def test_bad_kwargs_name_themselves(env_id, kwargs, name):
    with pytest.raises(ValueError, match=name):
        gymnasium.make(env_id, **kwargs)


def test_bad_actions_are_refused():
    env = gymnasium.make(BLIMP, profile=SHORT, sim="twin")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="finite"):
        env.step(np.array([np.nan]))
    with pytest.raises(ValueError, match="one motor command"):
        env.step(np.zeros(2))


def test_profile_from_a_file(tmp_path):
    path = tmp_path / "profile.yaml"
    path.write_text("setpoints_m: [0.5, 1.5]\nsegment_s: [1, 2]\n")
    env = gymnasium.make(BLIMP, profile=str(path), sim="twin")
    assert env.unwrapped.episode_steps == 30 and env.observation_space.high[1] == 1.5
