"""The N-joint swimmer body (MJCF) and the pure functions of the "swim" task.

Body: ``sim/swimmer.xml`` holds the head link; :func:`swimmer_xml` appends N links of 0.1 m,
each with a hinge ``joint_i`` of range ±2π/(N+1), a motor ``motor_i`` (gear 5e-4, ctrl in
[-1, 1]) and a velocimeter/gyro pair, so the swimmer has N+1 links and N joints, as in
dm_control's ``suite.swimmer.get_model_and_assets(N + 1)``.

Task "swim" (NCAP, Bhattasali et al. 2022), per control step:

    v_fwd = -v_y(head)                     head velocity along the nose (the head's local -y axis)
    r     = clip(v_fwd / v_target, 0, 1)   v_target = 0.1 m/s

so an episode of 1000 steps returns at most 1000.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

SWIM_SPEED_MPS = 0.1
PHYSICS_DT_S = 0.002
CONTROL_DT_S = 0.03
EPISODE_STEPS = 1000
MIN_JOINTS = 2


def check_n_joints(n_joints: int, field: str = "n_joints") -> int:
    """Validate a joint count (N >= 2, i.e. at least 3 links); returns it as int."""
    if isinstance(n_joints, bool) or not isinstance(n_joints, (int, np.integer)):
        raise ValueError(f"{field} must be an integer, got {n_joints!r}")
    if n_joints < MIN_JOINTS:
        raise ValueError(f"{field} must be >= {MIN_JOINTS} (a swimmer needs at least 3 links), got {n_joints}")
    return int(n_joints)


def joint_limit_rad(n_joints: int) -> float:
    """Joint range half-width 2π/(N+1) (rad) of an N-joint swimmer."""
    return 2.0 * math.pi / (check_n_joints(n_joints) + 1)


def swimmer_xml(n_joints: int, template: str | Path | None = None) -> str:
    """MJCF text of a swimmer with ``n_joints`` joints (``n_joints + 1`` links)."""
    from snn_control.paths import sim_path

    n = check_n_joints(n_joints)
    root = ET.parse(str(template) if template else sim_path("swimmer.xml")).getroot()
    parent = root.find("./worldbody/body")
    actuator, sensor = root.find("actuator"), root.find("sensor")
    limit_deg = 360.0 / (n + 1)
    for i in range(n):
        body = ET.SubElement(parent, "body", name=f"segment_{i}", pos="0 .1 0")
        ET.SubElement(body, "geom", {"class": "visual", "name": f"visual_{i}"})
        ET.SubElement(body, "geom", {"class": "inertial", "name": f"inertial_{i}"})
        ET.SubElement(body, "site", name=f"site_{i}")
        ET.SubElement(body, "joint", name=f"joint_{i}", range=f"{-limit_deg} {limit_deg}")
        ET.SubElement(actuator, "motor", name=f"motor_{i}", joint=f"joint_{i}")
        ET.SubElement(sensor, "velocimeter", name=f"velocimeter_{i}", site=f"site_{i}")
        ET.SubElement(sensor, "gyro", name=f"gyro_{i}", site=f"site_{i}")
        parent = body
    scale = (n + 1) / 6.0  # tracking cameras back off as the body grows
    for cam in root.findall("./worldbody/body/camera"):
        if cam.get("mode") == "trackcom":
            cam.set("pos", " ".join(str(float(x) * scale) for x in cam.get("pos").split()))
    return ET.tostring(root, encoding="unicode")


def swim_reward(v_forward_mps: np.ndarray | float, target_mps: float = SWIM_SPEED_MPS) -> np.ndarray:
    """r = clip(v_forward / target, 0, 1), elementwise."""
    return np.clip(np.asarray(v_forward_mps, dtype=float) / target_mps, 0.0, 1.0)


def body_velocities(sensordata: np.ndarray) -> np.ndarray:
    """Per-link (vx, vy, wz) in each link's frame, head first: shape ``(3 (N+1),)``.

    ``sensordata`` is the model's: a velocimeter (3) and a gyro (3) per link, head first.
    """
    per_link = np.asarray(sensordata).reshape(-1, 6)
    return per_link[:, [0, 1, 5]].ravel()


def observation_size(n_joints: int) -> int:
    """Length of the env observation: N joint angles + 3 (N+1) body velocities."""
    n = check_n_joints(n_joints)
    return n + 3 * (n + 1)
