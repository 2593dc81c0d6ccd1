"""Set-point profiles, time-stamped set-points and flight metrics."""

import numpy as np
import pytest

from snn_control.blimp.metrics import tracking_metrics
from snn_control.blimp.profiles import PAPER_PROFILE, SetpointProfile, random_profile
from snn_control.blimp.setpoints import SetpointQueue


def test_paper_profile():
    assert PAPER_PROFILE.duration_s == 700.0
    assert PAPER_PROFILE.at([0.0, 69.9, 70.0, 699.0, 900.0]).tolist() == [0.5, 0.5, 1.0, 0.5, 0.5]


def test_profile_files(tmp_path):
    good = tmp_path / "p.yaml"
    good.write_text("setpoints_m: [1.0, 2.0]\nsegment_s: [10, 20]\n")
    assert SetpointProfile.load(good).starts_s.tolist() == [0.0, 10.0]
    bad = tmp_path / "bad.yaml"
    bad.write_text("setpoints_m: [1.0, .nan]\n")
    with pytest.raises(ValueError, match="bad.yaml.*finite"):
        SetpointProfile.load(bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text("setpoint_m: [1.0]\n")
    with pytest.raises(ValueError, match="typo.yaml.*setpoint_m"):
        SetpointProfile.load(typo)
    broken = tmp_path / "broken.yaml"
    broken.write_text("setpoints_m: [1.0\n")
    with pytest.raises(ValueError, match="broken.yaml"):
        SetpointProfile.load(broken)


def test_random_profile_is_seeded_and_bounded():
    a = random_profile(np.random.default_rng(4))
    assert a == random_profile(np.random.default_rng(4))
    assert min(a.setpoints_m) >= 0.5 and max(a.setpoints_m) <= 2.0
    assert np.all(np.abs(np.diff(a.setpoints_m)) <= 1.0)


def test_metrics_on_a_known_flight():
    profile = SetpointProfile.uniform([1.0, 2.0], 40.0)
    t = np.arange(0, 80, 0.1)
    z = profile.at(t).astype(float)
    z[(t >= 45) & (t < 46)] = 2.25  # 25 % overshoot on the 1 m step
    z[t >= 75] += 0.02  # 2 cm steady-state error in the last 5 s of segment 2
    m = tracking_metrics(t, z, np.full_like(t, 3.0), profile)
    assert m["overshoot_pct"] == pytest.approx(25.0)
    assert m["sse_m"] == pytest.approx((0.0 + 0.02 * 0.5) / 2)
    assert m["max_abs_cmd"] == 3.0
    assert m["rmse_m"] == pytest.approx(np.sqrt((10 * 0.25**2 + 50 * 0.02**2) / 800))


def test_metrics_refuse_nan():
    t = np.arange(0, 1, 0.1)
    z = np.ones_like(t)
    z[3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        tracking_metrics(t, z, np.zeros_like(t), PAPER_PROFILE)


def test_setpoint_queue_applies_by_stamp():
    q = SetpointQueue(0.3, 12.0)
    q.push(10.0, 1.5)
    q.push(0.0, 0.5)
    assert q.current(5.0) == 0.5
    assert q.current(9.99) == 0.5 and q.current(10.0) == 1.5
    with pytest.raises(ValueError, match="outside"):
        q.push(11.0, float("nan"))
    with pytest.raises(ValueError, match="outside"):
        q.push(11.0, 50.0)
    assert q.current(20.0) == 1.5  # state intact


def test_mean_abs_du_is_the_mean_command_change_per_tick():
    profile = SetpointProfile.uniform([1.0], 1.0)
    t = np.arange(0, 1, 0.1)
    z = np.ones_like(t)
    u = np.array([0.0, 2.0, 2.0, -1.0, -1.0, -1.0, 4.0, 4.0, 4.0, 4.0])  # changes 2, 3, 5 over 9 ticks
    assert tracking_metrics(t, z, u, profile)["mean_abs_du"] == pytest.approx(10.0 / 9.0)
    assert tracking_metrics(t, z, np.full_like(t, 3.0), profile)["mean_abs_du"] == 0.0
    batch = tracking_metrics(t, np.stack([z, z]), np.stack([u, -2.0 * u]), profile)
    assert batch["mean_abs_du"].tolist() == [pytest.approx(10.0 / 9.0), pytest.approx(20.0 / 9.0)]
    assert tracking_metrics(t[:1], z[:1], u[:1], profile)["mean_abs_du"] == 0.0  # one tick: no change yet
