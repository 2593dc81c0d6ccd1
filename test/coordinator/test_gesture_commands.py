"""Gesture commands: debounce, cooldown, clamping to the envelope, and configuration errors."""

import math

import pytest

from snn_control.coordinator.gestures import GestureMapper, GestureParams, gesture_setpoint
from snn_control.perception.events.types import GESTURE_CLASSES

P = GestureParams(debounce_n=3, max_gap_s=1.5, cooldown_s=3.0, min_score=0.5, step_m=0.5)


def feed(mapper, windows, setpoint=1.5, altitude=1.4):
    """``windows``: ``(t, label, score)``; returns the commands with the set-point carried along."""
    out = []
    for t, label, score in windows:
        cmd = mapper.on_label(label, score, t, setpoint, altitude)
        if cmd is not None:
            setpoint = cmd.setpoint_m
            out.append(cmd)
    return out


def test_a_command_needs_debounce_n_consistent_windows():
    m = GestureMapper(P)
    cmds = feed(m, [(0.0, "right_hand_wave", 0.9), (0.5, "right_hand_wave", 0.8)])
    assert cmds == []
    (cmd,) = feed(m, [(1.0, "right_hand_wave", 0.7)])
    assert (cmd.t_s, cmd.label, cmd.action, cmd.setpoint_m) == (1.0, "right_hand_wave", "climb", 2.0)
    assert "right_hand_wave x3" in cmd.reason


@pytest.mark.parametrize("breaker", [("left_hand_wave", 0.9), ("right_hand_wave", 0.3), ("air_guitar", 0.9),
                                     ("not_a_gesture", 0.9), (None, 0.9), ("right_hand_wave", math.nan)])
def test_any_other_window_restarts_the_count(breaker):
    m = GestureMapper(P)
    windows = [(0.0, "right_hand_wave", 0.9), (0.5, "right_hand_wave", 0.9), (1.0, *breaker),
               (1.5, "right_hand_wave", 0.9), (2.0, "right_hand_wave", 0.9)]
    assert feed(m, windows) == []
    assert len(feed(m, [(2.5, "right_hand_wave", 0.9)])) == 1


def test_windows_too_far_apart_do_not_count_together():
    m = GestureMapper(P)
    assert feed(m, [(0.0, "hand_clap", 0.9), (0.5, "hand_clap", 0.9), (2.1, "hand_clap", 0.9)]) == []
    assert len(feed(m, [(2.6, "hand_clap", 0.9), (3.0, "hand_clap", 0.9)])) == 1


def test_the_cooldown_ignores_labels_then_needs_a_fresh_debounce():
    m = GestureMapper(P)
    waves = [(0.5 * k, "right_hand_wave", 0.9) for k in range(20)]  # keep waving for 10 s
    cmds = feed(m, waves)
    assert [c.t_s for c in cmds] == [1.0, 5.0, 9.0]  # fire, 3 s quiet, 3 more windows, fire, ...
    assert [c.setpoint_m for c in cmds] == [2.0, 2.5, 2.8]  # clamped at the ceiling


def test_setpoints_are_clamped_to_the_envelope():
    assert gesture_setpoint(P, "climb", 2.6, 2.6) == (2.8, True)
    assert gesture_setpoint(P, "descend", 0.5, 0.5) == (0.3, True)
    assert gesture_setpoint(P, "descend", 1.5, 1.4) == (1.0, False)
    assert gesture_setpoint(P, "land", 2.0, 2.0) == (0.3, False)
    assert gesture_setpoint(P, "hold", 2.0, 1.7) == (1.7, False)
    assert gesture_setpoint(P, "hold", 2.0, None) == (2.0, False)
    assert gesture_setpoint(P, "hold", 2.0, 5.0) == (2.8, True)
    assert gesture_setpoint(P, "climb", None, 1.2) == (1.7, False)
    assert gesture_setpoint(P, "climb", None, None) == (0.8, False)


def test_each_default_gesture_does_what_the_issue_says():
    actions = GestureParams().actions()
    assert actions == {"right_hand_wave": "climb", "left_hand_wave": "descend", "hand_clap": "hold", "arm_roll": "land"}
    assert set(actions) <= set(GESTURE_CLASSES)
    m = GestureMapper(P)
    (cmd,) = feed(m, [(t, "arm_roll", 0.9) for t in (0.0, 0.4, 0.8)], setpoint=2.0, altitude=2.0)
    assert cmd.action == "land" and cmd.setpoint_m == 0.3


@pytest.mark.parametrize("mapping,message", [
    (("right_hand_wav=climb",), "unknown label 'right_hand_wav'"),
    (("hand_clap=jump",), "unknown action 'jump'"),
    (("hand_clap",), "not 'label=action'"),
    (("hand_clap=hold", "hand_clap=land"), "mapped twice"),
    ((3,), "not 'label=action'"),
])
def test_a_bad_mapping_fails_at_configuration_time(mapping, message):
    with pytest.raises(ValueError, match=message):
        GestureParams(mapping=mapping)


@pytest.mark.parametrize("kwargs,field", [({"min_m": 3.0}, "min_m"), ({"debounce_n": 0}, "debounce_n"),
                                          ({"cooldown_s": -1.0}, "cooldown_s"), ({"step_m": math.inf}, "step_m")])
def test_bad_numbers_name_their_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        GestureParams(**kwargs)


def test_a_custom_class_list_and_mapping_round_trip():
    p = GestureParams(mapping=("up=climb", "down=descend"), classes=("up", "down", "still"))
    assert GestureParams.from_dict({k: list(v) if isinstance(v, tuple) else v for k, v in p.to_dict().items()}) == p
    assert GestureMapper(p).actions == {"up": "climb", "down": "descend"}
