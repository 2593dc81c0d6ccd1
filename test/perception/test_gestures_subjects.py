"""Synthetic subjects: seeded, varied, validated, and split so no test subject is seen in training."""

import numpy as np
import pytest

from snn_control.perception.gestures.subjects import LIGHTING_LEVELS, Subject, draw_subjects, split_subjects


def test_same_seed_same_subjects_other_seed_other_subjects():
    a = draw_subjects(6, np.random.default_rng(3))
    assert a == draw_subjects(6, np.random.default_rng(3))
    b = draw_subjects(6, np.random.default_rng(4))
    assert all(x != y for x, y in zip(a, b))
    assert [s.name for s in a] == [f"s{i:03d}" for i in range(6)]
    assert draw_subjects(3, np.random.default_rng(3)) == a[:3]  # more subjects extend, never reshuffle


def test_subjects_vary_and_stay_valid():
    subjects = draw_subjects(60, np.random.default_rng(0))
    assert {s.lighting for s in subjects} == set(LIGHTING_LEVELS)
    for s in subjects:
        low, high = LIGHTING_LEVELS[s.lighting]
        assert low <= s.light_intensity <= high
        assert abs(s.shirt_level - s.background_level) >= 0.15 - 1e-12
    for name in ("body_scale", "distance_m", "shift_x_m", "background_level", "noise_std", "speed_scale"):
        values = [getattr(s, name) for s in subjects]
        assert np.std(values) > 0, name
    assert len({s.style for s in subjects}) == len(subjects)


@pytest.mark.parametrize("n, n_test", [(2, 1), (5, 1), (24, 5), (30, 6)])
def test_split_is_by_subject_disjoint_and_complete(n, n_test):
    subjects = draw_subjects(n, np.random.default_rng(0))
    split = split_subjects(subjects)
    train, test = {s.name for s in split["train"]}, {s.name for s in split["test"]}
    assert len(test) == n_test and not train & test and train | test == {s.name for s in subjects}
    assert split == split_subjects(subjects)


def test_round_trip_and_validation_name_the_field():
    s = draw_subjects(1, np.random.default_rng(9))[0]
    assert Subject.from_dict(s.to_dict()) == s
    for kwargs, field in [({"body_scale": 3.0}, "body_scale"), ({"lighting": "disco"}, "lighting"),
                          ({"noise_std": float("nan")}, "noise_std"), ({"distance_m": True}, "distance_m"),
                          ({"name": ""}, "name"), ({"background_seed": -1}, "background_seed"),
                          ({"lighting": "dim"}, "light_intensity")]:
        with pytest.raises(ValueError, match=field):
            Subject(**kwargs)
    with pytest.raises(ValueError, match="unknown keys"):
        Subject.from_dict({"height_m": 1.8})
    with pytest.raises(ValueError, match="at least 2"):
        split_subjects(draw_subjects(1, np.random.default_rng(0)))
