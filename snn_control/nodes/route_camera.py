"""``route_camera``: the mission's forward camera (see
:class:`~snn_control.coordinator.node_config.RouteCameraConfig`).

Follows the simulator's ``/clock``: frame k goes out once simulated time reaches
``k / image_rate_hz`` and shows the route place the blimp is at then
(:meth:`~snn_control.coordinator.mission.MissionSpec.place_at`), as ``/camera/image`` (mono8),
stamped on this node's clock, with ``frame_id`` ``place:<true place>``.
"""

from __future__ import annotations

from rclpy.node import Node
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import Image

from snn_control.coordinator.mission import MissionSpec, default_mission_path
from snn_control.coordinator.node_config import RouteCameraConfig
from snn_control.nodes.common import run_node, stamp_to_s
from snn_control.nodes.image_msgs import gray_to_image
from snn_control.nodes.image_replay import TRUTH_PREFIX
from snn_control.nodes.params import declare_config
from snn_control.perception.config import ImageReplayConfig
from snn_control.perception.place_replay import QueryImages


class RouteCameraNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("route_camera", **kwargs)
        self.config = c = declare_config(self, RouteCameraConfig)
        self.mission = m = MissionSpec.load(c.mission_file or default_mission_path())
        n = m.last_place - m.route_first_place + 1
        self.images = QueryImages(ImageReplayConfig(
            source=c.source, folder=c.folder, traverse=c.traverse, first_place=m.route_first_place, n_images=n,
            synth_seed=c.synth_seed, synth_width=c.synth_width, synth_height=c.synth_height))
        self.period_s = 1.0 / m.image_rate_hz
        self.n_published = self.n_unreadable = 0
        self.sent: list[tuple[float, int]] = []  # (sim time, true place) of every frame
        self.sent_ns: dict[int, int] = {}  # stamp (ns) -> true place
        self._k = 0
        self._last_ns = -1
        self._pub = self.create_publisher(Image, "camera/image", 10)
        self.create_subscription(ClockMsg, "/clock", self._on_clock, 10)

    def _on_clock(self, msg: ClockMsg) -> None:
        t = stamp_to_s(msg.clock)
        while self._k * self.period_s <= t + 1e-9 and self._k * self.period_s < self.mission.duration_s:
            self._publish(self._k * self.period_s)
            self._k += 1

    def _publish(self, t_s: float) -> None:
        place = self.mission.place_at(t_s)
        k = place - self.mission.route_first_place
        try:
            image = self.images.image(k)
        except (ValueError, IndexError) as exc:
            self.n_unreadable += 1
            self.get_logger().error(f"frame of place {place} skipped: {exc}")
            return
        ns = max(self.get_clock().now().nanoseconds, self._last_ns + 1)
        self._last_ns = ns
        from rclpy.time import Time

        self._pub.publish(gray_to_image(image, Time(nanoseconds=ns).to_msg(), f"{TRUTH_PREFIX}{place}"))
        self.sent.append((t_s, place))
        self.sent_ns[ns] = place
        self.n_published += 1


def main(args: list[str] | None = None) -> None:
    run_node(RouteCameraNode, args)


if __name__ == "__main__":
    main()
