"""Fault injection: the --inject grammar, random schedules, one-shot crashes and the faulty range sensor."""

import math

import numpy as np
import pytest

from snn_control.coordinator.faults import (
    CRASH_KINDS, DEFAULT_DURATION_S, FAMILY, JUMP_S, KINDS, Fault, FaultSchedule, RangeFaults, format_faults,
    garbage_events, garbage_image, parse_faults, parse_time, random_faults,
)
from snn_control.coordinator.report import fault_report
from snn_control.perception.events.types import EVENT_DTYPE


# -- parsing --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, seconds", [("2", 2.0), ("2s", 2.0), ("2.5s", 2.5), ("500ms", 0.5), (" 3 ", 3.0),
                                           ("0", 0.0), (".5s", 0.5), ("1500MS", 1.5)])
def test_parse_time_units(text, seconds):
    assert parse_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["-1", "nan", "inf", "2min", "", "s", "1e3", "2 s s"])
def test_parse_time_rejects(text):
    with pytest.raises(ValueError, match="bad time"):
        parse_time(text)


def test_parse_faults_defaults_durations_whitespace_and_order():
    faults = parse_faults(" sensor_stuck@40 , sensor_dropout:500ms@30s,controller_crash @ 12.5 ,burst:2.5s@30")
    assert faults == (Fault("controller_crash", 12.5, 0.0), Fault("sensor_dropout", 30.0, 0.5),
                      Fault("burst", 30.0, 2.5), Fault("sensor_stuck", 40.0, 3.0))
    assert parse_faults("") == () and parse_faults("   ") == ()
    assert {k: parse_faults(f"{k}@1")[0].duration_s for k in KINDS} == DEFAULT_DURATION_S
    assert DEFAULT_DURATION_S["clock_jump"] == 2.0 and JUMP_S == 5.0


def test_labels_round_trip():
    faults = parse_faults("sensor_dropout@30,controller_crash@50,sensor_spike:1.5s@60.5")
    assert [f.label for f in faults] == ["sensor_dropout:2s@30", "controller_crash@50", "sensor_spike:1.5s@60.5"]
    assert parse_faults(format_faults(faults)) == faults
    assert faults[0].name == "sensor_dropout:2s" and faults[1].name == "controller_crash"


@pytest.mark.parametrize("text, match", [
    ("sensor_melt@3", r"'sensor_melt@3'.*unknown kind 'sensor_melt' \(kinds: controller_crash, sensor_dropout"),
    ("sensor_nan@-1", r"'sensor_nan@-1'.*bad time"),
    ("sensor_nan@nan", r"bad time 'nan'"),
    ("sensor_nan", r"expected KIND\[:DUR\]@T"),
    ("sensor_nan:xs@3", r"bad duration 'xs'"),
    ("sensor_nan:0s@3", r"duration must be > 0"),
    ("controller_crash:2s@3", r"controller_crash takes no duration"),
    ("perception_crash:1@3", r"perception_crash takes no duration"),
    ("sensor_nan@3,,burst@4", r"empty entry"),
    ("sensor_nan@3,burst@x", r"'burst@x'"),
])
def test_parse_faults_errors_name_the_entry(text, match):
    with pytest.raises(ValueError, match=match):
        parse_faults(text)


def test_fault_validates_itself():
    with pytest.raises(ValueError, match="Fault.t_s"):
        Fault("sensor_nan", math.nan, 1.0)
    with pytest.raises(ValueError, match="Fault.duration_s"):
        Fault("controller_crash", 1.0, 2.0)
    with pytest.raises(ValueError, match="Fault.duration_s"):
        Fault("sensor_nan", 1.0, 0.0)


