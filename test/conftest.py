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


@pytest.fixture(scope="session")
def tiny_places(tmp_path_factory):
    """A tiny place data set on disk and a place model trained on it in about a second (plumbing
    tests, not accuracy): ``root`` holds traverses ``ref_a``, ``ref_b`` and ``query`` of 10 places
    (64 x 48 PNGs: a smooth random pattern per place plus per-traverse noise), ``model`` is the
    artifact's path, ``query`` the query images (uint8) and ``truth`` their places."""
    from types import SimpleNamespace

    import cv2
    import numpy as np

    from snn_control.perception.places.data import load_traverse, open_traverses
    from snn_control.perception.places.encoding import patch_normalize
    from snn_control.perception.places.module import ModuleParams
    from snn_control.perception.places.train import PlaceTrainConfig, train_ensemble

    root = tmp_path_factory.mktemp("places")
    rng = np.random.default_rng(0)
    n = 10
    base = np.stack([cv2.resize(p, (64, 48), interpolation=cv2.INTER_CUBIC) for p in rng.uniform(0, 255, (n, 6, 8))])
    for name, noise in (("ref_a", 10.0), ("ref_b", 10.0), ("query", 20.0)):
        (root / name).mkdir()
        images = np.clip(base + noise * rng.standard_normal(base.shape), 0, 255).astype(np.uint8)
        for i, img in enumerate(images):
            cv2.imwrite(str(root / name / f"{i:05d}.png"), img)
    tset = open_traverses(root)
    refs = np.stack([patch_normalize(load_traverse(tset, t)).reshape(n, -1) for t in ("ref_a", "ref_b")])
    model, _ = train_ensemble(refs, PlaceTrainConfig(places_per_module=5, epochs=2, modules_per_batch=4),
                              ModuleParams(n_exc=20, present_s=0.05))
    path = model.save(root / "model")
    query = [cv2.imread(str(f), cv2.IMREAD_GRAYSCALE) for f in tset.files["query"]]
    return SimpleNamespace(root=root, model=path, query=query, truth=np.arange(n))
