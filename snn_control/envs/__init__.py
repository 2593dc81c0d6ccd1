"""The Gymnasium face of the project: registrations and adapters over each system's sim.

Terminology:

* **sim**: a system's own simulator, stepped one control period at a time
  (:class:`snn_control.blimp.sim.BlimpEnv` in MuJoCo, :class:`snn_control.blimp.twin.BlimpBatchSim`
  in numpy, :class:`snn_control.swimmer.env.SwimmerEnv`). Offline tools (evolution, training
  data) may step these directly: they are the fast paths.
* **Gym env**: a ``gymnasium.Env`` adapter over one sim (Box spaces, ``reset(seed=...) -> (obs,
  info)``, ``step(action) -> (obs, reward, terminated, truncated, info)``). It adds an observation,
  a reward and an episode end, and steps the sim with the same numbers: a conformance test holds
  the two together.
* **id**: a registry name ``namespace/Name-vN``; every id here lives under ``snn_control/``:

  =============================== ============================================== ================
  id                              entry point                                    episode
  =============================== ============================================== ================
  ``snn_control/BlimpAltitude-v0`` :class:`.blimp_altitude.BlimpAltitudeEnv`      the profile
  ``snn_control/Swimmer-v0``       :class:`.swimmer.SwimmerGymEnv`                1000 steps
  =============================== ============================================== ================

Importing this package registers the ids (:func:`register_envs`, idempotent). Without importing
it first, name the module in the id: ``gymnasium.make("snn_control.envs:snn_control/Swimmer-v0")``
(Gymnasium >= 1.0 has no plugin entry points).
"""

from __future__ import annotations

NAMESPACE = "snn_control"

ENTRY_POINTS: dict[str, str] = {
    f"{NAMESPACE}/BlimpAltitude-v0": "snn_control.envs.blimp_altitude:BlimpAltitudeEnv",
    f"{NAMESPACE}/Swimmer-v0": "snn_control.envs.swimmer:SwimmerGymEnv",
}


def register_envs() -> list[str]:
    """Register every id of :data:`ENTRY_POINTS` not yet in ``gymnasium.registry``.

    Returns:
        The ids registered by this call (empty when all were registered already).
    """
    import gymnasium

    added = []
    for env_id, entry_point in ENTRY_POINTS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=entry_point)
            added.append(env_id)
    return added


register_envs()
