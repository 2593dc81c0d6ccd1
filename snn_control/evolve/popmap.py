"""The population map: how a generation's individuals reach their fitness function.

A *task* is a picklable callable that scores a chunk of rows in one vectorized pass,
``task(genomes (n, d), *row_args (n, ...)) -> fitness (n,)``. :func:`evaluate_population` cuts a
population into ``pmap.n_chunks`` contiguous chunks (with any per-row arguments, e.g. episode
seeds) and sends them through ``pmap.map``, DEAP's ``toolbox.map`` seam:

* ``serial``: the builtin ``map`` in this process (one chunk: the whole population vectorized);
* ``pool``: a local ``multiprocessing`` pool of ``workers`` processes (``spawn`` start method, so
  workers start clean whatever the parent holds: MuJoCo, threads);
* ``ray``: Ray tasks, on a private loopback instance of ``workers`` CPUs or on a cluster named by
  ``address`` (:mod:`snn_control.evolve.ray_backend`; Ray is imported only for this backend).

The result does not depend on the backend (tests hold serial, pool and Ray equal for the same
``workers``). It should not depend on the chunking either, and for the swimmer and the place modules
it does not; the blimp's closed-loop fitness does unless ``--common-noise`` is set (its twin then
draws one noise sequence per flight for every genome; otherwise a chunk's noise comes from one
generator; ``test/evolve/test_ray_backend.py`` holds both).
"""

from __future__ import annotations

import multiprocessing
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import numpy as np

BACKENDS = ("serial", "pool", "ray")


@dataclass(frozen=True)
class PopulationMap:
    """``map(fn, items)`` and the number of chunks a population is cut into."""

    map: Callable[..., Any]
    n_chunks: int = 1
    backend: str = "serial"


@contextmanager
def population_map(workers: int = 1, backend: str | None = None,
                   address: str | None = None) -> Iterator[PopulationMap]:
    """A population map for ``workers`` processes (``backend`` default: serial for 1, else pool).

    ``address`` picks the Ray cluster of the ``ray`` backend (default: start one on loopback; see
    :func:`snn_control.evolve.ray_backend.ray_map`); it is an error with any other backend.
    """
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    backend = backend or ("serial" if workers == 1 else "pool")
    if backend not in BACKENDS:
        raise ValueError(f"unknown population-map backend {backend!r}; choose from {BACKENDS}")
    if address is not None and backend != "ray":
        raise ValueError(f"address {address!r} applies to the ray backend only, not {backend!r}")
    if backend == "serial":
        yield PopulationMap(map, int(workers), "serial")
    elif backend == "pool":
        with multiprocessing.get_context("spawn").Pool(int(workers)) as pool:
            yield PopulationMap(pool.map, int(workers), "pool")
    else:
        from snn_control.evolve.ray_backend import ray_map

        with ray_map(int(workers), address) as pmap:
            yield pmap


def add_backend_arguments(parser: Any) -> None:
    """``--backend`` and ``--address`` for a command that maps a population (an argparse parser)."""
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="population map: serial, a local process pool, or Ray (default: serial for "
                        "--workers 1, else pool); the result is the same for the same --workers")
    parser.add_argument("--address", default=None,
                        help="ray: the cluster (default: start a private Ray on 127.0.0.1; 'auto': the one "
                        "`ray start` runs here; host:6379 or ray://host:10001; see docs/ray.md)")


def _call(job: tuple) -> np.ndarray:
    task, *args = job
    return np.asarray(task(*args), dtype=float)


def evaluate_population(task: Callable[..., np.ndarray], genomes: np.ndarray, pmap: PopulationMap | None = None,
                        *row_args: Sequence[Any]) -> np.ndarray:
    """Fitness ``(len(genomes),)``: contiguous chunks of rows (and of each per-row argument)."""
    pmap = pmap or PopulationMap(map)
    g = np.asarray(genomes, dtype=float)
    if g.ndim != 2 or len(g) == 0:
        raise ValueError(f"genomes must be shaped (n >= 1, n_genes), got {g.shape}")
    for a in row_args:
        if len(a) != len(g):
            raise ValueError(f"per-row arguments must have one entry per genome ({len(g)}), got {len(a)}")
    parts = np.array_split(np.arange(len(g)), max(1, min(int(pmap.n_chunks), len(g))))
    jobs = [(task, g[idx], *(type(a)(a[i] for i in idx) if isinstance(a, (list, tuple)) else np.asarray(a)[idx]
                             for a in row_args)) for idx in parts]
    return np.concatenate(list(pmap.map(_call, jobs)))
