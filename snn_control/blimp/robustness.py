"""Robustness matrix of an altitude controller: plants x start altitudes x noise seeds, beside the PID.

Issue 8's acceptance test. A *cell* is one plant (:class:`~snn_control.blimp.plant.BlimpPlant`),
one start altitude and one sensor-noise seed. In every cell the controller under test and the
paper's PID fly the same profile, on the same plant, from the same start, reading the same noise:

    rmse_ratio            = rmse_m / pid_rmse_m
    overshoot_excess_pts  = overshoot_pct - pid_overshoot_pct            (percentage points)
    mean_abs_du           = mean over k >= 1 of |u[k] - u[k-1]|          (motor units per tick)
    stuck_s               = longest run of ticks (x dt) with
                              z <= 0.02 m while z_ref > 0.02 m   (on the floor), or
                              z >= 12 m   while z_ref < 12 m     (at the ToF's max range)
    stuck                 = stuck_s > 30 s

with rmse_m, sse_m, overshoot_pct of :func:`~snn_control.blimp.metrics.tracking_metrics`. The
matrix passes (:class:`Criteria`) when every cell has sse_m <= 0.03 m, rmse_ratio <= 1.25,
overshoot_excess_pts <= 5 and none is stuck.

Noise: every cell of seed s reads the same standard-normal sequence, the draws of
``default_rng(s)`` (one per tick), scaled by its plant's ``range_noise_std_m``: exactly what a
one-blimp twin or MuJoCo ``BlimpEnv`` seeded with s reads. So the twin flies all cells of a seed in
one :func:`~snn_control.blimp.flight.fly_batch` (rows = plants x starts) and each row is the
flight its cell would be alone (``test_robustness.py`` holds the two together); ``sim="mujoco"``
flies the cells one by one. :func:`run_matrix` returns plain numbers (JSON-ready);
:func:`format_table` and :func:`plot_heatmap` show them.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy as np

from snn_control.blimp.controllers import SummedController, make_altitude_controller
from snn_control.blimp.flight import SIMS, Flight, fly_batch, make_sim
from snn_control.blimp.guard import GuardParams
from snn_control.blimp.metrics import tracking_metrics
from snn_control.blimp.pid import PIDController
from snn_control.blimp.plant import BlimpPlant, load_plant
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.tof import ToFSensor
from snn_control.blimp.twin import BlimpBatchSim

FLOOR_M = 0.02
CEILING_M = ToFSensor().max_m  # 12 m: beyond it the ToF reads nothing
STUCK_MIN_S = 30.0
SSE_MAX_M = 0.03
RMSE_RATIO_MAX = 1.25
OVERSHOOT_EXCESS_MAX_PTS = 5.0
DEFAULT_HOVER_UNITS = (1.5, 2.0, 3.0, 4.0, 5.0)
DEFAULT_PRESETS = ("paper", "laggy")
DEFAULT_STARTS_M = (0.5, 1.0, 2.0, 3.0)
DEFAULT_SEEDS = (0, 1)
ROBUSTNESS_PROFILE = SetpointProfile.uniform([0.5, 1.0, 0.5, 1.5, 0.5, 1.0], 70.0)
FIGURES = ("rmse_m", "sse_m", "overshoot_pct", "mean_abs_du", "stuck", "stuck_s")


@dataclass(frozen=True)
class Criteria:
    """The issue's pass thresholds, per cell (and no cell stuck)."""

    max_sse_m: float = SSE_MAX_M
    max_rmse_ratio: float = RMSE_RATIO_MAX
    max_overshoot_excess_pts: float = OVERSHOOT_EXCESS_MAX_PTS

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"Criteria.{name} must be a finite number >= 0, got {value!r}")

    def failures(self, row: dict[str, Any]) -> list[str]:
        """Names of the criteria a cell fails (NaN fails)."""
        checks = (("sse", row["sse_m"] <= self.max_sse_m), ("rmse", row["rmse_ratio"] <= self.max_rmse_ratio),
                  ("overshoot", row["overshoot_excess_pts"] <= self.max_overshoot_excess_pts),
                  ("stuck", not row["stuck"]))
        return [name for name, ok in checks if not ok]


