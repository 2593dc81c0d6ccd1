"""What one generation of blimp SNN evolution evaluates: picklable tasks and the population map.

A *task* is a picklable callable ``task(genomes (n, n_genes)) -> fitness (n,)`` that evaluates
its rows in one vectorized pass, what :func:`snn_control.evolve.popmap.evaluate_population` sends
through the population map (serial, a process pool, or a cluster).
:class:`TaskSource` hands out the training task of each generation (a fresh PID flight, or a fresh
closed-loop profile) and the fixed held-out tasks, all derived from the run seed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from snn_control.blimp.snn.genome import BlimpSNNLayout
from snn_control.blimp.profiles import SetpointProfile
from snn_control.blimp.plant import BlimpPlant, PlantDistribution
from snn_control.blimp.training.data import ErrorSequences, ProfileSpec, record_plant_flights, record_random_flights
from snn_control.blimp.training.fitness import (ClosedLoopWeights, evaluate_closed_loop, evaluate_imitation,
                                                imitation_scores)



class ImitationTask(NamedTuple):
    """Paper fitness (MAE + 1 - Pearson) against the PID term on one recorded sequence."""

    layout: BlimpSNNLayout
    errors_m: np.ndarray
    target: np.ndarray

    def __call__(self, genomes: np.ndarray) -> np.ndarray:
        return evaluate_imitation(self.layout, genomes, self.errors_m, self.target)


class ClosedLoopTask(NamedTuple):
    """Mean tracking cost in the twin over some profiles, flown with a fixed partner.

    ``partner`` is ``"pid_pd"``/``"pid_i"`` or ``(layout_dict, genome)`` of the other network;
    ``plants`` one plant per profile (None: the nominal blimp from 0.5 m). With ``imitation`` (an
    :class:`ImitationTask`) and ``imitation_weight`` > 0 the paper's imitation fitness stays in the
    objective: cost = J + imitation_weight * (MAE + 1 - Pearson) + pearson_weight *
    max(0, min_pearson - Pearson), so the network stays a PID mimic (the hinge lets tracking shape it
    freely while its Pearson r against the PID's term stays above ``min_pearson``).
    """

    layout: BlimpSNNLayout
    profiles: tuple[SetpointProfile, ...]
    partner: Any
    seed: int
    weights: ClosedLoopWeights
    plants: tuple[BlimpPlant, ...] | None = None
    imitation: ImitationTask | None = None
    imitation_weight: float = 0.0
    min_pearson: float = 0.0
    pearson_weight: float = 0.0

    def __call__(self, genomes: np.ndarray) -> np.ndarray:
        partner = self.partner
        if not isinstance(partner, str):
            layout_dict, genome = partner
            partner = BlimpSNNLayout.from_dict(layout_dict).decode(np.asarray(genome)[None])
        cost = evaluate_closed_loop(self.layout, genomes, partner, list(self.profiles), self.seed, self.weights,
                                    None if self.plants is None else list(self.plants))
        if self.imitation is not None and (self.imitation_weight > 0 or self.pearson_weight > 0):
            im = self.imitation
            fitness, r = imitation_scores(im.layout, genomes, im.errors_m, im.target)
            cost = cost + self.imitation_weight * fitness + self.pearson_weight * np.maximum(self.min_pearson - r, 0.0)
        return cost


class TaskSource:
    """Training and held-out tasks of a run, reproducible from ``seed`` alone (so resumable).

    Args:
        layout: the evolved network's layout (its role picks the PID term to imitate).
        seed: run seed.
        train: profiles of the per-generation PID flights (imitation).
        holdout: profile of the held-out PID flight / closed-loop flight.
        closed_loop: profiles of the per-generation closed-loop flights.
        partner: the fixed partner of closed-loop flights (see :class:`ClosedLoopTask`).
        weights: closed-loop cost weights.
        chunk: generations whose PID flights are recorded together.
        imitation_flights: PID flights per generation (the imitation fitness is their mean).
        imitation_weight: weight of the imitation fitness in the closed-loop cost (0: tracking alone).
        min_pearson, pearson_weight: the closed-loop cost's hinge on the imitation's Pearson r.
        clean_pd: the PD-SNN imitates the PD term of the true error
            (:meth:`~snn_control.blimp.training.data.ErrorSequences.clean_pd`), not the sensed one.
        closed_loop_profiles: closed-loop flights per generation.
        holdout_profiles: held-out closed-loop flights that pick the deployed genome.
        plants: where every flight's plant (start altitude and sensor noise included) is drawn
            from, one per flight; None flies the nominal blimp from 0.5 m.
        corner_flights, holdout_corner_flights: how many of a generation's closed-loop flights,
            and of the held-out ones, fly *corner* plants (every range at one of its ends,
            :meth:`PlantDistribution.draw` with ``tail=corner_tail``) instead of uniform draws.
    """

    def __init__(self, layout: BlimpSNNLayout, seed: int, train: ProfileSpec, holdout: ProfileSpec,
                 closed_loop: ProfileSpec, partner: Any, weights: ClosedLoopWeights, chunk: int = 16,
                 closed_loop_profiles: int = 1, holdout_profiles: int = 1,
                 plants: PlantDistribution | None = None, imitation_flights: int = 1,
                 clean_pd: bool = False, imitation_weight: float = 0.0, min_pearson: float = 0.0,
                 pearson_weight: float = 0.0, corner_flights: int = 0, holdout_corner_flights: int = 0,
                 corner_tail: float = 0.15) -> None:
        if not 0 <= corner_flights <= closed_loop_profiles or not 0 <= holdout_corner_flights <= holdout_profiles:
            raise ValueError(f"corner flights must be in 0..flights: {corner_flights} of {closed_loop_profiles}, "
                             f"{holdout_corner_flights} of {holdout_profiles} held out")
        self.corner_flights, self.holdout_corner_flights = int(corner_flights), int(holdout_corner_flights)
        self.corner_tail = float(corner_tail)
        self.clean_pd = bool(clean_pd)
        self.imitation_weight, self.min_pearson = float(imitation_weight), float(min_pearson)
        self.pearson_weight = float(pearson_weight)
        self._mimic = self.imitation_weight > 0 or self.pearson_weight > 0
        self.imitation_flights = int(imitation_flights)
        self.plants = plants
        self.holdout_flights = 1 if plants is None else 8
        self.layout, self.seed, self.train, self.holdout = layout, int(seed), train, holdout
        self.closed_loop, self.partner, self.weights, self.chunk = closed_loop, partner, weights, int(chunk)
        self.closed_loop_profiles = int(closed_loop_profiles)
        self.holdout_profiles = int(holdout_profiles)
        self._cached: tuple[int, ErrorSequences] | None = None
        self._holdout_seq: ErrorSequences | None = None

    def _sequences(self, index: int) -> ErrorSequences:
        if self._cached is None or self._cached[0] != index:
            rng = np.random.default_rng([self.seed, 1, index])
            self._cached = (index, self._record(self.chunk * self.imitation_flights, self.train, rng))
        return self._cached[1]

    def imitation(self, generation: int) -> ImitationTask:
        seqs = self._sequences(generation // self.chunk)
        j = generation % self.chunk
        if self.imitation_flights == 1:
            return ImitationTask(self.layout, seqs.error_m[j], seqs.target(self.layout.role, self.clean_pd)[j])
        rows = slice(j * self.imitation_flights, (j + 1) * self.imitation_flights)
        return ImitationTask(self.layout, seqs.error_m[rows], seqs.target(self.layout.role, self.clean_pd)[rows])

    def imitation_holdout(self) -> ImitationTask:
        if self._holdout_seq is None:
            rng = np.random.default_rng([self.seed, 99])
            self._holdout_seq = self._record(self.holdout_flights, self.holdout, rng)
        s = self._holdout_seq
        return ImitationTask(self.layout, s.error_m, s.target(self.layout.role, self.clean_pd))

    def _record(self, n: int, spec: ProfileSpec, rng: np.random.Generator) -> ErrorSequences:
        if self.plants is None:
            return record_random_flights(n, spec, rng)[0]
        profiles = [spec.draw(rng) for _ in range(n)]
        plants = self.plants.draw(rng, n)
        duration = max(p.duration_s for p in profiles)
        return record_plant_flights(plants, profiles, duration, seed=int(rng.integers(2**31)))

    def _plants(self, rng: np.random.Generator, n: int, corners: int = 0) -> tuple[BlimpPlant, ...] | None:
        if self.plants is None:
            return None
        plants = self.plants.draw(rng, n - corners)
        if corners:  # drawn after the uniform ones (without corners, the draws of earlier releases)
            plants += self.plants.draw(rng, corners, tail=self.corner_tail)
        return tuple(plants)

    def closed_loop_task(self, generation: int) -> ClosedLoopTask:
        rng = np.random.default_rng([self.seed, 2, generation])
        profiles = tuple(self.closed_loop.draw(rng) for _ in range(self.closed_loop_profiles))
        plants = self._plants(rng, len(profiles), self.corner_flights)
        imitation = self.imitation(generation) if self._mimic else None
        return ClosedLoopTask(self.layout, profiles, self.partner, 1000 * (generation + 1), self.weights, plants,
                              imitation, self.imitation_weight, self.min_pearson, self.pearson_weight)

    def init_profiles(self) -> tuple[SetpointProfile, ...]:
        """Profiles that pick a starting genome (neither training nor held-out)."""
        rng = np.random.default_rng([self.seed, 5])
        return tuple(self.closed_loop.draw(rng) for _ in range(2))

    def init_plants(self) -> tuple[BlimpPlant, ...] | None:
        return self._plants(np.random.default_rng([self.seed, 6]), 2)

    def closed_loop_holdout(self) -> ClosedLoopTask:
        rng = np.random.default_rng([self.seed, 98])
        profiles = tuple(self.holdout.draw(rng) for _ in range(self.holdout_profiles))
        plants = self._plants(rng, len(profiles), self.holdout_corner_flights)
        imitation = self.imitation_holdout() if self._mimic else None
        return ClosedLoopTask(self.layout, profiles, self.partner, 99, self.weights, plants, imitation,
                              self.imitation_weight, self.min_pearson, self.pearson_weight)
