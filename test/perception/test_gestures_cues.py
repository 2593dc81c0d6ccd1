"""Gestures at given times with stillness between (the mission's event camera)."""

import numpy as np
import pytest

from snn_control.perception.events.types import GESTURE_CLASSES
from snn_control.perception.gestures.script import render_cues


def test_cues_land_at_their_times_with_nothing_between():
    s = render_cues([(1.0, "hand_clap"), (5.0, "arm_roll")], gesture_s=1.0, fps=120)
    t = s.events["t"]
    assert len(t) > 100 and np.all(np.diff(t) >= 0)
    assert np.all(((t >= 1.0) & (t < 2.0)) | ((t >= 5.0) & (t < 6.0)))  # still between cues: no events
    assert [(GESTURE_CLASSES[g.label], g.t0_s, g.t1_s) for g in s.segments] == [
        ("hand_clap", 1.0, 2.0), ("arm_roll", 5.0, 6.0)]
    assert s.duration_s == 6.0


@pytest.mark.parametrize("cues, match", [
    ([(1.0, "jazz_hands")], "unknown gesture"),
    ([(1.0, "hand_clap"), (1.5, "arm_roll")], "before cue 0 ends"),
    ([(-1.0, "hand_clap")], "finite and >= 0"),
])
def test_bad_cues_are_refused(cues, match):
    with pytest.raises(ValueError, match=match):
        render_cues(cues, gesture_s=1.0)
