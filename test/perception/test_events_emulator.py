"""Event emulator: hand-worked pixel cases, a plain per-pixel loop as reference, noise statistics,
threshold mismatch, determinism and bad input."""

import math

import numpy as np
import pytest

from snn_control.perception.events import EVENT_DTYPE
from snn_control.perception.events.emulator import EmulatorConfig, EventEmulator, emulate, to_intensity

EPS = 0.02
IDEAL = EmulatorConfig(threshold_sigma=0.0, noise_rate_hz=0.0, refractory_s=0.0, log_eps=EPS)


def one_pixel(values):
    return np.asarray(values, dtype=float)[:, None, None]


@pytest.mark.parametrize("i0, i1, polarity", [(0.2, 0.9, 1), (0.9, 0.2, -1), (0.05, 0.6, 1), (0.7, 0.3, -1)])
def test_brightness_step_gives_floor_of_log_ratio_events(i0, i1, polarity):
    ev = emulate(one_pixel([i0, i1]), [0.0, 0.01], IDEAL)
    ratio = abs(math.log((i1 + EPS) / (i0 + EPS))) / 0.25
    assert ev.dtype == EVENT_DTYPE
    assert ev.size == math.floor(ratio) > 0
    assert np.all(ev["p"] == polarity) and np.all(ev["x"] == 0) and np.all(ev["y"] == 0)
    # crossing k of a jump interpolated linearly in log intensity over the interval
    k = np.arange(1, ev.size + 1)
    np.testing.assert_allclose(ev["t"], 0.01 * k / ratio, rtol=0, atol=1e-12)


def test_no_change_no_events_and_residual_is_kept():
    # 0.2 -> 0.25: below one threshold, no event; -> 0.3: the sum crosses once (reference did not move)
    c = 0.25
    cfg = EmulatorConfig(threshold_on=c, threshold_sigma=0.0, noise_rate_hz=0.0, refractory_s=0.0, log_eps=EPS)
    ev = emulate(one_pixel([0.2, 0.2, 0.25, 0.3]), [0.0, 1.0, 2.0, 3.0], cfg)
    assert math.log(0.27 / 0.22) < c < math.log(0.32 / 0.22)
    assert ev.size == 1 and ev["p"][0] == 1 and 2.0 < ev["t"][0] <= 3.0


@pytest.mark.parametrize("slope", [2.9, -2.5])
def test_linear_log_ramp_events_at_analytic_times(slope):
    # L(t) = L0 + a t sampled at irregular times: crossing k at t_k = k C / |a| exactly.
    c_on, c_off = 0.2, 0.3
    cfg = EmulatorConfig(threshold_on=c_on, threshold_off=c_off, threshold_sigma=0.0, noise_rate_hz=0.0,
                         refractory_s=0.0, log_eps=EPS)
    times = np.array([0.0, 0.013, 0.1, 0.31, 0.32, 0.5, 0.77, 1.0])
    log0 = math.log(0.3 + EPS)
    frames = np.exp(log0 + slope * times) - EPS
    ev = emulate(one_pixel(frames), times, cfg)
    c = c_on if slope > 0 else c_off
    expected = np.arange(1, int(abs(slope) * 1.0 / c) + 1) * c / abs(slope)
    assert ev.size == expected.size
    np.testing.assert_allclose(ev["t"], expected, rtol=0, atol=1e-9)
    assert np.all(ev["p"] == np.sign(slope))


def test_refractory_drops_the_right_crossings_and_reference_still_moves():
    # Crossings every 0.2 ms, refractory 0.5 ms: emitted at k = 1, 4, 7, ... (0.2, 0.8, 1.4 ms ...).
    c, spacing, refr = 0.25, 2e-4, 5e-4
    slope = c / spacing
    cfg = EmulatorConfig(threshold_sigma=0.0, noise_rate_hz=0.0, refractory_s=refr, log_eps=EPS)
    times = np.linspace(0.0, 2.1e-3, 8)
    frames = np.exp(math.log(0.01 + EPS) + slope * times) - EPS
    frames = np.append(frames, frames[-1])  # then hold still for 10 ms
    times = np.append(times, 12.1e-3)
    ev = emulate(one_pixel(frames), times, cfg)
    np.testing.assert_allclose(ev["t"], np.array([1, 4, 7, 10]) * spacing, rtol=0, atol=1e-12)
    # 10 crossings, 4 emitted; the reference moved for all 10, so holding still emitted nothing more


