"""``snn-control launch perception``: event camera + SpikePoint action recognition, and image replay +
place recognition, in one process.

The camera plays a scripted sequence of gestures performed by a person no shipped data set saw
(or replays a recording); the recognizer labels each 0.5 s window. Printed figures: ``accuracy``,
the share of windows inside one gesture labelled right (a window left without a label counts as
wrong; windows straddling a change are counted apart), per gesture, and the window-to-label
processing latency (from the callback of the packet that completes a window to its label being
published), p50 and p99.

The image replay plays a query traverse (the synthetic benchmark rendered on the fly, or a folder);
place recognition matches each image. Place figures (keys ``place_*``): images sent, matches, no
match, rejected, ``place_accuracy`` (the share of images sent whose match is the true place; an
image without a match counts as wrong), ``place_accuracy_tol1`` (within one place),
``place_withheld`` (matches under the confidence threshold, not published), ``place_published``,
``place_precision`` (the share of published matches that are right), and the image stamp to match
latency p50 and p99.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="ROS parameter file (default: the package's config/perception.yaml)")
    p.add_argument("--script", metavar="G1,G2,...", help="gestures to perform, in order (names of GESTURE_CLASSES)")
    p.add_argument("--gesture-s", type=float, metavar="S", help="seconds each gesture is performed")
    p.add_argument("--subject-seed", type=int, metavar="N", help="the person performing (drawn from this seed)")
    p.add_argument("--replay", metavar="FILE.npy", help="replay a recording (event record) instead of the scene")
    p.add_argument("--model", metavar="FILE", help="SpikePoint artifact (default: the shipped one)")
    p.add_argument("--early-exit", type=float, metavar="THRESHOLD", help="stop a window's time steps at this confidence")
    p.add_argument("--samplings", type=int, metavar="K", help="average each window over K point samplings")
    p.add_argument("--fast", action="store_true", help="run as fast as the recognizer allows (lockstep, no real-time pacing)")
    p.add_argument("--seed", type=int, help="camera seed (rendering and sensor noise)")
    p.add_argument("--place-model", metavar="FILE", help="place model .npz (default: the shipped one)")
    p.add_argument("--query-folder", metavar="DIR",
                   help="replay a traverse of this data set (all of it by default) instead of the synthetic one")
    p.add_argument("--query-traverse", metavar="NAME", help="the query traverse (synthetic: a condition name)")
    p.add_argument("--query-images", type=int, metavar="N", help="images to replay (0: a folder traverse to its end)")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object on the last line")


def build_params(args: argparse.Namespace) -> dict:
    from snn_control.bringup import load_graph_params

    _, params = load_graph_params("perception", args.config)
    cam = params.setdefault("event_camera", {})
    rec = params.setdefault("action_recognition", {})
    replay = params.setdefault("image_replay", {})
    places = params.setdefault("place_recognition", {})
    if args.script:
        cam["script"] = tuple(g.strip() for g in args.script.split(",") if g.strip())
    if args.gesture_s is not None:
        cam["gesture_s"] = args.gesture_s
    if args.subject_seed is not None:
        cam["subject_seed"] = args.subject_seed
    if args.seed is not None:
        cam["seed"] = args.seed
    if args.replay:
        cam["source"], cam["replay_file"] = "replay", args.replay
    if args.fast:
        cam["real_time_factor"], cam["lockstep"] = 0.0, True
        replay["real_time_factor"], replay["lockstep"] = 0.0, True
    if args.query_folder:  # the whole traverse unless --query-images says otherwise
        replay["source"], replay["folder"], replay["first_place"], replay["n_images"] = "folder", args.query_folder, 0, 0
    if args.query_traverse:
        replay["traverse"] = args.query_traverse
    if args.query_images is not None:
        replay["n_images"] = args.query_images
    if args.place_model:
        places["model"] = args.place_model
    places["record"] = True
    if args.model:
        rec["model"] = args.model
    if args.early_exit is not None:
        rec["early_exit"] = args.early_exit
    if args.samplings is not None:
        rec["samplings"] = args.samplings
    rec["record"] = True  # every decision, for the scores below
    from snn_control.perception.config import (ActionRecognitionConfig, EventCameraConfig, ImageReplayConfig,
                                               PlaceRecognitionConfig)

    for cls, values in ((EventCameraConfig, cam), (ActionRecognitionConfig, rec), (ImageReplayConfig, replay),
                        (PlaceRecognitionConfig, places)):
        cls.from_dict({k: v for k, v in values.items() if k != "use_sim_time"})  # the file's rules
    return params


def metrics(camera, recognizer, wall_s: float) -> dict:
    """The run's figures from the two nodes' logs (see the module docstring)."""
    from snn_control.perception.events.types import GESTURE_CLASSES
    from snn_control.perception.scoring import score_windows

    decisions = recognizer.decisions
    labelled = [d for d in decisions if d.label is not None]
    windows = [(d.window_start_s, d.window_end_s, None if d.label is None else GESTURE_CLASSES.index(d.label))
               for d in decisions]
    score = score_windows(windows, camera.segments) if camera.segments else {}
    lat_ms = 1e3 * np.asarray(recognizer.latencies_s) if recognizer.latencies_s else np.zeros(1)
    steps = [d.steps_used for d in labelled]
    return {
        "accuracy": score.get("accuracy"),
        "accuracy_labelled": score.get("accuracy_labelled"),
        "n_windows": len(decisions),
        "n_labelled": len(labelled),
        "n_scored": score.get("n_scored", 0),
        "n_unlabelled": score.get("n_unlabelled", 0),
        "n_transition": score.get("n_transition", 0),
        "n_skipped": len(decisions) - len(labelled),
        "per_class_accuracy": score.get("per_class_accuracy", {}),
        "latency_p50_ms": float(np.percentile(lat_ms, 50)),
        "latency_p99_ms": float(np.percentile(lat_ms, 99)),
        "callback_max_ms": 1e3 * max(recognizer.callback_s, default=0.0),
        "mean_time_steps": float(np.mean(steps)) if steps else None,
        "n_events": int(len(camera.events)),
        "n_packets": camera.n_packets,
        "n_missed_acks": camera.n_missed,
        "n_bad_packets": recognizer.n_bad_packets,
        "script": [GESTURE_CLASSES[s.label] for s in camera.segments],
        "labels": [d.label for d in labelled],
        "sim_s": camera.sim_time_s,
        "wall_s": wall_s,
    }


def place_metrics(replay, places) -> dict:
    """The place figures of a run (see the module docstring) from the replay's and the node's logs."""
    from snn_control.perception.place_service import score_matches

    service = places.service
    score = score_matches(replay.sent, service.history, withheld=service.withheld)
    return {
        "place_images": replay.n_published,
        "place_answered": score["n_answered"],
        "place_matches": service.n_matches,
        "place_no_match": service.n_no_match,
        "place_withheld": service.n_withheld,
        "place_published": service.n_matches - service.n_withheld,
        "place_precision": score["precision_published"],
        "place_rejected": service.n_rejected,
        "place_unreadable": replay.n_unreadable,
        "place_missed_acks": replay.pacer.n_missed,
        "place_accuracy": score["accuracy_tol0"],
        "place_accuracy_tol1": score["accuracy_tol1"],
        "place_latency_p50_ms": service.latency.percentile_ms(50),
        "place_latency_p99_ms": service.latency.percentile_ms(99),
    }


class Finished:
    """``until`` of the run: both streams played and answered. An image the recognizer never got
    (a best-effort drop in a real-time run) stops the wait ``grace_s`` after the replay ended."""

    def __init__(self, grace_s: float = 2.0) -> None:
        self.grace_s = grace_s
        self._replay_done_at: float | None = None

    def __call__(self, nodes: dict) -> bool:
        cam, rec, replay, places = (nodes[n] for n in ("event_camera", "action_recognition", "image_replay",
                                                        "place_recognition"))
        if not (cam.finished and rec.n_packets >= cam.n_packets and replay.finished):
            return False
        if self._replay_done_at is None:
            self._replay_done_at = time.monotonic()
        answered = places.service.n_images >= replay.n_published
        return answered or time.monotonic() - self._replay_done_at > self.grace_s


def run(args: argparse.Namespace) -> int:
    from snn_control.bringup import run_graph

    try:
        params = build_params(args)
        result = run_graph("perception", params, until=Finished())
    except (ValueError, FileNotFoundError) as exc:
        print(f"snn-control launch perception: {exc}", file=sys.stderr)
        return 2
    out = metrics(result.nodes["event_camera"], result.nodes["action_recognition"], result.wall_s)
    out.update(place_metrics(result.nodes["image_replay"], result.nodes["place_recognition"]))
    text = {k: v for k, v in out.items() if not isinstance(v, (dict, list))}
    print(", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in text.items()),
          file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(out))
    return 0 if result.completed else 1
