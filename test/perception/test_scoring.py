"""Scoring window decisions against a scripted gesture sequence."""

import pytest

from snn_control.perception.events import GESTURE_CLASSES
from snn_control.perception.scoring import Segment, score_windows, script_segments, window_truth

WAVE, CLAP = GESTURE_CLASSES.index("right_hand_wave"), GESTURE_CLASSES.index("hand_clap")


def test_only_windows_inside_one_gesture_have_a_truth():
    segs = script_segments(["right_hand_wave", "hand_clap"], gesture_s=2.0)
    assert window_truth(0.0, 0.5, segs) == WAVE
    assert window_truth(1.5, 2.0, segs) == WAVE  # ends exactly at the change
    assert window_truth(1.75, 2.25, segs) is None  # straddles it
    assert window_truth(2.0, 2.5, segs) == CLAP


def test_score_counts_scored_transition_and_outside_windows():
    segs = script_segments(["right_hand_wave", "hand_clap"], gesture_s=1.0)
    windows = [(0.0, 0.5, WAVE), (0.25, 0.75, CLAP), (0.5, 1.0, WAVE), (0.75, 1.25, CLAP),
               (1.0, 1.5, CLAP), (1.25, 1.75, CLAP), (1.5, 2.0, CLAP), (1.75, 2.25, CLAP)]
    out = score_windows(windows, segs)
    assert out["n_windows"] == 8 and out["n_scored"] == 6 and out["n_transition"] == 1 and out["n_outside"] == 1
    assert out["accuracy"] == pytest.approx(5 / 6)
    assert out["per_class_accuracy"] == {"hand_clap": 1.0, "right_hand_wave": pytest.approx(2 / 3)}
    assert out["confusion"][WAVE][CLAP] == 1


def test_bad_scripts_are_refused():
    with pytest.raises(ValueError, match="unknown gesture 'moonwalk'"):
        script_segments(["moonwalk"], 1.0)
    with pytest.raises(ValueError, match="end after"):
        Segment(0, 1.0, 1.0)
    assert score_windows([], [])["accuracy"] is None


def test_a_window_without_a_label_inside_a_gesture_counts_as_wrong():
    segs = script_segments(["right_hand_wave"], gesture_s=1.0)
    out = score_windows([(0.0, 0.5, WAVE), (0.25, 0.75, None), (0.5, 1.0, WAVE)], segs)
    assert out["n_scored"] == 3 and out["n_unlabelled"] == 1
    assert out["accuracy"] == pytest.approx(2 / 3) and out["accuracy_labelled"] == 1.0
    assert out["per_class_accuracy"] == {"right_hand_wave": pytest.approx(2 / 3)}
