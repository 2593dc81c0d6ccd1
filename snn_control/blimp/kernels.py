"""Compiled kernels of the blimp's batch loop (numba): the twin's hold, the PID, the SNN step, the guard.

Evolution flies a few hundred twins per control tick, and at that size each numpy call costs its
overhead, not its arithmetic: a tick of the closed loop was ~60 numpy calls, ~0.6 ms. Each kernel
here does one of those steps in a single compiled call, row by row, with the same arithmetic in the
same order as its numpy reference, so results agree to the last bit where the machine's libm and
numpy's agree (``test/blimp/test_kernels.py`` holds them to the references):

* :func:`hold` -- :func:`snn_control.blimp.dynamics.hold_steps`
* :func:`reading` -- :func:`snn_control.blimp.tof.tof_reading` (the same normal draws)
* :func:`pid` -- :func:`snn_control.blimp.pid.pid_step`
* :func:`snn_step` -- :func:`snn_control.blimp.snn.network.blimp_snn_step` (sums of the readout
  taken in numpy's pairwise order)
* :func:`guard_input` / :func:`guard_output` -- :mod:`snn_control.blimp.guard`'s

The numpy functions stay the reference and the on-board path: a kernel runs only for batches of at
least :data:`MIN_BATCH` rows (one blimp, the ROS node's case, never compiles anything), only when
numba is installed (the ``train`` extra), and not when ``SNN_CONTROL_JIT=0``. This module imports
numpy alone; the kernels themselves (:mod:`snn_control.blimp._numba_kernels`) and numba are imported
on first use. Compiled code is cached on disk (numba's ``cache=True``), so a process pays the
compile (a few seconds) once per machine.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import numpy as np

MIN_BATCH = 2

AVAILABLE = os.environ.get("SNN_CONTROL_JIT", "1") != "0" and importlib.util.find_spec("numba") is not None
_COMPILED: list = []  # snn_control.blimp._numba_kernels, imported on first use


def _k() -> Any:
    if not _COMPILED:
        from snn_control.blimp import _numba_kernels

        _COMPILED.append(_numba_kernels)
    return _COMPILED[0]


def use(batch: int) -> bool:
    """Whether a batch of ``batch`` rows runs the compiled kernels."""
    return AVAILABLE and batch >= MIN_BATCH


# ---------------------------------------------------------------------------------------------- twin


_PLANT_FIELDS = ("thrust_mps2_per_unit", "heaviness_mps2", "drag_per_m", "servo_flip_s", "motor_tau_s", "u_max",
                 "dead_zone", "reverse_efficiency")


def plant_rows(p: Any, batch: int) -> tuple[np.ndarray, ...]:
    """The plant's parameters as :func:`hold` takes them: one float64 array ``(batch,)`` each."""
    return tuple(np.ascontiguousarray(np.broadcast_to(np.asarray(getattr(p, f), dtype=float), (batch,)))
                 for f in _PLANT_FIELDS)