# -- random schedules ------------------------------------------------------------------------------
def test_random_faults_are_seeded_inside_the_margins_and_apart_per_family():
    a = random_faults(np.random.default_rng(3), 150.0, 8)
    assert a == random_faults(np.random.default_rng(3), 150.0, 8)
    assert a != random_faults(np.random.default_rng(4), 150.0, 8)
    assert len(a) == 8 and list(a) == sorted(a, key=lambda f: f.t_s)
    for f in a:
        assert 10.0 <= f.t_s <= 150.0 - 10.0 - f.duration_s
    for i, f in enumerate(a):
        for g in a[i + 1:]:
            if FAMILY[f.kind] == FAMILY[g.kind]:
                span = (f.duration_s or 5.0) + 5.0
                assert g.t_s >= f.t_s + span - 1e-9, (f, g)


def test_random_faults_kinds_and_impossible_requests():
    only = random_faults(np.random.default_rng(0), 100.0, 3, kinds=("sensor_nan",))
    assert {f.kind for f in only} == {"sensor_nan"}
    with pytest.raises(ValueError, match="cannot place"):
        random_faults(np.random.default_rng(0), 30.0, 5, kinds=("sensor_stuck",))
    with pytest.raises(ValueError, match="unknown"):
        random_faults(np.random.default_rng(0), 100.0, 1, kinds=("melt",))
    assert random_faults(np.random.default_rng(0), 100.0, 0) == ()


# -- the schedule ---------------------------------------------------------------------------------
def test_active_windows_are_half_open_and_crashes_have_none():
    s = FaultSchedule(parse_faults("sensor_nan:1s@10,controller_crash@12"))
    assert s.active("sensor_nan", 9.999) is None
    assert s.active("sensor_nan", 10.0) == Fault("sensor_nan", 10.0, 1.0)
    assert s.active("sensor_nan", 10.999) is not None and s.active("sensor_nan", 11.0) is None
    assert s.active("controller_crash", 12.0) is None
    assert s.active_kinds(10.5) == ("sensor_nan",)
    with pytest.raises(ValueError, match="unknown fault kind"):
        s.active("melt", 1.0)


def test_due_is_one_shot():
    s = FaultSchedule(parse_faults("controller_crash@5,controller_crash@8,perception_crash@6"))
    assert s.due("controller_crash", 4.9) == []
    assert s.due("controller_crash", 5.0) == [Fault("controller_crash", 5.0, 0.0)]
    assert s.due("controller_crash", 6.0) == []
    assert s.due("controller_crash", 100.0) == [Fault("controller_crash", 8.0, 0.0)]
    assert s.due("controller_crash", 200.0) == []
    assert s.due("perception_crash", 200.0) == [Fault("perception_crash", 6.0, 0.0)]
    assert s.injections() == [("controller_crash", 5.0), ("perception_crash", 6.0), ("controller_crash", 8.0)]


def test_injections_feed_fault_report():
    s = FaultSchedule(parse_faults("sensor_dropout@30"))
    (row,) = fault_report(s.injections(), [], [], 60.0)
    assert row["kind"] == "sensor_dropout:2s" and row["t_s"] == 30.0 and row["detected_s"] is None


# -- the faulty range sensor ----------------------------------------------------------------------
def rf(text, **kw):
    return RangeFaults(FaultSchedule(parse_faults(text)), **kw)


def test_no_fault_passes_through():
    assert rf("").apply(1.25, 3.0) == [(1.25, 3.0)]


def test_dropout_publishes_nothing_in_its_window():
    r = rf("sensor_dropout:2s@10")
    assert r.apply(1.0, 9.9) == [(1.0, 9.9)]
    assert r.apply(1.0, 10.0) == [] and r.apply(1.0, 11.9) == []
    assert r.apply(1.0, 12.0) == [(1.0, 12.0)]


def test_nan():
    (v, t), = rf("sensor_nan@10").apply(1.0, 10.5)
    assert math.isnan(v) and t == 10.5


