"""Headless rendering of gesture trials: grey 128 x 128 frames in [0, 1] with timestamps.

A :class:`GestureRenderer` owns one subject's model, its ``MjData`` and an offscreen
``mujoco.Renderer`` (``MUJOCO_GL=egl``). Per frame it writes the joint angles, runs forward
kinematics (no dynamics), renders the ``dvs`` camera, converts to grey with OpenCV, blurs by the
subject's ``blur_px`` and adds the subject's Gaussian camera noise:

    I_k = clip(G_sigma * grey(render(q(t_k))) + n_k, 0, 1),   n_k ~ N(0, noise_std^2) per pixel.

Grey levels are linear in the light (MuJoCo's fixed-function shading applies no gamma), which is
what the event emulator's log intensity expects.

Frame rate. The emulator interpolates log intensity linearly between frames, so a frame should
move an edge by about a pixel or two. Peak hand speeds of a nominal body moving at the fastest
subjects' speed: 180-320 px/s (clap, waves, roll, guitar), 390 px/s (arm circles), 630 px/s
(drum strikes); the largest, closest subjects reach 1,000 px/s. :data:`DEFAULT_FPS` = 200 Hz
keeps typical motion at 1-2 px per frame (5 px at the fastest strikes), so an event's time is
off by at most one 5 ms interval, 1% of a 0.5 s window. Measured on this project's 2-core machine (EGL on the CPU, shared with other work):
rendering ~550 frames/s for one process (mjr_render + readPixels about 1 ms, grey, blur and noise
the rest), the emulator ~1,200-2,000 frames/s; a 3 s trial takes about 1.5 s
(``python -m snn_control.perception.gestures.render`` prints the rendering rate). 4x MSAA tripled
the rendering time and shadows doubled it, so neither is used: ``blur_px`` smooths the edges.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from snn_control.dictio import DictIO
from snn_control.perception.events.types import SENSOR_HEIGHT, SENSOR_WIDTH
from snn_control.perception.gestures.motions import MotionParams, joint_trajectory
from snn_control.perception.gestures.scene import CAMERA, build_model
from snn_control.perception.gestures.subjects import Subject

DEFAULT_FPS = 200.0


@dataclass(frozen=True)
class RenderConfig(DictIO):
    """Frame size (pixels) and rate (frames per simulated second)."""

    fps: float = DEFAULT_FPS
    width: int = SENSOR_WIDTH
    height: int = SENSOR_HEIGHT

    def __post_init__(self) -> None:
        if isinstance(self.fps, bool) or not isinstance(self.fps, (int, float)) or not 10.0 <= self.fps <= 5000.0:
            raise ValueError(f"RenderConfig.fps must be in [10, 5000], got {self.fps!r}")
        for name in ("width", "height"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 16 <= v <= 512:
                raise ValueError(f"RenderConfig.{name} must be an int in [16, 512], got {v!r}")


def frame_times(duration_s: float, fps: float) -> np.ndarray:
    """``t_k = k / fps`` for every frame in ``[0, duration_s]`` (both ends included)."""
    if not duration_s > 0.0:
        raise ValueError(f"duration_s must be > 0, got {duration_s!r}")
    return np.arange(int(np.floor(duration_s * fps + 1e-9)) + 1) / fps


class GestureRenderer:
    """Renders one subject's scene; use as a context manager (or call :meth:`close`)."""

    def __init__(self, subject: Subject | None = None, config: RenderConfig | None = None) -> None:
        os.environ.setdefault("MUJOCO_GL", "egl")
        import mujoco

        self._mujoco = mujoco
        self.subject = subject or Subject()
        self.config = config or RenderConfig()
        self.model = build_model(self.subject)
        self.data = mujoco.MjData(self.model)
        self._renderer = mujoco.Renderer(self.model, self.config.height, self.config.width)

    def clean_frame(self, qpos: np.ndarray) -> np.ndarray:
        """The noise-free, unblurred grey image ``(height, width)`` float32 for joint angles ``qpos``."""
        import cv2

        mujoco = self._mujoco
        self.data.qpos[:] = qpos
        mujoco.mj_kinematics(self.model, self.data)
        mujoco.mj_camlight(self.model, self.data)
        self._renderer.update_scene(self.data, camera=CAMERA)
        rgb = self._renderer.render()
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) * np.float32(1.0 / 255.0)

    def frames(self, qpos: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Camera frames ``(N, height, width)`` float32 in [0, 1] for joint angles ``(N, nq)``."""
        import cv2

        qpos = np.asarray(qpos, dtype=float)
        out = np.empty((qpos.shape[0], self.config.height, self.config.width), np.float32)
        sigma = self.subject.blur_px
        for k, q in enumerate(qpos):
            image = self.clean_frame(q)
            out[k] = cv2.GaussianBlur(image, (0, 0), sigma) if sigma > 0.05 else image
        out += np.float32(self.subject.noise_std) * rng.standard_normal(out.shape, dtype=np.float32)
        return np.clip(out, 0.0, 1.0, out=out)

    def trial(self, gesture: str, params: MotionParams, duration_s: float,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``(frames, times_s)`` of one gesture trial starting at t = 0."""
        times = frame_times(duration_s, self.config.fps)
        return self.frames(joint_trajectory(gesture, times, params), rng), times

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    def __enter__(self) -> "GestureRenderer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def measure_fps(n_frames: int = 300, subject: Subject | None = None) -> float:
    """Rendered frames per wall-clock second (noise and blur included) for one subject."""
    from snn_control.perception.gestures.motions import JOINT_NAMES

    rng = np.random.default_rng(0)
    with GestureRenderer(subject) as renderer:
        renderer.frames(np.zeros((5, len(JOINT_NAMES))), rng)  # warm-up
        qpos = joint_trajectory("right_arm_clockwise", np.arange(n_frames) / DEFAULT_FPS, MotionParams())
        start = time.perf_counter()
        renderer.frames(qpos, rng)
        return n_frames / (time.perf_counter() - start)


if __name__ == "__main__":
    print(f"{measure_fps():.0f} frames/s at {SENSOR_WIDTH}x{SENSOR_HEIGHT}")
