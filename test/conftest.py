"""Test-wide settings: DDS stays inside each test process; headless MuJoCo rendering."""

import os

# Single-process tests need no discovery at all; never let DDS multicast to the network.
if os.environ.get("ROS_AUTOMATIC_DISCOVERY_RANGE") not in ("OFF", "LOCALHOST"):
    os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "OFF"
os.environ.setdefault("MUJOCO_GL", "egl")
