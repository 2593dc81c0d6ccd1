"""A real (small) evolution run: both stages, files written, held-out selection, exact resume."""

import json

import numpy as np
import pytest

from snn_control.artifacts.store import ArtifactError
from snn_control.blimp.training.recipe import EvolveConfig, evolve

SMALL = dict(n_pairs=2, population=6, init_candidates=4, train_segments=2, holdout_segments=2,
             closed_loop_segments=2, holdout_every=2, checkpoint_every=2)


def test_small_run_writes_log_plot_checkpoint(tmp_path):
    config = EvolveConfig(role="i", generations=4, closed_loop_generations=2, **SMALL)
    result = evolve(config, tmp_path, progress=False)
    assert result.genome.shape == (config.layout().n_genes,)
    assert set(result.holdout) == {"imitation", "closed_loop"}
    assert np.all(result.genome >= result.layout.lower) and np.all(result.genome <= result.layout.upper)
    log = json.loads((tmp_path / "log.json").read_text())
    assert [r["generation"] for r in log["generations"]] == list(range(6))
    assert [r["stage"] for r in log["generations"]] == ["imitation"] * 4 + ["closed_loop"] * 2
    assert (tmp_path / "fitness.png").stat().st_size > 1000
    assert (tmp_path / "checkpoint.npz").is_file() and (tmp_path / "checkpoint.json").is_file()


@pytest.mark.parametrize("algorithm", ["cma", "ga"])
def test_resume_continues_exactly(tmp_path, algorithm):
    full = evolve(EvolveConfig(role="pd", algorithm=algorithm, generations=6, **SMALL), tmp_path / "a",
                  progress=False)
    evolve(EvolveConfig(role="pd", algorithm=algorithm, generations=4, **SMALL), tmp_path / "b", progress=False)
    resumed = evolve(EvolveConfig(role="pd", algorithm=algorithm, generations=6, **SMALL), tmp_path / "b",
                     resume=True, progress=False)
    np.testing.assert_array_equal(resumed.genome, full.genome)
    assert resumed.holdout == full.holdout
    assert len(resumed.log.rows) == 6


def test_resume_refuses_other_settings(tmp_path):
    evolve(EvolveConfig(role="pd", generations=2, **SMALL), tmp_path, progress=False)
    with pytest.raises(ArtifactError, match="settings differ"):
        evolve(EvolveConfig(role="pd", generations=4, **{**SMALL, "population": 8}), tmp_path, resume=True,
               progress=False)


def test_config_validation():
    with pytest.raises(ValueError, match="algorithm"):
        EvolveConfig(algorithm="pso")
    with pytest.raises(ValueError, match="role"):
        EvolveConfig(role="d")
    assert EvolveConfig.from_dict(EvolveConfig(role="i").to_dict()) == EvolveConfig(role="i")


def test_a_run_can_start_from_an_artifact(tmp_path):
    from snn_control.blimp.snn.controller import save_blimp_snn

    base = evolve(EvolveConfig(role="pd", generations=2, **SMALL), tmp_path / "base", progress=False)
    path = save_blimp_snn(tmp_path / "base_pd", base.layout, base.genome)
    config = EvolveConfig(role="pd", generations=0, closed_loop_generations=2, init=str(path), **SMALL)
    refined = evolve(config, tmp_path / "refine", progress=False)
    started = np.load(tmp_path / "refine" / "checkpoint.npz", allow_pickle=False)["init_genome"]
    np.testing.assert_array_equal(started, base.genome)  # the closed loop starts from the artifact's genome
    assert set(refined.holdout) == {"closed_loop"}
    with pytest.raises(ValueError, match="layout differs"):
        evolve(EvolveConfig(role="pd", generations=0, closed_loop_generations=1, init=str(path),
                            **{**SMALL, "n_pairs": 3}), tmp_path / "other", progress=False)
    with pytest.raises(ValueError, match="artifact path"):
        EvolveConfig(init="best")
    with pytest.raises(ValueError, match="versus_pid"):
        EvolveConfig(role="pd", versus_pid=False, step_weight=0.1)
