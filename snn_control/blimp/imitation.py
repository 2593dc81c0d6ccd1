"""Imitation fidelity of the blimp SNNs: how closely each network reproduces its PID term, open loop.

Each network is fed an error sequence e[k] (m) and scored against the PID term it imitates (the
PD-SNN against the soft-limited P + D, the I-SNN against the I term; :mod:`snn_control.blimp.pid`),
with no feedback: what the network would command, not what the blimp would then do.

(a) Held-out PID flights (:func:`imitation_report`): ``n_flights`` plants drawn from
    :class:`~snn_control.blimp.plant.PlantDistribution`, each with a random profile of
    :data:`HELD_OUT_PROFILES`, flown by the guarded PID in the twin
    (:func:`~snn_control.blimp.training.data.record_plant_flights`). The profiles do *not* open
    at the plant's start altitude (``ProfileSpec.start_m=None``): the blimp starts where its plant
    says (0.3-3 m) and its first set-point is random (0.5-1.5 m), so most flights open with a step
    from an unknown altitude, which the training flights (from rest on their first set-point, on
    the nominal blimp) never show. Per flight j, with y_j the network's outputs and y*_j the PID term:

        F_j = MAE(y_j, y*_j) + 1 - r(y_j, y*_j)       (:func:`~snn_control.blimp.training.fitness.imitation_fitness`)

    reported as the mean over flights (each flight scored alone, from a network at rest, as
    evolution scores its recorded flights), with the mean MAE, the mean Pearson r (recovered as
    r = 1 + MAE - F, so Pearson is defined in one place) and the worst flight's F.

    Seed: :data:`HELD_OUT_SEED` (12345) draws the plants and profiles (``default_rng(12345)``) and
    seeds the twin's sensor noise. Evolution never uses it: its generators are seeded with lists
    ``[run_seed, k, ...]`` and its twins with 1000 (g + 1), 99 or a draw of those generators.

(b) Constant errors (:func:`constant_error_responses`): e held at ±0.1, ±0.3, ±0.6 m for 20 s
    (200 ticks of 0.1 s), each network from rest beside the PID's term on the same errors. After
    n ticks (t = n dt s) the PID gives pd = Kp e (D = 0 once e stops changing) and
    i = Ki e t (a ramp at Ki e per second, until the anti-windup clamp at ±10 units).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from snn_control.blimp.pid import PIDParams, pid_initial_state, pid_step
from snn_control.blimp.plant import PlantDistribution
from snn_control.blimp.snn.controller import BlimpSNNNetwork
from snn_control.blimp.snn.network import blimp_snn_rollout
from snn_control.blimp.training.data import ProfileSpec, record_plant_flights
from snn_control.blimp.training.fitness import imitation_fitness

HELD_OUT_SEED = 12345
HELD_OUT_PROFILES = ProfileSpec(n_segments=4, low_m=0.5, high_m=2.0, segment_s=(20.0, 45.0), start_m=None)
CONSTANT_ERRORS_M = (-0.6, -0.3, -0.1, 0.1, 0.3, 0.6)
CONSTANT_HOLD_S = 20.0
REPORT_AT_S = (5.0, 10.0, 20.0)
ROLES = ("pd", "i")
NAMES = {"pd": "PD-SNN", "i": "I-SNN"}


def load_networks(pd_artifact: str | None = None, i_artifact: str | None = None) -> dict[str, BlimpSNNNetwork]:
    """Both networks by role (``None``: the shipped ones); ArtifactError on a missing or bad file."""
    return {"pd": BlimpSNNNetwork.from_artifact(pd_artifact, "pd"), "i": BlimpSNNNetwork.from_artifact(i_artifact, "i")}


def score_imitation(outputs: np.ndarray, target: np.ndarray) -> dict[str, Any]:
    """Per-flight imitation scores of ``outputs`` against ``target`` (both ``(flights, T)``):
    means over flights of ``fitness``, ``mae``, ``pearson_r``; ``worst_fitness``; ``fitness_per_flight``."""
    y, t = np.atleast_2d(np.asarray(outputs, dtype=float)), np.atleast_2d(np.asarray(target, dtype=float))
    if y.shape != t.shape:
        raise ValueError(f"outputs and target must have the same shape, got {y.shape} and {t.shape}")
    fitness = np.array([imitation_fitness(y[j], t[j])[0] for j in range(len(y))])
    mae = np.mean(np.abs(y - t), axis=-1)
    r = 1.0 + mae - fitness
    return {"fitness": float(fitness.mean()), "pearson_r": float(r.mean()), "mae": float(mae.mean()),
            "worst_fitness": float(fitness.max()), "fitness_per_flight": [float(f) for f in fitness]}


def imitation_report(
    pd_artifact: str | None = None,
    i_artifact: str | None = None,
    n_flights: int = 16,
    seed: int = HELD_OUT_SEED,
    distribution: PlantDistribution = PlantDistribution(),
    profiles: ProfileSpec = HELD_OUT_PROFILES,
    constant_errors: bool = True,
) -> dict[str, Any]:
    """Score both networks on held-out PID flights (see the module docstring).

    Returns ``networks`` (role -> :func:`score_imitation`), ``flights`` (plant, hover units, start,
    set-points of each), ``n_flights``, ``seed``, ``duration_s``, and with ``constant_errors`` the
    :func:`constant_error_responses` of the same networks.

    Raises:
        ValueError: ``n_flights`` < 1.
        ArtifactError: a missing or corrupt network artifact.
    """
    if n_flights < 1:
        raise ValueError(f"n_flights must be >= 1, got {n_flights}")
    nets = load_networks(pd_artifact, i_artifact)
    rng = np.random.default_rng(seed)
    plants = distribution.draw(rng, n_flights)
    drawn = [profiles.draw(rng) for _ in range(n_flights)]
    duration = max(p.duration_s for p in drawn)
    seqs = record_plant_flights(plants, drawn, duration, seed=seed)
    networks = {role: score_imitation(blimp_snn_rollout(nets[role].params, seqs.error_m), seqs.target(role))
                for role in ROLES}
    flights = [{"plant": p.name, "hover_units": float(p.hover_units), "start_m": float(p.initial_altitude_m),
                "setpoints_m": list(prof.setpoints_m)} for p, prof in zip(plants, drawn)]
    out = {"n_flights": n_flights, "seed": seed, "duration_s": duration, "networks": networks, "flights": flights}
    if constant_errors:
        out["constant_errors"] = constant_error_responses(nets=nets)
        out["i_hold"] = ramp_and_hold(nets["i"])
    return out


def pid_constant_error_terms(errors_m: np.ndarray, ticks: int, params: PIDParams = PIDParams()) -> dict[str, np.ndarray]:
    """The PID's ``pd`` and ``i`` terms ``(len(errors_m), ticks)`` for errors held constant from rest."""
    e = np.asarray(errors_m, dtype=float)
    state, pd, i = pid_initial_state(len(e)), np.empty((len(e), ticks)), np.empty((len(e), ticks))
    for k in range(ticks):
        state, out = pid_step(params, state, e)
        pd[:, k], i[:, k] = out.pd, out.i
    return {"pd": pd, "i": i}


