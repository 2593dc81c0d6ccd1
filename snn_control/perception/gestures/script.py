"""A scripted scene: one person performs a sequence of gestures, seen by the emulated event camera.

What the ``event_camera`` node plays and ``snn-control launch perception`` scores. The person is
drawn from ``subject_seed`` with the data set's subject distribution (:func:`draw_subject`), so a
seed that no data set used gives a person no network trained on. Segment k performs gesture
``names[k]`` over ``[k g, (k + 1) g)`` (``g = gesture_s``) with its own timing drawn as a data-set
trial's (:func:`~snn_control.perception.gestures.dataset.trial_params`). Between two gestures
the joint angles blend over ``blend_s`` with a smoothstep weight centred on the change,

    q(t) = (1 - w(t)) q_k(t) + w(t) q_{k+1}(t),   w = smoothstep((t - t_change + blend_s / 2) / blend_s),

so the arms move continuously from one gesture into the next instead of jumping. The whole sequence
is rendered in one pass and goes through the emulator as one recording.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snn_control.perception.events.types import GESTURE_CLASSES
from snn_control.perception.scoring import Segment, script_segments


@dataclass(frozen=True)
class ScriptedStream:
    """The events of a scripted scene and what was performed when."""

    events: np.ndarray
    segments: list[Segment]
    subject: object
    duration_s: float


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def script_trajectory(names: list[str], gesture_s: float, times_s: np.ndarray, subject, seed: int,
                      blend_s: float = 0.25) -> np.ndarray:
    """Joint angles ``(len(times_s), n_joints)`` of the whole script (module docstring)."""
    from snn_control.perception.gestures.dataset import trial_params
    from snn_control.perception.gestures.motions import joint_trajectory

    if not 0.0 <= blend_s < gesture_s:
        raise ValueError(f"blend_s must be in [0, gesture_s), got {blend_s}")
    q = None
    for k, name in enumerate(names):
        params = trial_params(name, subject, np.random.default_rng([seed, k, GESTURE_CLASSES.index(name)]))
        qk = joint_trajectory(name, times_s - k * gesture_s, params)
        if q is None:
            q = qk
            continue
        t_change = k * gesture_s
        w = _smoothstep((times_s - t_change + blend_s / 2) / blend_s) if blend_s > 0 else (times_s >= t_change) * 1.0
        q = (1.0 - w)[:, None] * q + w[:, None] * qk
    return q


def render_script(names: list[str] | tuple[str, ...], gesture_s: float = 2.0, subject_seed: int = 90210,
                  seed: int = 0, fps: float | None = None, blend_s: float = 0.25) -> ScriptedStream:
    """Render and emulate the script; deterministic for ``(names, gesture_s, subject_seed, seed)``."""
    from snn_control.perception.events.emulator import emulate
    from snn_control.perception.gestures.dataset import emulator_config
    from snn_control.perception.gestures.render import DEFAULT_FPS, GestureRenderer, RenderConfig, frame_times
    from snn_control.perception.gestures.subjects import draw_subject

    names = list(names)
    segments = script_segments(names, gesture_s)
    subject = draw_subject(f"live{subject_seed}", np.random.default_rng(subject_seed))
    duration = gesture_s * len(names)
    times = frame_times(duration, fps or DEFAULT_FPS)
    render_rng, sensor_rng = np.random.default_rng([seed, subject_seed]).spawn(2)
    qpos = script_trajectory(names, gesture_s, times, subject, seed, blend_s)
    with GestureRenderer(subject, RenderConfig(fps=fps or DEFAULT_FPS)) as renderer:
        frames = renderer.frames(qpos, render_rng)
    events = emulate(frames, times, emulator_config(subject), sensor_rng)
    return ScriptedStream(events, segments, subject, duration)


def render_cues(cues: list[tuple[float, str]] | tuple, gesture_s: float = 2.0, subject_seed: int = 90210,
                seed: int = 0, fps: float | None = None) -> ScriptedStream:
    """Gestures at given times with stillness between: cue ``k = (t_k, name)`` is rendered alone
    (:func:`render_script` of ``[name]``, seed ``seed + k``) and its events shifted to start at
    ``t_k``. A person standing still gives no events, so nothing is rendered between cues. Cues must
    be sorted and at least ``gesture_s`` apart; the segments say what was performed when."""
    cues = [(float(t), str(name)) for t, name in cues]
    for k, (t, name) in enumerate(cues):
        if not np.isfinite(t) or t < 0:
            raise ValueError(f"cue {k}: time must be finite and >= 0, got {t}")
        if name not in GESTURE_CLASSES:
            raise ValueError(f"cue {k}: unknown gesture {name!r} (known: {', '.join(GESTURE_CLASSES)})")
        if k and t < cues[k - 1][0] + gesture_s - 1e-9:
            raise ValueError(f"cue {k} at {t} s starts before cue {k - 1} ends ({cues[k - 1][0] + gesture_s} s)")
    parts, segments, subject = [], [], None
    for k, (t, name) in enumerate(cues):
        clip = render_script([name], gesture_s, subject_seed, seed + k, fps=fps)
        events = clip.events.copy()
        events["t"] += t
        parts.append(events)
        segments.append(Segment(GESTURE_CLASSES.index(name), t, t + gesture_s))
        subject = clip.subject
    from snn_control.perception.events.types import EVENT_DTYPE

    events = np.concatenate(parts) if parts else np.zeros(0, EVENT_DTYPE)
    duration = cues[-1][0] + gesture_s if cues else 0.0
    return ScriptedStream(events, segments, subject, duration)
