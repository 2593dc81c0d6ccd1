"""Benchmark of the blimp twin's physics and of evolution's closed loop (prints tables; not a test).

    .venv/bin/python bench/bench_blimp_twin.py [--ticks 400] [--batches 1,48,384,1536] [--flights 6]

Table 1: one control tick (0.1 s, ten 10 ms physics steps) for a batch of random plants, stepped
three ways: the step-by-step loop (``servo_step``, ``vertical_command``, ``body_step`` ten times),
the fused numpy hold (``hold_steps``: the hold's servo angles and vertical commands as one array)
and the compiled hold (:func:`snn_control.blimp.kernels.hold`, numba). Evolution flies a
population of 48 genomes x 6-9 flights as one batch of a few hundred rows, where numpy's per-call
overhead, not the arithmetic, sets the cost; that is also why a second worker process (half the
rows each) barely shortens a blimp generation on two cores.

Table 2: what a closed-loop generation flies: 48 genomes of the shipped I-SNN beside the shipped
PD-SNN, ``--flights`` random plants each, one 60 s profile, through the whole loop (guard, both
networks, twin, sensor), with the compiled kernels and with numpy alone (``SNN_CONTROL_JIT=0``'s
path); the flights must agree.

Timings are wall-clock medians on this machine and move with other load on it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from snn_control.blimp import kernels
from snn_control.blimp.dynamics import body_step, hold_steps, servo_step, vertical_command
from snn_control.blimp.plant import PlantDistribution, plant_rows, stack_dynamics


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
    parser.add_argument("--flights", type=int, default=6, help="random plants per genome in table 2")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    compiled = kernels.AVAILABLE
    print(f"{'batch':>6} | {'loop us/tick':>12} | {'fused us/tick':>13} | {'compiled us/tick':>16} | speed-ups")
    for batch in (int(b) for b in args.batches.split(",")):
        plants = PlantDistribution().draw(rng, batch)
        p = stack_dynamics([pl.dynamics for pl in plants])
        n = int(round(0.1 / p.dt_s))
        state = (rng.uniform(0.3, 3.0, batch), np.zeros(batch), np.zeros(batch), np.zeros(batch))
        commands = rng.normal(3.0, 4.0, (args.ticks, batch))
        loop = _median_us(lambda z, v, a, phi, u: _loop(z, v, a, phi, u, p, n), state, commands)
        fused = _median_us(lambda z, v, a, phi, u: hold_steps(z, v, a, phi, u, p, n), state, commands)
        rows = kernels.plant_rows(p, batch)
        kernel = _median_us(lambda z, v, a, phi, u: kernels.hold(z, v, a, phi, u, rows, p.dt_s, n), state,
                            commands) if compiled else float("nan")
        print(f"{batch:>6} | {loop:>12.0f} | {fused:>13.0f} | {kernel:>16.0f} | fused {loop / fused:.2f}x, "
              f"compiled {fused / kernel:.1f}x over fused")
    if compiled:
        print()
        _generation(args.flights)
    return 0


def _fly_generation(flights: int) -> tuple[float, np.ndarray]:
    from snn_control.artifacts.store import shipped_artifact
    from snn_control.blimp.controllers import SummedController
    from snn_control.blimp.flight import fly_batch
    from snn_control.blimp.snn.controller import load_blimp_snn
    from snn_control.blimp.snn.network import SNNTerm
    from snn_control.blimp.twin import BlimpBatchSim

    pop = 48
    pd_layout, pd_genome, _ = load_blimp_snn(shipped_artifact("pd_snn"), role="pd")
    i_layout, i_genome, _ = load_blimp_snn(shipped_artifact("i_snn"), role="i")
    population = i_layout.decode(np.tile(i_genome, (pop * flights, 1)))  # one row per genome and plant
    controller = SummedController([SNNTerm(pd_layout.decode(pd_genome[None])), SNNTerm(population)])
    plants = PlantDistribution().draw(np.random.default_rng(1), flights) * pop
    sim = BlimpBatchSim(pop * flights, seed=2, **plant_rows(plants))
    setpoints = np.repeat([1.0, 2.5, 0.8], 200)
    t0 = time.perf_counter()
    flight = fly_batch(controller, sim, sim.read_range(), setpoints)
    return time.perf_counter() - t0, flight.z_m


def _generation(flights: int) -> None:
    _fly_generation(1)  # compile (or load the compiled kernels) outside the timing
    fast, z_fast = _fly_generation(flights)
    kernels.AVAILABLE = False
    try:
        slow, z_slow = _fly_generation(flights)
    finally:
        kernels.AVAILABLE = True
    rows, ticks = z_fast.shape
    agree = float(np.max(np.abs(z_fast - z_slow)))
    print(f"closed loop, {rows} rows x {ticks} ticks (48 genomes x {flights} plants, shipped pair):")
    print(f"  numpy {slow:.2f} s ({1e6 * slow / ticks:.0f} us/tick) | compiled {fast:.2f} s "
          f"({1e6 * fast / ticks:.0f} us/tick) | {slow / fast:.1f}x | max |dz| between them {agree:.1e} m")


if __name__ == "__main__":
    raise SystemExit(main())
