"""Benchmark of the blimp twin's physics (prints a table; not a test).

    .venv/bin/python bench/bench_blimp_twin.py [--ticks 400] [--batches 1,48,384,1536]

One control tick (0.1 s, ten 10 ms physics steps) for a batch of random plants, stepped two ways:
the step-by-step loop (``servo_step``, ``vertical_command``, ``body_step`` ten times) and the twin's
fused hold (``hold_steps``: the hold's servo angles and vertical commands as one array). Evolution
flies a population of 48 genomes x 6-9 flights as one batch of a few hundred rows, where numpy's
per-call overhead, not the arithmetic, sets the cost: that is also why a second worker process
(half the rows each) barely shortens a blimp generation on two cores.

Timings are wall-clock medians on this machine and move with other load on it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from snn_control.blimp.dynamics import BlimpDynamics, body_step, hold_steps, servo_step, vertical_command
from snn_control.blimp.plant import PlantDistribution, stack_dynamics


def _loop(z, v, a, phi, u, p, n):
    for _ in range(n):
        phi = servo_step(phi, u, p)
        z, v, a = body_step(z, v, a, vertical_command(phi, u, p), p)
    return z, v, a, phi


def _median_us(step, state, commands) -> float:
    samples = np.empty(len(commands))
    for k, u in enumerate(commands):
        t0 = time.perf_counter()
        state = step(*state, u)
        samples[k] = time.perf_counter() - t0
    return float(np.median(samples) * 1e6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=400)
    parser.add_argument("--batches", default="1,48,384,1536")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"{'batch':>6} | {'loop us/tick':>12} | {'fused us/tick':>13} | speed-up")
    for batch in (int(b) for b in args.batches.split(",")):
        plants = PlantDistribution().draw(rng, batch)
        p = stack_dynamics([pl.dynamics for pl in plants])
        n = int(round(0.1 / p.dt_s))
        state = (rng.uniform(0.3, 3.0, batch), np.zeros(batch), np.zeros(batch), np.zeros(batch))
        commands = rng.normal(3.0, 4.0, (args.ticks, batch))
        loop = _median_us(lambda z, v, a, phi, u: _loop(z, v, a, phi, u, p, n), state, commands)
        fused = _median_us(lambda z, v, a, phi, u: hold_steps(z, v, a, phi, u, p, n), state, commands)
        print(f"{batch:>6} | {loop:>12.0f} | {fused:>13.0f} | {loop / fused:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