def constant_error_responses(
    pd_artifact: str | None = None,
    i_artifact: str | None = None,
    errors_m: tuple[float, ...] = CONSTANT_ERRORS_M,
    hold_s: float = CONSTANT_HOLD_S,
    at_s: tuple[float, ...] = REPORT_AT_S,
    pid: PIDParams = PIDParams(),
    nets: dict[str, BlimpSNNNetwork] | None = None,
) -> dict[str, Any]:
    """Each network and its PID term on errors held constant for ``hold_s`` from rest.

    Returns ``t_s`` (T,) (``t_s[n-1] = n dt``: the time the error has been held after tick n),
    ``errors_m``, ``outputs`` (role -> {"snn", "pid"} arrays ``(len(errors_m), T)``) and ``table``:
    one dict per (network, error, time in ``at_s``) with the network's output ``snn``, its mean over
    the last second ``snn_mean_1s`` (spiking outputs jitter from tick to tick) and the PID's ``pid``.
    """
    nets = load_networks(pd_artifact, i_artifact) if nets is None else nets
    ticks = int(round(hold_s / pid.dt_s))
    if ticks < 1:
        raise ValueError(f"hold_s must cover at least one tick of {pid.dt_s} s, got {hold_s}")
    e = np.asarray(errors_m, dtype=float)
    const = np.repeat(e[:, None], ticks, axis=1)
    pid_terms = pid_constant_error_terms(e, ticks, pid)
    outputs = {role: {"snn": blimp_snn_rollout(nets[role].params, const), "pid": pid_terms[role]} for role in ROLES}
    t = np.arange(1, ticks + 1) * pid.dt_s
    window = max(int(round(1.0 / pid.dt_s)), 1)
    table = []
    for role in ROLES:
        y, ref = outputs[role]["snn"], outputs[role]["pid"]
        for j, err in enumerate(e):
            for when in at_s:
                k = int(np.clip(round(when / pid.dt_s) - 1, 0, ticks - 1))
                table.append({"network": NAMES[role], "error_m": float(err), "t_s": float(t[k]), "snn": float(y[j, k]),
                              "snn_mean_1s": float(y[j, max(k + 1 - window, 0):k + 1].mean()), "pid": float(ref[j, k])})
    return {"t_s": t, "errors_m": [float(x) for x in e], "outputs": outputs, "table": table}


