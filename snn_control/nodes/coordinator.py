"""``coordinator``: the sensing-to-action loop of the mission graph (a thin adapter over
:class:`snn_control.coordinator.coordinator.Coordinator`).

Topology (a multiplexer): the SNN controller publishes on ``blimp/snn_cmd`` (remapped), the
coordinator alone on ``blimp/motor_cmd``. For every simulated control period (a ``/clock``
message) it answers with one command stamped as that period's reading: the SNN's command while the
mode allows it, the warm PID's or the safe descent's otherwise. It answers as soon as the SNN's
command for the reading arrives; otherwise a steady-clock watchdog answers (the simulator waits in
lockstep) once there is nothing to wait for: the controller's ``blimp/snn_cmd`` publisher is gone
(a crashed node: the ROS graph says so at once), or no reading reached the controller within
``reading_wall_s`` (a sensor dropout), or the controller took ``answer_wall_s`` (hung). Its clock
then moves to the reading plus the health rule's ``answer_s``, so the silence counts as a late
controller.

In: ``/clock``, ``blimp/range``, ``blimp/snn_cmd``, ``place/match`` (the place is the reference
place nearest the pose; the confidence is read back from the covariance, the inverse of
:func:`~snn_control.perception.place_service.position_variance_m2`),
``perception/action_scores`` (label = the best class), ``camera/events`` (the event rate per
packet; a malformed cloud is a rejected sample), ``camera/image`` (a heartbeat; value = grey-level
contrast; a malformed image is rejected) and ``/diagnostics`` (heartbeats of the perception nodes).
Perception messages are stamped on other clocks (wall time); they are fed on receipt.
Out: ``blimp/motor_cmd``, ``blimp/altitude_setpoint`` (every set-point change: gestures, mission
regions), ``place/active_modules`` (the search window, on change), ``camera/keep_one_of``
(std_msgs/UInt32, the event throttle, on change) and ``/diagnostics`` (one status per stream, the
controller and the mode, once per simulated second and on every mode change).

Perception in step. ``mission/perception_time`` (std_msgs/Float64) is the simulated time up to
which the recognizers have answered the latest the cameras sent (the newest event packet's stamp
acknowledged on ``/diagnostics`` by ``action_recognition``, the newest image's by
``place_recognition``; a recognizer that is gone does not count, one restarted holds it until
the lifecycle manager has brought it up again, and then catches up with the next message); the
simulator holds its next observation until it is at most one period behind (at most its
``sync_timeout_s`` of wall time each), so a fast run never outruns perception.

``restart_wanted`` names the supervised nodes that have been silent for ``restart_after_s``; the
graph's supervisor (``snn-control launch mission``) restarts them; under ``ros2 launch`` the
launch file's ``respawn`` does.

Lifecycle. The ``managed_nodes`` (lifecycle nodes started with ``autostart: false``) are brought
up by the coordinator, in order, over their ``change_state`` services (configure, then activate),
and kept under a ``get_state`` heartbeat on the wall clock
(:class:`~snn_control.coordinator.lifecycle.LifecycleManager` decides, this node calls). A
respawned node answers *unconfigured* and is brought up again; a node whose services left the
graph, or that stopped answering, is down, and a supervised one down for ``restart_after_s`` is
wanted for a restart. ``/diagnostics`` carries one ``lifecycle/<node>`` status per managed node.
"""

from __future__ import annotations

import math
import time

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
from geometry_msgs.msg import PointStamped, PoseWithCovarianceStamped, WrenchStamped
from rclpy.clock import Clock, ClockType
from rclpy.event_handler import SubscriptionEventCallbacks
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, qos_profile_sensor_data
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import Image, PointCloud2, Range
from std_msgs.msg import Float32MultiArray, Float64, Int32MultiArray, UInt32

from snn_control.coordinator.coordinator import Coordinator
from snn_control.coordinator.lifecycle import LifecycleManager, Request
from snn_control.coordinator.node_config import SUPERVISED, CoordinatorNodeConfig
from snn_control.coordinator.region_follow import RegionFollower
from snn_control.nodes.common import diagnostics_msg, motor_cmd_msg, run_node, sensor_qos, stamp_to_s, time_msg
from snn_control.nodes.event_msgs import EventMsgError, pointcloud2_to_events
from snn_control.nodes.image_msgs import ImageMsgError, image_to_gray
from snn_control.nodes.params import declare_config

SETPOINT_QOS = QoSProfile(depth=10, durability=DurabilityPolicy.TRANSIENT_LOCAL)
EPS = 1e-3


