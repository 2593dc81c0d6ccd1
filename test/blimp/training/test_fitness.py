"""Blimp SNN fitness: the paper's imitation score, closed-loop cost, and the pluggable population map."""

import numpy as np
import pytest

from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.metrics import tracking_metrics
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.training.data import ProfileSpec, record_random_flights
from snn_control.blimp.training.fitness import (
    ClosedLoopWeights,
    closed_loop_cost,
    evaluate_closed_loop,
    fly_candidates,
    pair_controller,
    imitation_fitness,
    profile_setpoints,
)
from snn_control.blimp.training.tasks import ImitationTask
from snn_control.evolve.popmap import PopulationMap, evaluate_population, population_map


def test_imitation_fitness_values():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    np.testing.assert_allclose(imitation_fitness(t, t), [0.0], atol=1e-12)
    np.testing.assert_allclose(imitation_fitness(2 * t + 1, t), [np.mean(t + 1)])  # r = 1
    np.testing.assert_allclose(imitation_fitness(np.zeros(4), t), [1.5 + 1.0])  # constant: r = 0
    np.testing.assert_allclose(imitation_fitness(-t, t), [np.mean(2 * t) + 2.0])  # r = -1
    assert imitation_fitness(np.stack([t, -t]), t).shape == (2,)


def test_recorded_pid_flights():
    seqs, profiles = record_random_flights(2, ProfileSpec(n_segments=2), np.random.default_rng(0))
    assert seqs.error_m.shape == seqs.pd.shape == seqs.i.shape
    assert seqs.i[:, -1].min() > 1.0  # the integral holds the heavier-than-air blimp up
    np.testing.assert_allclose(seqs.setpoint_m[0, 0], profiles[0].setpoints_m[0])
    with pytest.raises(ValueError):
        seqs.target("d")


def _task_and_genomes(n=6):
    layout = BlimpSNNLayout.for_role("pd", n_pairs=4)
    rng = np.random.default_rng(1)
    seqs, _ = record_random_flights(1, ProfileSpec(n_segments=2), rng)
    genomes = layout.denormalize(rng.uniform(size=(n, layout.n_genes)))
    return ImitationTask(layout, seqs.error_m[0][:300], seqs.pd[0][:300]), genomes


def test_population_map_is_pluggable():
    task, genomes = _task_and_genomes()
    whole = evaluate_population(task, genomes)
    np.testing.assert_array_equal(evaluate_population(task, genomes, PopulationMap(map, 3)), whole)
    single = [task(g[None])[0] for g in genomes]  # DEAP's usual one-at-a-time evaluate
    np.testing.assert_allclose(single, whole, rtol=1e-12)
    with population_map(2) as pmap:
        assert pmap.backend == "pool" and pmap.n_chunks == 2
        np.testing.assert_array_equal(evaluate_population(task, genomes, pmap), whole)
    with pytest.raises(ValueError, match="workers"):
        with population_map(0):
            pass


def test_batch_metrics_are_the_single_flight_metrics_per_row():
    layout = BlimpSNNLayout.for_role("pd", n_pairs=4)
    genomes = layout.denormalize(np.random.default_rng(2).uniform(size=(3, layout.n_genes)))
    profile = SetpointProfile.uniform([0.8, 1.2], 25.0)
    flights = fly_candidates(layout.decode(genomes), "pid_i", profile_setpoints([profile]), seed=3)
    batch = tracking_metrics(flights.t_s, flights.z_m, flights.u, profile)
    for k in range(3):
        ref = tracking_metrics(flights.t_s, flights.z_m[k], flights.u[k], profile)
        assert set(ref) == set(batch)
        for key in ref:
            assert batch[key][k] == pytest.approx(ref[key], rel=1e-12, abs=1e-15), key


def test_pd_alone_hangs_below_the_setpoint():
    layout = BlimpSNNLayout.for_role("i", n_pairs=2)
    silent = layout.lower.copy()  # zero-range readout weights -> the network outputs nothing
    names = [g.name for g in layout.groups for _ in range(g.size)]
    silent[[n == "out.weight" for n in names]] = 0.0
    profile = SetpointProfile.uniform([1.0], 60.0)
    flights = fly_candidates(layout.decode(silent[None]), "pid_pd", profile_setpoints([profile]), seed=0)
    sse = tracking_metrics(flights.t_s, flights.z_m, flights.u, profile)["sse_m"][0]
    assert 0.2 < sse < 0.5  # hover needs ~3 units: PD alone settles ~3/9 m low
    cost = evaluate_closed_loop(layout, silent[None], "pid_pd", profile)
    assert cost.shape == (1,) and cost[0] > sse
    with pytest.raises(ValueError, match="partner"):
        fly_candidates(layout.decode(silent[None]), "pid_x", profile_setpoints([profile]))


