"""The gesture scene: every element named, joints in the motions' order, per-subject edits, and the
arm circles turning the documented way as seen by the camera (kinematics only, no rendering)."""

import mujoco
import numpy as np
import pytest

from snn_control.perception.events.types import SENSOR_WIDTH
from snn_control.perception.gestures.motions import JOINT_NAMES, MotionParams, joint_trajectory
from snn_control.perception.gestures.scene import CAMERA, build_model, camera_pixels, light_direction, wall_texture
from snn_control.perception.gestures.subjects import Subject

OBJECTS = [mujoco.mjtObj.mjOBJ_BODY, mujoco.mjtObj.mjOBJ_JOINT, mujoco.mjtObj.mjOBJ_GEOM, mujoco.mjtObj.mjOBJ_SITE,
           mujoco.mjtObj.mjOBJ_CAMERA, mujoco.mjtObj.mjOBJ_LIGHT, mujoco.mjtObj.mjOBJ_MATERIAL]


@pytest.fixture(scope="module")
def model():
    return build_model()


def test_every_element_is_named_and_joints_match_the_motions(model):
    counts = {mujoco.mjtObj.mjOBJ_BODY: model.nbody, mujoco.mjtObj.mjOBJ_JOINT: model.njnt,
              mujoco.mjtObj.mjOBJ_GEOM: model.ngeom, mujoco.mjtObj.mjOBJ_SITE: model.nsite,
              mujoco.mjtObj.mjOBJ_CAMERA: model.ncam, mujoco.mjtObj.mjOBJ_LIGHT: model.nlight,
              mujoco.mjtObj.mjOBJ_MATERIAL: model.nmat}
    for kind in OBJECTS:
        first = 1 if kind == mujoco.mjtObj.mjOBJ_BODY else 0  # body 0 is the world
        for i in range(first, counts[kind]):
            assert mujoco.mj_id2name(model, kind, i), f"{kind} {i} has no name"
    assert tuple(model.joint(i).name for i in range(model.njnt)) == JOINT_NAMES
    assert model.nq == len(JOINT_NAMES) and set(model.jnt_type.tolist()) == {int(mujoco.mjtJoint.mjJNT_HINGE)}


def hand_pixels(model, qpos, site):
    """Where a site appears in the image over a joint trajectory, ``(N, 2)`` (x right, y down)."""
    data = mujoco.MjData(model)
    out = []
    for q in qpos:
        data.qpos[:] = q
        mujoco.mj_kinematics(model, data)
        mujoco.mj_camlight(model, data)
        out.append(camera_pixels(model, data, data.site(site).xpos)[0])
    return np.array(out)


def test_camera_pixels_centre_and_axes(model):
    data = mujoco.MjData(model)
    mujoco.mj_kinematics(model, data)
    mujoco.mj_camlight(model, data)
    cam = data.cam_xpos[model.camera(CAMERA).id]
    ahead = cam + np.array([0.0, 2.0, 0.0])
    px = camera_pixels(model, data, np.stack([ahead, ahead + [0.1, 0, 0], ahead + [0, 0, 0.1]]))
    np.testing.assert_allclose(px[0], [SENSOR_WIDTH / 2, SENSOR_WIDTH / 2], atol=1e-9)
    assert px[1, 0] > px[0, 0] and px[2, 1] < px[0, 1]  # +x is the image's right, +z is up
    # the image's top edge is fovy / 2 above the axis
    top = cam + 2.0 * np.array([0.0, 1.0, np.tan(np.radians(model.cam_fovy[model.camera(CAMERA).id] / 2))])
    assert camera_pixels(model, data, top)[0, 1] == pytest.approx(0.0, abs=1e-9)


def signed_area(xy):
    """Shoelace area in image coordinates (y down): > 0 for a clockwise loop as seen in the image."""
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)


@pytest.mark.parametrize("gesture, site, sign", [
    ("right_arm_clockwise", "right_hand", 1), ("right_arm_counter_clockwise", "right_hand", -1),
    ("left_arm_clockwise", "left_hand", 1), ("left_arm_counter_clockwise", "left_hand", -1)])
def test_arm_circles_turn_as_named_seen_by_the_camera(model, gesture, site, sign):
    t = np.linspace(0.0, 1.0, 40, endpoint=False)
    xy = hand_pixels(model, joint_trajectory(gesture, t, MotionParams(period_s=1.0)), site)
    assert sign * signed_area(xy) > 0.25 * np.pi * 40**2  # a circle of radius > 20 px, right sense
    right_side = xy[:, 0].mean() < 64
    assert right_side == site.startswith("right")  # the person's right arm is on the image's left


def test_clap_and_arm_roll_move_the_hands_apart_sideways_and_up_and_down(model):
    """As the camera sees them: in a clap the hands meet near the midline and part sideways by about
    the shoulders' width; in an arm roll they circle up and down, and sideways much less."""
    t = np.linspace(0.0, 1.0, 40, endpoint=False)
    params = MotionParams(period_s=1.0)
    clap = {s: hand_pixels(model, joint_trajectory("hand_clap", t, params), s) for s in ("right_hand", "left_hand")}
    gap = clap["left_hand"][:, 0] - clap["right_hand"][:, 0]  # the person's left hand is on the image's right
    assert gap.min() < 8.0 and gap.max() > 30.0  # together at u = 0, ~40 px apart half a cycle later
    assert np.ptp(clap["right_hand"][:, 0]) > 1.5 * np.ptp(clap["right_hand"][:, 1])  # sideways
    roll = hand_pixels(model, joint_trajectory("arm_roll", t, params), "right_hand")
    assert np.ptp(roll[:, 1]) > 1.5 * np.ptp(roll[:, 0])  # up and down


def test_subject_scales_moves_and_lights_the_scene():
    base = build_model(Subject())
    tall = build_model(Subject(body_scale=1.1, arm_scale=1.05, shift_x_m=0.1, distance_m=1.8))
    assert tall.body("right_forearm").pos[2] == pytest.approx(base.body("right_forearm").pos[2] * 1.1 * 1.05)
    assert tall.geom("chest").size[0] == pytest.approx(base.geom("chest").size[0] * 1.1)
    assert tall.body("torso").pos[0] == pytest.approx(0.1)
    assert tall.cam_pos[0][1] == pytest.approx(-1.8)
    dim = build_model(Subject(lighting="dim", light_intensity=0.2, light_azimuth_deg=-30.0))
    assert dim.light_diffuse[0][0] == pytest.approx(0.2)
    np.testing.assert_allclose(dim.light_dir[0], light_direction(-30.0, Subject().light_elevation_deg), atol=1e-6)


def test_light_direction_points_from_the_light_into_the_scene():
    d = light_direction(0.0, 30.0)
    assert np.linalg.norm(d) == pytest.approx(1.0)
    assert d[1] > 0 and d[2] < 0  # from behind the camera and above, toward the wall and down
    assert light_direction(40.0, 30.0)[0] < 0  # a light on the image's right shines to the left


def test_wall_texture_is_seeded_with_the_subjects_level_and_contrast():
    a = wall_texture(Subject(background_seed=3, background_level=0.4, background_contrast=0.1))
    assert a.shape == (128, 128) and a.dtype == np.uint8
    assert a.mean() / 255 == pytest.approx(0.4, abs=0.02) and a.std() / 255 == pytest.approx(0.1, abs=0.02)
    np.testing.assert_array_equal(a, wall_texture(Subject(background_seed=3, background_level=0.4,
                                                          background_contrast=0.1)))
    assert not np.array_equal(a, wall_texture(Subject(background_seed=4, background_level=0.4,
                                                      background_contrast=0.1)))
