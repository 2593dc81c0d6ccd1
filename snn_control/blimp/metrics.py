"""Tracking metrics of an altitude flight (paper section 1's evaluation protocol).

* ``rmse_m``: root mean square of z - z_ref over every control tick;
* ``sse_m``: steady-state error, the mean |z - z_ref| over the last ``settle_window_s`` (10 s) of
  each set-point segment, averaged over the segments flown to their end;
* ``overshoot_pct``: for each set-point change, the largest excursion past the new set-point within
  ``overshoot_window_s`` (30 s), in percent of the step; the worst step is reported;
* ``max_abs_cmd``: the largest |motor command|.
"""

from __future__ import annotations

import numpy as np

from snn_control.blimp.profiles import SetpointProfile


def tracking_metrics(
    t_s: np.ndarray,
    z_m: np.ndarray,
    u: np.ndarray,
    profile: SetpointProfile,
    settle_window_s: float = 10.0,
    overshoot_window_s: float = 30.0,
) -> dict[str, float]:
    """Metrics of one flight sampled at control ticks ``t_s`` (altitude ``z_m``, command ``u``)."""
    t = np.asarray(t_s, dtype=float)
    z = np.asarray(z_m, dtype=float)
    u = np.asarray(u, dtype=float)
    if not (t.shape == z.shape == u.shape) or t.ndim != 1 or t.size == 0:
        raise ValueError("t_s, z_m and u must be equal-length non-empty 1-D arrays")
    if not (np.all(np.isfinite(z)) and np.all(np.isfinite(u))):
        raise ValueError("altitude and command samples must be finite")
    ref = profile.at(t)
    err = z - ref
    starts = profile.starts_s
    ends = starts + np.asarray(profile.segments_s)
    steady = []
    for start, end in zip(starts, ends):
        if t[-1] + 1e-9 < end - 1e-6 and not np.isclose(t[-1], end, atol=0.2):
            continue  # segment not flown to its end
        window = (t >= max(start, end - settle_window_s)) & (t < end)
        if window.any():
            steady.append(np.mean(np.abs(err[window])))
    overshoots = []
    for k in range(1, len(starts)):
        step = profile.setpoints_m[k] - profile.setpoints_m[k - 1]
        if step == 0 or starts[k] > t[-1]:
            continue
        window = (t >= starts[k]) & (t < min(starts[k] + overshoot_window_s, ends[k]))
        past = (z[window] - profile.setpoints_m[k]) * np.sign(step)
        overshoots.append(100.0 * max(float(past.max(initial=0.0)), 0.0) / abs(step))
    return {
        "rmse_m": float(np.sqrt(np.mean(err**2))),
        "sse_m": float(np.mean(steady)) if steady else float("nan"),
        "overshoot_pct": float(max(overshoots)) if overshoots else 0.0,
        "max_abs_cmd": float(np.max(np.abs(u))),
    }
