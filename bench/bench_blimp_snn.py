"""Benchmarks of the blimp SNNs (prints tables; not a test).

    .venv/bin/python bench/bench_blimp_snn.py [--ticks 5000] [--population 48] [--seq-s 110]

1. Per-tick latency of one network (PD-SNN, I-SNN) and of the deployed pair (160 neurons), numpy.
2. Population evaluation: the vectorized pass vs DEAP's usual per-individual loop
   (``toolbox.map(toolbox.evaluate, population)``) on the same population and sequence.
3. The same 160-neuron pair stepped with snnTorch (``Synaptic`` neurons, subtractive reset; the
   IWTA threshold is written into the layer each tick), if snnTorch is installed
   (``pip install -r requirements-bench.txt``); skipped with a message otherwise.

Timings are wall-clock medians on this machine and move with other load on it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from snn_control.blimp.snn.controller import BlimpSNNController
from snn_control.blimp.training.data import ProfileSpec, record_random_flights
from snn_control.blimp.training.tasks import ImitationTask
from snn_control.evolve.popmap import PopulationMap, evaluate_population


def _per_tick_us(step, ticks: int, errors: np.ndarray) -> float:
    samples = np.empty(ticks)
    for k in range(ticks):
        t0 = time.perf_counter()
        step(float(errors[k % len(errors)]))
        samples[k] = time.perf_counter() - t0
    return float(np.median(samples) * 1e6)


def latency_table(ticks: int, errors: np.ndarray) -> dict[str, float]:
    pair = BlimpSNNController.from_artifacts()
    rows = {
        "PD-SNN (80 neurons), network step": _per_tick_us(pair.pd.step, ticks, errors),
        "I-SNN (80 neurons), network step": _per_tick_us(pair.i.step, ticks, errors),
        "PD-SNN + I-SNN (160), controller step": _per_tick_us(lambda e: pair.step(1.0 - e, 1.0), ticks, errors),
    }
    print("\n1. per-tick latency, numpy (median)")
    for name, us in rows.items():
        print(f"   {name:<42} {us:8.1f} us")
    return rows


def population_table(population: int, seq_s: float, repeats: int = 3) -> None:
    from deap import base

    pair = BlimpSNNController.from_artifacts()
    seqs, _ = record_random_flights(1, ProfileSpec(n_segments=4, segment_s=(seq_s / 4, seq_s / 4)),
                                    np.random.default_rng(0))
    print(f"\n2. population evaluation: {population} individuals x {seqs.error_m.shape[1]} ticks (imitation fitness)")
    print(f"   {'network':<8} {'vectorized (s)':>15} {'per-individual (s)':>19} {'speed-up':>9}")
    for name, net in (("PD-SNN", pair.pd), ("I-SNN", pair.i)):
        layout = net.layout
        task = ImitationTask(layout, seqs.error_m[0], seqs.target(layout.role)[0])
        rng = np.random.default_rng(1)
        noise = rng.normal(0, 0.05, (population, layout.n_genes))
        pop = layout.denormalize(np.clip(layout.normalize(net.genome) + noise, 0, 1))
        toolbox = base.Toolbox()
        toolbox.register("map", map)
        toolbox.register("evaluate", lambda ind: (float(task(np.asarray(ind)[None])[0]),))
        vec, loop = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            f_vec = evaluate_population(task, pop, PopulationMap(toolbox.map))
            vec.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            f_loop = [f[0] for f in toolbox.map(toolbox.evaluate, list(pop))]
            loop.append(time.perf_counter() - t0)
        assert np.allclose(f_vec, f_loop), "vectorized and per-individual fitness differ"
        v, lp = min(vec), min(loop)
        print(f"   {name:<8} {v:15.3f} {lp:19.3f} {lp / v:8.1f}x")


def snntorch_table(ticks: int, errors: np.ndarray, numpy_us: dict[str, float]) -> None:
    print("\n3. the same 160-neuron pair in snnTorch")
    try:
        import snntorch  # noqa: F401
        import torch
    except ImportError:
        print("   skipped: snnTorch is not installed (pip install -r requirements-bench.txt)")
        return
    from snntorch_blimp import SnnTorchPair  # beside this script

    torch.set_num_threads(1)
    pair = BlimpSNNController.from_artifacts()
    twin = SnnTorchPair(pair)
    check = np.array([twin.step(float(e)) for e in errors[:500]])
    pair.reset()
    ours = np.array([pair.pd.step(float(e)) for e in errors[:500]])
    pd_match = np.allclose(check[:, 0], ours, atol=1e-5)
    twin.reset()
    with torch.no_grad():
        us = _per_tick_us(twin.step, ticks, errors)
    print(f"   snnTorch {snntorch.__version__} / torch {torch.__version__} (1 thread), pair step: {us:8.1f} us "
          f"(numpy: {numpy_us['PD-SNN + I-SNN (160), controller step']:.1f} us)")
    print(f"   PD-SNN outputs identical to numpy over 500 ticks: {pd_match}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=5000)
    parser.add_argument("--population", type=int, default=48)
    parser.add_argument("--seq-s", type=float, default=110.0, help="length of the fitness sequence (s)")
    args = parser.parse_args()
    seqs, _ = record_random_flights(1, ProfileSpec(), np.random.default_rng(7))
    errors = seqs.error_m[0]
    lat = latency_table(args.ticks, errors)
    population_table(args.population, args.seq_s)
    snntorch_table(args.ticks, errors, lat)


if __name__ == "__main__":
    main()
