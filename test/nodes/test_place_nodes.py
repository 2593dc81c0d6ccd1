"""image_replay -> place_recognition in one process: the published matches are the offline model's,
bad images are answered without a match, and the active modules restrict the search."""

import time

import numpy as np
import pytest

rclpy = pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from geometry_msgs.msg import PoseWithCovarianceStamped  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.node import Node  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402
from std_msgs.msg import Int32MultiArray  # noqa: E402

from snn_control.artifacts.store import ArtifactError  # noqa: E402
from snn_control.nodes.common import time_msg  # noqa: E402
from snn_control.nodes.image_msgs import gray_to_image, stamp_ns  # noqa: E402
from snn_control.nodes.image_replay import ImageReplayNode, truth_of  # noqa: E402
from snn_control.nodes.place_recognition import PlaceRecognitionNode  # noqa: E402
from snn_control.perception.place_service import UNKNOWN_VARIANCE, position_variance_m2  # noqa: E402
from snn_control.perception.places.model import PlaceModel  # noqa: E402

pytestmark = pytest.mark.ros


def params(**values):
    return [Parameter(k, value=v) for k, v in values.items()]


class Probe:
    """Listens to /place/match and /diagnostics; sends images and active-module sets."""

    def __init__(self, context, *nodes):
        self.node = Node("probe", context=context)
        self.matches, self.status = [], []
        self.node.create_subscription(PoseWithCovarianceStamped, "place/match", self.matches.append, 50)
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 50)
        self.images = self.node.create_publisher(Image, "camera/image", 10)
        self.modules = self.node.create_publisher(Int32MultiArray, "place/active_modules", 10)
        self.executor = SingleThreadedExecutor(context=context)
        for n in (self.node, *nodes):
            self.executor.add_node(n)

    def _on_diag(self, msg):
        self.status.extend(s for s in msg.status if s.name == "place_recognition")

    def spin_until(self, done, timeout_s=20.0):
        t0 = time.monotonic()
        while not done():
            assert time.monotonic() - t0 < timeout_s, "timed out"
            self.executor.spin_once(timeout_sec=0.02)

    def send(self, msg):
        self.spin_until(lambda: self.images.get_subscription_count() > 0)
        n = len(self.status)
        self.images.publish(msg)
        self.spin_until(lambda: len(self.status) > n)

    def set_modules(self, modules, node):
        n = node.service.n_rejected_sets
        before = None if node.service.active is None else node.service.active.tolist()
        self.modules.publish(Int32MultiArray(data=list(modules)))
        want = sorted(set(modules)) or None
        self.spin_until(lambda: node.service.n_rejected_sets > n or
                        (None if node.service.active is None else node.service.active.tolist()) == want != before)


def test_replayed_traverse_gives_the_offline_matches(context, tiny_places):
    replay = ImageReplayNode(context=context, parameter_overrides=params(
        source="folder", folder=str(tiny_places.root), traverse="query", first_place=0, n_images=0, real_time_factor=0.0,
        lockstep=True, rate_hz=10.0))
    node = PlaceRecognitionNode(context=context, parameter_overrides=params(model=str(tiny_places.model), record=True))
    probe = Probe(context, replay, node)
    probe.spin_until(lambda: replay.finished and len(probe.status) == len(tiny_places.query))
    assert replay.n_published == 10 and replay.pacer.n_missed == 0
    assert sorted(replay.sent.values()) == list(range(10))

    model = PlaceModel.load(tiny_places.model)
    got = {stamp_ns(m.header.stamp): m for m in probe.matches}
    expected = {}
    for ns, place in replay.sent.items():
        m = model.match_images([tiny_places.query[place]])
        if m.place[0] >= 0:
            expected[ns] = (int(m.place[0]), float(m.confidence[0]))
    assert set(got) == set(expected) and len(got) >= 5
    for ns, (place, confidence) in expected.items():
        msg = got[ns]
        assert msg.header.frame_id == "map"
        assert (msg.pose.pose.position.x, msg.pose.pose.position.y) == model.position(place)
        cov = np.asarray(msg.pose.covariance).reshape(6, 6)
        var = position_variance_m2(node.service.spacing_m, confidence)
        assert np.array_equal(cov, np.diag([var, var] + [UNKNOWN_VARIANCE] * 4))
    assert [s.level for s in probe.status] == [b"\x00"] * 10
    values = {kv.key: kv.value for kv in probe.status[-1].values}
    assert values["images"] == "10" and values["matches"] == str(len(expected)) and values["rejected"] == "0"
    assert float(values["latency_p99_ms"]) >= float(values["latency_p50_ms"]) > 0


