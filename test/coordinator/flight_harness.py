"""A closed loop for the coordinator's tests: the numpy blimp twin, the shipped SNN controller behind
its guard (the altitude_controller node's core), and the coordinator between them, with faults.

Timeline of one 0.1 s control period starting at t (all on the coordinator's clock):

    t + 0.001   the range reading arrives (stamped t; a fault may drop, change or repeat it)
    t + 0.002   the SNN controller's command arrives (stamped t), unless it is crashed
    t + 0.005   tick -> Decision; the motors get ``command`` for the next 0.05 s
    t + 0.055   tick -> Decision; the motors get ``command`` for the next 0.05 s

The motors get ``Decision.command`` (the graph where the SNN publishes to the coordinator, which
publishes the motor command); the test checks that ``motor_cmd`` is None exactly when the SNN flies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from snn_control.blimp.controllers import make_altitude_controller
from snn_control.blimp.guard import GuardedController
from snn_control.blimp.twin import BlimpBatchSim
from snn_control.coordinator.config import DEFAULT_STREAMS, CoordinatorConfig
from snn_control.coordinator.coordinator import Coordinator

PERIOD = 0.1
ALTITUDE_ONLY = CoordinatorConfig(initial_setpoint_m=1.5, streams=DEFAULT_STREAMS[:1])


@dataclass
class Flight:
    coordinator: Coordinator
    t: list = field(default_factory=list)  # one row per tick
    z: list = field(default_factory=list)  # true altitude after the tick's half period
    cmd: list = field(default_factory=list)
    motor_cmd: list = field(default_factory=list)
    source: list = field(default_factory=list)
    mode: list = field(default_factory=list)

    def arrays(self):
        return np.array(self.t), np.array(self.z), np.array(self.cmd)


def fly(duration_s: float = 60.0, *, crashed: Callable[[float], bool] = lambda t: False,
        reading_fault: Callable[[float, float], list[tuple[object, object]]] | None = None,
        config: CoordinatorConfig = ALTITUDE_ONLY, setpoint_m: float = 1.5, seed: int = 0,
        warmup_s: float = 30.0) -> Flight:
    """Fly ``duration_s``. ``crashed(t)``: the controller is down at t (a cold restart when it comes
    back). ``reading_fault(t, reading)``: the (value, stamp) messages actually sent for the reading
    taken at t (default: ``[(reading, t)]``; ``[]`` drops it)."""
    sim = BlimpBatchSim(1, control_period_s=PERIOD / 2, initial_altitude_m=setpoint_m, seed=seed)
    ctl = GuardedController(make_altitude_controller("snn"))
    reading = float(sim.read_range()[0])
    n_warm = int(round(warmup_s / PERIOD))
    for k in range(n_warm):  # the SNN alone first, so its integral carries the blimp (a warm start)
        u = ctl.step(reading, setpoint_m, (k - n_warm) * PERIOD)
        sim.step(u)
        reading = float(sim.step(u)[0])
    co = Coordinator(config, start_s=0.0)
    flight, was_down = Flight(co), False
    for k in range(int(round(duration_s / PERIOD))):
        t = round(k * PERIOD, 9)
        msgs = [(reading, t)] if reading_fault is None else reading_fault(t, reading)
        for j, (value, stamp) in enumerate(msgs):
            co.on_range(value, stamp, t + 0.001 + j * 1e-4)
        down = crashed(t)
        if was_down and not down:
            ctl = GuardedController(make_altitude_controller("snn"))  # restarted: a cold controller
        was_down = down
        if not down:
            sp = co.setpoint_m if co.setpoint_m is not None else setpoint_m
            u = ctl.step(msgs[-1][0], sp, t) if msgs else ctl.on_clock(t)
            if u is not None:
                co.on_controller_cmd(u, t, t + 0.002)
        for offset in (0.005, 0.055):
            d = co.tick(t + offset)
            reading = float(sim.step(d.command)[0])
            flight.t.append(t + offset)
            flight.z.append(float(sim.altitude_m[0]))
            flight.cmd.append(d.command)
            flight.motor_cmd.append(d.motor_cmd)
            flight.source.append(d.source)
            flight.mode.append(d.mode)
    return flight


def nan_between(t0: float, t1: float):
    return lambda t, r: [(math.nan if t0 <= t < t1 else r, t)]
