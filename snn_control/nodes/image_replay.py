"""``image_replay``: a query traverse as ``/camera/image`` (sensor_msgs/Image, mono8).

The images come from a :class:`~snn_control.perception.place_replay.QueryImages` (a traverse
folder, or the synthetic benchmark rendered on the fly), one every ``1 / rate_hz`` simulated
seconds, paced like the simulators by a :class:`~snn_control.envs.lockstep.LockstepPacer`: with
``lockstep``, the acknowledgement of an image is the recognizer's ``/diagnostics`` status named
``place_recognition`` stamped at or after it, so a fast run loses nothing and a slow recognizer
slows the replay instead of dropping images. Unlike the simulators it does not publish ``/clock``
(the event camera owns it in the perception graph).

Stamps and ground truth. Each image is stamped with this node's clock when it is sent (strictly
increasing), so the recognizer can measure stamp-to-match latency on the same clock. Its
``header.frame_id`` is ``place:<i>``, ``i`` being the true place (the index of the image in its
traverse): one message carries the image and its truth, and a recording is scored by pairing each
``/place/match`` with the image of the same stamp. An image file that cannot be read is logged,
counted (``n_unreadable``) and skipped.
"""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.node import Node
from rclpy.time import Time
from sensor_msgs.msg import Image

from snn_control.envs.lockstep import Action, LockstepPacer, PacingParams
from snn_control.nodes.common import run_node
from snn_control.nodes.image_msgs import gray_to_image, stamp_ns
from snn_control.nodes.params import declare_config
from snn_control.perception.config import ImageReplayConfig
from snn_control.perception.place_replay import QueryImages

ACK_FROM = "place_recognition"  # the /diagnostics status name that acknowledges an image
TRUTH_PREFIX = "place:"  # header.frame_id of a replayed image: "place:<true place>"


def truth_of(frame_id: str) -> int | None:
    """The true place a replayed image's ``frame_id`` names, or None."""
    if frame_id.startswith(TRUTH_PREFIX) and frame_id[len(TRUTH_PREFIX):].isdigit():
        return int(frame_id[len(TRUTH_PREFIX):])
    return None


class ImageReplayNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("image_replay", **kwargs)
        self.config = c = declare_config(self, ImageReplayConfig)
        self.images = QueryImages(c)
        self.period_s = 1.0 / c.rate_hz
        self.sent: dict[int, int] = {}  # stamp (ns) -> true place of every image sent
        self.n_published = self.n_unreadable = self.n_acks = 0
        self._k = 0
        self._last_ns = -1
        self._pub = self.create_publisher(Image, "camera/image", 10)
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 50)
        self.pacer = LockstepPacer(PacingParams(self.period_s, c.real_time_factor, c.lockstep,
                                                c.lockstep_timeout_s, len(self.images) * self.period_s))
        self.create_timer(self.pacer.params.timer_period_s, self._on_timer)

    @property
    def finished(self) -> bool:
        return self.pacer.finished

    @property
    def sim_time_s(self) -> float:
        return round(self._k * self.period_s, 9)

    def _on_diag(self, msg: DiagnosticArray) -> None:
        if any(s.name == ACK_FROM for s in msg.status):
            self.n_acks += 1
            answers = stamp_ns(msg.header.stamp) >= self._last_ns
            self._apply(self.pacer.on_command(time.monotonic(), self.sim_time_s, answers))

    def _on_timer(self) -> None:
        self._apply(self.pacer.on_timer(time.monotonic(), self.sim_time_s, self._pub.get_subscription_count() > 0))

    def _apply(self, action: Action) -> None:
        while True:
            if action.step:
                self._k += 1
            if not action.observe or self._publish():
                return
            action = self.pacer.on_command(time.monotonic(), self.sim_time_s)  # a skipped image answers itself

    def _publish(self) -> bool:
        """Send image ``_k``; False when its file could not be read (logged and counted)."""
        try:
            image = self.images.image(self._k)
        except ValueError as exc:
            self.n_unreadable += 1
            self.get_logger().error(f"image {self._k} skipped: {exc}")
            return False
        ns = max(self.get_clock().now().nanoseconds, self._last_ns + 1)
        self._last_ns = ns
        place = self.images.place(self._k)
        self._pub.publish(gray_to_image(image, Time(nanoseconds=ns).to_msg(), f"{TRUTH_PREFIX}{place}"))
        self.sent[ns] = place
        self.n_published += 1
        return True


def main(args: list[str] | None = None) -> None:
    run_node(ImageReplayNode, args)


if __name__ == "__main__":
    main()