def test_bad_images_are_answered_without_a_match_and_the_node_keeps_working(context, tiny_places):
    node = PlaceRecognitionNode(context=context, parameter_overrides=params(model=str(tiny_places.model)))
    probe = Probe(context, node)
    good = tiny_places.query[0]
    wrong_encoding = gray_to_image(good, time_msg(2.0))
    wrong_encoding.encoding = "yuv422"
    truncated = gray_to_image(good, time_msg(3.0))
    truncated.data = bytes(truncated.data)[:-1]
    empty = gray_to_image(good, time_msg(4.0))
    empty.height, empty.data = 0, b""
    for msg in (gray_to_image(good, time_msg(1.0)), wrong_encoding, truncated, empty,
                gray_to_image(good[:8, :8], time_msg(5.0)), gray_to_image(good, time_msg(6.0))):
        probe.send(msg)
    assert [s.level for s in probe.status] == [b"\x00", b"\x01", b"\x01", b"\x01", b"\x01", b"\x00"]
    messages = [s.message for s in probe.status]
    assert "'yuv422' is not supported" in messages[1] and "data holds" in messages[2]
    assert "empty image" in messages[3] and "smaller than min_side_px" in messages[4]
    assert [stamp_ns(m.header.stamp) for m in probe.matches] == [1_000_000_000, 6_000_000_000]
    assert (node.service.n_images, node.service.n_rejected, node.service.n_matches) == (6, 4, 2)


def test_active_modules_restrict_the_search(context, tiny_places):
    node = PlaceRecognitionNode(context=context, parameter_overrides=params(
        model=str(tiny_places.model), active_modules=[1]))
    probe = Probe(context, node)
    model = PlaceModel.load(tiny_places.model)
    n = model.ensemble.n_modules

    def places_of(images, t0):
        first = len(probe.matches)
        for k, img in enumerate(images):
            probe.send(gray_to_image(img, time_msg(t0 + k)))
        return sorted(int(m.pose.pose.position.x / 10.0) for m in probe.matches[first:])

    def offline(images, modules):
        return sorted(p for p in (int(model.match_images([img], modules).place[0]) for img in images) if p >= 0)

    region = model.ensemble.region_start[1]
    assert places_of(tiny_places.query, 1.0) == offline(tiny_places.query, np.array([1]))
    assert all(p >= region for p in offline(tiny_places.query, np.array([1])))
    probe.set_modules([0, n + 3], node)  # refused: the set stays [1]
    assert node.service.active.tolist() == [1]
    probe.send(gray_to_image(tiny_places.query[0], time_msg(20.0)))
    assert probe.status[-1].level == b"\x01" and f"module index {n + 3} outside" in probe.status[-1].message
    probe.set_modules([], node)  # all modules
    assert places_of(tiny_places.query, 30.0) == offline(tiny_places.query, None)
    assert offline(tiny_places.query, None) != offline(tiny_places.query, np.array([1]))


def test_node_does_not_start_without_a_usable_model(context, tiny_places, tmp_path):
    with pytest.raises(ArtifactError, match="missing.npz"):
        PlaceRecognitionNode(context=context, parameter_overrides=params(model=str(tmp_path / "missing.npz")))
    with pytest.raises(ValueError, match="active_modules: module index 9 outside"):
        PlaceRecognitionNode(context=context, parameter_overrides=params(model=str(tiny_places.model),
                                                                         active_modules=[0, 9]))
    with pytest.raises(ValueError, match="place_recognition.modle: unknown parameter"):
        PlaceRecognitionNode(context=context, parameter_overrides=params(modle="x"))


def test_synth_replay_publishes_truth_in_frame_id(context):
    replay = ImageReplayNode(context=context, parameter_overrides=params(
        source="synth", traverse="fall", first_place=4, n_images=3, real_time_factor=0.0, synth_width=32,
        synth_height=24))
    probe = Probe(context, replay)
    got = []
    probe.node.create_subscription(Image, "camera/image", got.append, 10)
    probe.spin_until(lambda: replay.finished and len(got) == 3)
    assert [truth_of(m.header.frame_id) for m in got] == [4, 5, 6]
    assert [(m.width, m.height, m.encoding) for m in got] == [(32, 24, "mono8")] * 3
    stamps = [stamp_ns(m.header.stamp) for m in got]
    assert stamps == sorted(set(stamps)) and sorted(replay.sent) == stamps
    assert truth_of("camera") is None and truth_of("place:x") is None
