"""A Gazebo lidar scan becomes the ToF reading the topic contract carries (REP 117 codes kept)."""

import math

import numpy as np
import pytest

from snn_control.blimp.scan_range import ScanToRangeConfig, scan_field_of_view, scan_reading
from snn_control.blimp.tof import ToFSensor

INF = math.inf


@pytest.mark.parametrize("ranges, expected", [
    ([1.25], 1.25),                      # one ray
    ([1.30, 1.25, 1.27], 1.25),          # the nearest return in the cone
    ([INF, 2.0, INF], 2.0),              # rays without a return do not hide one with a return
    ([0.3], 0.3), ([12.0], 12.0),        # the limits are in range
    ([0.1, 0.2], -INF),                  # too close: below range_min
    ([-INF, -INF], -INF),                # Gazebo's own "too close" code
    ([0.1, INF], -INF),                  # nothing in range, one ray too close
    ([INF, 12.5], INF),                  # no return
    ([math.nan, 1.5], 1.5),              # a NaN ray is skipped
    ([math.nan, math.nan], math.nan),    # no reading at all
])
def test_scan_reading(ranges, expected):
    got = scan_reading(ranges, 0.3, 12.0)
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected
    assert isinstance(got, float)


def test_scan_reading_takes_arrays_and_the_scan_limits():
    assert scan_reading(np.array([[0.5, 0.45]], dtype=np.float32), 0.4, 5.0) == pytest.approx(0.45)
    assert scan_reading(array_of(0.35), 0.4, 5.0) == -INF


def array_of(value):
    import array

    return array.array("f", [value])  # what rclpy gives for LaserScan.ranges


@pytest.mark.parametrize("lo, hi", [(0.5, 0.5), (-0.1, 1.0), (0.3, INF), (math.nan, 1.0)])
def test_bad_limits_are_refused(lo, hi):
    with pytest.raises(ValueError, match="min < max"):
        scan_reading([1.0], lo, hi)


def test_empty_scan_is_refused():
    with pytest.raises(ValueError, match="no rays"):
        scan_reading([], 0.3, 12.0)


def test_field_of_view_is_the_scan_span_or_the_tof_cone():
    config = ScanToRangeConfig()
    assert config.field_of_view_rad == ToFSensor().field_of_view_rad
    assert scan_field_of_view(-0.02, 0.02, config) == pytest.approx(0.04)
    assert scan_field_of_view(0.0, 0.0, config) == config.field_of_view_rad
    assert scan_field_of_view(0.0, 0.0, ScanToRangeConfig(field_of_view_rad=0.1)) == 0.1


@pytest.mark.parametrize("fov", [0.0, -0.1, math.inf, True, "0.04"])
def test_config_names_a_bad_field(fov):
    with pytest.raises(ValueError, match="field_of_view_rad"):
        ScanToRangeConfig(field_of_view_rad=fov)


def test_config_round_trip():
    c = ScanToRangeConfig(frame_id="", field_of_view_rad=0.05)
    assert ScanToRangeConfig.from_dict(c.to_dict()) == c
