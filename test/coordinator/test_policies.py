"""Action-to-sensing policies: the place search window, the event throttle, the altitude deadline."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from snn_control.coordinator.policies import (
    DeadlineParams, PlaceTracker, SearchParams, ThrottleParams, ThrottleState, altitude_deadline, modules_near,
    search_window, throttle_step,
)
from snn_control.perception.places.ensemble import PlaceEnsemble

P = SearchParams(confident=1.0, base_radius_places=10, growth_places_per_s=5, confidence_radius_places=20,
                 lost_after_s=10)


def test_modules_near_is_the_ensembles_rule():
    """Tied to PlaceEnsemble.modules_near (the place node's own selection) on random windows."""
    rng = np.random.default_rng(0)
    for n_places, ppm in [(600, 25), (600, 50), (103, 10), (7, 7)]:
        fake = SimpleNamespace(region_start=np.arange(0, n_places, ppm), places_per_module=ppm)
        n_modules = len(fake.region_start)
        for _ in range(200):
            place, radius = int(rng.integers(-20, n_places + 20)), int(rng.integers(0, 80))
            want = tuple(int(m) for m in PlaceEnsemble.modules_near(fake, place, radius))
            assert modules_near(place, radius, n_modules, ppm) == want


def test_the_window_widens_with_time_since_the_fix():
    w0 = search_window(P, 24, 25, (300, 0.0), 2.0, 0.0)
    w4 = search_window(P, 24, 25, (300, 0.0), 2.0, 4.0)
    assert (w0.radius_places, w4.radius_places) == (10.0, 30.0)
    assert w0.modules == (11, 12) and set(w0.modules) < set(w4.modules) and w4.modules == (10, 11, 12, 13)
    assert not w4.all_modules


def test_the_window_widens_as_confidence_drops():
    radii = [search_window(P, 24, 25, (300, 0.0), c, 0.0).radius_places for c in (2.0, 1.0, 0.5, 0.0, math.nan)]
    assert radii == [10.0, 10.0, 20.0, 30.0, 30.0]


def test_everything_is_searched_before_a_fix_when_lost_or_when_the_window_covers_the_route():
    every = tuple(range(24))
    assert search_window(P, 24, 25, None, 0.0, 0.0).modules == every
    lost = search_window(P, 24, 25, (300, 0.0), 2.0, 10.5)
    assert lost.all_modules and lost.modules == every and "lost" in lost.reason
    wide = search_window(SearchParams(growth_places_per_s=100.0), 24, 25, (300, 0.0), 2.0, 9.0)
    assert wide.all_modules and "covers the route" in wide.reason


def test_the_window_follows_the_expected_progress_along_the_route():
    p = SearchParams(base_radius_places=5, growth_places_per_s=0, advance_places_per_s=10)
    assert search_window(p, 24, 25, (100, 0.0), 2.0, 0.0).modules == (3, 4)
    assert search_window(p, 24, 25, (100, 0.0), 2.0, 5.0).modules == (5, 6)
    off = search_window(p, 24, 25, (595, 0.0), 2.0, 9.0)
    assert off.all_modules and "off the route" in off.reason


def test_the_tracker_keeps_the_last_confident_place_and_rejects_garbage():
    tr = PlaceTracker(P, 24, 25)
    assert tr.window(0.0).all_modules
    assert tr.on_match(300, 1.5, 1.0) and tr.fix == (300, 1.0)
    assert tr.on_match(310, 0.4, 2.0) and tr.fix == (300, 1.0) and tr.confidence == 0.4
    for place, conf in [(600, 2.0), (-1, 2.0), (3.5, 2.0), (None, 2.0), (5, math.nan), (5, -1.0), (5, "high")]:
        assert not tr.on_match(place, conf, 3.0)
    assert tr.fix == (300, 1.0) and tr.window(2.0).radius_places == pytest.approx(10 + 5 + 20 * 0.6)
    with pytest.raises(ValueError, match="n_modules"):
        PlaceTracker(P, 0, 25)


TP = ThrottleParams(still_rate=1000, motion_rate=3000, still_after_s=1.0, max_level=3)


def run_throttle(rates, dt=0.05, state=ThrottleState(), t0=0.0):
    levels = []
    for k, r in enumerate(rates):
        state = throttle_step(TP, state, r, t0 + k * dt)
        levels.append(state.keep_one_of)
    return state, levels


def test_a_still_scene_is_throttled_step_by_step_and_motion_restores_at_once():
    state, levels = run_throttle([200.0] * 100)  # 5 s still at 20 packets/s
    assert levels[0] == 1 and levels[19] == 1 and levels[20] == 2 and levels[40] == 4 and levels[60] == 8
    assert levels[-1] == 8  # capped at 2 ** max_level
    state, levels = run_throttle([5e4], state=state, t0=5.0)
    assert levels == [1]  # the first moving packet restores the full rate


def test_the_hysteresis_band_holds_the_level_and_bad_rates_never_throttle():
    state, _ = run_throttle([200.0] * 50)
    assert state.keep_one_of == 4
    state, levels = run_throttle([2000.0] * 60, state=state, t0=2.5)
    assert set(levels) == {4}
    for bad in (math.nan, math.inf, None, "fast"):
        assert throttle_step(TP, state, bad, 10.0).keep_one_of == 1


def test_the_altitude_deadline_tightens_after_a_setpoint_change():
    p = DeadlineParams(factor=0.5, window_s=3.0)
    assert altitude_deadline(p, 0.3, None, 10.0) == 0.3
    assert altitude_deadline(p, 0.3, 9.0, 10.0) == 0.15
    assert altitude_deadline(p, 0.3, 6.0, 10.0) == 0.3


@pytest.mark.parametrize("cls,kwargs,field", [
    (SearchParams, {"confident": 0.0}, "confident"), (SearchParams, {"growth_places_per_s": -1.0}, "growth"),
    (ThrottleParams, {"still_rate": 5000.0}, "still_rate"), (ThrottleParams, {"max_level": 2.5}, "max_level"),
    (ThrottleParams, {"still_after_s": 0.0}, "still_after_s"), (DeadlineParams, {"factor": 1.5}, "factor"),
])
def test_bad_params_name_their_field(cls, kwargs, field):
    with pytest.raises(ValueError, match=field):
        cls(**kwargs)
