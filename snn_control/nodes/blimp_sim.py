"""``blimp_sim``: the MuJoCo blimp as a ROS 2 node that owns simulated time.

Publishes ``/clock`` and ``/blimp/range`` (sensor_msgs/Range, one reading per control period),
takes ``/blimp/motor_cmd`` (geometry_msgs/WrenchStamped, force.z in motor units). With ``lockstep``
the simulation waits after each reading for the command answering it (a command stamped at or after
the reading), so the loop is deterministic at any speed; if none arrives within
``lockstep_timeout_s`` of wall time it holds the last command, counts a miss and says so on
``/diagnostics``. ``real_time_factor`` paces simulated against wall time; 0 runs as fast as the
loop allows. ``loop_latency_s`` holds the control loop's stamp-to-command latency, the wall time
from publishing a reading to receiving the first command stamped at or after it (its p50 / p99 go
out on ``/diagnostics``). The blimp is the plant of ``plant_file`` and the plant parameters
(:meth:`~snn_control.blimp.config.BlimpSimConfig.plant`), written into the MuJoCo model.
"""

from __future__ import annotations

import math
import time
from collections import deque

import numpy as np
from sensor_msgs.msg import Range
from geometry_msgs.msg import WrenchStamped
from diagnostic_msgs.msg import DiagnosticArray

from snn_control.blimp.config import BlimpSimConfig
from snn_control.blimp.guard import OK, WARN
from snn_control.blimp.sim import BlimpEnv
from snn_control.envs.lockstep import PacingParams
from snn_control.nodes.common import diagnostics_msg, run_node, sensor_qos, stamp_to_s, time_msg
from snn_control.nodes.lockstep import LockstepSimNode


class BlimpSimNode(LockstepSimNode):
    """A managed node (:mod:`snn_control.nodes.managed`): configure builds the MuJoCo model,
    activate starts simulated time."""

    env: BlimpEnv | None = None  # built by configure

    def __init__(self, **kwargs) -> None:
        super().__init__("blimp_sim", BlimpSimConfig, **kwargs)

    def configure(self) -> None:
        super().configure()
        c = self.config
        self.plant = plant = c.plant()
        self.env = BlimpEnv(
            model_path=c.model_path or None,
            sensor=plant.sensor(),
            control_period_s=c.control_period_s,
            initial_altitude_m=plant.initial_altitude_m,
            seed=c.seed,
            dynamics=plant.model_dynamics(),
        )
        self.log: dict[str, list[float]] = {"t_s": [], "z_m": [], "range_m": [], "cmd": []}
        self.n_cmd_msgs = 0
        self.n_bad_cmds = 0
        self._u = 0.0
        self.loop_latency_s: deque[float] = deque(maxlen=100_000)
        self._published_at: float | None = None  # wall time the unanswered reading went out
        self._reading = self.env.read_range()
        self._range_pub = self.create_publisher(Range, "blimp/range", sensor_qos(self.config.range_deadline_wall_s))
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._synced_s = 0.0 if c.sync_topic else math.inf
        self.hold_timeout_s = c.sync_timeout_s
        self.start_pacing(PacingParams(c.control_period_s, c.real_time_factor, c.lockstep, c.lockstep_timeout_s,
                                       c.duration_s))

    def activate(self) -> None:
        self.create_subscription(WrenchStamped, "blimp/motor_cmd", self._on_cmd, 10)
        if self.config.sync_topic:
            from std_msgs.msg import Float64

            self.create_subscription(Float64, self.config.sync_topic, self._on_sync, 10)
        super().activate()

    def _on_cmd(self, msg: WrenchStamped) -> None:
        self.n_cmd_msgs += 1
        u = msg.wrench.force.z
        if not math.isfinite(u):
            self.n_bad_cmds += 1
            self._publish_diag(WARN, f"ignored non-finite motor command {u!r}")
            return
        self._u = float(np.clip(u, -self.env.dynamics.u_max, self.env.dynamics.u_max))
        answers = stamp_to_s(msg.header.stamp) >= self.env.time_s - 1e-9
        if answers and self._published_at is not None:
            self.loop_latency_s.append(time.perf_counter() - self._published_at)
            self._published_at = None
        self.command_arrived(answers)

    def _on_sync(self, msg) -> None:
        self._synced_s = max(self._synced_s, float(msg.data))
        self.release_observation()

    def hold_observation(self) -> bool:
        if self._synced_s >= self.env.time_s - self.config.control_period_s - 1e-9:
            return False
        return self.count_publishers(self.config.sync_topic) > 0  # nobody to wait for: go on

    # -- LockstepSimNode interface ---------------------------------------------------------
    @property
    def sim_time_s(self) -> float:
        return self.env.time_s

    def has_listeners(self) -> bool:
        return self._range_pub.get_subscription_count() > 0

    def on_missed(self) -> None:
        self._publish_diag(WARN, f"no motor command within {self.config.lockstep_timeout_s} s: holding {self._u:+.2f}")

    def sim_step(self) -> None:
        self.log["t_s"].append(self.env.time_s)
        self.log["z_m"].append(self.env.altitude_m)
        self.log["range_m"].append(self._reading)
        self.log["cmd"].append(self._u)
        self._reading = self.env.step(self._u)

    def publish_observation(self) -> None:
        msg = Range()
        msg.header.stamp = time_msg(self.env.time_s)
        msg.header.frame_id = self.config.frame_id
        msg.radiation_type = Range.INFRARED
        msg.field_of_view = float(self.env.sensor.field_of_view_rad)
        msg.min_range = float(self.env.sensor.min_m)
        msg.max_range = float(self.env.sensor.max_m)
        msg.range = float(self._reading)
        self._published_at = time.perf_counter()
        self._range_pub.publish(msg)
        if round(self.env.time_s / self.config.control_period_s) % 10 == 0:
            self._publish_diag(WARN if self.n_missed or self.n_bad_cmds else OK, "running")

    def _publish_diag(self, level: int, message: str) -> None:
        values = {
            "sim_time_s": f"{self.env.time_s:.2f}",
            "altitude_m": f"{self.env.altitude_m:.3f}",
            "motor_cmd": f"{self._u:+.3f}",
            "cmd_msgs": self.n_cmd_msgs,
            "missed_cmds": self.n_missed,
            "bad_cmds": self.n_bad_cmds,
            **loop_latency_values(self.loop_latency_s),
        }
        self._diag_pub.publish(diagnostics_msg(time_msg(self.env.time_s), "blimp_sim", level, message, values))


def loop_latency_values(samples) -> dict[str, str]:
    """``loop_p50_ms`` / ``loop_p99_ms`` of the stamp-to-command latencies (empty: none yet)."""
    if not samples:
        return {}
    p50, p99 = np.percentile(np.fromiter(samples, float), [50, 99]) * 1e3
    return {"loop_p50_ms": f"{p50:.3f}", "loop_p99_ms": f"{p99:.3f}"}


def main(args: list[str] | None = None) -> None:
    run_node(BlimpSimNode, args)


if __name__ == "__main__":
    main()
