"""NIR export and import: round trips through ``nir.write``/``nir.read``, and the read-back graphs,
stepped by our numpy interpreter, reproduce the controllers on recorded input sequences.

Measured with the shipped models (``pytest -q test/artifacts/test_nir.py -s`` prints them): the
blimp pair on a 60 s twin flight's errors and the spiking NCAP on a 200-step swimmer episode's
joint angles. With our metadata extensions the graphs are exact up to rounding; read as standard
NIR (no adaptive reset, clamps, initial state or shunting) they differ, by the bounds asserted.
"""

import h5py
import numpy as np
import pytest

import nir

from snn_control.artifacts import ArtifactError
from snn_control.artifacts.nir_export import GraphBuilder, read_nir, write_nir
from snn_control.artifacts.nir_sim import NIRSimError, NIRSimulator
from snn_control.blimp.flight import fly
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.snn.controller import BlimpSNNController, BlimpSNNNetwork
from snn_control.blimp.snn.nir import add_network, blimp_pair_graph
from snn_control.cli import main
from snn_control.swimmer.env import SwimmerEnv
from snn_control.swimmer.nir import ncap_action, ncap_input, spiking_ncap_graph
from snn_control.swimmer.policy import load_policy

STANDARD_NIR = (nir.Input, nir.Output, nir.Affine, nir.Linear, nir.LI, nir.I, nir.Threshold, nir.Delay)


@pytest.fixture(scope="module")
def blimp_flight():
    """The shipped pair, a 60 s twin flight's error sequence and the pair's outputs on it."""
    controller = BlimpSNNController.from_artifacts()
    flight = fly(controller, SetpointProfile.uniform([1.0, 2.0, 1.5], 20.0), sim="twin", seed=0)
    errors = flight.error_m
    assert errors.shape == (600,)
    state, ref = controller.initial_state(1), []
    for e in errors:
        state, u, _ = controller.step_batch(state, np.array([e]))
        ref.append(u[0])
    return controller, errors, np.array(ref)


@pytest.fixture(scope="module")
def swim():
    """The shipped spiking NCAP, a 200-step episode's joint angles and its actions."""
    policy, params, _ = load_policy("ncap_spiking_6link")
    controller = policy.controller(params)
    env = SwimmerEnv(n_links=6, episode_steps=200, seed=0)
    env.reset(0)
    angles, actions, done = [], [], False
    while not done:
        q = env.joint_angles
        a = controller.step(q)
        angles.append(q)
        actions.append(a)
        _, _, done, _ = env.step(a)
    controller.reset()
    return controller, np.array(angles), np.array(actions)


def _round_trip(graph, path):
    back = read_nir(write_nir(path, graph))
    assert set(back.nodes) == set(graph.nodes)
    assert sorted(map(tuple, back.edges)) == sorted(map(tuple, graph.edges))
    for name, node in graph.nodes.items():
        assert isinstance(back.nodes[name], STANDARD_NIR) and type(back.nodes[name]) is type(node)
        for key, value in node.to_dict().items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(back.nodes[name].to_dict()[key], value, err_msg=f"{name}.{key}")
    assert float(back.metadata["dt_s"]) == graph.metadata["dt_s"]
    return back


def _ncap_rollout(sim, config, angles):
    k = config.ticks_per_step
    return np.array([ncap_action(np.stack([sim.step(ncap_input(config, q))["action"] for _ in range(k)]))
                     for q in angles])


def test_blimp_pair_round_trip_reproduces_the_controller(blimp_flight, tmp_path):
    controller, errors, ref = blimp_flight
    graph = _round_trip(blimp_pair_graph(controller, 0.1), tmp_path / "pair.nir")
    out = NIRSimulator(graph).rollout(errors[:, None])[:, 0]
    exact = np.abs(out - ref).max()
    print(f"\nblimp pair, 600 ticks: max |u_nir - u| = {exact:.3g} (extensions)")
    assert exact < 1e-9
    assert np.abs(ref).max() > 1.0  # the flight exercises the controller


def test_blimp_pair_as_standard_nir_is_a_measured_approximation(blimp_flight, tmp_path):
    controller, errors, ref = blimp_flight
    graph = read_nir(write_nir(tmp_path / "pair.nir", blimp_pair_graph(controller, 0.1)))
    diffs = {}
    for ext in ((), ("clip",), ("reset",), ("reset", "clip")):
        out = NIRSimulator(graph, extensions=ext).rollout(errors[:, None])[:, 0]
        diffs[ext] = (np.abs(out - ref).max(), np.abs(out - ref).mean())
        print(f"\nblimp pair, extensions {ext}: max |du| = {diffs[ext][0]:.3g}, mean {diffs[ext][1]:.3g} motor units")
    assert diffs[("reset", "clip")][0] < 1e-9  # these two are all the pair needs beyond standard NIR
    standard_max, standard_mean = diffs[()]
    # standard NIR alone (a fixed-threshold reset, no clamp) is an approximation whose error depends on
    # how much the shipped I-SNN leans on its moving thresholds: measured, printed, reported in README
    assert 1e-3 < standard_max < 3.0 and standard_mean < 2.5  # of a +-10 range (measured 2.25, mean 1.72)


