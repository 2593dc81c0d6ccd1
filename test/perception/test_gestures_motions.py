"""Gesture motions: finite, periodic as documented, CW/CCW reversed in time, left = mirrored right."""

import numpy as np
import pytest

from snn_control.perception.events.types import GESTURE_CLASSES
from snn_control.perception.gestures.motions import (
    JOINT_NAMES,
    N_JOINTS,
    NOMINAL_PERIOD_S,
    MotionParams,
    Style,
    draw_style,
    gesture_pose_deg,
    jitter_deg,
    joint_trajectory,
    mirror,
)

T = np.linspace(0.0, 3.0, 301)
STYLED = Style(offsets_deg=tuple(np.linspace(-3, 3, N_JOINTS)), asymmetry=0.1, lag_rad=0.2, jitter_deg=0.0)


@pytest.mark.parametrize("gesture", GESTURE_CLASSES)
def test_finite_and_periodic_without_jitter(gesture):
    params = MotionParams(period_s=0.8, amplitude=1.1, phase_rad=0.7, style=STYLED)
    q = joint_trajectory(gesture, T, params)
    assert q.shape == (T.size, N_JOINTS) and np.all(np.isfinite(q))
    assert np.abs(q).max() < 4 * np.pi
    np.testing.assert_allclose(joint_trajectory(gesture, T + 0.8, params), q, atol=1e-9)
    assert np.ptp(q, axis=0).max() > np.radians(10)  # something moves by more than 10 degrees


@pytest.mark.parametrize("side", ["right", "left"])
def test_clockwise_and_counter_clockwise_are_the_same_motion_reversed_in_time(side):
    cw, ccw = f"{side}_arm_clockwise", f"{side}_arm_counter_clockwise"
    for phase in (0.0, 1.3):
        forward = joint_trajectory(ccw, T, MotionParams(period_s=1.1, phase_rad=phase, style=STYLED))
        backward = joint_trajectory(cw, -T, MotionParams(period_s=1.1, phase_rad=-phase, style=STYLED))
        np.testing.assert_allclose(forward, backward, atol=1e-9)
    assert not np.allclose(joint_trajectory(cw, T, MotionParams()), joint_trajectory(ccw, T, MotionParams()))


@pytest.mark.parametrize("right, left", [("right_hand_wave", "left_hand_wave"),
                                         ("right_arm_clockwise", "left_arm_counter_clockwise"),
                                         ("right_arm_counter_clockwise", "left_arm_clockwise")])
def test_left_handed_gestures_mirror_the_right_handed_ones(right, left):
    u = np.linspace(0, 2 * np.pi, 50)
    np.testing.assert_allclose(gesture_pose_deg(left, u, 0.9), mirror(gesture_pose_deg(right, u, 0.9)), atol=1e-12)
    # with asymmetry the active arm keeps its own side's amplitude
    style = Style(asymmetry=0.2)
    np.testing.assert_allclose(gesture_pose_deg(left, u, 1.0, style),
                               mirror(gesture_pose_deg(right, u, 1.0, Style(asymmetry=-0.2))), atol=1e-12)


def test_mirror_swaps_arms_and_is_an_involution():
    q = np.random.default_rng(0).normal(size=(4, N_JOINTS))
    m = mirror(q)
    np.testing.assert_array_equal(mirror(m), q)
    assert np.array_equal(m[:, JOINT_NAMES.index("left_elbow")], q[:, JOINT_NAMES.index("right_elbow")])
    assert np.array_equal(m[:, JOINT_NAMES.index("torso_twist")], -q[:, JOINT_NAMES.index("torso_twist")])
    assert np.array_equal(m[:, JOINT_NAMES.index("torso_lean")], q[:, JOINT_NAMES.index("torso_lean")])


def test_gestures_differ_pairwise():
    u = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    poses = {g: gesture_pose_deg(g, u) for g in GESTURE_CLASSES}
    for i, a in enumerate(GESTURE_CLASSES):
        for b in GESTURE_CLASSES[i + 1:]:
            assert np.abs(poses[a] - poses[b]).max() > 20.0, (a, b)


def test_amplitude_scales_the_oscillation():
    u = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    small, large = gesture_pose_deg("right_hand_wave", u, 0.6), gesture_pose_deg("right_hand_wave", u, 1.4)
    elbow = JOINT_NAMES.index("right_elbow")
    assert np.ptp(large[:, elbow]) == pytest.approx(np.ptp(small[:, elbow]) * 1.4 / 0.6)


def test_jitter_is_smooth_bounded_seeded_and_not_periodic():
    style = Style(jitter_deg=2.0, jitter_seed=5)
    j = jitter_deg(T, style)
    assert j.shape == (T.size, N_JOINTS)
    assert 1.0 < j.std() < 3.0 and np.abs(j).max() < 6 * 2.0
    assert np.abs(np.diff(j, axis=0)).max() < 1.0  # under a degree per 10 ms
    np.testing.assert_array_equal(j, jitter_deg(T, Style(jitter_deg=2.0, jitter_seed=5)))
    assert not np.allclose(j, jitter_deg(T, Style(jitter_deg=2.0, jitter_seed=6)))
    params = MotionParams(period_s=0.5, style=style)
    assert not np.allclose(joint_trajectory("hand_clap", T + 0.5, params), joint_trajectory("hand_clap", T, params))


def test_draw_style_is_seeded_and_valid():
    a, b = draw_style(np.random.default_rng(1)), draw_style(np.random.default_rng(1))
    assert a == b and a != draw_style(np.random.default_rng(2))
    assert Style.from_dict(a.to_dict()) == a


def test_params_round_trip_and_validation():
    params = MotionParams(period_s=0.9, amplitude=1.2, phase_rad=0.3, style=STYLED)
    assert MotionParams.from_dict(params.to_dict()) == params
    for kwargs, field in [({"period_s": 0.0}, "period_s"), ({"amplitude": 5.0}, "amplitude"),
                          ({"phase_rad": np.nan}, "phase_rad")]:
        with pytest.raises(ValueError, match=field):
            MotionParams(**kwargs)
    with pytest.raises(ValueError, match="offsets_deg"):
        Style(offsets_deg=(0.0,) * 3)
    with pytest.raises(ValueError, match="asymmetry"):
        Style(asymmetry=0.9)
    with pytest.raises(ValueError, match="unknown gesture"):
        gesture_pose_deg("moonwalk", np.zeros(2))
    assert set(NOMINAL_PERIOD_S) == set(GESTURE_CLASSES)