class PlaceIndex:
    """Reference place of a ``/place/match`` pose, and its confidence from the covariance."""

    def __init__(self, model) -> None:
        from snn_control.perception.place_service import reference_spacing_m

        n = model.ensemble.n_places
        self.xy = np.array([model.position(i) for i in range(n)], dtype=np.float64)
        self.spacing_m = reference_spacing_m(model)
        self.n_modules = int(model.ensemble.n_modules)
        self.places_per_module = int(model.ensemble.places_per_module)

    def place(self, x: float, y: float) -> int:
        return int(np.argmin(np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y)))

    def confidence(self, variance_m2: float) -> float:
        if not (math.isfinite(variance_m2) and variance_m2 > 0):
            return math.nan
        return self.spacing_m / math.sqrt(variance_m2) - 1.0


class CoordinatorNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("coordinator", **kwargs)
        self.config = c = declare_config(self, CoordinatorNodeConfig)
        from snn_control.coordinator.mission import MissionSpec, default_mission_path

        self.mission = MissionSpec.load(c.mission_file or default_mission_path())
        self.places: PlaceIndex | None = None
        if c.perception:
            from snn_control.perception.place_service import load_place_model

            self.places = PlaceIndex(load_place_model(c.place_model))
            if self.mission is not None:
                self.mission.check_route(self.places.xy.shape[0])
        p = self.places
        self.core = Coordinator(c.coordinator_config(
            p.n_modules if p else 0, p.places_per_module if p else 0,
            self.mission.speed_places_per_s if self.mission else 0.0,
            self.mission.initial_altitude_m if self.mission else 0.0), start_s=0.0)
        self.follower = RegionFollower(self.mission.region_of, c.region_confirm_n) if self.mission else None
        self.answer_s = self.core.config.health.answer_s
        # what the run keeps (launch mission scores it)
        self.log: dict[str, list] = {k: [] for k in (
            "t_s", "mode", "cmd", "source", "setpoint_m", "place_t_s", "place", "confidence",
            "gesture_t_s", "gesture", "gesture_score", "region_t_s", "region")}
        self.restart_wanted: set[str] = set()
        self.n_answers = self.n_watchdog_answers = 0
        self._now = 0.0
        self._pending: tuple[float, float] | None = None  # (reading stamp, wall time) awaiting an answer
        self._snn_for: float | None = None  # stamp of the SNN's latest command
        self._silent_since: dict[str, float] = {}
        self._last_modules: tuple[int, ...] | None = None
        self._last_keep = 1
        self._last_diag_s = -math.inf
        self._cmd_pub = self.create_publisher(WrenchStamped, "blimp/motor_cmd", 10)
        self._sp_pub = self.create_publisher(PointStamped, "blimp/altitude_setpoint", SETPOINT_QOS)
        self._modules_pub = self.create_publisher(Int32MultiArray, "place/active_modules", 10)
        self._keep_pub = self.create_publisher(UInt32, "camera/keep_one_of", 10)
        self._diag_pub = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._sync_pub = self.create_publisher(Float64, "mission/perception_time", 10)
        self._last_packet_s = self._last_ack_s = -math.inf
        self._last_image_s = self._last_place_ack_s = -math.inf  # image stamps (the camera's clock)
        self._synced_s = 0.0
        self.create_subscription(ClockMsg, "/clock", self._on_clock, 10)
        # QoS events: a wall-clock deadline on the sensor (simulated time stops with a stalled
        # simulator, so only DDS can tell), and the controller's publisher matching and leaving
        self.qos = {"range_deadline_misses": 0, "range_deadline_missed_at_s": [], "range_incompatible": 0,
                    "controller_publisher_left_at_s": [], "controller_publisher_joined_at_s": []}
        self._qos_t0 = time.monotonic()
        self._last_qos_misses = 0
        self._snn_publishers = 0
        self.create_subscription(Range, "blimp/range", self._on_range, sensor_qos(c.range_deadline_wall_s),
                                 event_callbacks=SubscriptionEventCallbacks(
                                     deadline=self._on_range_deadline, incompatible_qos=self._on_range_incompatible))
        self._snn_sub = self.create_subscription(WrenchStamped, "blimp/snn_cmd", self._on_snn_cmd, 10,
                                                 event_callbacks=SubscriptionEventCallbacks(matched=self._on_snn_matched))
        self._reading_seen = False
        if c.perception:
            self.create_subscription(PoseWithCovarianceStamped, "place/match", self._on_place, 10)
            self.create_subscription(Float32MultiArray, "perception/action_scores", self._on_scores, 10)
            self.create_subscription(PointCloud2, "camera/events", self._on_events, 10)
            self.create_subscription(Image, "camera/image", self._on_image, qos_profile_sensor_data)
        if c.perception or c.managed_nodes:
            self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 50)
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        self.create_timer(0.005, self._on_watchdog, clock=steady)
        self.lifecycle: LifecycleManager | None = None
        if c.managed_nodes:
            self.lifecycle = LifecycleManager(c.lifecycle_config(), start_s=time.monotonic())
            self._lc_clients = {name: (self.create_client(GetState, f"{name}/get_state"),
                                       self.create_client(ChangeState, f"{name}/change_state"))
                                for name in c.managed_nodes}
            self.create_timer(0.05, self._on_lifecycle, clock=steady)
            self._last_lifecycle_diag = -math.inf

    # -- clock ------------------------------------------------------------------------------------
    def now_s(self) -> float:
        """Simulated time, never decreasing (the watchdog may have moved it past /clock)."""
        self._now = max(self._now, self.get_clock().now().nanoseconds * 1e-9)
        return self._now

    def _on_clock(self, msg: ClockMsg) -> None:
        t = stamp_to_s(msg.clock)
        if self._pending is not None:  # a period nobody answered (the simulator moved on)
            self._answer(watchdog=True)
        self._now = max(self._now, t)
        self._pending = (t, time.monotonic())
        self._reading_seen = False

    # -- inputs -----------------------------------------------------------------------------------
    def _on_range(self, msg: Range) -> None:
        self.core.on_range(msg.range, stamp_to_s(msg.header.stamp), self.now_s())
        self._reading_seen = True

    def _on_snn_cmd(self, msg: WrenchStamped) -> None:
        stamp = stamp_to_s(msg.header.stamp)
        self.core.on_controller_cmd(msg.wrench.force.z, stamp, self.now_s())
        self._silent_since.pop("altitude_controller", None)
        self.restart_wanted.discard("altitude_controller")
        if self._pending is not None and stamp >= self._pending[0] - 1e-9:
            self._answer(watchdog=False)

    def _on_watchdog(self) -> None:
        if self._pending is None:
            return
        waited = time.monotonic() - self._pending[1]
        if (waited > self.config.answer_wall_s or (not self._reading_seen and waited > self.config.reading_wall_s)
                or self._snn_publishers == 0):
            self._answer(watchdog=True)

    # -- QoS events ---------------------------------------------------------------------------------
    def _qos_time(self) -> float:
        return round(time.monotonic() - self._qos_t0, 3)

    def _on_range_deadline(self, info) -> None:
        self.qos["range_deadline_misses"] = int(info.total_count)
        self.qos["range_deadline_missed_at_s"].append(self._qos_time())
        self.get_logger().warning(f"blimp/range: no reading for {self.config.range_deadline_wall_s:g} s of wall time "
                                  f"(QoS deadline missed {info.total_count} times)", throttle_duration_sec=5.0)

    def _on_range_incompatible(self, info) -> None:
        self.qos["range_incompatible"] = int(info.total_count)
        self.get_logger().error("blimp/range: the publisher's QoS does not match ours (its deadline must be at most "
                                f"range_deadline_wall_s = {self.config.range_deadline_wall_s:g} s): no readings arrive")

    def _on_snn_matched(self, info) -> None:
        self._snn_publishers = int(info.current_count)
        if info.current_count_change < 0:
            self.qos["controller_publisher_left_at_s"].append(self._qos_time())
        elif info.current_count_change > 0:
            self.qos["controller_publisher_joined_at_s"].append(self._qos_time())

    def qos_status(self) -> tuple[str, int, str, dict]:
        """The ``coordinator/qos`` status: ERROR on a QoS mismatch, WARN on a deadline missed since the last."""
        q = self.qos
        new = q["range_deadline_misses"] - self._last_qos_misses
        self._last_qos_misses = q["range_deadline_misses"]
        if q["range_incompatible"]:
            level, message = 2, "blimp/range: incompatible QoS, no readings"
        elif new:
            level, message = 1, f"blimp/range: {new} wall-clock deadline(s) missed"
        else:
            level, message = 0, "ok"
        values = {"range_deadline_misses": q["range_deadline_misses"], "controller_publishers": self._snn_publishers,
                  "controller_publisher_left": len(q["controller_publisher_left_at_s"])}
        return "coordinator/qos", level, message, values

    def _on_place(self, msg: PoseWithCovarianceStamped) -> None:
        now = self.now_s()
        pos = msg.pose.pose.position
        place = self.places.place(pos.x, pos.y)
        conf = self.places.confidence(msg.pose.covariance[0])
        self.core.on_place(place, conf, now, now)
        self.log["place_t_s"].append(now)
        self.log["place"].append(place)
        self.log["confidence"].append(conf)
        if self.follower is not None:
            region = self.follower.on_place(place)
            if region is not None:
                self.log["region_t_s"].append(now)
                self.log["region"].append(region.name)
                self.core.set_setpoint(region.altitude_m, now, source="mission")

    def _on_scores(self, msg: Float32MultiArray) -> None:
        now = self.now_s()
        scores = np.asarray(msg.data, dtype=np.float64)
        classes = msg.layout.dim[0].label.split(",") if msg.layout.dim else []
        if scores.size == 0 or len(classes) != scores.size or not np.all(np.isfinite(scores)):
            self.core.on_gesture(None, math.nan, now, now)
            return
        k = int(np.argmax(scores))
        self.core.on_gesture(classes[k], float(scores[k]), now, now)
        self.log["gesture_t_s"].append(now)
        self.log["gesture"].append(classes[k])
        self.log["gesture_score"].append(float(scores[k]))

    def _on_events(self, msg: PointCloud2) -> None:
        now = self.now_s()
        self._last_packet_s = max(self._last_packet_s, stamp_to_s(msg.header.stamp))
        try:
            events = pointcloud2_to_events(msg)
        except EventMsgError as exc:
            self.core.reject("events", f"malformed event packet: {exc}", now, now)
            return
        span = self.config.events_packet_s * max(1, self._last_keep)
        if len(events) and not np.all(np.isfinite(events["t"])):
            self.core.reject("events", "event times are not finite", now, now)
            return
        self.core.on_event_rate(len(events) / span, now, now)

    def _on_image(self, msg: Image) -> None:
        now = self.now_s()
        self._last_image_s = max(self._last_image_s, stamp_to_s(msg.header.stamp))
        try:
            gray = image_to_gray(msg)
        except ImageMsgError as exc:
            self.core.reject("image", f"malformed image: {exc}", now, now)
            return
        self.core.on_stream("image", float(np.std(gray)) if gray.size else math.nan, now, now)

    def _on_diag(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if self.lifecycle is not None and status.name in self.lifecycle.nodes:
                for kv in status.values:
                    if kv.key == "lifecycle_error":
                        self.lifecycle.nodes[status.name].last_error = kv.value
            if status.name in ("place_recognition", "action_recognition"):
                now = self.now_s()
                self.core.on_stream(status.name, float(status.level[0]) if status.level else math.nan, now, now)
                self._silent_since.pop(status.name, None)
                self.restart_wanted.discard(status.name)
                if status.name == "action_recognition":
                    self._last_ack_s = max(self._last_ack_s, stamp_to_s(msg.header.stamp))
                else:
                    self._last_place_ack_s = max(self._last_place_ack_s, stamp_to_s(msg.header.stamp))
        self._sync()

    def _sync(self) -> None:
        """Publish ``mission/perception_time`` when the recognizers caught up (module docstring)."""
        lc = self.lifecycle
        events_done = self._last_ack_s >= self._last_packet_s - 1e-9 or self.count_publishers(
            "/perception/action_scores") == 0
        images_done = self._last_place_ack_s >= self._last_image_s - 1e-9 or self.count_publishers(
            "/place/match") == 0
        restarting = lc is not None and any(  # a respawned recognizer on its way up (wall time)
            lc.bringing_up(n) and lc.nodes[n].restarts for n in ("action_recognition", "place_recognition"))
        if events_done and images_done and not restarting:
            now = self.now_s()
            if now > self._synced_s:
                self._synced_s = now
                self._sync_pub.publish(Float64(data=now))

    # -- output -----------------------------------------------------------------------------------
    def _answer(self, watchdog: bool) -> None:
        stamp_s, _ = self._pending
        self._pending = None
        now = self.now_s()
        if watchdog:
            now = self._now = max(now, stamp_s + self.answer_s + EPS)
            self.n_watchdog_answers += 1
        d = self.core.tick(now)
        self.n_answers += 1
        self._cmd_pub.publish(motor_cmd_msg(d.command, time_msg(stamp_s)))
        for change in d.setpoints:
            sp = PointStamped()
            sp.header.stamp = time_msg(now)
            sp.header.frame_id = "map"
            sp.point.z = float(change.setpoint_m)
            self._sp_pub.publish(sp)
        modules = d.active_modules
        if modules is not None and modules != self._last_modules:
            self._last_modules = modules
            self._modules_pub.publish(Int32MultiArray(data=list(modules)))
        if d.keep_one_of != self._last_keep:
            self._last_keep = d.keep_one_of
            self._keep_pub.publish(UInt32(data=int(d.keep_one_of)))
        self._supervise(d, now)
        if self.config.perception:
            self._sync()
        if self.config.record:
            for key, value in (("t_s", now), ("mode", str(d.mode)), ("cmd", d.command), ("source", d.source),
                               ("setpoint_m", d.setpoint_m)):
                self.log[key].append(value)
        if d.transitions or now - self._last_diag_s >= 1.0:
            self._last_diag_s = now
            self._publish_diag(d, now)

    def _supervise(self, d, now: float) -> None:
        """Mark supervised nodes silent for ``restart_after_s`` for a restart."""
        if not self.config.restart_after_s:
            return
        silent = {"altitude_controller": not d.controller.ok and d.controller.state in ("silent", "late")}
        for name in ("place_recognition", "action_recognition"):
            s = d.streams.get(name)
            silent[name] = s is not None and s.state == "stale"
        for name in SUPERVISED:
            if self.lifecycle is not None and self.lifecycle.bringing_up(name):
                self._silent_since.pop(name, None)  # silence counts from its activation
                continue
            if silent.get(name):
                since = self._silent_since.setdefault(name, now)
                if now - since >= self.config.restart_after_s:
                    self.restart_wanted.add(name)
            else:
                self._silent_since.pop(name, None)

    def _publish_diag(self, d, now: float) -> None:
        msg = DiagnosticArray()
        msg.header.stamp = time_msg(now)
        for name, level, message, values in [*d.diagnostics(), self.qos_status()]:
            msg.status.extend(diagnostics_msg(msg.header.stamp, name, level, message, values).status)
        self._diag_pub.publish(msg)

    def restarted(self, name: str) -> None:
        """The supervisor restarted ``name``: wait ``restart_after_s`` before asking again."""
        self.restart_wanted.discard(name)
        self._silent_since[name] = self._now
        if name == "altitude_controller":
            self.core.controller_restarted()
        if self.lifecycle is not None and name in self.lifecycle.nodes:
            self.lifecycle.restarted(name, time.monotonic())

    # -- lifecycle --------------------------------------------------------------------------------
    def _on_lifecycle(self) -> None:
        now = time.monotonic()
        lc = self.lifecycle
        ready = {n: get.service_is_ready() and change.service_is_ready() for n, (get, change) in self._lc_clients.items()}
        for request in lc.tick(now, ready):
            self._call(request)
        for name in lc.restart_wanted():
            if name in SUPERVISED:
                self.restart_wanted.add(name)
        if now - self._last_lifecycle_diag >= 1.0:  # the statuses, once a wall second
            self._last_lifecycle_diag = now
            msg = DiagnosticArray()
            msg.header.stamp = self.get_clock().now().to_msg()
            for name, level, message, values in lc.diagnostics(now):
                msg.status.extend(diagnostics_msg(msg.header.stamp, name, level, message, values).status)
            self._diag_pub.publish(msg)

    def _call(self, request: Request) -> None:
        get, change = self._lc_clients[request.node]
        if request.kind == "get_state":
            future = get.call_async(GetState.Request())
            future.add_done_callback(lambda f, r=request: self._on_state(r, f))
            return
        tid = Transition.TRANSITION_CONFIGURE if request.kind == "configure" else Transition.TRANSITION_ACTIVATE
        future = change.call_async(ChangeState.Request(transition=Transition(id=tid)))
        future.add_done_callback(lambda f, r=request: self._on_transition(r, f))

    def _on_state(self, request: Request, future) -> None:
        response = future.result()
        if response is not None:
            self.lifecycle.on_state(request.node, request.id, response.current_state.label, time.monotonic())

    def _on_transition(self, request: Request, future) -> None:
        response = future.result()
        if response is None:
            return
        ok = bool(response.success)
        if ok:
            self.get_logger().info(f"{request.node}: {request.kind} done")
        self.lifecycle.on_transition(request.node, request.id, ok, time.monotonic(),
                                     "" if ok else self.lifecycle.nodes[request.node].last_error)


def main(args: list[str] | None = None) -> None:
    run_node(CoordinatorNode, args)


if __name__ == "__main__":
    main()
