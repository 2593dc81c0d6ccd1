"""Test-wide settings: DDS stays inside each test process; headless MuJoCo rendering."""

import os

# Single-process tests need no discovery at all; never let DDS multicast to the network.
if os.environ.get("ROS_AUTOMATIC_DISCOVERY_RANGE") not in ("OFF", "LOCALHOST"):
    os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "OFF"
os.environ.setdefault("MUJOCO_GL", "egl")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_spikepoint(tmp_path_factory):
    """Path of an untrained, tiny SpikePoint artifact (for plumbing tests, not accuracy)."""
    torch = pytest.importorskip("torch")
    from snn_control.perception.spikepoint.artifact import save_model
    from snn_control.perception.spikepoint.config import SpikePointConfig
    from snn_control.perception.spikepoint.model import SpikePoint

    torch.manual_seed(0)
    model = SpikePoint(SpikePointConfig(points=64, groups=16, neighbors=8, time_steps=4))
    with torch.no_grad():  # untrained layers are silent; shifts near the threshold make spikes flow
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm1d):
                module.bias.uniform_(0.5, 1.5)
    return save_model(tmp_path_factory.mktemp("spikepoint") / "tiny", model, {"note": "untrained test model"})
