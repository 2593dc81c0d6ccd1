"""Rendering: a few headless frames of the right shape, in [0, 1], moving, seeded (MUJOCO_GL=egl)."""

import numpy as np
import pytest

from snn_control.perception.gestures.motions import MotionParams
from snn_control.perception.gestures.render import GestureRenderer, RenderConfig, frame_times
from snn_control.perception.gestures.subjects import Subject


@pytest.fixture(scope="module")
def renderer():
    with GestureRenderer(Subject(noise_std=0.002), RenderConfig(fps=100.0)) as r:
        yield r


def test_a_short_trial_renders_moving_frames(renderer):
    frames, times = renderer.trial("right_hand_wave", MotionParams(period_s=0.4), 0.1, np.random.default_rng(0))
    assert frames.shape == (11, 128, 128) and frames.dtype == np.float32
    np.testing.assert_allclose(times, np.arange(11) / 100.0)
    assert 0.0 <= frames.min() and frames.max() <= 1.0
    assert 0.05 < frames.mean() < 0.95  # neither black nor white
    moved = np.abs(frames[5] - frames[0]) > 0.1
    assert 20 < moved.sum() < 0.2 * moved.size  # the arm moved, the scene did not
    assert moved[:, :64].sum() > 2 * moved[:, 64:].sum()  # the right hand waves on the image's left (the body sways)


def test_same_generator_same_frames_noise_differs_otherwise(renderer):
    params = MotionParams(period_s=0.5)
    a, _ = renderer.trial("hand_clap", params, 0.02, np.random.default_rng(1))
    b, _ = renderer.trial("hand_clap", params, 0.02, np.random.default_rng(1))
    c, _ = renderer.trial("hand_clap", params, 0.02, np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
    residual = (a - c).std()
    assert 0.5 * 0.002 < residual < 2 * np.sqrt(2) * 0.002  # only the camera noise differs


def test_dim_light_renders_darker():
    with GestureRenderer(Subject(lighting="dim", light_intensity=0.15)) as dim:
        dark = dim.clean_frame(np.zeros(dim.model.nq))
    with GestureRenderer(Subject(lighting="bright", light_intensity=0.95)) as bright:
        light = bright.clean_frame(np.zeros(bright.model.nq))
    assert dark.mean() < 0.5 * light.mean()


def test_frame_times_and_config_validation():
    np.testing.assert_allclose(frame_times(0.3, 10.0), [0.0, 0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="duration_s"):
        frame_times(0.0, 100.0)
    with pytest.raises(ValueError, match="fps"):
        RenderConfig(fps=1.0)
    with pytest.raises(ValueError, match="width"):
        RenderConfig(width=8)


@pytest.mark.parametrize("gesture", ["right_arm_clockwise", "right_arm_counter_clockwise",
                                     "left_arm_clockwise", "left_arm_counter_clockwise"])
def test_events_of_an_arm_circle_turn_as_named(gesture):
    """Through the emulator: the events' mean bearing from the shoulder turns clockwise (as seen)
    for *_clockwise and the other way for *_counter_clockwise, at one turn per period."""
    import mujoco

    from snn_control.perception.events.emulator import emulate
    from snn_control.perception.gestures.dataset import emulator_config
    from snn_control.perception.gestures.scene import camera_pixels

    subject = Subject()
    with GestureRenderer(subject, RenderConfig(fps=150.0)) as r:
        frames, times = r.trial(gesture, MotionParams(period_s=0.8, phase_rad=0.5), 0.6, np.random.default_rng(0))
        mujoco.mj_kinematics(r.model, r.data)
        mujoco.mj_camlight(r.model, r.data)
        side = gesture.split("_")[0]
        shoulder = camera_pixels(r.model, r.data, r.data.body(f"{side}_upper_arm").xpos)[0]
    events = emulate(frames, times, emulator_config(subject), np.random.default_rng(0))
    bearings = []
    for t0 in np.arange(0.0, 0.6, 0.05):
        e = events[(events["t"] >= t0) & (events["t"] < t0 + 0.05)]
        dx, dy = e["x"] - shoulder[0], e["y"] - shoulder[1]
        far = np.hypot(dx, dy) > 25.0  # the forearm and hand, not the shoulder's own edges
        bearings.append(np.arctan2(dy[far].mean(), dx[far].mean()))  # y down: + is clockwise as seen
    turn = np.diff(np.unwrap(bearings))
    sign = -1.0 if "counter" in gesture else 1.0
    assert np.all(sign * turn > 0)
    assert sign * turn.mean() == pytest.approx(2 * np.pi * 0.05 / 0.8, rel=0.25)
