"""Synthetic DVS128-style gestures: a MuJoCo upper body performs them, the event emulator sees them.

Terminology:
    gesture: one of the ten DVS128 Gesture actions (``events.types.GESTURE_CLASSES``), here a
        periodic joint-angle trajectory (motions.py).
    subject: one synthetic performer and their recording conditions: body, place in the frame,
        light, background, camera and sensor noise, speed, style (subjects.py). Data sets are
        split by subject.
    scene: ``sim/gestures/upper_body.xml`` edited for a subject (scene.py); only kinematics.
    trial: one gesture by one subject for ``duration_s``, rendered to grey frames (render.py)
        and turned into events by ``events.emulator``; one trial is one ``EventSample``.
    data set: every subject x repetition x gesture, written by ``snn-control data gestures``
        (dataset.py) in the format ``events.datasets.load_gesture_dataset`` reads.

MuJoCo and OpenCV are imported only when a scene is built or rendered.
"""

from .dataset import GestureDataConfig, generate, plan_trials
from .motions import JOINT_NAMES, NOMINAL_PERIOD_S, MotionParams, Style, joint_trajectory
from .subjects import Subject, draw_subjects, split_subjects

__all__ = [
    "GestureDataConfig", "generate", "plan_trials",
    "JOINT_NAMES", "NOMINAL_PERIOD_S", "MotionParams", "Style", "joint_trajectory",
    "Subject", "draw_subjects", "split_subjects",
]