def test_several_profiles_in_one_pass_are_scored_per_profile():
    layout = BlimpSNNLayout.for_role("pd", n_pairs=3)
    genomes = layout.denormalize(np.random.default_rng(4).uniform(size=(2, layout.n_genes)))
    profiles = [SetpointProfile.uniform([0.8, 1.2], 20.0), SetpointProfile.uniform([1.0, 0.6, 0.9], 15.0)]
    weights = ClosedLoopWeights()
    together = evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, weights=weights)
    # rebuild it by hand: one pass of profile-major rows, then each profile's rows scored on it
    ref = np.repeat(profile_setpoints(profiles), 2, axis=0)
    flights = fly_candidates(layout.decode(np.tile(genomes, (2, 1))), "pid_i", ref, seed=5)
    costs = [closed_loop_cost(tracking_metrics(flights.t_s, flights.z_m[2 * j:2 * j + 2], flights.u[2 * j:2 * j + 2],
                                               p), weights) for j, p in enumerate(profiles)]
    np.testing.assert_array_equal(together, np.mean(costs, axis=0))
    assert together.shape == (2,) and np.all(np.isfinite(together))


def test_evolution_flies_behind_the_deployed_guard():
    """Above the sensor's range (+inf readings) a candidate gets the ROS controller's hold and
    fallback, not a reading clamped to the maximum: the batch loop equals the deployed guard."""
    from snn_control.blimp.guard import GuardedController, GuardParams
    from snn_control.blimp.tof import ToFSensor
    from snn_control.blimp.twin import BlimpBatchSim

    layout = BlimpSNNLayout.for_role("pd", n_pairs=2)
    genome = layout.denormalize(np.random.default_rng(7).uniform(size=layout.n_genes))
    sensor = ToFSensor(max_m=0.9)  # the blimp climbs past the top of the range
    setpoints = np.concatenate([np.full(150, 1.5), np.full(100, 0.6)])
    batch = fly_candidates(layout.decode(genome[None]), "pid_i", setpoints, seed=3, sensor=sensor)
    guarded = GuardedController(pair_controller(layout.decode(genome[None]), "pid_i"),
                                GuardParams(sensor.min_m, sensor.max_m))
    sim = BlimpBatchSim(1, sensor=sensor, seed=3)
    reading, u = sim.read_range(), []
    for k, sp in enumerate(setpoints):
        u.append(guarded.step(float(reading[0]), float(sp), 0.1 * k))
        reading = sim.step(np.array([u[-1]]))
    np.testing.assert_array_equal(batch.u[0], u)
    assert guarded.n_invalid > 10 and guarded.n_fallback > 0  # the case was exercised


def test_designed_pd_genome_acts_like_a_pd():
    from snn_control.blimp.snn.network import blimp_snn_rollout
    from snn_control.blimp.training.initial import DESIGN_GRID, designed_pd_genome, designed_pd_genomes

    layout = BlimpSNNLayout.for_role("pd")
    params = layout.decode(designed_pd_genome(layout, n_fast=16)[None])
    step = blimp_snn_rollout(params, np.full(200, 0.3))[0]
    assert 0.5 * 9 * 0.3 < step[100:].mean() < 2.0 * 9 * 0.3  # about Kp e at rest
    np.testing.assert_array_equal(blimp_snn_rollout(params, np.zeros(50)), 0.0)
    n = int(np.prod([len(v) for v in DESIGN_GRID.values()]))
    assert designed_pd_genomes(layout).shape == (n, layout.n_genes)
    with pytest.raises(ValueError):
        designed_pd_genome(BlimpSNNLayout.for_role("i"))


