"""The ten DVS128 gestures as joint-angle trajectories of time, for ``sim/gestures/upper_body.xml``.

Every gesture is a periodic pose function of the cycle phase

    u(t) = 2 pi t / T + phi                 (T = ``period_s``, phi = ``phase_rad``)
    q(t) = P_g(u(t); a_R, a_L) + o + j(t)   (degrees, one column per joint in :data:`JOINT_NAMES`)

where ``P_g`` is the gesture's pose (a centre pose plus oscillations scaled by the arm amplitudes
a_R = a (1 + s) and a_L = a (1 - s), a = ``amplitude``, s = ``Style.asymmetry``; the second hand of
a two-handed gesture runs ``Style.lag_rad`` behind), ``o`` the subject's constant joint offsets and
``j`` a smooth jitter (three incommensurate sinusoids per joint, ``Style.jitter_deg`` rms). Without
jitter, q(t + T) = q(t) for every gesture (the circling shoulder's angle is wrapped to [0, 360)).

Directions. The person faces the camera, so their right arm is on the image's left. Clockwise
means clockwise *as seen by the camera* (in the image, y down): the hand goes top, image right,
bottom, image left. The right arm circles clockwise when its abduction angle grows. The two
directions of a circle differ only in the sense of time: ``*_counter_clockwise`` at phase u is
``*_clockwise`` at -u, so ccw(t, phi) = cw(-t, -phi), as in the real data where only the
direction tells them apart. Left-handed gestures are right-handed ones mirrored through the
body's mid-plane (:func:`mirror`), which turns a clockwise circle into a counter-clockwise one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from snn_control.dictio import DictIO
from snn_control.perception.events.types import GESTURE_CLASSES

JOINT_NAMES: tuple[str, ...] = (
    "torso_lean", "torso_bend", "torso_twist", "neck_nod", "neck_turn",
    *(f"{side}_{j}" for side in ("right", "left") for j in (
        "shoulder_abduct", "shoulder_flex", "shoulder_rotate", "elbow", "wrist_flex", "wrist_deviate")),
)
N_JOINTS = len(JOINT_NAMES)
_COL = {name: i for i, name in enumerate(JOINT_NAMES)}
_ARM = ("shoulder_abduct", "shoulder_flex", "shoulder_rotate", "elbow", "wrist_flex", "wrist_deviate")
_ODD_UNDER_MIRROR = ("torso_bend", "torso_twist", "neck_turn")  # sign flips left <-> right
_REST = {"shoulder_abduct": 8.0, "shoulder_flex": 6.0, "shoulder_rotate": 10.0, "elbow": 12.0,
         "wrist_flex": 5.0, "wrist_deviate": 0.0}

# Nominal gesture periods (one cycle of P_g), seconds; subjects and trials scale them.
NOMINAL_PERIOD_S: dict[str, float] = {
    "hand_clap": 0.55, "right_hand_wave": 0.7, "left_hand_wave": 0.7,
    "right_arm_clockwise": 1.2, "right_arm_counter_clockwise": 1.2,
    "left_arm_clockwise": 1.2, "left_arm_counter_clockwise": 1.2,
    "arm_roll": 0.7, "air_drums": 1.0, "air_guitar": 0.9,
}


@dataclass(frozen=True)
class Style(DictIO):
    """How one subject performs every gesture (the same for all their trials)."""

    offsets_deg: tuple[float, ...] = field(default=(0.0,) * N_JOINTS)
    asymmetry: float = 0.0  # s: right arm amplitude x (1 + s), left x (1 - s)
    lag_rad: float = 0.0  # second hand's phase lag in two-handed gestures
    jitter_deg: float = 0.0  # rms of the smooth jitter per joint
    jitter_seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "offsets_deg", tuple(float(v) for v in self.offsets_deg))
        if len(self.offsets_deg) != N_JOINTS or not np.all(np.isfinite(self.offsets_deg)):
            raise ValueError(f"Style.offsets_deg must be {N_JOINTS} finite numbers, got {self.offsets_deg!r}")
        if not -0.5 <= self.asymmetry <= 0.5:
            raise ValueError(f"Style.asymmetry must be in [-0.5, 0.5], got {self.asymmetry!r}")
        if not -np.pi <= self.lag_rad <= np.pi:
            raise ValueError(f"Style.lag_rad must be in [-pi, pi], got {self.lag_rad!r}")
        if not 0.0 <= self.jitter_deg <= 20.0:
            raise ValueError(f"Style.jitter_deg must be in [0, 20], got {self.jitter_deg!r}")
        if self.jitter_seed < 0:
            raise ValueError(f"Style.jitter_seed must be >= 0, got {self.jitter_seed!r}")


def draw_style(rng: np.random.Generator) -> Style:
    """A subject's style: arm-joint offsets (4 deg sd), asymmetry, lag, jitter."""
    offsets = rng.normal(0.0, 4.0, N_JOINTS).clip(-10.0, 10.0)
    offsets[:5] = rng.normal(0.0, 2.0, 5).clip(-5.0, 5.0)  # torso and neck: posture
    return Style(offsets_deg=tuple(offsets), asymmetry=float(rng.uniform(-0.15, 0.15)),
                 lag_rad=float(rng.uniform(-0.4, 0.4)), jitter_deg=float(rng.uniform(1.0, 3.5)),
                 jitter_seed=int(rng.integers(2**31)))


