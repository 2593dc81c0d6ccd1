"""Build an altitude controller by name (the ``controller`` parameter of the ROS node and CLI)."""

from __future__ import annotations

from snn_control.blimp.pid import PIDController

CONTROLLERS = ("pid", "snn", "pd_snn+pid_i")


def make_altitude_controller(name: str, pd_artifact: str = "", i_artifact: str = ""):
    """``pid``: the paper's PID; ``snn``: PD-SNN + I-SNN (160 spiking neurons);
    ``pd_snn+pid_i``: PD-SNN with the PID's integral term. Empty artifact paths: shipped ones."""
    if name == "pid":
        return PIDController()
    if name in ("snn", "pd_snn+pid_i"):
        try:
            from snn_control.blimp.snn import controller as blimp_snn
        except ImportError as exc:  # pragma: no cover - until the SNN controllers land
            raise ValueError(f"controller {name!r} is not available in this build: {exc}") from None
        if name == "snn":
            return blimp_snn.BlimpSNNController.from_artifacts(pd_artifact or None, i_artifact or None)
        return blimp_snn.PDSNNPlusPIDI.from_artifacts(pd_artifact or None)
    raise ValueError(f"unknown controller {name!r}; choose one of {', '.join(CONTROLLERS)}")