def test_each_profile_flies_its_own_plant_and_du_costs():
    from snn_control.blimp.plant import BlimpPlant, load_plant
    from snn_control.blimp.training.fitness import evaluate_closed_loop

    layout = BlimpSNNLayout.for_role("pd", n_pairs=3)
    genomes = layout.denormalize(np.random.default_rng(4).uniform(size=(2, layout.n_genes)))
    profiles = [SetpointProfile.uniform([0.8, 1.2], 20.0), SetpointProfile.uniform([1.0, 0.6], 20.0)]
    plants = [load_plant("heavy").with_start(2.0), load_plant("laggy")]
    together = evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, plants=plants)
    # the nominal plant flown with the same profiles scores differently, and each profile's cost
    # does not depend on the other profile's plant
    assert not np.allclose(together, evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5))
    heavy = evaluate_closed_loop(layout, genomes, "pid_i", profiles[:1], seed=5, plants=plants[:1])
    assert heavy.shape == (2,) and np.all(np.isfinite(heavy))
    with pytest.raises(ValueError, match="one plant per profile"):
        evaluate_closed_loop(layout, genomes, "pid_i", profiles, plants=[BlimpPlant()])
    # motor wear: a positive du weight raises the cost by exactly w * mean |du|
    w = ClosedLoopWeights(du=0.5)
    base = evaluate_closed_loop(layout, genomes, "pid_i", profiles[:1], seed=5)
    worn = evaluate_closed_loop(layout, genomes, "pid_i", profiles[:1], seed=5, weights=w)
    flights = fly_candidates(layout.decode(genomes), "pid_i", profile_setpoints(profiles[:1]), seed=5)
    du = np.mean(np.abs(np.diff(flights.u, axis=-1)), axis=-1)
    np.testing.assert_allclose(worn - base, 0.5 * du, rtol=1e-12)


def test_imitation_over_several_flights_is_the_mean_of_each_flight():
    from snn_control.blimp.training.fitness import evaluate_imitation

    layout = BlimpSNNLayout.for_role("i", n_pairs=3, readout="integrating", readout_bound=0.02)
    genomes = layout.denormalize(np.random.default_rng(2).uniform(size=(3, layout.n_genes)))
    rng = np.random.default_rng(0)
    errors = rng.normal(0, 0.3, (4, 60))
    target = rng.normal(0, 1.0, (4, 60))
    together = evaluate_imitation(layout, genomes, errors, target)
    alone = np.mean([evaluate_imitation(layout, genomes, errors[j], target[j]) for j in range(4)], axis=0)
    np.testing.assert_allclose(together, alone, rtol=1e-12)


def test_task_source_draws_plants_reproducibly():
    from snn_control.blimp.plant import PlantDistribution
    from snn_control.blimp.training.tasks import TaskSource

    layout = BlimpSNNLayout.for_role("i", n_pairs=2)
    spec = ProfileSpec(n_segments=2, segment_s=(10.0, 15.0), start_s=(5.0, 8.0))
    make = lambda: TaskSource(layout, 3, spec, spec, spec, "pid_pd", ClosedLoopWeights(), chunk=2,  # noqa: E731
                              plants=PlantDistribution(), imitation_flights=3)
    a, b = make(), make()
    ta, tb = a.imitation(1), b.imitation(1)
    assert ta.errors_m.shape[0] == 3
    np.testing.assert_array_equal(ta.errors_m, tb.errors_m)
    ca, cb = a.closed_loop_task(4), b.closed_loop_task(4)
    assert ca.plants == cb.plants and len(ca.plants) == len(ca.profiles)
    assert a.closed_loop_task(5).plants != ca.plants  # a new plant every generation


def test_task_source_corner_flights_fly_corner_plants():
    from snn_control.blimp.plant import PlantDistribution
    from snn_control.blimp.training.tasks import TaskSource

    layout = BlimpSNNLayout.for_role("i", n_pairs=2)
    spec = ProfileSpec(n_segments=2, segment_s=(10.0, 15.0), start_s=(5.0, 8.0))
    dist = PlantDistribution()

    def make(corners, held):
        return TaskSource(layout, 3, spec, spec, spec, "pid_pd", ClosedLoopWeights(), closed_loop_profiles=3,
                          holdout_profiles=4, plants=dist, corner_flights=corners, holdout_corner_flights=held)

    plain, corner = make(0, 0).closed_loop_task(2), make(1, 2).closed_loop_task(2)
    assert len(corner.plants) == 3 and corner.plants != plain.plants and corner.profiles == plain.profiles
    assert make(1, 2).closed_loop_task(2).plants == corner.plants
    tau = np.log(corner.plants[2].dynamics.motor_tau_s / dist.motor_tau_s[0]) / np.log(
        dist.motor_tau_s[1] / dist.motor_tau_s[0])
    assert tau <= 0.15 + 1e-9 or tau >= 0.85 - 1e-9
    held = make(1, 2).closed_loop_holdout()
    assert len(held.plants) == 4 and held.profiles == make(0, 0).closed_loop_holdout().profiles
    with pytest.raises(ValueError, match="corner flights"):
        make(4, 0)