def default_plants() -> tuple[BlimpPlant, ...]:
    """The nominal blimp at hover 1.5, 2, 3, 4, 5 motor units, then the ``paper`` and ``laggy`` presets."""
    hover = tuple(BlimpPlant.from_dict({"hover_units": h}, name=f"hover{h:g}") for h in DEFAULT_HOVER_UNITS)
    return hover + tuple(load_plant(name) for name in DEFAULT_PRESETS)


class Cell(NamedTuple):
    plant: BlimpPlant
    start_m: float
    seed: int


@dataclass(frozen=True)
class RobustnessSpec:
    """The matrix: every plant x start altitude (m) x noise seed, each flying ``profile``."""

    plants: tuple[BlimpPlant, ...] = field(default_factory=default_plants)
    starts_m: tuple[float, ...] = DEFAULT_STARTS_M
    seeds: tuple[int, ...] = DEFAULT_SEEDS
    profile: SetpointProfile = ROBUSTNESS_PROFILE
    criteria: Criteria = Criteria()

    def __post_init__(self) -> None:
        for name in ("plants", "starts_m", "seeds"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
            if not getattr(self, name):
                raise ValueError(f"RobustnessSpec.{name} must not be empty")
        if not all(isinstance(p, BlimpPlant) for p in self.plants):
            raise ValueError("RobustnessSpec.plants must hold BlimpPlant objects")
        names = [p.name for p in self.plants]
        if len(set(names)) != len(names):
            raise ValueError(f"RobustnessSpec.plants must have distinct names (they label the rows), got {names}")
        if len({p.dynamics.dt_s for p in self.plants}) != 1:
            raise ValueError("RobustnessSpec.plants must share dt_s (they fly in one batch)")
        for s in self.starts_m:
            if not (isinstance(s, (int, float)) and 0.0 <= s <= CEILING_M):
                raise ValueError(f"RobustnessSpec.starts_m must lie in [0, {CEILING_M}] m, got {s!r}")
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in self.seeds):
            raise ValueError(f"RobustnessSpec.seeds must be integers >= 0, got {self.seeds}")

    def cells(self) -> list[Cell]:
        """Seed-major, then plant, then start: the twin flies each seed's block in one batch."""
        return [Cell(p.with_start(s), float(s), int(seed)) for seed in self.seeds for p in self.plants
                for s in self.starts_m]

    def to_dict(self) -> dict[str, Any]:
        plants = [{"name": p.name, "hover_units": p.hover_units, **p.to_dict()} for p in self.plants]
        return {"plants": plants, "starts_m": list(self.starts_m), "seeds": list(self.seeds),
                "profile": self.profile.to_dict(), "criteria": asdict(self.criteria)}


# -- flying ---------------------------------------------------------------------------------------


def _setpoints(profile: SetpointProfile, control_period_s: float = 0.1) -> np.ndarray:
    ticks = int(round(profile.duration_s / control_period_s))
    return profile.at(np.arange(ticks) * control_period_s)


def fly_cells(controller: SummedController, cells: list[Cell], profile: SetpointProfile, sim: str = "twin") -> Flight:
    """Every cell's flight, arrays ``(len(cells), T)``: in the twin one batch (one seed for all
    cells); in MuJoCo one ``BlimpEnv(dynamics=...)`` per cell, flown in turn."""
    sensor, ref = ToFSensor(), _setpoints(profile)
    guard = GuardParams(sensor.min_m, sensor.max_m)
    if sim == "twin":
        if len({c.seed for c in cells}) != 1:
            raise ValueError("fly_cells: twin cells flown together must share one seed")
        seed = cells[0].seed
        # one noise draw per tick shared by every row (times its plant's noise): row k reads what a
        # one-row twin of the same seed, plant and start reads
        blimps = BlimpBatchSim(len(cells), [c.plant.dynamics for c in cells], sensor,
                               initial_altitude_m=np.array([c.start_m for c in cells]), seed=seed,
                               noise_std_m=np.array([c.plant.range_noise_std_m for c in cells]), noise_groups=1)
        return fly_batch(controller, blimps, blimps.reset(seed), ref, guard)
    if sim != "mujoco":
        raise ValueError(f"unknown simulator {sim!r}; choose from {SIMS}")
    flights = []
    for c in cells:
        env = make_sim("mujoco", c.seed, dynamics=c.plant.model_dynamics(), sensor=c.plant.sensor(), initial_altitude_m=c.start_m)
        flights.append(fly_batch(controller, env, env.reset(c.seed), ref, guard))
    stack = lambda name: np.concatenate([getattr(f, name) for f in flights])  # noqa: E731
    return Flight(flights[0].t_s, stack("z_m"), stack("setpoint_m"), stack("u"), stack("error_m"),
                  sum(f.wall_s for f in flights), sum(f.controller_s for f in flights), {})


