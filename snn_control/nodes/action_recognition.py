"""``action_recognition``: SpikePoint over the live ``/camera/events`` stream.

Each packet is converted (:func:`pointcloud2_to_events`), checked
(:func:`~snn_control.perception.events.checks.sanitize_events`: wrong fields, truncated data, NaN
or decreasing times, coordinates off the sensor and bursts are dropped or thinned, and said so)
and pushed into a :class:`~snn_control.perception.spikepoint.recognizer.StreamRecognizer`, which
bounds the work per packet. Every completed window with enough events gives
``/perception/action`` (std_msgs/String, the gesture name) and ``/perception/action_scores``
(std_msgs/Float32MultiArray, the class vote rates in ``GESTURE_CLASSES`` order, its one dimension
labelled with the class names). Every packet, good or bad, is answered on ``/diagnostics`` with a
status stamped as the packet (the event camera's lockstep acknowledgement).
"""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.node import Node
from rclpy.qos import QoSProfile
from sensor_msgs.msg import PointCloud2
from std_msgs.msg import Float32MultiArray, MultiArrayDimension, String

from snn_control.nodes.common import diagnostics_msg, run_node, stamp_to_s
from snn_control.nodes.event_msgs import EventMsgError, pointcloud2_to_events
from snn_control.nodes.params import declare_config
from snn_control.perception.config import ActionRecognitionConfig
from snn_control.perception.events.checks import sanitize_events

OK, WARN = 0, 1  # diagnostic_msgs/DiagnosticStatus levels


class ActionRecognitionNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("action_recognition", **kwargs)
        from snn_control.perception.spikepoint.recognizer import StreamRecognizer

        self.config = c = declare_config(self, ActionRecognitionConfig)
        self.recognizer = StreamRecognizer(c.model or None, early_exit=c.early_exit or None,
                                           num_threads=c.num_threads)
        self.classes = list(self.recognizer.cfg.classes)
        self.decisions: list = []  # every Decision, in order (for offline scoring)
        self.latencies_s: list[float] = []  # packet arrival -> label published, per labelled window
        self.callback_s: list[float] = []  # wall time of each packet callback
        self.n_packets = 0
        self.n_bad_packets = 0
        self.problems: list[str] = []
        self._action_pub = self.create_publisher(String, "perception/action", 10)
        self._scores_pub = self.create_publisher(Float32MultiArray, "perception/action_scores", 10)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self.create_subscription(PointCloud2, "camera/events", self._on_events, QoSProfile(depth=10))

    def _on_events(self, msg: PointCloud2) -> None:
        arrived = time.perf_counter()
        self.n_packets += 1
        now_s = stamp_to_s(msg.header.stamp)
        problems = []
        try:
            events = pointcloud2_to_events(msg)
        except EventMsgError as exc:
            events, problems = None, [f"packet skipped: {exc}"]
        if events is not None:
            events, problems = sanitize_events(events, self.config.sensor_width, self.config.sensor_height,
                                               max_events=self.config.max_events_per_packet)
        if problems:
            self.n_bad_packets += 1
            self.problems.extend(problems)
            self.get_logger().warning("; ".join(problems), throttle_duration_sec=1.0)
        decisions = self.recognizer.push(events, now_s=now_s) if events is not None else []
        for d in decisions:
            self.decisions.append(d)
            if d.label is None:
                continue
            self._action_pub.publish(String(data=d.label))
            self._scores_pub.publish(self._scores_msg(d.scores))
            self.latencies_s.append(time.perf_counter() - arrived)
        self._publish_diag(msg.header.stamp, problems, decisions)
        self.callback_s.append(time.perf_counter() - arrived)

    def _scores_msg(self, scores) -> Float32MultiArray:
        msg = Float32MultiArray(data=[float(s) for s in scores])
        msg.layout.dim = [MultiArrayDimension(label=",".join(self.classes), size=len(scores), stride=len(scores))]
        return msg

    def _publish_diag(self, stamp, problems: list[str], decisions: list) -> None:
        labelled = [d for d in self.decisions if d.label is not None]
        last = labelled[-1] if labelled else None
        values = {
            "packets": self.n_packets,
            "bad_packets": self.n_bad_packets,
            "windows": len(self.decisions),
            "labelled_windows": len(labelled),
            "last_label": last.label if last else "",
            "last_steps_used": last.steps_used if last else 0,
            "dropped_late": self.recognizer.dropped_late,
            "dropped_burst": self.recognizer.dropped_burst,
        }
        skipped = [d.reason for d in decisions if d.label is None and d.reason]
        message = "; ".join(problems + skipped) or "ok"
        level = WARN if problems else OK
        self._diag_pub.publish(diagnostics_msg(stamp, "action_recognition", level, message, values))


def main(args: list[str] | None = None) -> None:
    run_node(ActionRecognitionNode, args)


if __name__ == "__main__":
    main()
