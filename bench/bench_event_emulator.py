"""Throughput of the event-camera emulator (prints a table; not a test).

    .venv/bin/python bench/bench_event_emulator.py [--frames 500] [--fps 1000] [--size 128]

Scene: a static low-contrast textured background and a bright disc with a radial/angular texture
moving on a circle (one turn per second) and spinning, rendered as linear intensity in [0, 1]. The
frames are rendered before timing; only :meth:`EventEmulator.step` is timed, on one core (the BLAS
and OpenMP thread counts are pinned to 1 before numpy loads; numpy's elementwise code is
single-threaded anyway). Timings are wall-clock and move with other load on the machine.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from snn_control.perception.events.emulator import EmulatorConfig, EventEmulator  # noqa: E402


def render_scene(n_frames: int, fps: float, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Frames (N, size, size) float32 and their times in seconds."""
    times = np.arange(n_frames) / fps
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    background = 0.25 + 0.05 * np.sin(xx / 5.0) * np.cos(yy / 7.0)
    radius = size / 6.0
    frames = np.empty((n_frames, size, size), dtype=np.float32)
    for i, t in enumerate(times):
        cx = size / 2 + size / 4 * np.cos(2 * np.pi * t)
        cy = size / 2 + size / 4 * np.sin(2 * np.pi * t)
        dx, dy = xx - cx, yy - cy
        r = np.hypot(dx, dy)
        texture = 0.75 + 0.2 * np.cos(6 * np.arctan2(dy, dx) + 8 * np.pi * t) * np.cos(r / 3.0)
        inside = np.clip(radius - r + 0.5, 0.0, 1.0)  # anti-aliased edge
        frames[i] = (1 - inside) * background + inside * texture
    return frames, times


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=500)
    ap.add_argument("--fps", type=float, default=1000.0)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    frames, times = render_scene(args.frames, args.fps, args.size)
    best, n_events = np.inf, 0
    for _ in range(args.repeats):
        emulator = EventEmulator(EmulatorConfig(), args.size, args.size, np.random.default_rng(0))
        emulator.reset(frames[0], times[0])
        t_start = time.perf_counter()
        n_events = sum(emulator.step(frames[i], times[i]).size for i in range(1, args.frames))
        best = min(best, time.perf_counter() - t_start)
    steps = args.frames - 1
    print(f"event emulator, {args.size}x{args.size}, {args.fps:g} frames/s of scene time, {steps} steps, "
          f"best of {args.repeats}")
    print(f"| {'events':>10} | {'events/frame':>12} | {'frames/s':>9} | {'events/s':>11} | {'us/frame':>8} |")
    print(f"| {n_events:>10d} | {n_events / steps:>12.0f} | {steps / best:>9.0f} | {n_events / best:>11.3g} "
          f"| {best / steps * 1e6:>8.0f} |")


if __name__ == "__main__":
    main()