@dataclass(frozen=True)
class MotionParams(DictIO):
    """One trial's timing and size; ``style`` is the subject's."""

    period_s: float = 1.0
    amplitude: float = 1.0
    phase_rad: float = 0.0
    style: Style = field(default_factory=Style)

    def __post_init__(self) -> None:
        if not 0.1 <= self.period_s <= 10.0:
            raise ValueError(f"MotionParams.period_s must be in [0.1, 10], got {self.period_s!r}")
        if not 0.3 <= self.amplitude <= 2.0:
            raise ValueError(f"MotionParams.amplitude must be in [0.3, 2], got {self.amplitude!r}")
        if not np.isfinite(self.phase_rad):
            raise ValueError(f"MotionParams.phase_rad must be finite, got {self.phase_rad!r}")
        if not isinstance(self.style, Style):
            raise ValueError(f"MotionParams.style must be a Style, got {type(self.style).__name__}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MotionParams":
        data = dict(data)
        if isinstance(data.get("style"), dict):
            data["style"] = Style.from_dict(data["style"])
        return super().from_dict(data)


Pose = dict[str, Any]  # joint name -> angle (deg), scalar or array over time


def _arm(side: str, **angles: Any) -> Pose:
    return {f"{side}_{k}": v for k, v in {**_REST, **angles}.items()}


def _hand_clap(u, ar, al, lag) -> Pose:
    """Hands meet at the body's midline in front of the chest once per cycle (u = 0), forearms raised
    and converging, and swing apart sideways, past shoulder width at full amplitude (the forearms
    turn outward about the upper arms, the elbows lift out)."""
    pose = {}
    for side, a, w in (("right", ar, u), ("left", al, u + 0.3 * lag)):
        opening = a * 0.5 * (1.0 - np.cos(w))
        pose |= _arm(side, shoulder_abduct=10.0 + 12.0 * opening, shoulder_flex=30.0 + 4.0 * np.sin(w),
                     shoulder_rotate=52.0 - 45.0 * opening, elbow=105.0, wrist_flex=-10.0, wrist_deviate=5.0)
    return pose | {"torso_lean": 3.0 + 1.5 * np.cos(u)}


def _right_hand_wave(u, ar, al, lag) -> Pose:
    """Right forearm up, swinging side to side in the image plane, the hand following late."""
    return (_arm("right", shoulder_abduct=52.0 + 6.0 * np.sin(u), shoulder_flex=15.0, shoulder_rotate=-80.0,
                 elbow=122.0 + 25.0 * ar * np.sin(u), wrist_flex=0.0, wrist_deviate=18.0 * ar * np.sin(u - 0.6))
            | _arm("left") | {"torso_bend": -2.0 * np.sin(u), "neck_turn": -4.0})


def _right_arm_clockwise(u, ar, al, lag) -> Pose:
    """The nearly straight right arm circles the shoulder in the image plane, clockwise."""
    abduct = np.degrees(np.mod(u, 2.0 * np.pi))  # grows (mod 360): clockwise as seen by the camera
    return (_arm("right", shoulder_abduct=abduct, shoulder_flex=18.0 + 8.0 * np.sin(u + 0.5),
                 shoulder_rotate=0.0, elbow=25.0 - 18.0 * min(ar, 1.2) + 5.0 * np.cos(u), wrist_flex=10.0)
            | _arm("left") | {"torso_bend": -4.0 * np.cos(u), "torso_twist": 2.0 * np.sin(u)})


def _arm_roll(u, ar, al, lag) -> Pose:
    """Forearms across the chest roll around each other: each hand circles in the sagittal plane,
    the two half a cycle apart."""
    pose = {}
    for side, a, w in (("right", ar, u), ("left", al, u + np.pi + lag)):
        pose |= _arm(side, shoulder_abduct=18.0, shoulder_flex=38.0 + 14.0 * a * np.sin(w),
                     shoulder_rotate=72.0, elbow=100.0 + 22.0 * a * np.cos(w), wrist_flex=10.0)
    return pose


def _air_drums(u, ar, al, lag) -> Pose:
    """Hands strike alternately twice per cycle (wrist flick), moving once per cycle between drums."""
    pose = {}
    for side, a, w in (("right", ar, 2.0 * u), ("left", al, 2.0 * u + np.pi + lag)):
        strike = a * np.maximum(np.sin(w), 0.0) ** 1.5  # 0 = stick up, 1 = hit
        reach = 14.0 * np.sin(u + (0.0 if side == "right" else 1.2))
        pose |= _arm(side, shoulder_abduct=22.0 + reach, shoulder_flex=28.0 - 6.0 * strike,
                     shoulder_rotate=35.0, elbow=95.0 - 30.0 * strike, wrist_flex=25.0 - 40.0 * strike)
    return pose | {"torso_lean": 4.0 + 2.0 * np.sin(2.0 * u), "neck_nod": 5.0 + 4.0 * np.sin(2.0 * u)}


def _air_guitar(u, ar, al, lag) -> Pose:
    """Left hand out on the neck (sliding once per cycle), right hand strumming over the belly twice."""
    strum = np.sin(2.0 * u)
    return (_arm("right", shoulder_abduct=14.0, shoulder_flex=22.0, shoulder_rotate=58.0 + 10.0 * ar * strum,
                 elbow=78.0 + 18.0 * ar * strum, wrist_flex=20.0 * ar * strum, wrist_deviate=0.0)
            | _arm("left", shoulder_abduct=42.0 + 8.0 * al * np.sin(u + lag), shoulder_flex=42.0,
                   shoulder_rotate=-15.0, elbow=70.0 + 6.0 * al * np.sin(u + lag), wrist_flex=-15.0)
            | {"torso_lean": 5.0 + 3.0 * np.sin(2.0 * u), "torso_twist": 6.0, "neck_nod": 12.0})


def mirror(q: np.ndarray) -> np.ndarray:
    """Reflect joint angles ``(..., N_JOINTS)`` through the body's mid-plane (swap the arms)."""
    out = np.array(q, dtype=float, copy=True)
    for j in _ARM:
        out[..., _COL[f"right_{j}"]], out[..., _COL[f"left_{j}"]] = q[..., _COL[f"left_{j}"]], q[..., _COL[f"right_{j}"]]
    for name in _ODD_UNDER_MIRROR:
        out[..., _COL[name]] = -q[..., _COL[name]]
    return out


# gesture -> (right-handed pose function, run the phase backwards, mirror through the mid-plane)
_GESTURES: dict[str, tuple[Callable[..., Pose], bool, bool]] = {
    "hand_clap": (_hand_clap, False, False),
    "right_hand_wave": (_right_hand_wave, False, False),
    "left_hand_wave": (_right_hand_wave, False, True),
    "right_arm_clockwise": (_right_arm_clockwise, False, False),
    "right_arm_counter_clockwise": (_right_arm_clockwise, True, False),
    "left_arm_clockwise": (_right_arm_clockwise, True, True),  # mirrored ccw is cw
    "left_arm_counter_clockwise": (_right_arm_clockwise, False, True),
    "arm_roll": (_arm_roll, False, False),
    "air_drums": (_air_drums, False, False),
    "air_guitar": (_air_guitar, False, False),
}
if tuple(_GESTURES) != GESTURE_CLASSES:  # pragma: no cover - a programming error, caught at import
    raise RuntimeError("motions._GESTURES must list GESTURE_CLASSES in label order")


def gesture_pose_deg(gesture: str, u: np.ndarray, amplitude: float = 1.0, style: Style | None = None) -> np.ndarray:
    """P_g(u) in degrees, ``(len(u), N_JOINTS)``: the pose without offsets or jitter."""
    if gesture not in _GESTURES:
        raise ValueError(f"unknown gesture {gesture!r} (known: {', '.join(GESTURE_CLASSES)})")
    style = style or Style()
    fn, backwards, mirrored = _GESTURES[gesture]
    u = np.asarray(u, dtype=float)
    a_right, a_left = amplitude * (1.0 + style.asymmetry), amplitude * (1.0 - style.asymmetry)
    if mirrored:  # the active (left) arm keeps the left arm's amplitude after the mirror
        a_right, a_left = a_left, a_right
    pose = fn(-u if backwards else u, a_right, a_left, style.lag_rad)
    q = np.zeros((u.shape[0], N_JOINTS))
    for name, value in pose.items():
        q[:, _COL[name]] = value
    return mirror(q) if mirrored else q


def jitter_deg(t_s: np.ndarray, style: Style) -> np.ndarray:
    """j(t): per joint, three sinusoids of 0.3-2.5 Hz with random phases, rms ``style.jitter_deg``."""
    rng = np.random.default_rng(style.jitter_seed)
    freq = rng.uniform(0.3, 2.5, (3, N_JOINTS))
    phase = rng.uniform(0.0, 2.0 * np.pi, (3, N_JOINTS))
    weight = rng.dirichlet(np.ones(3), N_JOINTS).T  # per joint, the three powers sum to one
    amp = style.jitter_deg * np.sqrt(2.0 * weight)
    t = np.asarray(t_s, dtype=float)[:, None, None]
    return (amp * np.sin(2.0 * np.pi * freq * t + phase)).sum(axis=1)


def joint_trajectory(gesture: str, t_s: np.ndarray, params: MotionParams) -> np.ndarray:
    """Joint angles in radians, ``(len(t_s), N_JOINTS)`` in :data:`JOINT_NAMES` order."""
    t = np.asarray(t_s, dtype=float)
    u = 2.0 * np.pi * t / params.period_s + params.phase_rad
    q = gesture_pose_deg(gesture, u, params.amplitude, params.style)
    q += np.asarray(params.style.offsets_deg)
    if params.style.jitter_deg > 0.0:
        q += jitter_deg(t, params.style)
    return np.radians(q)