def test_cost_against_the_pid_and_floor_time():
    from snn_control.blimp.flight import Flight
    from snn_control.blimp.training.fitness import floor_seconds

    m = {"rmse_m": np.array([0.2, 0.3]), "sse_m": np.array([0.01, np.nan]),
         "overshoot_excess_m": np.array([0.05, 0.2]), "mean_abs_du": np.array([1.0, 2.0])}
    pid = {"rmse_m": np.array([0.2, 0.2]), "overshoot_excess_m": np.array([0.1, 0.1]),
           "mean_abs_du": np.array([1.5, 1.5])}
    w = ClosedLoopWeights(sse=2.0, overshoot=10.0, du=3.0, floor=0.5, versus_pid=True, pid_excursion_share=0.9)
    cost = closed_loop_cost(m, w, m["mean_abs_du"], np.array([0.0, 4.0]), pid)
    # row 0: as good as the PID everywhere (below 0.9 of its excursion, smoother): 1 + 2 * 0.01
    # row 1: 1.5 x rmse, excursion 0.2 vs 0.09 allowed, 0.5 more wear, 4 s on the floor
    np.testing.assert_allclose(cost, [1.02, 1.5 + 10 * 0.11 + 3 * 0.5 + 0.5 * 4])
    # floor time counts only below a set-point above the floor
    z = np.array([[1.0, 0.0, 0.0, 0.0, 0.5], [0.0, 0.0, 0.0, 0.0, 0.0]])
    ref = np.array([[0.5] * 5, [0.5, 0.5, 0.0, 0.0, 0.5]])
    f = Flight(np.arange(5) * 0.1, z, ref, np.zeros_like(z), np.zeros_like(z), 0.0, 0.0, {})
    np.testing.assert_allclose(floor_seconds(f), [0.3, 0.3])


def test_clean_pd_target_is_the_pd_of_the_true_error():
    from snn_control.blimp.training.data import record_pid_flights
    from snn_control.blimp.tof import ToFSensor

    profiles = [SetpointProfile.uniform([0.8, 1.3], 15.0)]
    exact = record_pid_flights(profiles, 30.0, sensor=ToFSensor(noise_std_m=0.0, resolution_m=0.0),
                               initial_altitude_m=0.8)
    # without noise or quantization the sensed error is the true one: both targets agree
    np.testing.assert_allclose(exact.target("pd", clean_pd=True), exact.pd, atol=1e-9)
    noisy = record_pid_flights(profiles, 30.0, initial_altitude_m=0.8)
    clean = noisy.target("pd", clean_pd=True)
    # with the 1 cm sensor the sensed D term is mostly noise; the clean one is far smoother
    assert np.std(np.diff(clean)) < 0.5 * np.std(np.diff(noisy.pd))
    np.testing.assert_array_equal(noisy.target("i", clean_pd=True), noisy.i)


def test_worst_weight_blends_mean_and_worst_flight():
    layout = BlimpSNNLayout.for_role("pd", n_pairs=3)
    genomes = layout.denormalize(np.random.default_rng(4).uniform(size=(2, layout.n_genes)))
    profiles = [SetpointProfile.uniform([0.8, 1.2], 20.0), SetpointProfile.uniform([1.0, 0.6], 20.0)]
    mean = evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5)
    worst = evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, weights=ClosedLoopWeights(worst=1.0))
    half = evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, weights=ClosedLoopWeights(worst=0.5))
    assert np.all(worst >= mean) and not np.allclose(worst, mean)
    np.testing.assert_allclose(half, 0.5 * (mean + worst), rtol=1e-12)


def test_closed_loop_task_keeps_the_imitation_in_the_cost():
    from snn_control.blimp.training.fitness import imitation_scores
    from snn_control.blimp.training.tasks import ClosedLoopTask

    layout = BlimpSNNLayout.for_role("pd", n_pairs=3)
    genomes = layout.denormalize(np.random.default_rng(4).uniform(size=(3, layout.n_genes)))
    seqs, _ = record_random_flights(2, ProfileSpec(n_segments=2, segment_s=(10.0, 12.0)), np.random.default_rng(2))
    im = ImitationTask(layout, seqs.error_m, seqs.pd)
    profiles = (SetpointProfile.uniform([0.8, 1.2], 15.0),)
    plain = ClosedLoopTask(layout, profiles, "pid_i", 5, ClosedLoopWeights())(genomes)
    mimic = ClosedLoopTask(layout, profiles, "pid_i", 5, ClosedLoopWeights(), None, im, 0.5, 0.9, 10.0)(genomes)
    fitness, r = imitation_scores(layout, genomes, seqs.error_m, seqs.pd)
    np.testing.assert_allclose(mimic - plain, 0.5 * fitness + 10.0 * np.maximum(0.9 - r, 0.0), rtol=1e-12)
    np.testing.assert_allclose(fitness, im(genomes), rtol=1e-12)
    assert np.all(r <= 1.0) and np.all(r >= -1.0)


