"""The numba-compiled kernels behind :mod:`snn_control.blimp.kernels` (imported only when a batch
needs them: the on-board runtime never imports numba). Each is row by row, with its numpy
reference's arithmetic in the same order; see that module for the references and the wrappers.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def _hold(z, v, a, phi, u, k, gb, drag, flip, tau, u_max, dead, rev, dt, n):  # pragma: no cover - compiled
    batch = z.shape[0]
    zo, vo, ao, po = np.empty(batch), np.empty(batch), np.empty(batch), np.empty(batch)
    for r in range(batch):
        zr, vr, ar, ph, ur = z[r], v[r], a[r], phi[r], u[r]
        target = 0.0 if ur >= dead[r] else (np.pi if ur <= -dead[r] else ph)
        move = np.pi / flip[r] * dt
        magnitude = abs(min(max(ur, -u_max[r]), u_max[r]))
        if magnitude < dead[r]:
            magnitude = 0.0
        keep = np.exp(-dt / tau[r])
        step_drag = dt * drag[r]
        last = ph
        for i in range(n):
            reach = (i + 1.0) * move
            last = ph + min(max(target - ph, -reach), reach)
            w = magnitude * np.cos(last)
            if w < 0.0:
                w = rev[r] * w
            drive = dt * (k[r] * ar - gb[r])
            ar = w + (ar - w) * keep
            vr = vr + (drive - step_drag * vr * abs(vr))
            zr = zr + dt * vr
            if zr <= 0.0:
                zr = 0.0
                vr = max(vr, 0.0)
        zo[r], vo[r], ao[r], po[r] = zr, vr, ar, last
    return zo, vo, ao, po


@njit(cache=True)
def _reading(z, normal, std, resolution, min_m, max_m):  # pragma: no cover - compiled
    out = np.empty(z.shape[0])
    for r in range(z.shape[0]):
        x = z[r] + std[r] * normal[r]
        if resolution > 0:
            x = np.rint(x / resolution) * resolution
        out[r] = -np.inf if x < min_m else (np.inf if x > max_m else x)
    return out


@njit(cache=True, inline="always")
def _soft(x, limit, slope):  # pragma: no cover - compiled
    a = abs(x)
    if a <= limit:
        return x
    return np.sign(x) * ((a - limit) * slope + limit)


@njit(cache=True)
def _pid(e, error_sum, error_prev, slope_prev, n_samples, kp, ki, kd, dt, sum_limit, jump_threshold,
         jump_divisor, term_limit, out_limit, slope_soft):  # pragma: no cover - compiled
    batch = e.shape[0]
    s_out, slope_out, n_out = np.empty(batch), np.empty(batch), np.empty(batch, dtype=np.int64)
    p_out, i_out, d_out, pd_out, u_out = np.empty(batch), np.empty(batch), np.empty(batch), np.empty(batch), np.empty(batch)
    for r in range(batch):
        er = e[r]
        total = min(max(error_sum[r] + er, -sum_limit), sum_limit)
        i_term = ki * total * dt
        slope = er - error_prev[r] if n_samples[r] >= 1 else 0.0
        d_term = kd * (slope + slope_prev[r]) / (2.0 * dt)
        if n_samples[r] < 2:
            d_term = 0.0
        if abs(d_term) > jump_threshold:
            d_term = d_term / jump_divisor
        p_term = _soft(kp * er, term_limit, slope_soft)
        d_term = _soft(d_term, term_limit, slope_soft)
        pd = _soft(p_term + d_term, term_limit, slope_soft)
        s_out[r], slope_out[r], n_out[r] = total, slope, n_samples[r] + 1
        p_out[r], i_out[r], d_out[r], pd_out[r] = p_term, i_term, d_term, pd
        u_out[r] = _soft(pd + i_term, out_limit, slope_soft)
    return s_out, slope_out, n_out, p_out, i_out, d_out, pd_out, u_out


@njit(cache=True, inline="always")
def _pairwise_sum(x):  # pragma: no cover - compiled
    """numpy's pairwise sum of a short contiguous row (n <= 128): 8 accumulators, then the rest."""
    n = x.shape[0]
    if n < 8:
        res = -0.0
        for i in range(n):
            res += x[i]
        return res
    r0, r1, r2, r3, r4, r5, r6, r7 = x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
    i = 8
    end = n - n % 8
    while i < end:
        r0 += x[i]
        r1 += x[i + 1]
        r2 += x[i + 2]
        r3 += x[i + 3]
        r4 += x[i + 4]
        r5 += x[i + 5]
        r6 += x[i + 6]
        r7 += x[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += x[i]
        i += 1
    return res


@njit(cache=True)
def _snn_into(e, ew, eb, eli, elv, eth, hw, hb, hli, hlv, hth, adapt, leak_t, cross, rs, rc, oleak, ow,
              flags, theta_min, limit, ei, ev, es, hi, hv, hs, ht, htheta, uo, ei2, ev2, es2, hi2, hv2, hs2, ht2,
              htheta2, u2):  # pragma: no cover - compiled
    """One tick from the state (ei ... uo) into the arrays ei2 ... u2 (which must not alias it)."""
    adaptive, has_cross, recurrent, integrating = flags[0], flags[1], flags[2], flags[3]
    batch, n = ei.shape
    half = n // 2
    rows = ew.shape[0]
    x1 = np.empty(n)
    drive = np.empty(half)
    for r in range(batch):
        q = r if rows > 1 else 0
        er = e[r]
        for j in range(n):  # encoding layer: LIF on e * [+w0, -w0] + b0
            i = eli[q, j] * ei[r, j] + (er * ew[q, j] + eb[q, j])
            v = elv[q, j] * ev[r, j] + i - es[r, j] * eth[q, j]
            ei2[r, j], ev2[r, j], es2[r, j] = i, v, 1.0 if v > eth[q, j] else 0.0
        for j in range(n):  # hidden input
            p = j + half if j < half else j - half
            x = hw[q, j] * es2[r, j] + hb[q, j]
            if has_cross:
                x = x + cross[q, j] * es2[r, p]
            if recurrent:
                x = x + rs[q, j] * hs[r, j] + rc[q, j] * hs[r, p]
            x1[j] = x
        if adaptive:
            for j in range(n):
                ht2[r, j] = leak_t[q, j] * ht[r, j] + hs[r, j]
            for j in range(n):
                p = j + half if j < half else j - half
                theta = max(theta_min, hth[q, j] + adapt[q, j] * (ht2[r, p] - ht2[r, j]))
                i = hli[q, j] * hi[r, j] + x1[j]
                v = hlv[q, j] * hv[r, j] + i - hs[r, j] * htheta[r, j]
                hi2[r, j], hv2[r, j], htheta2[r, j] = i, v, theta
                hs2[r, j] = 1.0 if v > theta else 0.0
        else:
            for j in range(n):
                i = hli[q, j] * hi[r, j] + x1[j]
                v = hlv[q, j] * hv[r, j] + i - hs[r, j] * hth[q, j]
                hi2[r, j], hv2[r, j] = i, v
                hs2[r, j] = 1.0 if v > hth[q, j] else 0.0
        for j in range(half):
            drive[j] = ow[q, j] * (hs2[r, j] - hs2[r, j + half])
        total = _pairwise_sum(drive)
        if integrating:
            u2[r] = min(max(oleak[q] * uo[r] + total, -limit), limit)
        else:
            u2[r] = oleak[q] * uo[r] + (1.0 - oleak[q]) * total


@njit(cache=True)
def _snn(e, ew, eb, eli, elv, eth, hw, hb, hli, hlv, hth, adapt, leak_t, cross, rs, rc, oleak, ow,
         flags, theta_min, limit, ei, ev, es, hi, hv, hs, ht, htheta, uo):  # pragma: no cover - compiled
    batch, n = ei.shape
    ei2, ev2, es2 = np.empty((batch, n)), np.empty((batch, n)), np.empty((batch, n))
    hi2, hv2, hs2 = np.empty((batch, n)), np.empty((batch, n)), np.empty((batch, n))
    ht2, htheta2, u2 = np.empty(ht.shape), np.empty(htheta.shape), np.empty(batch)
    _snn_into(e, ew, eb, eli, elv, eth, hw, hb, hli, hlv, hth, adapt, leak_t, cross, rs, rc, oleak, ow, flags,
              theta_min, limit, ei, ev, es, hi, hv, hs, ht, htheta, uo, ei2, ev2, es2, hi2, hv2, hs2, ht2, htheta2,
              u2)
    return ei2, ev2, es2, hi2, hv2, hs2, ht2, htheta2, u2


@njit(cache=True)
def _snn_rollout(errors, ew, eb, eli, elv, eth, hw, hb, hli, hlv, hth, adapt, leak_t, cross, rs, rc, oleak, ow,
                 flags, theta_min, limit, ei, ev, es, hi, hv, hs, ht, htheta, uo):  # pragma: no cover - compiled
    """Outputs ``(batch, T)`` for errors ``(batch, T)`` from the given state (left as it was)."""
    batch, steps = errors.shape
    a = (ei.copy(), ev.copy(), es.copy(), hi.copy(), hv.copy(), hs.copy(), ht.copy(), htheta.copy())
    b = (np.empty_like(ei), np.empty_like(ev), np.empty_like(es), np.empty_like(hi), np.empty_like(hv),
         np.empty_like(hs), np.empty_like(ht), np.empty_like(htheta))
    ua, ub = uo.copy(), np.empty_like(uo)
    out = np.empty((batch, steps))
    e = np.empty(batch)
    for k in range(steps):
        for r in range(batch):
            e[r] = errors[r, k]
        _snn_into(e, ew, eb, eli, elv, eth, hw, hb, hli, hlv, hth, adapt, leak_t, cross, rs, rc, oleak, ow, flags,
                  theta_min, limit, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], ua, b[0], b[1], b[2], b[3],
                  b[4], b[5], b[6], b[7], ub)
        for r in range(batch):
            out[r, k] = ub[r]
        a, b = b, a
        ua, ub = ub, ua
    return out


