"""A picture of the synthetic gestures: per gesture, a camera frame and two views of its events.

One column per gesture (in label order), three rows of 128 x 128:

1. the grey camera frame at the middle of the window;
2. event counts over the window, ON events green, OFF events magenta (brighter: more events);
3. the time of each pixel's last event in the window, blue (early) to yellow (late), which shows
   the direction of motion (clockwise and counter-clockwise circles differ only here).

The window is ``window_s`` (0.5 s, SpikePoint's) taken from the middle of a trial of one subject.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from snn_control.perception.events.types import GESTURE_CLASSES
from snn_control.perception.gestures.motions import NOMINAL_PERIOD_S, MotionParams
from snn_control.perception.gestures.subjects import Subject

SHORT_NAMES = ("clap", "R wave", "L wave", "R cw", "R ccw", "L cw", "L ccw", "roll", "drums", "guitar")
_BAND_PX = 18


def count_image(events: np.ndarray, width: int, height: int) -> np.ndarray:
    """RGB uint8 ``(height, width, 3)``: ON counts in green, OFF counts in magenta, each scaled to
    its 99th percentile over pixels with events."""
    out = np.zeros((height, width, 3), np.float32)
    for polarity, colour in ((1, (0.2, 1.0, 0.2)), (-1, (1.0, 0.2, 1.0))):
        e = events[events["p"] == polarity]
        counts = np.zeros((height, width), np.float32)
        np.add.at(counts, (e["y"].astype(np.intp), e["x"].astype(np.intp)), 1.0)
        scale = np.percentile(counts[counts > 0], 99) if np.any(counts > 0) else 1.0
        out += np.clip(counts / scale, 0.0, 1.0)[:, :, None] * np.asarray(colour, np.float32)
    return np.round(255.0 * np.clip(out, 0.0, 1.0)).astype(np.uint8)


def time_image(events: np.ndarray, width: int, height: int, t0: float, t1: float) -> np.ndarray:
    """RGB uint8: each pixel's last event time in ``[t0, t1]`` through the viridis colour map
    (black: no event)."""
    import cv2

    last = np.full((height, width), -1.0)
    order = np.argsort(events["t"], kind="stable")  # later events overwrite earlier ones
    e = events[order]
    last[e["y"].astype(np.intp), e["x"].astype(np.intp)] = (e["t"] - t0) / (t1 - t0)
    level = np.round(255.0 * np.clip(last, 0.0, 1.0)).astype(np.uint8)
    rgb = cv2.applyColorMap(level, cv2.COLORMAP_VIRIDIS)[:, :, ::-1]
    rgb[last < 0] = 0
    return rgb


def gesture_columns(subject: Subject, seed: int = 0, window_s: float = 0.5, fps: float = 200.0) -> list[np.ndarray]:
    """One RGB column ``(3 * 128, 128, 3)`` per gesture (frame, counts, last-event time)."""
    from snn_control.perception.events.emulator import emulate
    from snn_control.perception.gestures.dataset import emulator_config
    from snn_control.perception.gestures.render import GestureRenderer, RenderConfig

    columns = []
    duration = 2.0 * window_s
    t0, t1 = 0.5 * window_s, 1.5 * window_s
    with GestureRenderer(subject, RenderConfig(fps=fps)) as renderer:
        h, w = renderer.config.height, renderer.config.width
        for label, gesture in enumerate(GESTURE_CLASSES):
            rng = np.random.default_rng([seed, label])
            params = MotionParams(period_s=NOMINAL_PERIOD_S[gesture], amplitude=subject.amplitude_scale,
                                  phase_rad=float(rng.uniform(0, 2 * np.pi)), style=subject.style)
            frames, times = renderer.trial(gesture, params, duration, rng)
            events = emulate(frames, times, emulator_config(subject), rng)
            events = events[(events["t"] >= t0) & (events["t"] <= t1)]
            frame = frames[int(np.argmin(np.abs(times - 0.5 * (t0 + t1))))]
            grey = np.repeat(np.round(255.0 * frame)[:, :, None], 3, axis=2).astype(np.uint8)
            columns.append(np.concatenate([grey, count_image(events, w, h), time_image(events, w, h, t0, t1)]))
    return columns


def preview_image(subject: Subject | None = None, seed: int = 0) -> np.ndarray:
    """The whole picture, RGB uint8, with the gesture names above the columns."""
    import cv2

    columns = gesture_columns(subject or Subject(), seed)
    body = np.concatenate([np.pad(c, ((0, 0), (1, 1), (0, 0))) for c in columns], axis=1)
    band = np.zeros((_BAND_PX, body.shape[1], 3), np.uint8)
    col_w = body.shape[1] // len(columns)
    for k, name in enumerate(SHORT_NAMES):
        cv2.putText(band, name, (k * col_w + 4, _BAND_PX - 5), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1,
                    cv2.LINE_AA)
    return np.concatenate([band, body])


def write_preview(path: str | Path, subject: Subject | None = None, seed: int = 0) -> Path:
    """Write :func:`preview_image` as a PNG (compressed as far as PNG goes); returns the path."""
    import cv2

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), preview_image(subject, seed)[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f"{path}: OpenCV could not write the PNG")
    return path