def test_stuck_repeats_the_value_at_the_start_exactly():
    r = rf("sensor_stuck:1s@10")
    out = [r.apply(1.0 + 0.01 * k, 10.0 + 0.1 * k) for k in range(12)]
    assert [o[0][0] for o in out[:10]] == [1.0] * 10
    assert [o[0][1] for o in out[:10]] == [10.0 + 0.1 * k for k in range(10)]
    assert out[10] == [(1.0 + 0.01 * 10, 11.0)]


def test_spike_on_every_other_reading_positive_and_finite():
    r = rf("sensor_spike:1s@10", spike_m=2.5)
    vals = [r.apply(0.4, 10.0 + 0.1 * k)[0][0] for k in range(10)]
    assert vals == pytest.approx([2.9, 0.4] * 5)
    assert all(math.isfinite(v) and v > 0 for v in vals)


def test_burst_copies_within_one_period():
    out = rf("burst@10", burst_factor=10, period_s=0.1).apply(1.0, 10.5)
    assert len(out) == 10 and all(v == 1.0 for v, _ in out)
    stamps = [t for _, t in out]
    assert stamps[0] == 10.5 and stamps == sorted(stamps) and stamps[-1] < 10.5 + 0.1
    assert stamps == pytest.approx([10.5 + 0.01 * k for k in range(10)])


def test_clock_jump_moves_stamps_ahead_for_its_duration():
    r = rf("clock_jump@10")
    assert r.apply(1.0, 11.0) == [(1.0, 11.0 + JUMP_S)]
    assert r.apply(1.0, 12.0) == [(1.0, 12.0)]


def test_composition_order():
    # dropout wins over everything
    assert rf("sensor_dropout@10,sensor_nan@10,burst@10").apply(1.0, 10.5) == []
    # stuck then spike: the stuck value spiked
    r = rf("sensor_stuck@10,sensor_spike@10")
    assert r.apply(1.0, 10.0) == [(3.5, 10.0)] and r.apply(1.2, 10.1) == [(1.0, 10.1)]
    # nan after spike; clock jump before the burst (copies follow the jumped stamp)
    out = rf("sensor_spike@10,sensor_nan@10,clock_jump@10,burst@10", burst_factor=2).apply(1.0, 10.0)
    assert [t for _, t in out] == pytest.approx([15.0, 15.05]) and all(math.isnan(v) for v, _ in out)
    # windows are judged at the true stamp: a jumped stamp does not open or close a burst
    assert len(rf("clock_jump@10,burst@14").apply(1.0, 10.0)) == 1


def test_stuck_value_survives_a_dropout_at_its_start():
    r = rf("sensor_stuck:3s@10,sensor_dropout:1s@10")
    assert r.apply(0.7, 10.0) == []
    assert r.apply(0.9, 11.0) == [(0.7, 11.0)]


def test_range_faults_validates():
    s = FaultSchedule()
    for kw in ({"period_s": 0}, {"spike_m": -1}, {"burst_factor": 0}, {"burst_factor": 2.5}):
        with pytest.raises(ValueError, match="RangeFaults"):
            RangeFaults(s, **kw)


# -- garbage payloads -----------------------------------------------------------------------------
def test_garbage_events_and_images():
    ev = garbage_events(np.random.default_rng(0), 1.0, 2.0, 500)
    assert ev.dtype == EVENT_DTYPE and len(ev) == 500 and np.all(np.diff(ev["t"]) >= 0)
    assert ev["t"].min() >= 1.0 and ev["t"].max() < 2.0 and ev["x"].max() < 128 and set(ev["p"]) <= {-1, 1}
    img = garbage_image(np.random.default_rng(0), (28, 28))
    assert img.dtype == np.uint8 and img.shape == (28, 28) and img.std() > 50
    f = garbage_image(np.random.default_rng(0), (4, 4), np.float32)
    assert f.dtype == np.float32 and 0 <= f.min() and f.max() < 1
    assert set(CRASH_KINDS) <= set(KINDS)
