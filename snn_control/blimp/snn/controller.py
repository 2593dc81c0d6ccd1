"""Deployable blimp SNN controllers (the ROS altitude controller's core) and their artifact files.

* :class:`BlimpSNNNetwork`: one evolved network (PD-SNN or I-SNN) holding its state; ``step(error)``.
* :class:`BlimpSNNController`: PD-SNN + I-SNN, u = u_PD + u_I clipped to ±u_max (``controller: snn``).
* :class:`PDSNNPlusPIDI`: PD-SNN + the paper PID's I term (``controller: pd_snn+pid_i``).

Both are :class:`~snn_control.blimp.controllers.SummedController` s of network terms (and the
PID's I term): ``reset()``, ``step(altitude_m, setpoint_m) -> float`` for one blimp, and
``initial_state``/``step_batch`` for many. The one-blimp ``step`` of the networks runs on the fused
on-board runtime (:class:`~snn_control.blimp.snn.runtime.FusedSNN`: same arithmetic, equal bit for
bit, about three times as fast); ``state`` then reads and writes that runtime's state. An artifact is
``<stem>.npz`` (array ``genome``) + ``<stem>.json`` (kind ``blimp_snn``, the genome layout, the
role, provenance), written by :func:`save_blimp_snn` and checked by :func:`load_blimp_snn`;
``pd_snn`` and ``i_snn`` ship in ``snn_control/artifacts/data``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from snn_control.artifacts.store import ArtifactError, load_artifact, save_artifact, shipped_artifact
from snn_control.blimp.controllers import SummedController
from snn_control.blimp.pid import PIDParams, PIDTerm
from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.snn.network import BlimpSNNParams, BlimpSNNState, SNNTerm
from snn_control.blimp.snn.runtime import FusedSNN

ARTIFACT_KIND = "blimp_snn"
ARTIFACT_VERSION = 1
SHIPPED = {"pd": "pd_snn", "i": "i_snn"}


def save_blimp_snn(
    path: str | Path, layout: BlimpSNNLayout, genome: np.ndarray, metadata: dict[str, Any] | None = None
) -> Path:
    """Write an evolved network as an artifact; returns the ``.npz`` path."""
    g = np.asarray(genome, dtype=np.float64)
    if g.shape != (layout.n_genes,):
        raise ValueError(f"genome must have shape ({layout.n_genes},) for this layout, got {g.shape}")
    meta = {"layout": layout.to_dict(), "role": layout.role, "n_genes": layout.n_genes}
    meta["n_spiking_neurons"] = layout.n_spiking_neurons
    meta.update(metadata or {})
    return save_artifact(path, ARTIFACT_KIND, ARTIFACT_VERSION, {"genome": g}, meta)


def load_blimp_snn(path: str | Path, role: str | None = None) -> tuple[BlimpSNNLayout, np.ndarray, dict[str, Any]]:
    """Load and validate an artifact: ``(layout, genome, metadata)``.

    Raises:
        ArtifactError: the files are missing or corrupt (see :func:`load_artifact`), the layout is
            invalid, the genome does not fit it or leaves its bounds, or ``role`` differs.
    """
    arrays, meta = load_artifact(path, ARTIFACT_KIND, ARTIFACT_VERSION)
    where = Path(path).with_suffix(".json")
    try:
        layout = BlimpSNNLayout.from_dict(meta["layout"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{where}: invalid or missing genome layout ({exc})") from None
    if role is not None and layout.role != role:
        raise ArtifactError(f"{where}: network role is {layout.role!r}, expected {role!r}")
    genome = arrays.get("genome")
    if genome is None or genome.shape != (layout.n_genes,):
        shape = None if genome is None else genome.shape
        raise ArtifactError(f"{where}: genome shape {shape} does not match the layout ({layout.n_genes} genes)")
    span = layout.upper - layout.lower
    if np.any(genome < layout.lower - 1e-9 * span) or np.any(genome > layout.upper + 1e-9 * span):
        raise ArtifactError(f"{where}: genome leaves the layout's gene bounds")
    return layout, genome, meta


def _resolve(path: str | Path | None, role: str) -> Path:
    return Path(path) if path is not None else shipped_artifact(SHIPPED[role])


class BlimpSNNNetwork:
    """One network with its state: ``u = net.step(error_m)``."""

    def __init__(self, layout: BlimpSNNLayout, genome: np.ndarray, metadata: dict[str, Any] | None = None) -> None:
        self.layout = layout
        self.genome = np.asarray(genome, dtype=float)
        self.params: BlimpSNNParams = layout.decode(self.genome[None])
        self.metadata = dict(metadata or {})
        self._fused = FusedSNN([self.params])

    @classmethod
    def from_artifact(cls, path: str | Path | None = None, role: str = "pd") -> "BlimpSNNNetwork":
        """Load ``path`` (``None``: the shipped network of ``role``)."""
        layout, genome, meta = load_blimp_snn(_resolve(path, role), role=role)
        return cls(layout, genome, meta)

    @property
    def n_spiking_neurons(self) -> int:
        return self.layout.n_spiking_neurons

    @property
    def state(self) -> BlimpSNNState:
        """The state as :func:`~snn_control.blimp.snn.network.blimp_snn_step` holds it (a copy)."""
        return self._fused.states()[0]

    @state.setter
    def state(self, value: BlimpSNNState) -> None:
        self._fused.load([value])

    def reset(self) -> None:
        self._fused.reset()

    def step(self, error_m: float) -> float:
        return self._fused.step(error_m)[0]


class _PDPlusI(SummedController):
    """A PD-like term plus an I-like term; ``last_pd``/``last_i`` are their last outputs."""

    @property
    def last_pd(self) -> float:
        return self.last_parts[0]

    @property
    def last_i(self) -> float:
        return self.last_parts[1]


class BlimpSNNController(_PDPlusI):
    """The paper's deployed controller: PD-SNN + I-SNN, outputs added, clipped to ±``u_max``."""

    def __init__(self, pd: BlimpSNNNetwork, i: BlimpSNNNetwork, u_max: float = 10.0) -> None:
        if pd.layout.role != "pd" or i.layout.role != "i":
            raise ValueError("BlimpSNNController needs a network of role 'pd' and one of role 'i'")
        self.pd, self.i = pd, i
        self._fused = FusedSNN([pd.params, i.params])
        super().__init__([SNNTerm(pd.params), SNNTerm(i.params)], u_max)

    @property
    def state(self) -> tuple[BlimpSNNState, BlimpSNNState]:
        """The one-blimp state, as :meth:`step_batch` holds it (copies of the fused runtime's)."""
        return self._fused.states()

    @state.setter
    def state(self, value: tuple | None) -> None:
        if value is None:
            self._fused.reset()
        else:
            self._fused.load(value)

    def reset(self) -> None:
        self._fused.reset()
        self.last_parts = (0.0, 0.0)

    def step(self, altitude_m: float, setpoint_m: float) -> float:
        """One tick for one blimp on the fused runtime; equal bit for bit to :meth:`step_batch`."""
        pd, i = self._fused.step(float(setpoint_m) - float(altitude_m))
        self.last_parts = (pd, i)
        u = pd + i
        return u if self.u_max is None else min(max(u, -self.u_max), self.u_max)

    @classmethod
    def from_artifacts(
        cls, pd_path: str | Path | None = None, i_path: str | Path | None = None, u_max: float = 10.0
    ) -> "BlimpSNNController":
        """Load both networks (``None``: the shipped ``pd_snn`` / ``i_snn``)."""
        return cls(BlimpSNNNetwork.from_artifact(pd_path, "pd"), BlimpSNNNetwork.from_artifact(i_path, "i"), u_max)


class PDSNNPlusPIDI(_PDPlusI):
    """PD-SNN plus the paper PID's I term (anti-windup clamp included), clipped to ±``u_max``."""

    def __init__(self, pd: BlimpSNNNetwork, pid: PIDParams = PIDParams(), u_max: float = 10.0) -> None:
        if pd.layout.role != "pd":
            raise ValueError("PDSNNPlusPIDI needs a network of role 'pd'")
        self.pd, self.pid = pd, pid
        super().__init__([SNNTerm(pd.params), PIDTerm(pid, "i")], u_max)

    @classmethod
    def from_artifact(cls, pd_path: str | Path | None = None, u_max: float = 10.0) -> "PDSNNPlusPIDI":
        """Load the PD-SNN (``None``: the shipped ``pd_snn``)."""
        return cls(BlimpSNNNetwork.from_artifact(pd_path, "pd"), u_max=u_max)

    from_artifacts = from_artifact  # same call shape as BlimpSNNController.from_artifacts(pd_path)
