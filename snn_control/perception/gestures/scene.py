"""The gesture scene for one subject: ``sim/gestures/upper_body.xml`` edited with ``mujoco.MjSpec``.

:func:`build_model` scales the body (``body_scale`` for every length, ``arm_scale`` on top for the
arms), stands the person ``shift_x_m`` to the image's right and frames them from ``distance_m``
(the camera's height follows the body's scale, ``shift_z_m`` moves the person up in the image),
points the key and fill lights, sets the grey levels of skin, shirt and wall, and paints the wall
with a smooth random texture of ``background_contrast`` rms. Nothing is simulated, so masses and
contacts do not matter.
"""

from __future__ import annotations

import numpy as np

from snn_control.paths import sim_path
from snn_control.perception.events.types import SENSOR_HEIGHT, SENSOR_WIDTH
from snn_control.perception.gestures.motions import JOINT_NAMES
from snn_control.perception.gestures.subjects import Subject

MODEL_FILE = "gestures/upper_body.xml"
CAMERA = "dvs"
HIP_HEIGHT_M = 0.95  # torso body origin above the floor at body_scale 1
CAMERA_HEIGHT_M = 1.3  # camera height at body_scale 1 (a little below the shoulders)
_ARM_BODIES = ("upper_arm", "forearm", "hand")
_WALL_TEXELS = 128


def _import_mujoco():
    try:
        import mujoco
    except ModuleNotFoundError as exc:  # pragma: no cover - mujoco is a declared dependency
        raise ModuleNotFoundError("the gesture scene needs MuJoCo: pip install mujoco") from exc
    return mujoco


def _subtree(body) -> list:
    out = [body]
    for child in body.bodies:
        out += _subtree(child)
    return out


def _scale_body(spec, subject: Subject) -> None:
    """Scale body offsets and geoms below the torso about each body's own origin."""
    for body in _subtree(spec.body("torso")):
        is_arm = any(body.name.endswith(part) for part in _ARM_BODIES)
        s = subject.body_scale * (subject.arm_scale if is_arm else 1.0)
        if body.name != "torso":
            parent_is_arm = body.name.endswith(("forearm", "hand"))
            body.pos = body.pos * subject.body_scale * (subject.arm_scale if parent_is_arm else 1.0)
        for geom in body.geoms:
            geom.pos = geom.pos * s
            geom.size = geom.size * s


def _place(spec, subject: Subject) -> None:
    spec.body("torso").pos = [subject.shift_x_m, 0.0, HIP_HEIGHT_M * subject.body_scale]
    spec.camera(CAMERA).pos = [0.0, -subject.distance_m, CAMERA_HEIGHT_M * subject.body_scale - subject.shift_z_m]


def light_direction(azimuth_deg: float, elevation_deg: float) -> np.ndarray:
    """Unit direction a light shines along, for a light at ``azimuth_deg`` (0: behind the camera,
    +: toward the image's right) and ``elevation_deg`` above the horizon."""
    az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
    toward_light = np.array([np.sin(az) * np.cos(el), -np.cos(az) * np.cos(el), np.sin(el)])
    return -toward_light


def _light(spec, subject: Subject) -> None:
    i = subject.light_intensity
    key, fill = spec.light("key"), spec.light("fill")
    key.dir = light_direction(subject.light_azimuth_deg, subject.light_elevation_deg)
    key.diffuse = [i, i, i]
    key.ambient = [0.2 * i] * 3
    key.specular = [0.1 * i] * 3
    fill.dir = light_direction(-0.7 * subject.light_azimuth_deg, 10.0)
    fill.diffuse = [subject.fill_ratio * i] * 3


def _grey(level: float) -> list[float]:
    return [level, level, level, 1.0]


def _materials(spec, subject: Subject) -> None:
    spec.material("skin").rgba = _grey(subject.skin_level)
    spec.material("hair").rgba = _grey(0.2 * subject.skin_level)
    spec.material("shirt").rgba = _grey(subject.shirt_level)
    spec.material("trousers").rgba = _grey(0.15 + 0.5 * subject.shirt_level)
    spec.material("wall").rgba = [1.0, 1.0, 1.0, 1.0]  # the texture carries the wall's grey level


def wall_texture(subject: Subject) -> np.ndarray:
    """The wall's albedo, ``(128, 128)`` uint8: a smooth random field of mean ``background_level``
    and rms ``background_contrast`` (an 8 x 8 Gaussian grid upsampled bicubically)."""
    import cv2

    rng = np.random.default_rng(subject.background_seed)
    field = cv2.resize(rng.standard_normal((8, 8)), (_WALL_TEXELS, _WALL_TEXELS), interpolation=cv2.INTER_CUBIC)
    field = (field - field.mean()) / max(field.std(), 1e-9)
    albedo = np.clip(subject.background_level + subject.background_contrast * field, 0.0, 1.0)
    return np.round(255.0 * albedo).astype(np.uint8)


def _wall(spec, subject: Subject, mujoco) -> None:
    texture = spec.texture("wall")
    texture.builtin = mujoco.mjtBuiltin.mjBUILTIN_NONE
    texture.width = texture.height = _WALL_TEXELS
    texture.nchannel = 3
    texture.data = np.repeat(wall_texture(subject)[:, :, None], 3, axis=2).tobytes()


def camera_pixels(model, data, points_world: np.ndarray) -> np.ndarray:
    """Pinhole projection of world points ``(N, 3)`` into the ``dvs`` camera's 128 x 128 image:
    ``(N, 2)`` pixel coordinates, x right, y down, origin at the top-left corner. ``data`` must
    hold the current ``mj_kinematics`` and ``mj_camlight`` results."""
    cam = model.camera(CAMERA).id
    local = (np.atleast_2d(points_world) - data.cam_xpos[cam]) @ data.cam_xmat[cam].reshape(3, 3)
    f = 0.5 * SENSOR_HEIGHT / np.tan(np.radians(0.5 * model.cam_fovy[cam]))  # fovy spans the height
    depth = -local[:, 2]  # the camera looks along its -z
    return np.stack([0.5 * SENSOR_WIDTH + f * local[:, 0] / depth, 0.5 * SENSOR_HEIGHT - f * local[:, 1] / depth], axis=1)


def build_model(subject: Subject | None = None):
    """The compiled ``mujoco.MjModel`` of the scene as ``subject`` sees it (default: a nominal one).

    Raises:
        ValueError: The model file's joints are not :data:`JOINT_NAMES` in order.
    """
    mujoco = _import_mujoco()
    subject = subject or Subject()
    spec = mujoco.MjSpec.from_file(str(sim_path(MODEL_FILE)))
    _scale_body(spec, subject)
    _place(spec, subject)
    _light(spec, subject)
    _materials(spec, subject)
    _wall(spec, subject, mujoco)
    model = spec.compile()
    names = tuple(model.joint(i).name for i in range(model.njnt))
    if names != JOINT_NAMES:
        raise ValueError(f"{MODEL_FILE}: joints {names} differ from motions.JOINT_NAMES {JOINT_NAMES}")
    return model
