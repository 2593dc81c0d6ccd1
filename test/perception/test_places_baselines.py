import numpy as np
import pytest

from snn_control.perception.places.baselines import TempoConfig, block_normalize, sad_scores, train_tempo

from places_fixtures import inputs, scenes, traverse


def test_block_normalize_zero_mean_unit_std_per_patch():
    rng = np.random.default_rng(0)
    out = block_normalize(rng.random((2, 16, 16)) * 255, 8).reshape(2, 2, 8, 2, 8)
    assert np.allclose(out.mean(axis=(2, 4)), 0, atol=1e-5)
    assert np.allclose(out.std(axis=(2, 4)), 1, atol=1e-4)
    with pytest.raises(ValueError, match="multiple"):
        block_normalize(np.zeros((1, 10, 16)), 8)


def test_sad_finds_each_place_and_takes_the_best_reference():
    base = scenes(6, seed=1, size=32)
    q = traverse(base, 0.7, 30, 2.0, 5)
    other = scenes(6, seed=9, size=32)            # a useless second reference traverse
    s = sad_scores(q, [other, traverse(base, 1.0, 0, 2.0, 6)])
    assert s.shape == (6, 6)
    assert np.array_equal(s.argmax(axis=1), np.arange(6))


def test_tempo_learns_its_reference_places():
    base = scenes(20, seed=2)
    refs = np.stack([inputs(traverse(base, g, o, 3.0, s)) for g, o, s in [(1, 0, 1), (0.8, 20, 2)]]) / 255
    model = train_tempo(refs, TempoConfig(places_per_module=8, epochs_feature=1, epochs_output=4))
    assert model.w1.shape == (3, 2 * 784, 784)
    s = model.scores(inputs(traverse(base, 0.6, 40, 5.0, 3)) / 255)
    assert s.shape == (20, 20) and np.all(np.isfinite(s))
    assert np.mean(s.argmax(axis=1) == np.arange(20)) >= 0.6      # chance: 0.05
    with pytest.raises(ValueError, match="places_per_module"):
        TempoConfig(places_per_module=0)
