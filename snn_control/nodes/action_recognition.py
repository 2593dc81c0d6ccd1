"""``action_recognition``: SpikePoint over the live ``/camera/events`` stream.

Each packet is converted (:func:`pointcloud2_to_events`), checked
(:func:`~snn_control.perception.events.checks.sanitize_events` against the model's sensor size:
wrong fields, truncated data, NaN or decreasing times, coordinates off the sensor and bursts are
dropped or thinned, and said so) and pushed into a
:class:`~snn_control.perception.spikepoint.recognizer.StreamRecognizer`, which classifies at most
``max_windows_per_push`` windows per packet. Every completed window with enough events gives
``/perception/action`` (std_msgs/String, the gesture name) and ``/perception/action_scores``
(std_msgs/Float32MultiArray, the class vote rates in the model's class order, its one dimension
labelled with the class names). Every packet, good or bad, is answered on ``/diagnostics`` with a
status stamped as the packet: WARN with the reasons when events were dropped (the event camera's
lockstep acknowledgement).

Time. Event times ``t`` are the stream's clock. A packet's header stamp moves that clock forward
(completing windows before the next event arrives) only while stamps are on it: a stamp at or
after the packet's last event and less than a window later. A driver that stamps wall time on
events counted from sensor start fails that test; its stamps are then ignored, and said so once.

The node keeps counters and the last decision; with ``record`` it also keeps every decision and
latency (``snn-control launch perception`` scores them). Latency is processing latency: from the
packet's callback to the window's label being published.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.qos import QoSProfile
from sensor_msgs.msg import PointCloud2
from std_msgs.msg import Float32MultiArray, MultiArrayDimension, String

from snn_control.nodes.common import diagnostics_msg, run_node, stamp_to_s
from snn_control.nodes.event_msgs import EventMsgError, pointcloud2_to_events
from snn_control.nodes.managed import ManagedNode
from snn_control.perception.config import ActionRecognitionConfig
from snn_control.perception.events.checks import sanitize_events

OK, WARN = 0, 1  # diagnostic_msgs/DiagnosticStatus levels
KEEP = 10_000  # latencies and callback times kept without ``record``


class ActionRecognitionNode(ManagedNode):
    """A managed node (:mod:`snn_control.nodes.managed`): configure loads SpikePoint's weights,
    activate starts listening."""

    def __init__(self, **kwargs) -> None:
        super().__init__("action_recognition", ActionRecognitionConfig, **kwargs)

    def configure(self) -> None:
        from snn_control.perception.spikepoint.recognizer import StreamRecognizer

        c = self.config
        self.recognizer = StreamRecognizer(c.model or None, early_exit=c.early_exit or None,
                                           max_windows_per_push=c.max_windows_per_push, num_threads=c.num_threads,
                                           samplings=c.samplings)
        cfg = self.recognizer.cfg
        self.classes = list(cfg.classes)
        self.sensor = (cfg.sensor_width, cfg.sensor_height)
        self.decisions: list = []  # every Decision, only with ``record``
        self.latencies_s: deque[float] = deque(maxlen=None if c.record else KEEP)
        self.callback_s: deque[float] = deque(maxlen=None if c.record else KEEP)
        self.n_packets = self.n_bad_packets = self.n_windows = self.n_labelled = 0
        self.last_labelled = None
        self._stamps_on_event_clock = True
        self._action_pub = self.create_publisher(String, "perception/action", 10)
        self._scores_pub = self.create_publisher(Float32MultiArray, "perception/action_scores", 10)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)

    def activate(self) -> None:
        self.create_subscription(PointCloud2, "camera/events", self._on_events, QoSProfile(depth=10))

    def _on_events(self, msg: PointCloud2) -> None:
        arrived = time.perf_counter()
        self.n_packets += 1
        problems: list[str] = []
        try:
            events = pointcloud2_to_events(msg)
        except EventMsgError as exc:
            events, problems = None, [f"packet skipped: {exc}"]
        decisions = []
        if events is not None:
            events, problems = sanitize_events(events, *self.sensor, max_events=self.config.max_events_per_packet)
            late, restarts = self.recognizer.dropped_late, self.recognizer.restarts
            decisions = self.recognizer.push(events, now_s=self._now_s(events, stamp_to_s(msg.header.stamp), problems))
            if self.recognizer.dropped_late > late:
                problems.append(f"{self.recognizer.dropped_late - late} events older than the open windows dropped")
            if self.recognizer.restarts > restarts:
                problems.append("time jumped back by more than a window: the stream started over")
        if problems:
            self.n_bad_packets += 1
            self.get_logger().warning("; ".join(problems), throttle_duration_sec=1.0)
        for d in decisions:
            self._publish_decision(d, arrived)
        self._publish_diag(msg.header.stamp, problems, decisions)
        self.callback_s.append(time.perf_counter() - arrived)

    def _now_s(self, events, stamp_s: float, problems: list[str]) -> float | None:
        """The packet's stamp when it is on the events' clock (module docstring), else None."""
        if len(events):
            last = float(events["t"][-1])
            on_clock = last - 1e-6 <= stamp_s <= last + self.recognizer.cfg.window_s
            if self._stamps_on_event_clock and not on_clock:
                problems.append(f"header stamp {stamp_s:.3f} s is not on the events' clock (last event "
                                f"{last:.3f} s): stamps ignored, windows complete on event times")
            self._stamps_on_event_clock = on_clock
        return stamp_s if self._stamps_on_event_clock else None

    def _publish_decision(self, d, arrived: float) -> None:
        self.n_windows += 1
        if self.config.record:
            self.decisions.append(d)
        if d.label is None:
            return
        self.n_labelled += 1
        self.last_labelled = d
        self._action_pub.publish(String(data=d.label))
        msg = Float32MultiArray(data=[float(s) for s in d.scores])
        msg.layout.dim = [MultiArrayDimension(label=",".join(self.classes), size=len(d.scores), stride=len(d.scores))]
        self._scores_pub.publish(msg)
        self.latencies_s.append(time.perf_counter() - arrived)

    def _publish_diag(self, stamp, problems: list[str], decisions: list) -> None:
        last = self.last_labelled
        values = {
            "packets": self.n_packets,
            "bad_packets": self.n_bad_packets,
            "windows": self.n_windows,
            "labelled_windows": self.n_labelled,
            "last_label": last.label if last else "",
            "last_steps_used": last.steps_used if last else 0,
            "dropped_late": self.recognizer.dropped_late,
            "dropped_burst": self.recognizer.dropped_burst,
        }
        if self.latencies_s:
            p50, p99 = np.percentile(np.fromiter(self.latencies_s, float), [50, 99]) * 1e3
            values.update(latency_p50_ms=f"{p50:.2f}", latency_p99_ms=f"{p99:.2f}")
        skipped = [d.reason for d in decisions if d.label is None and d.reason]
        message = "; ".join(problems + skipped) or "ok"
        self._diag_pub.publish(diagnostics_msg(stamp, "action_recognition", WARN if problems else OK, message, values))


def main(args: list[str] | None = None) -> None:
    run_node(ActionRecognitionNode, args)


if __name__ == "__main__":
    main()
