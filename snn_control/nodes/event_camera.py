"""``event_camera``: an emulated DVS on the MuJoCo gesture scene, or a replayed recording.

Publishes ``/camera/events`` (sensor_msgs/PointCloud2, the topic contract's x, y, t, p layout),
one packet per ``packet_s`` simulated seconds, each stamped with the end of the time it covers,
and owns ``/clock``. The stream is made once at start-up (:func:`render_script` for ``source:
scene``, a ``.npy`` of the event record for ``replay``) and paced like the simulators
(:class:`~snn_control.envs.lockstep.LockstepPacer`): with ``lockstep``, the acknowledgement of a
packet is the recognizer's ``/diagnostics`` status stamped at or after it, so a fast run loses
nothing and a slow recognizer slows the camera instead of dropping packets.
"""

from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import PointCloud2

from snn_control.envs.lockstep import PacingParams
from snn_control.nodes.common import run_node, stamp_to_s, time_msg
from snn_control.nodes.event_msgs import events_to_pointcloud2
from snn_control.nodes.lockstep import LockstepSimNode
from snn_control.perception.config import EventCameraConfig
from snn_control.perception.events.checks import require_clean_events
from snn_control.perception.events.types import SENSOR_HEIGHT, SENSOR_WIDTH

ACK_FROM = "action_recognition"  # the /diagnostics status name that acknowledges a packet


def load_stream(config: EventCameraConfig) -> tuple[np.ndarray, list, float]:
    """``(events, segments, duration_s)`` the camera plays (segments empty for a replay)."""
    if config.source == "scene":
        from snn_control.perception.gestures.script import render_script

        stream = render_script(config.script, config.gesture_s, config.subject_seed, config.seed)
        return stream.events, stream.segments, stream.duration_s
    try:
        raw = np.load(config.replay_file, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"{config.replay_file}: cannot read an event array ({exc})") from None
    events = require_clean_events(raw, SENSOR_WIDTH, SENSOR_HEIGHT, config.replay_file)
    if len(events) == 0:
        raise ValueError(f"{config.replay_file}: holds no events")
    events = events.copy()
    events["t"] -= events["t"][0]
    return events, [], float(events["t"][-1]) + config.packet_s


class EventCameraNode(LockstepSimNode):
    def __init__(self, **kwargs) -> None:
        self._t = 0.0
        self._cursor = 0
        self.n_packets = 0
        self.n_acks = 0
        super().__init__("event_camera", EventCameraConfig, **kwargs)

    def configure(self) -> None:
        super().configure()
        c = self.config
        self.events, self.segments, self.duration_s = load_stream(c)
        self._t, self._cursor = 0.0, 0
        self._pub = self.create_publisher(PointCloud2, "camera/events", 10)
        self.start_pacing(PacingParams(c.packet_s, c.real_time_factor, c.lockstep, c.lockstep_timeout_s,
                                       self.duration_s + c.packet_s))

    def activate(self) -> None:
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 50)
        super().activate()

    def _on_diag(self, msg: DiagnosticArray) -> None:
        if any(s.name == ACK_FROM for s in msg.status):
            self.n_acks += 1
            self.command_arrived(stamp_to_s(msg.header.stamp) >= self._t - 1e-9)

    # -- LockstepSimNode interface ---------------------------------------------------------
    @property
    def sim_time_s(self) -> float:
        return self._t

    def has_listeners(self) -> bool:
        return self._pub.get_subscription_count() > 0

    def sim_step(self) -> None:
        self._t = round(self._t + self.config.packet_s, 9)

    def publish_observation(self) -> None:
        end = int(np.searchsorted(self.events["t"], self._t, side="right"))
        packet = self.events[self._cursor:end]
        self._cursor = end
        self._pub.publish(events_to_pointcloud2(packet, time_msg(self._t), self.config.frame_id))
        self.n_packets += 1


def main(args: list[str] | None = None) -> None:
    run_node(EventCameraNode, args)


if __name__ == "__main__":
    main()
