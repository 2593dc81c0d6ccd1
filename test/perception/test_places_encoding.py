import numpy as np
import pytest

from snn_control.perception.places.encoding import patch_normalize, poisson_rates_hz, poisson_spikes


def test_patch_normalize_is_invariant_to_gain_and_offset():
    rng = np.random.default_rng(0)
    img = rng.random((2, 28, 28)) * 100
    a = patch_normalize(img)
    b = patch_normalize(img * 1.7 + 40)
    assert a.shape == (2, 28, 28) and a.dtype == np.float32
    assert np.allclose(a, b, atol=1e-3)
    assert a.min() >= 0 and a.max() <= 255


def test_patch_normalize_flat_image_is_mid_grey_and_edge_saturates():
    assert np.all(patch_normalize(np.full((28, 28), 80.0)) == 127.5)
    step = np.zeros((28, 28))
    step[:, 14:] = 100
    out = patch_normalize(step)
    assert out[10, 14] > 200 and out[10, 13] < 55         # bright side / dark side of the edge
    assert out[10, 14] + out[10, 13] == pytest.approx(255)  # symmetric about mid grey
    assert out[10, 2] == 127.5                            # far from the edge: no contrast


def test_patch_normalize_matches_a_direct_window_computation():
    rng = np.random.default_rng(1)
    img = rng.random((12, 12)) * 255
    out = patch_normalize(img, 7)
    padded = np.pad(img, 3, mode="reflect")
    win = padded[5 - 3 + 3:5 + 4 + 3, 6:13]  # window centred on (5, 6)
    z = np.clip((img[5, 6] - win.mean()) / win.std(), -1, 1)
    assert out[5, 6] == pytest.approx(127.5 * (z + 1), abs=1e-3)


@pytest.mark.parametrize("bad", [4, 1, 2.5, True])
def test_patch_normalize_rejects_bad_patch(bad):
    with pytest.raises(ValueError, match="patch"):
        patch_normalize(np.zeros((28, 28)), bad)


def test_patch_normalize_rejects_nan_and_small_images():
    img = np.zeros((28, 28))
    img[3, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        patch_normalize(img)
    with pytest.raises(ValueError, match="patch"):
        patch_normalize(np.zeros((5, 5)))


def test_poisson_spikes_have_the_paper_rates():
    rates = poisson_rates_hz(np.array([[255.0, 127.5, 0.0]]))
    assert np.allclose(rates, [[63.75, 31.875, 0.0]])
    spikes = poisson_spikes(rates, 20000, 1e-3, np.random.default_rng(0))
    assert spikes.shape == (1, 20000, 3)
    freq = spikes.mean(axis=1)[0] / 1e-3
    assert freq[0] == pytest.approx(63.75, rel=0.05)
    assert freq[1] == pytest.approx(31.875, rel=0.07)
    assert freq[2] == 0
