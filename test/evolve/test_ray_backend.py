"""The Ray backend of the population map gives the same evolution as the local one, on loopback.

One private Ray instance (2 CPUs, every server on 127.0.0.1) runs a short blimp evolution (both
stages, one generation each), a short swimmer training (2 generations) and the training of two
place modules; each must equal the local run exactly: every generation's best, the held-out scores and the final genome. The blimp is
compared with the same 2 chunks in this process (what ``--workers 2`` computes in a process pool):
its closed-loop fitness depends on the chunking unless ``common_noise`` is set (the xfail below).
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from snn_control.evolve.popmap import population_map

needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="ray is not installed (pip install -r requirements.txt pins it)")

BLIMP_SMALL = dict(role="pd", n_pairs=2, population=6, init_candidates=4, train_segments=2, holdout_segments=2,
                   closed_loop_segments=2, holdout_every=1, checkpoint_every=2, generations=1,
                   closed_loop_generations=1, seed=3)


def _bests(rows):
    return [(r["generation"], r["best"]) for r in rows if "best" in r]


@pytest.fixture(scope="module")
def ray_pmap():
    with population_map(2, "ray") as pmap:
        yield pmap


@pytest.mark.slow
@needs_ray
def test_ray_instance_is_private_and_on_loopback(ray_pmap):
    import ray

    assert ray_pmap.backend == "ray" and ray_pmap.n_chunks == 2
    nodes = ray.nodes()
    assert len(nodes) == 1 and nodes[0]["NodeManagerAddress"] == "127.0.0.1"
    assert ray.cluster_resources()["CPU"] == 2
    assert ray_pmap.map(abs, [-3, 1, -2]) == [3, 1, 2]  # order kept, as the builtin map


@pytest.mark.slow
@needs_ray
def test_blimp_evolution_on_ray_equals_serial(ray_pmap, tmp_path):
    from snn_control.blimp.training.recipe import EvolveConfig, evolve

    config = EvolveConfig(**BLIMP_SMALL)
    with population_map(2, "serial") as local:  # the chunks of --workers 2, in this process
        serial = evolve(config, tmp_path / "serial", progress=False, pmap=local)
    on_ray = evolve(config, tmp_path / "ray", progress=False, pmap=ray_pmap)
    assert len(_bests(serial.log.rows)) == 2
    assert _bests(on_ray.log.rows) == _bests(serial.log.rows)
    assert on_ray.holdout == serial.holdout
    np.testing.assert_array_equal(on_ray.genome, serial.genome)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="BlimpBatchSim draws the ToF noise of a whole batch from one Generator "
                   "(blimp/twin.py), so a flight's noise depends on its row and on the chunk size: the closed-"
                   "loop stage of --workers 1 and --workers 2 differs. Per-flight noise streams fix it; then "
                   "drop this mark")
def test_blimp_evolution_does_not_depend_on_the_chunking(tmp_path):
    from snn_control.blimp.training.recipe import EvolveConfig, evolve

    config = EvolveConfig(**BLIMP_SMALL)
    with population_map(1, "serial") as one, population_map(2, "serial") as two:
        a = evolve(config, tmp_path / "one", progress=False, pmap=one)
        b = evolve(config, tmp_path / "two", progress=False, pmap=two)
    assert _bests(a.log.rows) == _bests(b.log.rows)


@pytest.mark.slow
def test_blimp_evolution_with_common_noise_does_not_depend_on_the_chunking(tmp_path):
    """--common-noise: every genome reads one noise sequence per flight, so 1 and 2 chunks agree."""
    from snn_control.blimp.training.recipe import EvolveConfig, evolve

    config = EvolveConfig(**BLIMP_SMALL, common_noise=True)
    with population_map(1, "serial") as one, population_map(2, "serial") as two:
        a = evolve(config, tmp_path / "one", progress=False, pmap=one)
        b = evolve(config, tmp_path / "two", progress=False, pmap=two)
    assert _bests(a.log.rows) == _bests(b.log.rows)
    np.testing.assert_array_equal(a.genome, b.genome)


@pytest.mark.slow
@needs_ray
def test_swimmer_training_on_ray_equals_serial(ray_pmap):
    from snn_control.swimmer.training import NCAPTrainConfig, train_swimmer

    cfg = NCAPTrainConfig(n_links=4, variant="rate", algorithm="cma", population=4, sigma=0.1,
                          step_budget=4 * 100 * 2, episode_steps=100, eval_every=1, eval_episodes=2, seed=5)
    serial = train_swimmer(cfg, progress=False)
    on_ray = train_swimmer(cfg, ray_pmap, progress=False)
    assert len(_bests(serial.history)) == 2
    assert _bests(on_ray.history) == _bests(serial.history)
    assert on_ray.best_validation == serial.best_validation
    np.testing.assert_array_equal(on_ray.params, serial.params)


@pytest.mark.slow
@needs_ray
def test_place_training_on_ray_equals_serial(ray_pmap):
    from snn_control.perception.places.encoding import patch_normalize
    from snn_control.perception.places.module import ModuleParams
    from snn_control.perception.places.train import PlaceTrainConfig, train_modules

    gray = np.random.default_rng(4).uniform(20, 220, (2 * 10, 28, 28)).astype(np.float32)
    refs = patch_normalize(gray).reshape(2, 10, -1)
    cfg, params = PlaceTrainConfig(places_per_module=5, epochs=1, modules_per_batch=1), ModuleParams(n_exc=20)
    serial = train_modules(refs, cfg, params)
    on_ray = train_modules(refs, cfg, params, ray_pmap)
    for a, b in zip(serial, on_ray):
        np.testing.assert_array_equal(a, b)


@needs_ray
def test_a_cluster_gets_the_package_and_its_models(tmp_path):
    from snn_control.evolve.ray_backend import _stage_code

    stage = Path(_stage_code(tmp_path))
    assert (stage / "snn_control" / "evolve" / "ray_backend.py").is_file()
    assert (stage / "sim" / "blimp.xml").is_file() and (stage / "config").is_dir()
    assert not list(stage.rglob("__pycache__"))


def test_ray_is_imported_only_for_the_ray_backend():
    code = ("import sys\n"
            "from snn_control.cli import build_parser\n"
            "from snn_control.evolve.popmap import population_map\n"
            "for cmd in (['evolve', 'blimp'], ['evolve', 'ncap'], ['train', 'places']):\n"
            "    build_parser(cmd)\n"
            "with population_map(2, 'serial'):\n"
            "    pass\n"
            "assert 'ray' not in sys.modules, 'ray imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_address_only_with_ray():
    with pytest.raises(ValueError, match="ray backend only"):
        with population_map(2, "pool", address="auto"):
            pass