def reference_loop(frames, times, c_on, c_off, refractory_s, eps):
    """The pixel model written as the plainest per-pixel, per-crossing loop (no noise)."""
    logs = np.log(frames + eps)
    h, w = logs.shape[1:]
    ref, last, out = logs[0].copy(), np.full((h, w), -np.inf), []
    for i in range(1, len(times)):
        t0, t1 = times[i - 1], times[i]
        for y in range(h):
            for x in range(w):
                l0, l1, r = logs[i - 1, y, x], logs[i, y, x], ref[y, x]
                s = 1.0 if l1 - r >= 0 else -1.0
                c = c_on[y, x] if s > 0 else c_off[y, x]
                n = int(abs(l1 - r) // c) if abs(l1 - r) >= c else 0
                for k in range(1, n + 1):
                    tk = t0 + (r + s * k * c - l0) / (l1 - l0) * (t1 - t0)
                    if tk - last[y, x] >= refractory_s:
                        out.append((x, y, tk, s))
                        last[y, x] = tk
                ref[y, x] = r + s * n * c
    ev = np.array(out, dtype=[("x", "u2"), ("y", "u2"), ("t", "f8"), ("p", "i1")])
    return ev[np.lexsort((ev["x"], ev["y"], ev["t"]))]


def test_vectorized_step_matches_the_per_pixel_loop():
    rng = np.random.default_rng(7)
    h, w, n = 5, 6, 25
    times = np.cumsum(rng.uniform(2e-4, 1.5e-3, n))
    walk = np.cumsum(rng.normal(0, 0.35, (n, h, w)), axis=0)
    frames = np.clip(0.3 * np.exp(walk), 0.0, 1.5)
    cfg = EmulatorConfig(threshold_sigma=0.04, noise_rate_hz=0.0, refractory_s=5e-4, log_eps=EPS)
    emulator = EventEmulator(cfg, w, h, np.random.default_rng(3))
    emulator.reset(frames[0], times[0])
    got = np.concatenate([emulator.step(frames[i], times[i]) for i in range(1, n)])
    c_on, c_off = emulator.thresholds
    want = reference_loop(frames, times, c_on, c_off, cfg.refractory_s, EPS)
    assert np.all(np.diff(got["t"]) >= 0)
    got = got[np.lexsort((got["x"], got["y"], got["t"]))]
    assert got.size == want.size > 100
    for f in ("x", "y", "p"):
        np.testing.assert_array_equal(got[f], want[f])
    np.testing.assert_allclose(got["t"], want["t"], rtol=0, atol=1e-12)


def test_background_noise_rate_polarity_and_times():
    rate, h, w = 4.0, 64, 64
    cfg = EmulatorConfig(noise_rate_hz=rate, threshold_sigma=0.0, refractory_s=0.0)
    times = np.array([0.0, 0.3, 0.5, 1.2, 2.0])
    ev = emulate(np.full((len(times), h, w), 0.5), times, cfg, rng=11)
    mean = rate * h * w * times[-1]  # 32768 events, Poisson sd 181
    assert abs(ev.size - mean) < 5 * math.sqrt(mean)
    on = np.sum(ev["p"] == 1)
    assert abs(on - ev.size / 2) < 5 * math.sqrt(ev.size / 4) and np.all(np.abs(ev["p"]) == 1)
    # uniform in time: counts per interval proportional to its length (chi-square-like 5 sd bound)
    counts = np.histogram(ev["t"], bins=times)[0]
    expected = rate * h * w * np.diff(times)
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))
    # uniform over pixels: every row gets its share
    rows = np.bincount(ev["y"], minlength=h)
    assert np.all(np.abs(rows - mean / h) < 6 * math.sqrt(mean / h))