def ramp_and_hold(net: BlimpSNNNetwork, errors_m: tuple[float, ...] = (0.1, 0.3, -0.3), ramp_s: float = 10.0,
                  hold_s: float = 30.0, dt_s: float = 0.1) -> list[dict[str, float]]:
    """The I-SNN's memory: an error held for ``ramp_s`` from rest, then zero error for ``hold_s``.

    Per error: the output when the error returns to zero (``at_release``), ``hold_s`` later
    (``after_hold``), and ``drift`` = after_hold - at_release (an integrator holds: drift 0; the
    PID's I term holds exactly).
    """
    ramp, hold = int(round(ramp_s / dt_s)), int(round(hold_s / dt_s))
    rows = []
    for e in errors_m:
        seq = np.concatenate([np.full(ramp, float(e)), np.zeros(hold)])
        y = blimp_snn_rollout(net.params, seq)[0]
        rows.append({"error_m": float(e), "ramp_s": ramp_s, "hold_s": hold_s, "at_release": float(y[ramp - 1]),
                     "after_hold": float(y[-1]), "drift": float(y[-1] - y[ramp - 1])})
    return rows


def json_summary(result: dict[str, Any]) -> dict[str, Any]:
    """What the CLI prints: per-network fitness / pearson_r / mae / worst_fitness, the flights'
    count and seed, and the constant-error table (no arrays)."""
    keys = ("fitness", "pearson_r", "mae", "worst_fitness")
    out = {"n_flights": result["n_flights"], "seed": result["seed"], "duration_s": result["duration_s"],
           "networks": {NAMES[r]: {k: v[k] for k in keys} for r, v in result["networks"].items()}}
    if "constant_errors" in result:
        out["constant_error_table"] = result["constant_errors"]["table"]
    if "i_hold" in result:
        out["i_hold"] = result["i_hold"]
    return out


def format_imitation(result: dict[str, Any]) -> str:
    """The scores of each network, then the constant-error table (network vs PID at each time)."""
    lines = [f"held-out PID flights: {result['n_flights']} plants of PlantDistribution, random profiles, "
             f"{result['duration_s']:.0f} s, seed {result['seed']}",
             "fitness = mean over flights of MAE + 1 - Pearson r (lower is better)",
             f"{'network':<8} {'fitness':>8} {'pearson_r':>10} {'mae':>8} {'worst':>8}"]
    for role, s in result["networks"].items():
        lines.append(f"{NAMES[role]:<8} {s['fitness']:>8.3f} {s['pearson_r']:>10.3f} {s['mae']:>8.3f} "
                     f"{s['worst_fitness']:>8.3f}")
    ce = result.get("constant_errors")
    if ce:
        times = sorted({row["t_s"] for row in ce["table"]})
        lines += ["", "constant error held from rest, open loop (motor units): network output at t "
                  "(its mean over the last 1 s) | the PID term",
                  f"{'network':<8} {'error_m':>7} " + " ".join(f"{f'@{t:g} s':^23}" for t in times)]
        by_key: dict[tuple[str, float], dict[float, dict]] = {}
        for row in ce["table"]:
            by_key.setdefault((row["network"], row["error_m"]), {})[row["t_s"]] = row
        for (net, err), at in by_key.items():
            cells = " ".join(f"{at[t]['snn']:>+6.2f} ({at[t]['snn_mean_1s']:>+6.2f}) |{at[t]['pid']:>+6.2f}"
                             for t in times)
            lines.append(f"{net:<8} {err:>+7.2f} {cells}")
    if result.get("i_hold"):
        lines += ["", "I-SNN memory: error held, then zero error (the PID's I term holds exactly)"]
        for r in result["i_hold"]:
            lines.append(f"  {r['error_m']:+.2f} m for {r['ramp_s']:g} s -> {r['at_release']:+.3f}; "
                         f"{r['hold_s']:g} s at zero error -> {r['after_hold']:+.3f} (drift {r['drift']:+.4f})")
    return "\n".join(lines)


def plot_constant_errors(result: dict[str, Any], path: str) -> None:
    """One panel per network: its output vs time for each held error (solid), the PID term dashed.
    ``result``: :func:`constant_error_responses` or an :func:`imitation_report` that holds one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ce = result.get("constant_errors", result)
    fig, axes = plt.subplots(1, len(ROLES), figsize=(6 * len(ROLES), 4), squeeze=False)
    colors = plt.get_cmap("coolwarm")(np.linspace(0, 1, len(ce["errors_m"])))
    for ax, role in zip(axes[0], ROLES):
        for j, (err, c) in enumerate(zip(ce["errors_m"], colors)):
            ax.plot(ce["t_s"], ce["outputs"][role]["snn"][j], color=c, lw=0.9, label=f"e = {err:+.1f} m")
            ax.plot(ce["t_s"], ce["outputs"][role]["pid"][j], color=c, lw=1.0, ls="--")
        ax.axhline(0.0, color="k", lw=0.5)
        ax.set(title=f"{NAMES[role]} (solid) vs PID {role} term (dashed)", xlabel="error held for (s)",
               ylabel="output (motor units)")
        ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
