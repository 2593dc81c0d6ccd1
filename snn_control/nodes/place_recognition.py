"""``place_recognition``: the modular place SNN over ``/camera/image``.

Each image is converted (:func:`~snn_control.nodes.image_msgs.image_to_gray`) and handed to a
:class:`~snn_control.perception.place_service.PlaceService`, which checks it, searches the active
modules and decides what to say (the rules are in that module). A match goes out on
``/place/match`` (geometry_msgs/PoseWithCovarianceStamped): the matched reference place's position
in ``frame_id``, identity orientation, stamped with the image's stamp; covariance (row-major 6 x 6
over x, y, z, roll, pitch, yaw) ``(spacing / (1 + confidence))**2`` on x and y, ``1e6`` (unknown)
on the rest. No match, or a bad image, publishes nothing.

Every image, good or bad, is answered on ``/diagnostics`` by one status named ``place_recognition``
stamped as the image (the replay's lockstep acknowledgement): level OK, WARN (image rejected, or a
rejected set of active modules) or ERROR (many images in a row rejected), and the values images,
matches, no_match, rejected, rejected_module_sets, last_place, last_confidence, latency_p50_ms,
latency_p99_ms (image stamp to match published, on this node's clock: meaningful when the camera
stamps on the same clock, as ``image_replay`` does), active_modules, n_active_modules.

``/place/active_modules`` (std_msgs/Int32MultiArray) sets the modules searched (empty: all); a set
with an index out of range is rejected with a WARN and the previous one kept. A model that cannot be
loaded, or an ``active_modules`` parameter out of range, stops the node at start with the reason.
"""

from __future__ import annotations

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PoseWithCovarianceStamped
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image
from std_msgs.msg import Int32MultiArray

from snn_control.nodes.common import diagnostics_msg, run_node
from snn_control.nodes.image_msgs import ImageMsgError, image_to_gray, stamp_ns
from snn_control.nodes.managed import ManagedNode
from snn_control.perception.config import PlaceRecognitionConfig
from snn_control.perception.place_service import UNKNOWN_VARIANCE, PlaceFix, PlaceService


def match_msg(fix: PlaceFix, stamp, frame_id: str) -> PoseWithCovarianceStamped:
    """The ``/place/match`` message of a fix (see the module docstring)."""
    msg = PoseWithCovarianceStamped()
    msg.header.stamp = stamp
    msg.header.frame_id = frame_id
    msg.pose.pose.position.x, msg.pose.pose.position.y = fix.x_m, fix.y_m
    msg.pose.pose.orientation.w = 1.0
    cov = [0.0] * 36
    for i in range(6):
        cov[7 * i] = fix.variance_m2 if i < 2 else UNKNOWN_VARIANCE
    msg.pose.covariance = cov
    return msg


class PlaceRecognitionNode(ManagedNode):
    """A managed node (:mod:`snn_control.nodes.managed`): configure loads the model, activate
    starts listening."""

    def __init__(self, **kwargs) -> None:
        super().__init__("place_recognition", PlaceRecognitionConfig, **kwargs)

    def configure(self) -> None:
        self.service = PlaceService.from_config(self.config)
        self._match_pub = self.create_publisher(PoseWithCovarianceStamped, "place/match", 10)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)

    def activate(self) -> None:
        self.create_subscription(Image, "camera/image", self._on_image, qos_profile_sensor_data)
        self.create_subscription(Int32MultiArray, "place/active_modules", self._on_active_modules, 10)

    def _on_image(self, msg: Image) -> None:
        stamp = msg.header.stamp
        key = stamp_ns(stamp)
        try:
            outcome = self.service.localize(image_to_gray(msg), key)
        except ImageMsgError as exc:
            outcome = self.service.reject(str(exc), key)
        if outcome.fix is not None:
            self._match_pub.publish(match_msg(outcome.fix, stamp, self.config.frame_id))
            self.service.latency.add(1e-9 * (self.get_clock().now().nanoseconds - key))
        if outcome.level:
            self.get_logger().warning(outcome.message, throttle_duration_sec=1.0)
        self._diag_pub.publish(diagnostics_msg(stamp, "place_recognition", outcome.level, outcome.message,
                                               self.service.status_values()))

    def _on_active_modules(self, msg: Int32MultiArray) -> None:
        problem = self.service.set_active_modules(msg.data)
        if problem:
            self.get_logger().warning(problem)


def main(args: list[str] | None = None) -> None:
    run_node(PlaceRecognitionNode, args)


if __name__ == "__main__":
    main()