@njit(cache=True)
def _guard_input(r, min_range, max_range):  # pragma: no cover - compiled
    batch = r.shape[0]
    altitude, steps, below = np.empty(batch), np.empty(batch, dtype=np.bool_), np.empty(batch, dtype=np.bool_)
    for k in range(batch):
        x = r[k]
        b = x == -np.inf
        valid = np.isfinite(x) and x >= min_range and x <= max_range
        altitude[k] = min_range if b else x
        steps[k], below[k] = valid or b, b
    return altitude, steps, below


@njit(cache=True)
def _guard_output(last_cmd, last_good, n_invalid, n_fallback, steps, below, u, t, hold_s, fallback_cmd,
                  u_max):  # pragma: no cover - compiled
    batch = u.shape[0]
    cmd, good, event = np.empty(batch), np.empty(batch), np.empty(batch, dtype=np.int64)
    invalid, fallbacks = np.empty(batch, dtype=np.int64), np.empty(batch, dtype=np.int64)
    for k in range(batch):
        finite = steps[k] and np.isfinite(u[k])
        nonfinite = steps[k] and not finite
        holding = (not steps[k]) and (t - last_good[k] <= hold_s)
        fallback = nonfinite or ((not steps[k]) and not holding)
        if finite:
            cmd[k] = min(max(u[k], -u_max), u_max)
            good[k] = t
            event[k] = 1 if below[k] else 0  # BELOW_MIN, TRACKING
        else:
            cmd[k] = last_cmd[k] if holding else fallback_cmd
            good[k] = last_good[k]
            event[k] = 2 if nonfinite else (3 if holding else 4)  # NONFINITE, HOLD, FALLBACK
        invalid[k] = n_invalid[k] + (0 if steps[k] else 1)
        fallbacks[k] = n_fallback[k] + (1 if fallback else 0)
    return cmd, good, event, invalid, fallbacks
