"""The lockstep pacer on a fake clock: every path a simulator node can take, without ROS."""

import pytest

from snn_control.envs.lockstep import NOTHING, START, Action, LockstepPacer, PacingParams

PERIOD = 0.1
STEP = Action(step=True, observe=True)
MISS = Action(missed=True, step=True, observe=True)


class FakeSim:
    """A simulator driven by the pacer's actions: sim time and what happened, per call."""

    def __init__(self, **params):
        self.pacer = LockstepPacer(PacingParams(period_s=PERIOD, **params))
        self.sim_s = 0.0
        self.n_observed = 0
        self.n_reported = 0

    def apply(self, action):
        self.n_reported += action.missed
        if action.step:
            self.sim_s += PERIOD
        self.n_observed += action.observe
        return action

    def tick(self, wall_s, listeners=True):
        return self.apply(self.pacer.on_timer(wall_s, self.sim_s, listeners))

    def answer(self, wall_s, answers=True):
        return self.apply(self.pacer.on_command(wall_s, self.sim_s, answers))


def test_never_starts_before_someone_listens():
    sim = FakeSim()
    for wall in (0.0, 5.0, 100.0):
        assert sim.tick(wall, listeners=False) == NOTHING
        assert sim.answer(wall) == NOTHING  # a command before the start changes nothing
    assert not sim.pacer.started
    assert sim.tick(100.05) == START
    assert sim.pacer.started and sim.pacer.waiting_since_s == 100.05 and sim.sim_s == 0.0


def test_rtf0_lockstep_advances_on_each_answer_only():
    sim = FakeSim(real_time_factor=0.0, timeout_s=1.0)
    sim.tick(0.0)
    for k in range(5):
        assert sim.tick(0.01 + 0.01 * k) == NOTHING  # waiting, well within the timeout
        assert sim.answer(0.015 + 0.01 * k) == STEP
    assert sim.sim_s == pytest.approx(0.5) and sim.pacer.n_missed == 0 and sim.pacer.n_steps == 5


def test_stale_or_repeated_commands_do_not_advance():
    sim = FakeSim(real_time_factor=0.0)
    sim.tick(0.0)
    assert sim.answer(0.01, answers=False) == NOTHING  # stamped before the observation
    assert sim.answer(0.02) == STEP
    sim.pacer.on_timer(0.03, sim.sim_s, True)
    assert sim.answer(0.04) == STEP
    assert sim.pacer.on_command(0.05, sim.sim_s, True) == STEP
    assert sim.pacer.n_steps == 3


def test_rtf0_timeout_counts_a_miss_and_goes_on():
    sim = FakeSim(real_time_factor=0.0, timeout_s=0.5)
    sim.tick(0.0)
    assert sim.tick(0.49) == NOTHING
    assert sim.tick(0.5) == MISS  # miss reported, last command held for the next period
    assert sim.pacer.n_missed == 1 and sim.sim_s == pytest.approx(0.1)
    assert sim.tick(0.9) == NOTHING  # the new observation waits its own full timeout
    assert sim.tick(1.0) == MISS
    assert sim.answer(1.1) == STEP  # the controller is back: lockstep again
    assert (sim.pacer.n_missed, sim.n_reported, sim.pacer.n_steps) == (2, 2, 3)


def test_rtf_paces_simulated_against_wall_time():
    sim = FakeSim(real_time_factor=2.0, timeout_s=1.0)
    assert sim.pacer.params.timer_period_s == pytest.approx(0.05)
    sim.tick(10.0)
    assert sim.answer(10.001) == NOTHING  # answered, but wall time says not yet
    assert sim.tick(10.04) == NOTHING  # 0.04 s * 2 = 0.08 < 0.1 simulated
    assert sim.tick(10.05) == STEP  # 0.05 s * 2 = 0.1
    wall = 10.05
    while sim.sim_s < 3.0 - 1e-9:  # a controller that answers at once, a 5 ms timer
        sim.answer(wall + 0.001)
        wall += 0.005
        sim.tick(wall)
    assert (wall - 10.0) * 2.0 == pytest.approx(3.0, abs=0.011)
    assert sim.pacer.n_missed == 0


def test_rtf_with_a_late_answer_waits_for_it():
    sim = FakeSim(real_time_factor=10.0, timeout_s=1.0)
    sim.tick(0.0)
    assert sim.tick(0.5) == NOTHING  # wall time says 5 s, but lockstep holds the sim at 0
    sim.answer(0.6)
    assert sim.tick(0.61) == STEP  # catches up one period per tick
    assert sim.tick(0.62) == NOTHING  # waiting for the next answer


