"""Tracking metrics of altitude flights (paper section 1's evaluation protocol), batch-first.

For flights sampled at control ticks t (altitude z, command u, set-point z_ref of a profile):

* ``rmse_m``: root mean square of z - z_ref over every tick;
* ``sse_m``: steady-state error, the mean |z - z_ref| over the last ``settle_window_s`` (10 s) of
  each set-point segment *flown*, averaged over those segments; a segment is flown when the
  flight's last tick is within 1.5 control periods of the segment's end (a flight of duration D
  sampled every dt ends at D - dt); NaN if none is;
* ``overshoot_pct``: for each set-point change the flight reached, the largest excursion past the
  new set-point within ``overshoot_window_s`` (30 s), in percent of the step; the worst step;
* ``overshoot_excess_m``: the same excursions beyond ``overshoot_target_pct`` of their step, in
  metres (bounded where tiny steps make percentages explode; what evolution penalizes);
* ``max_abs_cmd``: the largest |command|;
* ``mean_abs_du``: the mean change of the command sent from one control tick to the next,
  mean over k >= 1 of |u[k] - u[k-1]| (motor units per tick; 0 for a one-tick flight): how hard
  the controller works the motors and servo, which tracking errors alone do not show.

:func:`tracking_metrics` takes one flight ``(T,)`` and returns floats, or a batch ``(B, T)`` and
returns arrays ``(B,)``: the same code either way.
"""

from __future__ import annotations

import numpy as np

from snn_control.blimp.profiles import SetpointProfile


def step_excursions(t_s: np.ndarray, z_m: np.ndarray, profile: SetpointProfile,
                    overshoot_window_s: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    """Per set-point change the flights reached: the largest excursion past the new set-point within
    ``overshoot_window_s`` (m, >= 0), ``(B, S)``, and the steps ``(S,)`` (m, signed); ``z_m`` (B, T)."""
    t, z = np.asarray(t_s, dtype=float), np.atleast_2d(np.asarray(z_m, dtype=float))
    starts = profile.starts_s
    ends = starts + np.asarray(profile.segments_s)
    past, steps = [], []
    for k in range(1, len(starts)):
        step = profile.setpoints_m[k] - profile.setpoints_m[k - 1]
        window = (t >= starts[k]) & (t < min(starts[k] + overshoot_window_s, ends[k]))
        if step == 0 or not window.any():
            continue
        past.append(np.maximum((z[:, window] - profile.setpoints_m[k]) * np.sign(step), 0.0).max(axis=-1))
        steps.append(step)
    return (np.stack(past, axis=-1) if past else np.zeros((z.shape[0], 0))), np.asarray(steps, dtype=float)


def tracking_metrics(
    t_s: np.ndarray,
    z_m: np.ndarray,
    u: np.ndarray,
    profile: SetpointProfile,
    settle_window_s: float = 10.0,
    overshoot_window_s: float = 30.0,
    overshoot_target_pct: float = 10.0,
) -> dict[str, float] | dict[str, np.ndarray]:
    """Metrics of flights sampled at ticks ``t_s`` (T,): ``z_m`` and ``u`` shaped (T,) or (B, T)."""
    t = np.asarray(t_s, dtype=float)
    z = np.asarray(z_m, dtype=float)
    u = np.asarray(u, dtype=float)
    single = z.ndim == 1
    z, u = np.atleast_2d(z), np.atleast_2d(u)
    if t.ndim != 1 or t.size == 0 or z.shape != u.shape or z.ndim != 2 or z.shape[1] != t.size:
        raise ValueError("t_s must be (T,) and z_m, u equal-shaped (T,) or (B, T), T > 0")
    if not (np.all(np.isfinite(z)) and np.all(np.isfinite(u))):
        raise ValueError("altitude and command samples must be finite")
    err = z - profile.at(t)
    starts = profile.starts_s
    ends = starts + np.asarray(profile.segments_s)
    period = float(t[1] - t[0]) if t.size > 1 else 0.0
    steady = []
    for start, end in zip(starts, ends):
        window = (t >= max(start, end - settle_window_s)) & (t < end)
        if window.any() and t[-1] >= end - 1.5 * period - 1e-9:
            steady.append(np.mean(np.abs(err[:, window]), axis=-1))
    past, steps = step_excursions(t, z, profile, overshoot_window_s)
    over = [np.zeros(z.shape[0])] + [100.0 * past[:, j] / abs(s) for j, s in enumerate(steps)]
    excess = [np.zeros(z.shape[0])] + [np.maximum(past[:, j] - overshoot_target_pct / 100.0 * abs(s), 0.0)
                                       for j, s in enumerate(steps)]
    out = {
        "rmse_m": np.sqrt(np.mean(err**2, axis=-1)),
        "sse_m": np.mean(steady, axis=0) if steady else np.full(z.shape[0], np.nan),
        "overshoot_pct": np.max(over, axis=0),
        "overshoot_excess_m": np.max(excess, axis=0),
        "max_abs_cmd": np.max(np.abs(u), axis=-1),
        "mean_abs_du": np.mean(np.abs(np.diff(u, axis=-1)), axis=-1) if t.size > 1 else np.zeros(z.shape[0]),
    }
    return {k: float(v[0]) for k, v in out.items()} if single else out