def test_same_seed_same_events_other_seed_other_events():
    rng = np.random.default_rng(0)
    frames = rng.uniform(0, 1, (6, 16, 16))
    times = np.arange(6) * 1e-3
    cfg = EmulatorConfig(noise_rate_hz=50.0)
    a, b = emulate(frames, times, cfg, rng=5), emulate(frames, times, cfg, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    c = emulate(frames, times, cfg, rng=6)
    assert a.size != c.size or not np.array_equal(a, c)


def test_per_pixel_threshold_spread_has_the_configured_std():
    cfg = EmulatorConfig(threshold_on=0.25, threshold_off=0.3, threshold_sigma=0.03)
    emulator = EventEmulator(cfg, 128, 128, np.random.default_rng(1))
    emulator.reset(np.zeros((128, 128)), 0.0)
    c_on, c_off = emulator.thresholds
    for c, nominal in ((c_on, 0.25), (c_off, 0.3)):
        assert c.shape == (128, 128)
        assert abs(c.mean() - nominal) < 0.001  # standard error 2.3e-4
        assert abs(c.std() - 0.03) < 0.001  # standard error 1.7e-4
    assert abs(np.corrcoef(c_on.ravel(), c_off.ravel())[0, 1]) < 0.05  # drawn independently


def test_frame_conversions():
    rgb = np.random.default_rng(2).uniform(0, 1, (4, 3, 3))
    np.testing.assert_allclose(to_intensity(rgb), rgb @ [0.2126, 0.7152, 0.0722])
    u8 = np.array([[0, 51], [255, 102]], dtype=np.uint8)
    np.testing.assert_allclose(to_intensity(u8), u8 / 255.0)
    frames = np.stack([np.full((2, 2, 3), 0.2), np.full((2, 2, 3), 0.9)])
    grey = np.stack([np.full((2, 2), 0.2), np.full((2, 2), 0.9)])
    np.testing.assert_array_equal(emulate(frames, [0, 1], IDEAL), emulate(grey, [0, 1], IDEAL))


@pytest.mark.parametrize("frames, times, match", [
    (np.zeros((3, 4)), [0, 1, 2], "expected \\(N, H, W\\)"),
    (np.zeros((3, 4, 4, 2)), [0, 1, 2], "expected \\(N, H, W\\)"),
    (np.zeros((3, 4, 4)), [0, 1], "times_s: shape"),
    (np.zeros((3, 4, 4)), [0, 1, 1], "not strictly increasing"),
    (np.zeros((3, 4, 4)), [0, 2, 1], "t\\[2\\] = 1 <= t\\[1\\] = 2"),
    (np.zeros((3, 4, 4)), [0, np.nan, 1], "NaN"),
    (np.stack([np.zeros((4, 4)), np.full((4, 4), np.nan), np.zeros((4, 4))]), [0, 1, 2], "frames\\[1\\]: holds NaN"),
    (np.full((2, 4, 4), -0.1), [0, 1], "frames\\[0\\]: negative"),
    (np.array([[["a"]]]), [0], "not numeric"),
])
def test_bad_input_is_refused_with_a_clear_message(frames, times, match):
    with pytest.raises(ValueError, match=match):
        emulate(frames, times)


def test_step_checks_order_shape_and_reset():
    emulator = EventEmulator(EmulatorConfig(), 4, 3, np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="before reset"):
        emulator.step(np.zeros((3, 4)), 1.0)
    emulator.reset(np.zeros((3, 4)), 1.0)
    with pytest.raises(ValueError, match="sensor is \\(H, W\\) = \\(3, 4\\)"):
        emulator.step(np.zeros((4, 3)), 2.0)
    with pytest.raises(ValueError, match="> the previous frame's time"):
        emulator.step(np.zeros((3, 4)), 1.0)
    ev = emulator.step(np.ones((3, 4)), 2.0)
    assert ev.size > 0 and np.all((ev["t"] > 1.0) & (ev["t"] <= 2.0)) and np.all(np.diff(ev["t"]) >= 0)
    assert ev["x"].max() < 4 and ev["y"].max() < 3


def test_config_validation_and_dict_round_trip():
    cfg = EmulatorConfig(threshold_on=0.3, noise_rate_hz=0.0)
    assert EmulatorConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown keys \\['threshold'\\]"):
        EmulatorConfig.from_dict({"threshold": 0.2})
    for field, value in [("threshold_on", 0.0), ("threshold_off", -0.1), ("threshold_sigma", -0.01),
                         ("refractory_s", -1e-3), ("noise_rate_hz", float("nan")), ("log_eps", 0.0)]:
        with pytest.raises(ValueError, match=f"EmulatorConfig.{field}"):
            EmulatorConfig(**{field: value})