# -- figures ----------------------------------------------------------------------------------------


def stuck_seconds(t_s: np.ndarray, z_m: np.ndarray, setpoint_m: np.ndarray, floor_m: float = FLOOR_M,
                  ceiling_m: float = CEILING_M) -> np.ndarray | float:
    """Longest time (s) on the floor or at the ceiling while the set-point is elsewhere (see the
    module docstring); ``z_m`` (T,) gives a float, (B, T) an array (B,)."""
    t = np.asarray(t_s, dtype=float)
    z = np.atleast_2d(np.asarray(z_m, dtype=float))
    ref = np.broadcast_to(np.asarray(setpoint_m, dtype=float), z.shape)
    bad = ((z <= floor_m) & (ref > floor_m)) | ((z >= ceiling_m) & (ref < ceiling_m))
    idx = np.arange(z.shape[-1])
    last_ok = np.maximum.accumulate(np.where(bad, -1, idx), axis=-1)
    period = float(t[1] - t[0]) if t.size > 1 else 0.0
    out = np.round((idx - last_ok).max(axis=-1) * period, 9)  # ticks of the longest run, in s
    return float(out[0]) if np.ndim(z_m) == 1 else out


def cell_figures(flight: Flight, profile: SetpointProfile, stuck_min_s: float = STUCK_MIN_S) -> dict[str, np.ndarray]:
    """:data:`FIGURES` of flights ``(B, T)``, arrays ``(B,)``."""
    m = tracking_metrics(flight.t_s, flight.z_m, flight.u, profile)
    du = m.get("mean_abs_du")
    if du is None:  # tracking_metrics without mean_abs_du
        du = np.mean(np.abs(np.diff(flight.u, axis=-1)), axis=-1) if flight.u.shape[-1] > 1 else np.zeros(len(flight.u))
    stuck_s = stuck_seconds(flight.t_s, flight.z_m, flight.setpoint_m)
    return {"rmse_m": m["rmse_m"], "sse_m": m["sse_m"], "overshoot_pct": m["overshoot_pct"], "mean_abs_du": du,
            "stuck": stuck_s > stuck_min_s, "stuck_s": stuck_s}


def _row(cell: Cell, k: int, mine: dict[str, np.ndarray], pid: dict[str, np.ndarray], criteria: Criteria) -> dict:
    row: dict[str, Any] = {"plant": cell.plant.name, "hover_units": float(cell.plant.hover_units),
                           "start_m": cell.start_m, "seed": cell.seed}
    cast = lambda name, v: bool(v) if name == "stuck" else float(v)  # noqa: E731
    row.update({name: cast(name, mine[name][k]) for name in FIGURES})
    row.update({f"pid_{name}": cast(name, pid[name][k]) for name in FIGURES})
    ratio = row["rmse_m"] / row["pid_rmse_m"] if row["pid_rmse_m"] > 0 else (1.0 if row["rmse_m"] == 0 else math.inf)
    row["rmse_ratio"] = ratio
    row["overshoot_excess_pts"] = row["overshoot_pct"] - row["pid_overshoot_pct"]
    row["fails"] = criteria.failures(row)
    return row


def _cell_name(row: dict[str, Any]) -> str:
    return f"{row['plant']} from {row['start_m']:g} m, seed {row['seed']}"