def test_step_cost_compares_each_step_with_the_pid_in_points():
    from snn_control.blimp.metrics import step_excursions
    from snn_control.blimp.training.fitness import step_excess_pts

    profile = SetpointProfile.uniform([0.5, 1.0, 0.9, 1.5], 10.0)
    t = np.arange(400) * 0.1
    z = np.tile(profile.at(t), (2, 1))
    z[0, 120] += 0.08  # 8 cm past the +0.5 m step's set-point (0 cm for the PID below)
    z[1, 220] -= 0.03  # 3 cm past the -0.1 m step's set-point: floored at 0.25 m, 12 points
    past, steps = step_excursions(t, z, profile)
    np.testing.assert_allclose(steps, [0.5, -0.1, 0.6])
    np.testing.assert_allclose(past, [[0.08, 0.0, 0.0], [0.0, 0.03, 0.0]], atol=1e-12)
    pid = np.array([[0.02, 0.0, 0.0]])  # the PID's own excursions on the same steps
    w = ClosedLoopWeights(step_floor_m=0.25)
    np.testing.assert_allclose(step_excess_pts(past, pid, steps, w), [12.0, 12.0])
    np.testing.assert_allclose(step_excess_pts(past, pid, steps, ClosedLoopWeights(step_margin_pts=5.0)), [7.0, 7.0])
    # the metrics keep their meaning: worst step in percent of the step
    m = tracking_metrics(t, z, np.zeros_like(z), profile)
    np.testing.assert_allclose(m["overshoot_pct"], [16.0, 30.0])


def test_step_weight_adds_the_step_cost_against_the_pid():
    layout = BlimpSNNLayout.for_role("pd", n_pairs=3)
    genomes = layout.denormalize(np.random.default_rng(4).uniform(size=(3, layout.n_genes)))
    profiles = [SetpointProfile.uniform([0.8, 1.3, 0.8], 20.0)]
    base = ClosedLoopWeights(versus_pid=True)
    plain = evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, weights=base)
    from dataclasses import replace
    stepped = evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, weights=replace(base, step_pts=0.1))
    # random networks overshoot far past the PID on these steps: the step cost adds to every row
    assert np.all(np.isfinite(stepped)) and np.all(stepped > plain + 1.0)
    lenient = replace(base, step_pts=0.1, step_margin_pts=1e6)  # a margin no step reaches: no step cost
    np.testing.assert_allclose(evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, weights=lenient), plain)


def test_common_noise_scores_a_genome_alike_whoever_flies_beside_it():
    layout = BlimpSNNLayout.for_role("pd", n_pairs=3)
    genomes = layout.denormalize(np.random.default_rng(4).uniform(size=(3, layout.n_genes)))
    profiles = [SetpointProfile.uniform([0.8, 1.2], 20.0), SetpointProfile.uniform([1.0, 0.6], 20.0)]
    w = ClosedLoopWeights(versus_pid=True, common_noise=True)
    together = evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, weights=w)
    alone = [evaluate_closed_loop(layout, g[None], "pid_i", profiles, seed=5, weights=w)[0] for g in genomes]
    np.testing.assert_allclose(together, alone, rtol=1e-12)  # so the population's chunking cannot matter
    # without it each row reads its own draws: the same genome scores differently in another batch
    old = ClosedLoopWeights(versus_pid=True)
    assert evaluate_closed_loop(layout, genomes, "pid_i", profiles, seed=5, weights=old)[1] != \
        evaluate_closed_loop(layout, genomes[1:2], "pid_i", profiles, seed=5, weights=old)[0]


def test_grouped_noise_in_the_twin():
    from snn_control.blimp.tof import ToFSensor
    from snn_control.blimp.twin import BlimpBatchSim

    sim = BlimpBatchSim(6, sensor=ToFSensor(resolution_m=0.0), seed=3, noise_groups=2, initial_altitude_m=1.0)
    for _ in range(3):
        z = sim.step(np.zeros(6))
        assert np.all(z[:3] == z[0]) and np.all(z[3:] == z[3]) and z[0] != z[3]
    with pytest.raises(ValueError, match="noise_groups"):
        BlimpBatchSim(6, noise_groups=4)