def hold(z: np.ndarray, v: np.ndarray, a: np.ndarray, phi: np.ndarray, u: np.ndarray, rows: tuple[np.ndarray, ...],
         dt_s: float, n_substeps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~snn_control.blimp.dynamics.hold_steps` with the plant as :func:`plant_rows`."""
    return _k()._hold(z, v, a, phi, u, *rows, float(dt_s), int(n_substeps))


def reading(z: np.ndarray, normal: np.ndarray, std: np.ndarray, sensor: Any) -> np.ndarray:
    """:func:`~snn_control.blimp.tof.tof_reading` for distances ``z`` (batch,), given the standard
    normal draws and the noise ``std`` (batch,) of every row."""
    return _k()._reading(z, normal, std, float(sensor.resolution_m), float(sensor.min_m), float(sensor.max_m))


# ----------------------------------------------------------------------------------------------- PID


def pid(p: Any, state: Any, error_m: np.ndarray) -> tuple[tuple, tuple]:
    """:func:`~snn_control.blimp.pid.pid_step` for ``PIDParams`` ``p``: ``(state fields, output fields)``."""
    e = np.asarray(error_m, dtype=float)
    sum_limit = p.i_limit / (p.ki * p.dt_s) if p.ki != 0 else np.inf
    n = np.asarray(state.n_samples, dtype=np.int64)
    total, slope, n1, *out = _k()._pid(
        e, state.error_sum, state.error_prev, state.slope_prev, n, float(p.kp), float(p.ki), float(p.kd),
        float(p.dt_s), float(sum_limit), float(p.jump_threshold), float(p.jump_divisor), float(p.soft_limit_terms),
        float(p.soft_limit_output), float(p.soft_slope))
    return (total, e, slope, n1), tuple(out)


# ----------------------------------------------------------------------------------------------- SNN


_DUMMY = np.zeros((1, 1))  # stands for the arrays a layout does not have


def _rows(x: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    a = np.asarray(x)
    if a.dtype != np.float64 or a.shape != shape or not a.flags.c_contiguous:
        return None
    return a


def pack_snn(params: Any) -> tuple | None:
    """:class:`~snn_control.blimp.snn.network.BlimpSNNParams` as :func:`snn_step` takes them, or
    None where the kernel does not apply (parameters that are not ``(rows, 2P)`` float64 arrays, as
    decoded from genomes; more than 128 pairs)."""
    from snn_control.snn.iwta import IWTAParams
    from snn_control.snn.readout import IntegratorParams

    rows, n = np.shape(params.enc_weight) if np.ndim(params.enc_weight) == 2 else (0, 0)
    if not rows or n % 2 or n > 256:
        return None
    full = (rows, n)
    adaptive = isinstance(params.hid, IWTAParams)
    hid = params.hid
    named = [params.enc_weight, params.enc_bias, *params.enc, params.hid_weight, params.hid_bias, hid.leak_i,
             hid.leak_v, hid.base if adaptive else hid.threshold]
    optional = [hid.adapt if adaptive else None, hid.leak_t if adaptive else None, params.hid_cross,
                params.rec_self, params.rec_cross]
    arrays = [_rows(x, full) for x in named]
    arrays += [_DUMMY if x is None else _rows(x, full) for x in optional]
    arrays += [_rows(params.out.leak, (rows,)), _rows(params.out.weight, (rows, n // 2))]
    if any(a is None for a in arrays):
        return None
    integrating = isinstance(params.out, IntegratorParams)
    flags = np.array([adaptive, params.hid_cross is not None, params.rec_self is not None, integrating])
    theta_min = float(hid.theta_min) if adaptive else 0.0
    limit = float(params.out.limit) if integrating else 0.0
    return (*arrays, flags, theta_min, limit)


_STATES: list = []  # the state types, imported on first use (the network module imports this one)


def _state_types() -> list:
    if not _STATES:
        from snn_control.blimp.snn.network import BlimpSNNState
        from snn_control.snn.iwta import IWTAState
        from snn_control.snn.lif import LIFState
        from snn_control.snn.readout import LIState

        _STATES.extend((BlimpSNNState, IWTAState, LIFState, LIState))
    return _STATES


def _state_arrays(packed: tuple, state: Any) -> tuple[bool, tuple]:
    enc, hid, out = state
    adaptive = bool(packed[17][0])
    ht, htheta = (hid.t, hid.theta) if adaptive else (_DUMMY, _DUMMY)
    return adaptive, (enc.i, enc.v, enc.s, hid.i, hid.v, hid.s, ht, htheta, out.u)


def snn_step(packed: tuple, state: Any, error_m: np.ndarray) -> tuple[Any, np.ndarray]:
    """:func:`~snn_control.blimp.snn.network.blimp_snn_step` for errors ``(batch,)``, parameters
    from :func:`pack_snn`: returns ``(state, u)`` in the same structure."""
    snn_state, iwta_state, lif_state, li_state = _state_types()
    adaptive, arrays = _state_arrays(packed, state)
    ei, ev, es, hi, hv, hs, ht, htheta, u = _k()._snn(np.asarray(error_m, dtype=float), *packed, *arrays)
    hid = iwta_state(hi, hv, hs, ht, htheta) if adaptive else lif_state(hi, hv, hs)
    return snn_state(lif_state(ei, ev, es), hid, li_state(u)), u


def snn_rollout(packed: tuple, state: Any, errors_m: np.ndarray) -> np.ndarray:
    """Outputs ``(batch, T)`` of the network from ``state`` for errors ``(batch, T)``: the ticks of
    :func:`snn_step` in one compiled call (``state`` is not changed)."""
    _, arrays = _state_arrays(packed, state)
    return _k()._snn_rollout(np.ascontiguousarray(errors_m, dtype=float), *packed, *arrays)


# --------------------------------------------------------------------------------------------- guard


def guard_input(p: Any, reading_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~snn_control.blimp.guard.guard_input`."""
    return _k()._guard_input(np.asarray(reading_m, dtype=float), float(p.min_range_m), float(p.max_range_m))


def guard_output(p: Any, state: Any, steps: np.ndarray, below_min: np.ndarray, u: np.ndarray,
                 t_s: float) -> tuple[tuple, np.ndarray]:
    """:func:`~snn_control.blimp.guard.guard_output`: ``(state fields, commands)``."""
    cmd, good, event, invalid, fallbacks = _k()._guard_output(
        state.last_cmd, state.last_good_s, state.n_invalid, state.n_fallback, steps, below_min,
        np.asarray(u, dtype=float), float(t_s), float(p.hold_s), float(p.fallback_cmd), float(p.u_max))
    return (cmd, good, event, invalid, fallbacks), cmd
