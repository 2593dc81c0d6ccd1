"""``snn-control launch perception``: camera and recognizer over ROS 2 equal the offline recognizer."""

import json

import numpy as np
import pytest

from snn_control.cli import main

pytest.importorskip("rclpy")
pytest.importorskip("torch")
pytestmark = pytest.mark.ros

SCRIPT = ["right_hand_wave", "hand_clap"]


def offline_decisions(model_path, packet_s=0.05, gesture_s=1.0):
    """The same stream through the same recognizer, packet by packet, without ROS."""
    from snn_control.perception.gestures.script import render_script
    from snn_control.perception.spikepoint.recognizer import StreamRecognizer

    stream = render_script(SCRIPT, gesture_s)
    recognizer = StreamRecognizer(model_path)
    t = np.asarray(stream.events["t"])
    out, start = [], 0
    for k in range(int(round(stream.duration_s / packet_s)) + 1):
        now = round(k * packet_s, 9)
        end = int(np.searchsorted(t, now, side="right"))
        out += recognizer.push(stream.events[start:end], now_s=now)
        start = end
    return [d for d in out if d.label is not None]


def test_ros_graph_labels_every_window_like_the_offline_recognizer(capsys, tiny_spikepoint, tiny_places):
    args = ["launch", "perception", "--fast", "--json", "--model", str(tiny_spikepoint),
            "--script", ",".join(SCRIPT), "--gesture-s", "1.0", "--place-model", str(tiny_places.model),
            "--query-folder", str(tiny_places.root), "--query-traverse", "query"]
    assert main(args) == 0
    out = capsys.readouterr()
    m = json.loads(out.out.strip().splitlines()[-1])
    summary = out.err.strip().splitlines()[-1]
    assert summary.startswith("accuracy=") and "place_accuracy=" in summary and "place_latency_p99_ms=" in summary
    assert m["script"] == SCRIPT
    assert m["n_packets"] == 41 and m["n_missed_acks"] == 0 and m["n_bad_packets"] == 0
    assert m["n_windows"] == 7  # [0, 0.5) ... [1.5, 2.0) every 0.25 s
    assert m["n_scored"] + m["n_transition"] == m["n_windows"] == 7 and m["n_unlabelled"] == 0
    assert m["n_transition"] == 1  # [0.75, 1.25) holds both gestures
    assert 0.0 <= m["accuracy"] <= 1.0 and m["latency_p99_ms"] >= m["latency_p50_ms"] > 0
    expected = offline_decisions(tiny_spikepoint)
    assert len(expected) == 7
    assert m["labels"] == [d.label for d in expected]
    # the place half: every query image answered, scored as the offline model scores it
    from snn_control.perception.places.model import PlaceModel

    model = PlaceModel.load(tiny_places.model)
    offline = np.array([model.match_images([img]).place[0] for img in tiny_places.query])
    assert m["place_images"] == m["place_answered"] == 10 and m["place_missed_acks"] == 0
    assert m["place_rejected"] == m["place_unreadable"] == 0
    assert m["place_matches"] == int((offline >= 0).sum()) and m["place_no_match"] == int((offline < 0).sum())
    assert m["place_accuracy"] == float(np.mean(offline == tiny_places.truth))
    assert m["place_accuracy_tol1"] == float(np.mean((offline >= 0) & (np.abs(offline - tiny_places.truth) <= 1)))
    assert m["place_latency_p99_ms"] >= m["place_latency_p50_ms"] > 0


def test_bad_perception_config(capsys, tmp_path):
    cfg = tmp_path / "p.yaml"
    cfg.write_text("event_camera:\n  ros__parameters:\n    script: [moonwalk]\n")
    assert main(["launch", "perception", "--fast", "--config", str(cfg)]) == 2
    assert "moonwalk" in capsys.readouterr().err
    assert main(["launch", "perception", "--fast", "--early-exit", "2"]) == 2
    assert "early_exit" in capsys.readouterr().err
    assert main(["launch", "perception", "--fast", "--query-traverse", "autumn"]) == 2
    assert "unknown synthetic condition 'autumn'" in capsys.readouterr().err


def test_missing_place_model_or_query_folder_stops_the_run(capsys, tiny_spikepoint, tiny_places, tmp_path):
    base = ["launch", "perception", "--fast", "--model", str(tiny_spikepoint), "--script", "hand_clap"]
    assert main(base + ["--place-model", str(tmp_path / "none.npz")]) == 2
    assert "none.npz" in capsys.readouterr().err
    assert main(base + ["--place-model", str(tiny_places.model), "--query-folder", str(tmp_path / "nowhere")]) == 2
    assert "nowhere: no such data set folder" in capsys.readouterr().err


def test_replay_of_a_recording_file(capsys, tiny_spikepoint, tiny_places, tmp_path):
    from snn_control.perception.events import make_events

    rng = np.random.default_rng(0)
    n = 3000
    events = make_events(rng.integers(0, 128, n), rng.integers(0, 128, n), np.sort(rng.uniform(5.0, 6.2, n)),
                         rng.choice([-1, 1], n))
    path = tmp_path / "rec.npy"
    np.save(path, events)
    assert main(["launch", "perception", "--fast", "--json", "--model", str(tiny_spikepoint),
                 "--replay", str(path), "--place-model", str(tiny_places.model), "--query-images", "2"]) == 0
    m = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert m["n_events"] == n and m["script"] == [] and m["accuracy"] is None
    assert m["place_images"] == m["place_answered"] == 2  # two synthetic summer images
    assert m["n_labelled"] == 4  # shifted to start at 0, played to 1.25 s: windows end at 0.5, 0.75, 1.0, 1.25
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((4, 4)))
    assert main(["launch", "perception", "--fast", "--model", str(tiny_spikepoint), "--replay", str(bad)]) == 2
    assert "bad.npy" in capsys.readouterr().err
    empty = tmp_path / "empty.npy"
    empty.write_bytes(b"")
    assert main(["launch", "perception", "--fast", "--model", str(tiny_spikepoint), "--replay", str(empty)]) == 2
    assert "empty.npy: cannot read" in capsys.readouterr().err