def test_rtf_timeout_counts_a_miss_then_paces():
    sim = FakeSim(real_time_factor=0.05, timeout_s=0.3)  # one period every 2 s of wall time
    sim.tick(0.0)
    assert sim.tick(0.3) == Action(missed=True)  # missed, but not yet due
    assert sim.pacer.waiting_since_s is None and sim.pacer.n_missed == 1
    assert sim.tick(1.99) == NOTHING
    assert sim.tick(2.0) == STEP  # due: simulated with the held command
    assert sim.tick(2.31) == Action(missed=True)
    sim.pacer = LockstepPacer(PacingParams(PERIOD, real_time_factor=1.0, timeout_s=0.3))
    sim.sim_s = 0.0
    sim.tick(0.0)
    assert sim.tick(0.3) == MISS  # missed and overdue: both at once
    assert sim.pacer.n_missed == 1


def test_without_lockstep_nothing_waits_or_misses():
    sim = FakeSim(real_time_factor=1.0, lockstep=False, timeout_s=0.01)
    sim.tick(0.0)
    assert sim.tick(0.05) == NOTHING
    assert sim.tick(0.1) == STEP
    assert sim.tick(0.5) == STEP  # one period per tick while behind
    assert sim.tick(0.5) == STEP
    assert sim.pacer.n_missed == 0
    fast = FakeSim(real_time_factor=0.0, lockstep=False, timeout_s=0.01)
    fast.tick(0.0)
    assert [fast.tick(0.001 * k) for k in range(1, 4)] == [STEP] * 3  # free-running
    assert fast.answer(0.0035) == STEP  # an answer also advances at once
    assert fast.pacer.n_missed == 0


@pytest.mark.parametrize("rtf", [0.0, 4.0])
def test_stops_at_duration_without_observing_the_last_period(rtf):
    sim = FakeSim(real_time_factor=rtf, duration_s=0.25, timeout_s=0.2)
    sim.tick(0.0)
    wall, actions = 0.0, []
    while not sim.pacer.finished and wall < 10:
        wall += 0.01
        actions.append(sim.tick(wall))
        if rtf and not sim.pacer.finished:
            actions.append(sim.answer(wall + 0.001))
    assert sim.pacer.finished and sim.sim_s == pytest.approx(0.3)  # the period that reaches 0.25
    assert sim.pacer.n_steps == 3 and sim.n_observed == 3  # the start and two of the three periods
    assert actions[-1].step and not actions[-1].observe
    assert sim.pacer.n_missed == (3 if rtf == 0 else 0)
    assert sim.tick(100.0) == NOTHING and sim.answer(100.0) == NOTHING and sim.pacer.n_steps == 3


def test_duration_zero_runs_on():
    sim = FakeSim(real_time_factor=0.0)
    sim.tick(0.0)
    for k in range(1000):
        sim.answer(0.001 * k)
    assert not sim.pacer.finished and sim.pacer.n_steps == 1000


def test_miss_on_the_last_period_finishes():
    sim = FakeSim(real_time_factor=0.0, duration_s=0.1, timeout_s=0.2)
    sim.tick(0.0)
    assert sim.tick(0.2) == Action(missed=True, step=True)
    assert sim.pacer.finished and sim.pacer.n_missed == 1


@pytest.mark.parametrize("field, value", [
    ("period_s", 0.0), ("period_s", float("nan")), ("timeout_s", -1.0), ("timeout_s", float("inf")),
    ("real_time_factor", -0.5), ("real_time_factor", float("inf")), ("duration_s", -1.0),
])
def test_params_name_the_bad_field(field, value):
    with pytest.raises(ValueError, match=rf"PacingParams\.{field}"):
        PacingParams(**{field: value})


def test_params_round_trip_and_timer():
    p = PacingParams(period_s=0.03, real_time_factor=20.0, lockstep=False, timeout_s=0.2, duration_s=9.0)
    assert PacingParams.from_dict(p.to_dict()) == p
    assert p.timer_period_s == pytest.approx(0.0015)
    assert PacingParams(real_time_factor=0.0).timer_period_s == 0.05
    assert PacingParams(real_time_factor=0.5).timer_period_s == 0.05