def test_pd_snn_alone_is_exact_in_standard_nir(blimp_flight):
    controller, errors, _ = blimp_flight
    net = BlimpSNNNetwork.from_artifact(None, "pd")
    b = GraphBuilder(0.1)
    b.add("error", nir.Input(np.array([1])))
    b.add("u", nir.Output(np.array([1])), add_network(b, "pd", net, "error"))
    out = NIRSimulator(b.build(kind="pd"), extensions=False).rollout(errors[:, None])[:, 0]
    ref = np.array([net.step(e) for e in errors])
    assert np.abs(out - ref).max() < 1e-9


def test_spiking_ncap_round_trip_reproduces_the_controller(swim, tmp_path):
    controller, angles, actions = swim
    graph = _round_trip(spiking_ncap_graph(controller.config, controller.params), tmp_path / "ncap.nir")
    out = _ncap_rollout(NIRSimulator(graph), controller.config, angles)
    exact = np.abs(out - actions).max()
    standard = np.abs(_ncap_rollout(NIRSimulator(graph, extensions=False), controller.config, angles) - actions)
    shunt_only = np.abs(_ncap_rollout(NIRSimulator(graph, extensions=("shunt",)), controller.config, angles) - actions)
    print(f"\nspiking NCAP, 200 steps: max |a_nir - a| = {exact:.3g} (extensions), {standard.max():.3g} "
          f"(standard NIR), {shunt_only.max():.3g} (shunting only, oscillator from rest)")
    assert exact < 1e-12
    assert np.abs(actions).max() > 0.5
    # standard NIR has no initial state or shunting inhibition: the oscillator starts off phase
    assert standard.max() > 0.5 and shunt_only.max() > 0.1


def test_missing_and_corrupt_files_are_refused(tmp_path, blimp_flight):
    with pytest.raises(ArtifactError, match="no such NIR file"):
        read_nir(tmp_path / "none.nir")
    (tmp_path / "junk.nir").write_bytes(b"not hdf5 at all")
    with pytest.raises(ArtifactError, match="not an HDF5 NIR file"):
        read_nir(tmp_path / "junk.nir")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f.create_dataset("x", data=np.arange(3))
    with pytest.raises(ArtifactError, match="not a valid NIR graph"):
        read_nir(tmp_path / "other.h5")
    good = write_nir(tmp_path / "pair.nir", blimp_pair_graph(blimp_flight[0]))
    data = good.read_bytes()
    (tmp_path / "cut.nir").write_bytes(data[: len(data) // 2])
    with pytest.raises(ArtifactError, match="cut.nir"):
        read_nir(tmp_path / "cut.nir")


def test_simulator_refuses_what_it_cannot_step():
    def graph(node, edges=(("in", "n"), ("n", "out")), dt=0.1):
        nodes = {"in": nir.Input(np.array([2])), "n": node, "out": nir.Output(np.array([2]))}
        return nir.NIRGraph(nodes, list(edges), metadata={} if dt is None else {"dt_s": dt}, type_check=False)

    with pytest.raises(NIRSimError, match="type LIF"):
        NIRSimulator(graph(nir.LIF(np.ones(2), np.ones(2), np.zeros(2), np.ones(2))))
    with pytest.raises(NIRSimError, match="one-tick delays"):
        NIRSimulator(graph(nir.Delay(np.full(2, 0.3))))
    with pytest.raises(NIRSimError, match="dt_s"):
        NIRSimulator(graph(nir.Linear(np.eye(2)), dt=None))
    with pytest.raises(NIRSimError, match="cycle"):
        NIRSimulator(graph(nir.Linear(np.eye(2)), edges=(("in", "n"), ("n", "n"), ("n", "out"))))
    sim = NIRSimulator(graph(nir.Affine(2 * np.eye(2), np.ones(2))))
    np.testing.assert_array_equal(sim.step(np.array([1.0, 2.0]))["out"], [3.0, 5.0])
    with pytest.raises(ValueError, match="unknown extensions"):
        NIRSimulator(graph(nir.Linear(np.eye(2))), extensions=("nope",))


def test_cli_export_then_import(tmp_path, capsys):
    for system in ("blimp", "ncap"):
        path = tmp_path / f"{system}.nir"
        assert main(["export", "nir", system, "--out", str(path)]) == 0
        assert main(["import", "nir", str(path), "--steps", "30"]) == 0
        out = capsys.readouterr().out
        assert f"snn_control.{'blimp_snn_pair' if system == 'blimp' else 'spiking_ncap'}" in out
        assert "spikes:" in out
    assert main(["import", "nir", str(tmp_path / "missing.nir")]) == 2
    assert "no such NIR file" in capsys.readouterr().err
    assert main(["export", "nir", "blimp", "--out", str(tmp_path / "x.nir"), "--model", "only_one"]) == 2
