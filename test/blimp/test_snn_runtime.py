"""The fused on-board runtime equals the population step bit for bit, and stays lean.

:class:`~snn_control.blimp.snn.runtime.FusedSNN` is a fast path: it is trusted only while these
tests tie it to :func:`~snn_control.blimp.snn.network.blimp_snn_step`, the code evolution runs.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from snn_control.blimp.controllers import SummedController
from snn_control.blimp.snn.controller import BlimpSNNController, BlimpSNNNetwork
from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.snn.network import SNNTerm, blimp_snn_initial_state, blimp_snn_rollout
from snn_control.blimp.snn.runtime import FusedSNN


def _errors(n: int, seed: int) -> np.ndarray:
    """A long, varied error sequence: a random walk, noise, steps, and spans of exact zeros."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0.0, 0.05, n))
    e = 0.5 * np.tanh(walk) + rng.normal(0.0, 0.05, n)
    e[rng.random(n) < 0.02] *= 20.0  # set-point jumps
    e[n // 3 : n // 3 + 200] = 0.0  # holds at zero error
    return e


def _reference(controller: SummedController, errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The batch face (blimp_snn_step per network, the code evolution runs) for one blimp."""
    state = controller.initial_state(1)
    out, parts = np.empty(len(errors)), np.empty((len(errors), len(controller.terms)))
    for k, e in enumerate(errors):
        state, u, p = controller.step_batch(state, np.array([e]))
        out[k], parts[k] = u[0], [q[0] for q in p]
    return out, parts


def test_shipped_pair_tick_equals_the_population_step_bit_for_bit():
    c = BlimpSNNController.from_artifacts()
    errors = _errors(20000, seed=1)
    want, want_parts = _reference(c, errors)
    c.reset()
    got = np.array([c.step(0.0, e) for e in errors])
    np.testing.assert_array_equal(got, want)
    assert (c.last_pd, c.last_i) == tuple(want_parts[-1])
    # the command saturated somewhere and the I-SNN integrated: the sequence exercised the clip
    assert np.any(np.abs(want) == 10.0) and np.ptp(want_parts[:, 1]) > 1.0


@pytest.mark.parametrize("hidden", ["lif", "iwta", "rlif", "riwta"])
@pytest.mark.parametrize("block", [False, True])
def test_every_hidden_kind_and_readout_fused_equals_the_step(hidden, block):
    rng = np.random.default_rng(7)
    nets = []
    for role, readout in (("pd", "leaky"), ("i", "integrating")):
        layout = BlimpSNNLayout.for_role(role, hidden=hidden, block=block, readout=readout)
        genome = layout.lower + rng.random(layout.n_genes) * (layout.upper - layout.lower)
        nets.append(layout.decode(genome[None]))
    errors = _errors(3000, seed=2)
    want = np.stack([blimp_snn_rollout(p, errors)[0] for p in nets], axis=1)
    fused = FusedSNN(nets)
    got = np.array([fused.step(e) for e in errors])
    np.testing.assert_array_equal(got, want)


def test_state_round_trips_between_the_faces():
    c = BlimpSNNController.from_artifacts()
    errors = _errors(500, seed=3)
    for e in errors[:250]:
        c.step(0.0, e)
    saved = c.state  # the population step's state structure
    state = saved
    ref = []
    for e in errors[250:]:
        state, u, _ = c.step_batch(state, np.array([e]))
        ref.append(u[0])
    c.state = saved
    np.testing.assert_array_equal([c.step(0.0, e) for e in errors[250:]], ref)
    c.state = None
    initial = c.initial_state(1)
    for got, want in zip(c.state, initial):
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a if not isinstance(a, tuple) else np.concatenate(a),
                                          b if not isinstance(b, tuple) else np.concatenate(b))


def test_single_network_face_uses_the_runtime_too():
    net = BlimpSNNNetwork.from_artifact(role="i")
    errors = _errors(2000, seed=4)
    want = blimp_snn_rollout(net.params, errors)[0]
    net.reset()
    np.testing.assert_array_equal([net.step(e) for e in errors], want)
    state = net.state
    assert state.hid.theta.shape == (1, 40)
    net.state = blimp_snn_initial_state(net.params)
    assert net.step(float(errors[0])) == want[0]


def test_fused_refuses_a_population():
    layout = BlimpSNNLayout.for_role("pd")
    params = layout.decode(np.tile((layout.lower + layout.upper) / 2, (3, 1)))
    with pytest.raises(ValueError, match="batch of one|one row"):
        FusedSNN([params])
    assert SNNTerm(params).n_spiking_neurons == 80


RUNTIME_IMPORTS = (
    "import sys\n"
    "before = set(sys.modules)  # what the interpreter's site hooks loaded\n"
    "from snn_control.blimp.controllers import make_altitude_controller\n"
    "from snn_control.blimp.guard import GuardedController\n"
    "c = GuardedController(make_altitude_controller('snn'))\n"
    "for k in range(1000):\n"
    "    c.step(1.0 + 0.001 * (k % 50), 1.2, 0.1 * k)\n"
    "roots = sorted({m.split('.')[0] for m in set(sys.modules) - before})\n"
    "rss = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')][0]\n"
    "import json; print(json.dumps({'roots': roots, 'rss_kb': rss}))\n"
)
HEAVY = {"torch", "mujoco", "deap", "rclpy", "yaml", "scipy", "matplotlib", "gymnasium", "cv2", "nir",
         "tqdm", "dm_control", "snntorch", "ray"}


def test_runtime_imports_only_numpy_and_the_standard_library():
    out = subprocess.run([sys.executable, "-c", RUNTIME_IMPORTS], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert not HEAVY & set(report["roots"]), sorted(HEAVY & set(report["roots"]))
    third_party = set(report["roots"]) - set(sys.stdlib_module_names) - {"snn_control", "numpy", "cython_runtime"}
    assert not {m for m in third_party if not m.startswith("_")}, sorted(third_party)
    assert report["rss_kb"] < 60 * 1024  # the bar for a runtime-only process


def test_import_snn_control_is_bare():
    code = "import sys, snn_control; print(sorted(m for m in sys.modules if m.startswith('snn_control') or m == 'numpy'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['snn_control']"