def summarize(rows: list[dict[str, Any]], criteria: Criteria = Criteria()) -> dict[str, Any]:
    """Worst and mean figures over the cells, the worst cell of each, and the pass flags."""
    out: dict[str, Any] = {}
    for key in ("sse_m", "rmse_ratio", "overshoot_pct", "overshoot_excess_pts"):
        values = np.array([r[key] for r in rows], dtype=float)
        finite = values[~np.isnan(values)]
        out[f"worst_{key}"] = float(finite.max()) if finite.size else math.nan
        out[f"mean_{key}"] = float(finite.mean()) if finite.size else math.nan
        out.setdefault("worst_cells", {})[key] = _cell_name(rows[int(np.nanargmax(values))]) if finite.size else None
    out["n_cells"], out["n_stuck"] = len(rows), sum(r["stuck"] for r in rows)
    out["pid_n_stuck"] = sum(r["pid_stuck"] for r in rows)
    out["n_failing"] = sum(bool(r["fails"]) for r in rows)
    out["pass_sse"] = bool(out["worst_sse_m"] <= criteria.max_sse_m)
    out["pass_rmse"] = bool(out["worst_rmse_ratio"] <= criteria.max_rmse_ratio)
    out["pass_overshoot"] = bool(out["worst_overshoot_excess_pts"] <= criteria.max_overshoot_excess_pts)
    out["pass_stuck"] = out["n_stuck"] == 0
    out["passed"] = out["pass_sse"] and out["pass_rmse"] and out["pass_overshoot"] and out["pass_stuck"]
    return out


def run_matrix(
    controller: str | SummedController = "snn",
    spec: RobustnessSpec | None = None,
    sim: str = "twin",
    pd_artifact: str | None = None,
    i_artifact: str | None = None,
    progress: bool = True,
    name: str | None = None,
) -> dict[str, Any]:
    """Fly the matrix with ``controller`` (a name of :data:`~snn_control.blimp.controllers.CONTROLLERS`
    with optional artifacts, or a controller object) and the PID; returns the summary
    (:func:`summarize`), ``rows`` (one dict per cell), ``spec``, ``controller``, ``sim``, ``wall_s``.

    Raises:
        ValueError: an unknown controller or simulator.
        ArtifactError: a missing or corrupt network artifact.
    """
    from tqdm import tqdm

    spec = RobustnessSpec() if spec is None else spec
    if sim not in SIMS:
        raise ValueError(f"unknown simulator {sim!r}; choose from {SIMS}")
    if isinstance(controller, str):
        name = name or controller
        controller = make_altitude_controller(controller, pd_artifact, i_artifact)
    name = name or type(controller).__name__
    cells, pid, rows, start = spec.cells(), PIDController(), [], time.perf_counter()
    groups = [[c for c in cells if c.seed == s] for s in spec.seeds] if sim == "twin" else [[c] for c in cells]
    with tqdm(total=2 * len(cells), desc=f"robustness {name} ({sim})", unit="flight", disable=not progress) as bar:
        for group in groups:
            mine = cell_figures(fly_cells(controller, group, spec.profile, sim), spec.profile)
            bar.update(len(group))
            ref = cell_figures(fly_cells(pid, group, spec.profile, sim), spec.profile)
            bar.update(len(group))
            rows += [_row(c, k, mine, ref, spec.criteria) for k, c in enumerate(group)]
    return {"controller": name, "sim": sim, **summarize(rows, spec.criteria), "rows": rows, "spec": spec.to_dict(),
            "wall_s": time.perf_counter() - start}


# -- showing it -------------------------------------------------------------------------------------


