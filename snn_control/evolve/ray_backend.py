"""The Ray backend of the population map: the same ``map(fn, items)`` on a Ray cluster.

``ray_map(workers, address)`` connects to (or starts) a Ray instance and yields a
:class:`~snn_control.evolve.popmap.PopulationMap` whose ``map`` sends every item to a Ray task
(one CPU each) and returns the results in item order, as the builtin ``map`` does. The tasks run
the very functions the serial and pool backends run, so a generation's fitness is the same
(``test/evolve/test_ray_backend.py`` holds a seeded evolution's best fitness equal to serial's).

``address``:

* ``None`` or ``"local"``: start a private single-node Ray in this process with ``workers`` CPUs,
  every server bound to 127.0.0.1 (no dashboard, usage statistics off, token authentication on),
  and shut it down at the end. Nothing leaves loopback (checked with ``shared/tools/netcheck``).
* ``"auto"``: the cluster that ``ray start`` started on this machine (or ``RAY_ADDRESS``).
* ``"host:6379"`` (a head node's GCS, the driver joins the cluster: it must be reachable from the
  nodes) or ``"ray://host:10001"`` (Ray Client, through the head's client server): an existing
  cluster. This package and its ``config/`` and ``sim/`` folders are shipped to it as the job's
  ``working_dir``, so the workers need only the same third-party packages (``requirements.txt``).
  See ``docs/ray.md``.

Ray is imported only here, and only when this backend is chosen.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from snn_control.evolve.popmap import PopulationMap

LOCAL_ADDRESSES = (None, "local")
_LOOPBACK = "127.0.0.1"


def _import_ray():
    try:
        import ray
    except ImportError as exc:  # an optional dependency: say how to get it
        raise ImportError("the ray backend needs Ray: .venv/bin/pip install -r requirements.txt "
                          "(it pins ray)") from exc
    return ray


@contextmanager
def _loopback_only() -> Iterator[None]:
    """Make Ray keep 127.0.0.1 as this node's address while a local instance starts.

    On Linux Ray takes "127.0.0.1" to mean "this machine's routable address": it resolves it to
    the address of the default route's interface and binds its servers to every interface, unless
    its single-machine mode is on (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, read once at import).
    That mode is switched on here for the start only, and restored afterwards, so that a cluster
    joined later from this process still gets a routable driver address.
    """
    from ray._private import ray_constants

    saved = ray_constants.ENABLE_RAY_CLUSTER
    ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = saved


def _start_local(workers: int):
    """A private single-node Ray on loopback with ``workers`` CPUs."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"          # no usage report (it would go to the internet)
    os.environ.setdefault("RAY_AUTH_MODE", "token")        # Ray's default for a local start, said explicitly
    ray = _import_ray()
    with _loopback_only():
        ray.init(address="local", num_cpus=int(workers), include_dashboard=False, _node_ip_address=_LOOPBACK,
                 dashboard_host=_LOOPBACK, logging_level="WARNING", log_to_driver=True)
    return ray


def _connect(address: str):
    """Join an existing cluster, shipping this package's source and data folders to its workers."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray = _import_ray()
    with tempfile.TemporaryDirectory(prefix="snn_control_ray_") as stage:
        ray.init(address=address, logging_level="WARNING", runtime_env={"working_dir": _stage_code(Path(stage))})
    return ray


def _stage_code(stage: Path) -> str:
    """``stage/`` with a copy of the package and its data folders (``config/``, ``sim/``), laid out
    as a source tree: the workers' working directory, first on their ``PYTHONPATH``, so they run
    the driver's code and find the simulator models whether or not the nodes have the package."""
    from snn_control.paths import share_dir

    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(Path(__file__).resolve().parents[1], stage / "snn_control", ignore=skip)
    for folder in ("config", "sim"):
        shutil.copytree(share_dir() / folder, stage / folder, ignore=skip)
    return str(stage)


def _make_map(ray) -> Callable[[Callable[..., Any], Iterable[Any]], list]:
    @ray.remote(num_cpus=1, max_retries=2)
    def _apply(fn: Callable[..., Any], item: Any) -> Any:
        return fn(item)

    def ray_map(fn: Callable[..., Any], items: Iterable[Any]) -> list:
        fn_ref = ray.put(fn)  # sent once, not once per item
        return ray.get([_apply.remote(fn_ref, item) for item in items])

    return ray_map


@contextmanager
def ray_map(workers: int, address: str | None = None) -> Iterator[PopulationMap]:
    """A population map on Ray; starts a loopback instance for ``address`` None or "local".

    ``workers`` is the number of chunks a population is cut into (and, for a local instance, its
    CPUs); on a cluster choose about its CPU count. A Ray that this process already initialized is
    used as it is and left running.
    """
    if address is not None and not isinstance(address, str):
        raise ValueError(f"address must be a string or None, got {address!r}")
    ray = sys.modules.get("ray")
    owned = ray is None or not ray.is_initialized()
    if owned:
        ray = _start_local(workers) if address in LOCAL_ADDRESSES else _connect(address)
    try:
        yield PopulationMap(_make_map(ray), int(workers), "ray")
    finally:
        if owned:
            ray.shutdown()
