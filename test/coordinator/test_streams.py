"""Stream monitor: each fault is flagged with its reason, within its deadline, and nothing else is."""

import json
import math

import numpy as np
import pytest

from snn_control.blimp.tof import ToFSensor, tof_reading
from snn_control.coordinator.config import DEFAULT_STREAMS
from snn_control.coordinator.streams import StreamMonitor, StreamSpec, as_number

ALT = DEFAULT_STREAMS[0]  # 10 Hz, deadline 0.3 s, [0.3, 5] m, max_step 0.5, stuck after 1.5 s
CHECK_S = 0.01  # the test checks at 100 Hz, so a detection time is known to 0.01 s


def fly_stream(spec, sample, t_end, t0=0.0):
    """Feed ``sample(t) -> list of (value, stamp)`` at the spec's rate and check every CHECK_S;
    returns ``[(t, status)]`` of the checks."""
    mon = StreamMonitor(spec, start_s=t0)
    period = 1.0 / spec.rate_hz
    next_sample, out = t0, []
    for t in np.arange(t0, t_end, CHECK_S):
        t = round(float(t), 9)
        if t >= next_sample - 1e-9:
            for value, stamp in sample(t):
                mon.update(value, stamp, t)
            next_sample += period
        out.append((t, mon.check(t)))
    return out


def first_flag(trace, state):
    return next((t for t, s in trace if s.state == state), None)


def nominal(t, rng=np.random.default_rng(0)):
    z = 1.2 + 0.3 * math.sin(0.2 * t)
    return float(tof_reading(z, rng, ToFSensor()))


def test_a_nominal_noisy_tof_stream_is_never_flagged():
    rng = np.random.default_rng(1)
    trace = fly_stream(ALT, lambda t: [(nominal(t, rng), t)], 120.0)
    assert {s.state for _, s in trace} == {"ok"}
    assert trace[-1][1].n_rejected == 0 and trace[-1][1].n_samples == 1200


T0 = 5.0


def faulty(kind):
    rng = np.random.default_rng(2)
    frozen = {}

    def sample(t):
        r = nominal(t, rng)
        if t < T0:
            return [(r, t)]
        if kind == "dropout":
            return []
        if kind == "nan":
            return [(math.nan, t)]
        if kind == "out_of_range":
            return [(7.5, t)]
        if kind == "stuck":
            return [(frozen.setdefault("v", r), t)]
        if kind == "outlier":
            return [(r + 2.0 if abs(t - T0) < 1e-6 else r, t)]
        if kind == "burst":
            return [(r, t)] * 10
        if kind == "clock_back":
            return [(r, t - 3.0)]
        if kind == "clock_ahead":
            return [(r, t + 60.0)]
        if kind == "garbage":
            return [("1.0", t)]
        raise AssertionError(kind)
    return sample


# (fault, state, reason fragment, latest detection time after T0: the rule's own bound + one check)
CASES = [
    ("dropout", "stale", "no usable sample", 0.1 + ALT.deadline_s + CHECK_S),  # last sample <= 0.1 s before T0
    ("nan", "nan", "non-finite", CHECK_S),
    ("out_of_range", "out_of_range", "outside [0.3, 5]", CHECK_S),
    ("stuck", "stuck", "unchanged", ALT.stuck_after_s + CHECK_S),
    ("outlier", "outlier", "exceeds max_step", CHECK_S),
    ("burst", "burst", "samples in 0.5 s", 0.2),
    ("clock_back", "clock_jump", "stamp went back", CHECK_S),
    ("clock_ahead", "clock_jump", "jumped", CHECK_S),
    ("garbage", "nan", "non-finite", CHECK_S),
]


@pytest.mark.parametrize("kind,state,reason,max_delay", CASES, ids=[c[0] for c in CASES])
def test_each_fault_is_flagged_with_its_reason_within_its_bound(kind, state, reason, max_delay):
    trace = fly_stream(ALT, faulty(kind), T0 + 3.0)
    assert all(s.ok for t, s in trace if t < T0)
    t_flag = first_flag(trace, state)
    assert t_flag is not None, f"{kind} never flagged {state}"
    assert T0 <= t_flag <= T0 + max_delay + 1e-9
    status = dict(trace)[t_flag]
    assert reason in status.reason
    assert status.since_s <= t_flag + 1e-9


def test_stale_since_is_the_last_sample_plus_the_deadline():
    mon = StreamMonitor(ALT, start_s=0.0)
    mon.update(1.0, 0.0, 0.0)
    assert mon.check(0.3).ok
    s = mon.check(0.45)
    assert s.state == "stale" and s.since_s == pytest.approx(0.3) and s.age_s == pytest.approx(0.45)