def format_table(result: dict[str, Any]) -> str:
    """One line per cell (each figure that fails its criterion marked ``!``), then the worst cells
    and the verdict."""
    crit = Criteria(**result["spec"]["criteria"])
    mark = lambda bad: "!" if bad else " "  # noqa: E731
    lines = [f"robustness of {result['controller']} vs PID ({result['sim']}), {result['n_cells']} cells",
             f"{'plant':<10} {'hover':>5} {'start':>5} {'seed':>4} | {'rmse_m':>7} {'pid':>7} {'ratio':>6}  | "
             f"{'sse_m':>7}  | {'os_%':>6} {'pid':>6} {'+pts':>6}  | {'|du|':>5} {'stuck_s':>7}"]
    for r in result["rows"]:
        f = set(r["fails"])
        lines.append(
            f"{r['plant']:<10} {r['hover_units']:>5.2f} {r['start_m']:>5.2f} {r['seed']:>4} | {r['rmse_m']:>7.4f} "
            f"{r['pid_rmse_m']:>7.4f} {r['rmse_ratio']:>6.3f}{mark('rmse' in f)} | {r['sse_m']:>7.4f}{mark('sse' in f)} | "
            f"{r['overshoot_pct']:>6.1f} {r['pid_overshoot_pct']:>6.1f} {r['overshoot_excess_pts']:>+6.1f}"
            f"{mark('overshoot' in f)} | {r['mean_abs_du']:>5.3f} {r['stuck_s']:>7.1f}{mark('stuck' in f)}")
    verdict = lambda ok: "pass" if ok else "FAIL"  # noqa: E731
    worst = result["worst_cells"]
    lines += [
        "",
        f"worst sse_m                {result['worst_sse_m']:.4f}  (<= {crit.max_sse_m:g}: "
        f"{verdict(result['pass_sse'])})  {worst['sse_m']}",
        f"worst rmse_ratio           {result['worst_rmse_ratio']:.3f}   (<= {crit.max_rmse_ratio:g}: "
        f"{verdict(result['pass_rmse'])})  {worst['rmse_ratio']}",
        f"worst overshoot_pct        {result['worst_overshoot_pct']:.1f}    {worst['overshoot_pct']}",
        f"worst overshoot_excess_pts {result['worst_overshoot_excess_pts']:+.1f}   (<= {crit.max_overshoot_excess_pts:g}: "
        f"{verdict(result['pass_overshoot'])})  {worst['overshoot_excess_pts']}",
        f"stuck cells                {result['n_stuck']} (PID: {result['pid_n_stuck']})  "
        f"({verdict(result['pass_stuck'])})",
        f"{'PASS' if result['passed'] else 'FAIL'}: {result['n_failing']} of {result['n_cells']} cells fail "
        f"a criterion ({result['wall_s']:.1f} s)",
    ]
    return "\n".join(lines)


_PANELS = (  # figure, title, criterion field, half-width of the colour scale around it, label format
    ("sse_m", "steady-state error (m)", "max_sse_m", None, "{:.3f}"),
    ("rmse_ratio", "RMSE / PID RMSE", "max_rmse_ratio", 0.75, "{:.2f}"),
    ("overshoot_excess_pts", "overshoot - PID overshoot (% points)", "max_overshoot_excess_pts", 20.0, "{:+.1f}"),
)


def plot_heatmap(result: dict[str, Any], path: str) -> None:
    """Plants (rows) x start/seed (columns), one panel per criterion; a diverging colour map centred
    on the criterion (green passes, red fails, values past the scale saturate), each cell labelled
    with its value, stuck cells with STUCK."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    rows, crit = result["rows"], result["spec"]["criteria"]
    plants = list(dict.fromkeys(r["plant"] for r in rows))
    cols = list(dict.fromkeys((r["start_m"], r["seed"]) for r in rows))
    hover = {r["plant"]: r["hover_units"] for r in rows}
    fig, axes = plt.subplots(len(_PANELS), 1, figsize=(0.9 * len(cols) + 3.5, len(_PANELS) * (0.45 * len(plants) + 1.3)),
                             squeeze=False)
    for ax, (key, title, crit_key, half, fmt) in zip(axes[:, 0], _PANELS):
        grid, stuck = np.full((len(plants), len(cols)), np.nan), np.zeros((len(plants), len(cols)), bool)
        for r in rows:
            i, j = plants.index(r["plant"]), cols.index((r["start_m"], r["seed"]))
            grid[i, j], stuck[i, j] = r[key], r["stuck"]
        thr = float(crit[crit_key])
        d = max(thr if half is None else half, 1e-6)
        image = ax.imshow(grid, cmap="RdYlGn_r", norm=TwoSlopeNorm(thr, thr - d, thr + d), aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, ("STUCK\n" if stuck[i, j] else "") + fmt.format(v), ha="center", va="center", fontsize=7,
                    fontweight="bold" if stuck[i, j] else "normal")
        ax.set_xticks(range(len(cols)), [f"{s:g} m\nseed {k}" for s, k in cols], fontsize=7)
        ax.set_yticks(range(len(plants)), [f"{p} ({hover[p]:g})" for p in plants], fontsize=7)
        ax.set_title(f"{title}: criterion {thr:g}", fontsize=9)
        bar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
        bar.ax.axhline(thr, color="k", lw=1.5)
    fig.suptitle(f"{result['controller']} vs PID ({result['sim']}): {'PASS' if result['passed'] else 'FAIL'}, "
                 f"{result['n_failing']} of {result['n_cells']} cells fail; rows: plant (hover units), "
                 f"columns: start altitude / seed", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
