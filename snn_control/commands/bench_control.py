"""``snn-control bench control``: what the on-board control step costs, on this machine.

    snn-control bench control [--json] [--ticks N] [--repeats R] [--node] [--node-samples N]

Everything about time and memory is measured in a fresh Python process that imports only the
runtime (:func:`runtime_probe`: numpy, the controller factory and the guard), so what ran before
in this process cannot inflate it. Keys of ``--json`` (last line):

* ``pair_tick_us``: one ``step(altitude, setpoint)`` of the 160-neuron PD-SNN + I-SNN pair
  (:class:`~snn_control.blimp.snn.controller.BlimpSNNController`, the fused runtime), median over
  ``--repeats`` runs of ``--ticks`` ticks; ``pair_tick_us_population_step`` the same tick through
  the population step (:func:`~snn_control.blimp.snn.network.blimp_snn_step`, the previous one-blimp
  path, bit-equal), ``guarded_pair_tick_us`` the pair behind the guard (what the node calls),
  ``pid_tick_us`` the PID (all wall-clock); ``pair_tick_cpu_us`` the pair's tick in CPU time of
  this process, which a shared, busy machine inflates less than the wall clock;
* ``import_s``: importing numpy and the runtime in a fresh interpreter; ``load_s``: loading and
  validating the two shipped artifacts; ``runtime_rss_mb``: that process's resident memory
  (VmRSS) after loading the pair and flying 1000 guarded ticks; ``runtime_modules``: the
  third-party packages it imported;
* ``synops_per_tick``, ``energy_nj_per_tick``: synaptic operations and 45 nm energy per tick of the
  pair in closed-loop twin flights (:func:`snn_control.efficiency.blimp_pair_per_tick`: one AC
  per spike and outgoing synapse at 0.9 pJ, the encoders' analog products as MACs at 4.6 pJ);
* with ``--node`` (needs rclpy): ``node_import_s`` (rclpy, messages and the node module),
  ``node_rss_mb``, and ``node_latency_us`` (median; ``node_latency_p90_us``, ``_max_us``): from a
  ``/blimp/range`` reading stamped with the wall clock to the ``/blimp/motor_cmd`` that answers it,
  received by a probe node spun with the ``altitude_controller`` in one process and one executor
  (:func:`snn_control.nodes.latency_probe.node_probe`; ``ROS_AUTOMATIC_DISCOVERY_RANGE`` defaults to OFF there).

The timings depend on the machine and on what else runs on it: repeat, and compare medians.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time

# node_probe is called by name in a fresh process (_in_fresh_process); ROS stays inside it
from snn_control.nodes.latency_probe import node_probe, process_rss_mb as _rss_mb  # noqa: F401

RUNTIME_IMPORTS = ("snn_control.blimp.controllers", "snn_control.blimp.guard")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on the last line")
    parser.add_argument("--ticks", type=int, default=5000, help="ticks per timed run (default 5000)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs; the median is reported (default 7)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the error sequence and of the twin flights")
    parser.add_argument("--node", action="store_true", help="also time the ROS 2 altitude_controller node (rclpy)")
    parser.add_argument("--node-samples", type=int, default=500, help="readings sent to the node (default 500)")
    parser.add_argument("--no-energy", action="store_true", help="skip the synaptic-operation count (twin flights)")


def _third_party(before: set[str]) -> list[str]:
    roots = {m.split(".")[0] for m in set(sys.modules) - before}
    return sorted(r for r in roots if r not in sys.stdlib_module_names and not r.startswith("_") and r != "snn_control")


def _per_tick_us(fn, args_seq, cpu: list[float] | None = None) -> float:
    """Wall-clock µs per call of ``fn`` over ``args_seq``; appends the CPU-time µs to ``cpu``."""
    c0, t0 = time.process_time(), time.perf_counter()
    for a in args_seq:
        fn(*a)
    wall, spent = time.perf_counter() - t0, time.process_time() - c0
    if cpu is not None:
        cpu.append(spent / len(args_seq) * 1e6)
    return wall / len(args_seq) * 1e6


class _PopulationStep:
    """The pair's previous one-blimp ``step``: the population step on a batch of one."""

    def __init__(self, pair, np) -> None:
        self.pair, self.np, self.state = pair, np, pair.initial_state(1)

    def step(self, altitude_m: float, setpoint_m: float) -> float:
        self.state, u, parts = self.pair.step_batch(self.state, self.np.array([float(setpoint_m) - float(altitude_m)]))
        self.pair.last_parts = tuple(float(p[0]) for p in parts)
        return float(u[0])