def test_a_checker_slower_than_the_samples_still_sees_a_single_spike():
    mon = StreamMonitor(ALT, start_s=0.0)
    for t, v in [(0.0, 1.0), (0.1, 3.0), (0.2, 1.0)]:  # spike, then a good sample before the check
        mon.update(v, t, t)
    assert mon.check(0.2).state == "outlier"  # latched for one period after the spike
    assert mon.check(0.25).ok
    assert mon.value == 1.0 and mon.n_rejected == 1


def test_a_real_level_change_is_accepted_after_rejoin_n_consistent_samples():
    mon = StreamMonitor(ALT, start_s=0.0)
    accepted = [mon.update(v, t / 10, t / 10) for t, v in enumerate([1.0, 1.0, 2.2, 2.21, 2.2, 2.22])]
    assert accepted == [True, True, False, False, True, True]
    assert mon.value == 2.22


def test_inconsistent_garbage_never_rejoins_and_goes_stale():
    mon = StreamMonitor(ALT, start_s=0.0)
    mon.update(1.0, 0.0, 0.0)
    for k, v in enumerate([3.0, 4.5, 2.0, 4.0, 2.6, 4.4], start=1):  # each step > 0.5 from the last
        assert not mon.update(v, k / 10, k / 10)
    assert mon.check(0.6).state == "stale" and mon.value == 1.0


def test_rep117_codes_map_to_the_bounds_and_a_grounded_blimp_is_not_stuck():
    mon = StreamMonitor(ALT, start_s=0.0)
    mon.update(0.4, 0.0, 0.0)
    for k in range(1, 40):
        assert mon.update(-math.inf, k / 10, k / 10)
    assert mon.value == ALT.lo and mon.check(3.9).ok


def test_nan_policy_drop_ignores_nan_until_the_deadline():
    mon = StreamMonitor(StreamSpec("x", deadline_s=0.3), start_s=0.0)
    mon2 = StreamMonitor(StreamSpec("x", deadline_s=0.3, nan_policy="drop"), start_s=0.0)
    for m in (mon, mon2):
        m.update(1.0, 0.0, 0.0)
        m.update(math.nan, 0.1, 0.1)
    assert mon.check(0.1).state == "nan" and mon2.check(0.1).ok
    assert mon2.check(0.35).state == "stale" and mon2.n_samples == 1


def test_the_deadline_can_be_tightened_per_check():
    mon = StreamMonitor(ALT, start_s=0.0)
    mon.update(1.0, 0.0, 0.0)
    assert mon.check(0.2).ok and mon.check(0.2, deadline_s=0.15).state == "stale"


def test_no_sample_at_all_is_stale_after_one_deadline_from_arming():
    mon = StreamMonitor(ALT, start_s=10.0)
    assert mon.check(10.3).ok
    s = mon.check(10.31)
    assert s.state == "stale" and "no sample yet" in s.reason and s.value is None


def test_rejected_malformed_samples_are_flagged_with_the_adapters_reason():
    mon = StreamMonitor(StreamSpec("events", rate_hz=20, deadline_s=0.5), start_s=0.0)
    mon.reject("PointCloud2 without a t field", 0.0, 0.0)
    s = mon.check(0.01)
    assert s.state == "nan" and s.reason == "PointCloud2 without a t field" and s.n_rejected == 1


@pytest.mark.parametrize("x", [None, "1.0", b"1", [1.0], np.array([1.0, 2.0]), object(), True, np.bool_(True)])
def test_garbage_is_nan_and_never_raises(x):
    assert math.isnan(as_number(x))
    mon = StreamMonitor(ALT, start_s=0.0)
    assert mon.update(x, x, 0.0) is False
    s = mon.check(0.0)
    assert s.state == "nan"


def test_numpy_scalars_are_numbers():
    assert as_number(np.float32(1.5)) == 1.5 and as_number(np.int64(2)) == 2.0


@pytest.mark.parametrize("field,value", [("rate_hz", 0.0), ("deadline_s", -1.0), ("max_step", math.nan),
                                         ("lo", 6.0), ("rejoin_n", 0), ("nan_policy", "zero"),
                                         ("inf_policy", "clip"), ("name", ""), ("burst_factor", True)])
def test_bad_specs_name_their_field(field, value):
    with pytest.raises(ValueError, match=field):
        StreamSpec(**{**StreamSpec(lo=0.0, hi=5.0).to_dict(), field: value})


def test_spec_round_trip_through_json():
    for spec in DEFAULT_STREAMS:
        assert StreamSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    with pytest.raises(ValueError, match="unknown keys"):
        StreamSpec.from_dict({"name": "x", "rate": 1.0})