def runtime_probe(ticks: int, repeats: int, seed: int) -> dict:
    """Run in a fresh interpreter: import the runtime, load the pair, time its tick; a dict of figures."""
    before = set(sys.modules)
    t0 = time.perf_counter()
    import numpy as np

    from snn_control.blimp.controllers import make_altitude_controller
    from snn_control.blimp.guard import GuardedController

    t1 = time.perf_counter()
    pair = make_altitude_controller("snn")
    t2 = time.perf_counter()
    guarded = GuardedController(pair)
    for k in range(1000):
        guarded.step(1.0 + 0.3 * np.sin(k / 30.0), 1.2, 0.1 * k)
    rss_mb, _ = _rss_mb()
    modules = _third_party(before)

    rng = np.random.default_rng(seed)
    altitude = (1.0 + 0.5 * np.tanh(np.cumsum(rng.normal(0.0, 0.05, ticks))) + rng.normal(0.0, 0.01, ticks)).tolist()
    readings = [(a, 1.0) for a in altitude]
    stamped = [(a, 1.0, 0.1 * k) for k, a in enumerate(altitude)]
    pid = make_altitude_controller("pid")

    runs: dict[str, list[float]] = {"pair": [], "population": [], "guarded": [], "pid": [], "pair_cpu": []}
    for _ in range(repeats):  # interleaved, so a busy spell on the machine hits all alike
        pair.reset()
        runs["pair"].append(_per_tick_us(pair.step, readings, runs["pair_cpu"]))
        runs["population"].append(_per_tick_us(_PopulationStep(pair, np).step, readings))
        guarded.reset()
        runs["guarded"].append(_per_tick_us(guarded.step, stamped))
        pid.reset()
        runs["pid"].append(_per_tick_us(pid.step, readings))
    med = {k: statistics.median(v) for k, v in runs.items()}
    return {
        "pair_tick_us": round(med["pair"], 2),
        "pair_tick_us_population_step": round(med["population"], 2),
        "guarded_pair_tick_us": round(med["guarded"], 2),
        "pid_tick_us": round(med["pid"], 2),
        "pair_tick_us_runs": [round(x, 2) for x in runs["pair"]],
        "pair_tick_cpu_us": round(med["pair_cpu"], 2),
        "import_s": round(t1 - t0, 4),
        "load_s": round(t2 - t1, 4),
        "runtime_rss_mb": round(rss_mb, 1),
        "runtime_peak_rss_mb": round(_rss_mb()[1], 1),
        "runtime_modules": modules,
        "n_spiking_neurons": int(pair.n_spiking_neurons),
        "ticks": ticks,
        "repeats": repeats,
    }


def _in_fresh_process(call: str, timeout_s: float = 600.0) -> dict:
    code = f"import json\nfrom snn_control.commands.bench_control import *\nprint(json.dumps({call}))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout_s)
    if out.returncode != 0:
        raise RuntimeError(f"bench control: the probe failed:\n{out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> int:
    if args.ticks < 1 or args.repeats < 1 or args.node_samples < 1:
        print("bench control: --ticks, --repeats and --node-samples must be >= 1", file=sys.stderr)
        return 2
    if args.node and importlib.util.find_spec("rclpy") is None:
        print("bench control: --node needs rclpy (a sourced ROS 2 install, or the ros-wheels extra)", file=sys.stderr)
        return 2
    result = _in_fresh_process(f"runtime_probe({args.ticks}, {args.repeats}, {args.seed})")
    if not args.no_energy:
        try:
            from snn_control.efficiency import blimp_pair_per_tick

            counts = blimp_pair_per_tick(args.seed)
        except ModuleNotFoundError as exc:  # the twin flights read plant presets (YAML): the sim extra
            print(f"bench control: synops/energy skipped: {exc.name!r} missing (pip install 'snn_control[sim]')",
                  file=sys.stderr)
        else:
            result.update(synops_per_tick=round(counts["synops"], 3), energy_nj_per_tick=round(counts["energy_nj"], 4),
                          macs_per_tick=counts["macs"], spikes_per_tick=round(counts["spikes"], 3),
                          energy_ticks=counts["decisions"])
    if args.node:
        result.update(_in_fresh_process(f"node_probe({args.node_samples})"))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:32s} {value}")
    return 0
