"""``snn-control launch mission``: the whole system in one process, with faults on demand.

The blimp, flown by its SNN pair, travels the mission's route (config/missions/corridor.yaml by
default): its forward camera (``route_camera``) shows the place benchmark's query traverse at the
route speed, place recognition tells the coordinator where it is, and the mission's region
altitudes follow; an emulated event camera (``cue_camera``) watches a person perform the mission's
gestures, SpikePoint recognizes them and the coordinator turns them into set-points. The
coordinator alone drives the motors (the SNN's command while it is healthy, else its warm PID or
a safe descent).

``--inject KIND[:DUR]@T,...`` (:mod:`snn_control.coordinator.faults`) corrupts the range sensor
and the camera topics through ``fault_injector``; the crash faults are carried out here, by the
graph's supervisor: ``controller_crash`` stops the altitude controller node, ``perception_crash``
both recognizers; a node the coordinator reports silent for ``restart_after_s`` is built again (a
respawn). ``--random-faults N`` draws N faults at random times from ``--seed``, which also seeds the
simulator's sensor noise and the event camera's rendering; ``--subject-seed`` picks the person
performing, ``--traverse`` the forward camera's conditions.

Printed (``--json``: one JSON object on the last line): per injection the time to detect, to
fall back and to recover (``faults``); ``nan_cmds``, ``max_abs_cmd``, ``min_altitude_m``,
``max_altitude_m``; ``place_accuracy`` (the share of published place matches that are the true
place; ``region_accuracy`` the share in the true region); ``gesture_accuracy`` (scripted cues
whose majority label is right); the set-points commanded and reached; latency percentiles of the
control loop (reading published -> command received by the simulator), of perception (packet ->
label) and of place recognition (image stamp -> match); time per mode.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

CRASH_NODES = {"controller_crash": ("altitude_controller",),
               "perception_crash": ("action_recognition", "place_recognition")}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="ROS parameter file (default: the package's config/mission.yaml)")
    p.add_argument("--mission", metavar="FILE", help="mission file (default: config/missions/corridor.yaml)")
    p.add_argument("--duration", type=float, metavar="S", help="simulated seconds (default: the mission's)")
    p.add_argument("--fast", action="store_true", help="run as fast as the machine allows (default: real time)")
    p.add_argument("--seed", type=int, default=0, help="simulator noise, fault injector and --random-faults seed")
    p.add_argument("--inject", metavar="KIND[:DUR]@T,...", default="",
                   help="faults to inject, e.g. controller_crash@40,sensor_dropout:2s@70 (kinds: see --help-faults)")
    p.add_argument("--random-faults", type=int, metavar="N", default=0,
                   help="also inject N faults of random kinds at random times (drawn from --seed)")
    p.add_argument("--help-faults", action="store_true", help="list the fault kinds and exit")
    p.add_argument("--traverse", metavar="NAME",
                   help="the forward camera's traverse (synthetic: spring, fall, summer, winter, night; default summer)")
    p.add_argument("--subject-seed", type=int, metavar="N", help="the person performing the gestures (default 90210)")
    p.add_argument("--plant", metavar="FILE|PRESET", help="the simulated blimp (nominal, paper, light, heavy, laggy, or a file)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object on the last line")
    p.add_argument("--plot", metavar="FILE.png", help="timeline of altitude, set-point, place, gestures, modes and faults")


def build_params(args: argparse.Namespace):
    """``(params, mission, faults)`` with the flags applied; ``ValueError`` for bad input."""
    from snn_control.blimp.config import pin_plant
    from snn_control.bringup import load_graph_params
    from snn_control.coordinator.faults import format_faults, parse_faults, random_faults
    from snn_control.coordinator.mission import MissionSpec, default_mission_path

    file, params = load_graph_params("mission", args.config)
    mission_path = str(args.mission or params.get("coordinator", {}).get("mission_file") or default_mission_path())
    mission = MissionSpec.load(mission_path)
    duration = mission.duration_s if args.duration is None else float(args.duration)
    if not (math.isfinite(duration) and duration > 0):
        raise ValueError(f"--duration must be > 0, got {args.duration}")
    faults = list(parse_faults(args.inject))
    if args.random_faults:
        if args.random_faults < 0:
            raise ValueError(f"--random-faults must be >= 0, got {args.random_faults}")
        faults += random_faults(np.random.default_rng([args.seed, 7]), duration, args.random_faults)
    faults.sort(key=lambda f: f.t_s)
    late = [f.label for f in faults if f.t_s >= duration]
    if late:
        raise ValueError(f"faults after the end of the run ({duration:g} s): {', '.join(late)}")
    sim = params.setdefault("blimp_sim", {})
    plant, pinned = pin_plant(sim, f"{file}: blimp_sim", args.plant, mission.initial_altitude_m)
    sim.update(pinned)
    sim["duration_s"] = duration
    sim["seed"] = int(args.seed)
    if args.fast:
        sim["real_time_factor"] = 0.0
    for node in ("coordinator", "cue_camera", "route_camera"):
        params.setdefault(node, {})["mission_file"] = mission_path
    params["cue_camera"]["seed"] = int(args.seed)  # rendering and sensor noise of the event camera
    if args.subject_seed is not None:
        params["cue_camera"]["subject_seed"] = int(args.subject_seed)
    if args.traverse:
        params["route_camera"]["traverse"] = args.traverse
    inj = params.setdefault("fault_injector", {})
    inj["inject"] = format_faults(faults)
    inj["seed"] = int(args.seed)
    return params, mission, tuple(faults), plant


class Supervisor:
    """Carries out the crash faults at their simulated time and restarts what the coordinator
    reports silent (see the module docstring); keeps what it did."""

    def __init__(self, faults) -> None:
        from snn_control.coordinator.faults import FaultSchedule

        self.schedule = FaultSchedule(faults)
        self.actions: list[dict] = []

    def __call__(self, graph) -> None:
        sim = graph.nodes.get("blimp_sim")
        if sim is None or sim.env is None:  # not configured yet (the coordinator brings it up)
            return
        t = sim.env.time_s
        for kind, names in CRASH_NODES.items():
            for _ in self.schedule.due(kind, t):
                for name in names:
                    if graph.stop(name) is not None:
                        self.actions.append({"t_s": t, "action": "stopped", "node": name, "fault": kind})
        coord = graph.nodes.get("coordinator")
        if coord is None:
            return
        for name in sorted(coord.restart_wanted):
            graph.restart(name)
            coord.restarted(name)
            self.actions.append({"t_s": t, "action": "restarted", "node": name})


def injections(faults, supervisor) -> list[tuple[str, float]]:
    """``(name, t_s)`` per fault for the report; a crash counts from when the supervisor stopped the
    node (it acts between callbacks, up to a control period after the scheduled time)."""
    stops = {}
    for action in supervisor.actions:
        if action["action"] == "stopped":
            stops.setdefault(action["fault"], []).append(action["t_s"])
    out = []
    for f in faults:
        done = stops.get(f.kind, [])
        t = done.pop(0) if f.kind in CRASH_NODES and done else f.t_s
        while f.kind in CRASH_NODES and done and done[0] == t:  # one crash stops several nodes
            done.pop(0)
        out.append((f.name, t))
    return out


def collect(result, mission, faults, supervisor, seed: int, duration: float) -> tuple[dict, dict]:
    """``(report, plot log)`` of a finished run."""
    from snn_control.coordinator.mission_report import mission_json

    def instances(name: str) -> list:
        """Every instance a node had in the run (a restarted node starts new records)."""
        return [*result.stopped.get(name, []), *([result.nodes[name]] if name in result.nodes else [])]

    sim, coord, cam = (instances(n)[-1] for n in ("blimp_sim", "coordinator", "route_camera"))
    summary = coord.core.summary(injections(faults, supervisor), end_s=sim.env.time_s)
    recognized: dict[int, int] = {}  # image stamp (ns) -> published place
    place_lat, perception_lat = [], []
    for inst in instances("place_recognition"):
        svc = getattr(inst, "service", None)
        if svc is None:
            continue  # restarted near the end: never configured
        place_lat += list(svc.latency.samples_s)
        recognized.update((key, place) for key, place in svc.history
                          if place is not None and place >= 0 and key not in svc.withheld)
    for inst in instances("action_recognition"):
        if not hasattr(inst, "latencies_s"):
            continue
        perception_lat += list(inst.latencies_s)
    sent = cam.sent_ns  # image stamp (ns) -> true place, in the order sent
    place_pairs = [(sent[key], place) for key, place in recognized.items() if key in sent]
    log = coord.log
    t = np.asarray(sim.log["t_s"])
    report = mission_json(
        mission, seed=seed, t_s=t, z_m=sim.log["z_m"], cmd=sim.log["cmd"],
        faults=summary["faults"], mode_s=summary["mode_s"], setpoint_changes=summary["setpoints"],
        place_pairs=place_pairs, gesture_labels=list(zip(log["gesture_t_s"], log["gesture"])),
        latency_s={"control_loop": list(sim.loop_latency_s), "perception": perception_lat, "place": place_lat},
        duration_s=duration,
        extra={"place_frames": len(sent), "place_published": len(place_pairs),
               "supervisor": supervisor.actions, "transitions": summary["transitions"],
               "watchdog_answers": coord.n_watchdog_answers, "sim_s": float(sim.env.time_s),
               "lifecycle": lifecycle_report(coord), "qos_events": dict(coord.qos),
               "wall_s": float(result.wall_s), "injected": [f.label for f in faults]})
    # the set-point in force at each tick, for the plot
    changes = [(s["t_s"], s["setpoint_m"]) for s in summary["setpoints"]]
    sp = np.full(t.shape, np.nan)
    for ct, cz in changes:
        sp[t >= ct] = cz
    plot_log = {
        "t_s": t.tolist(), "z_m": list(sim.log["z_m"]), "setpoint_m": sp.tolist(),
        "mode_t_s": [0.0] + [tr["t_s"] for tr in summary["transitions"]],
        "mode": ["nominal"] + [tr["to"] for tr in summary["transitions"]],
        "place_t_s": [ts for ts, _ in cam.sent],
        "place_true": [p for _, p in cam.sent],
        "place_recognized": [recognized.get(key) for key in sent],
        "gesture_t_s": list(log["gesture_t_s"]), "gesture_label": list(log["gesture"]),
        "cues": [g.to_dict() for g in mission.gestures], "gesture_s": mission.gesture_s,
        "regions": [r.to_dict() for r in mission.regions],
        "faults": [{"t_s": f.t_s, "label": f.label} for f in faults],
        "duration_s": duration,
    }
    return report, plot_log


def lifecycle_report(coord) -> dict:
    """Per managed node: seconds from the coordinator's start to first active, times brought up,
    restarts, heartbeat misses, its state at the end and its transitions (wall seconds)."""
    lc = coord.lifecycle
    if lc is None:
        return {}
    out = {}
    for name, s in lc.nodes.items():
        out[name] = {"state": s.state, "bringup_s": None if math.isnan(s.first_active_s) else
                     round(s.first_active_s - lc.start_s, 3), "bringups": s.bringups, "restarts": s.restarts,
                     "heartbeat_misses": s.heartbeat_misses, "last_error": s.last_error,
                     "events": [[round(t - lc.start_s, 3), what] for t, what in s.events]}
    return out


def _sim_time(nodes) -> float:
    env = nodes["blimp_sim"].env
    return 0.0 if env is None else env.time_s


def run(args: argparse.Namespace) -> int:
    if args.help_faults:
        from snn_control.coordinator.faults import DEFAULT_DURATION_S, KINDS

        for kind in KINDS:
            d = DEFAULT_DURATION_S.get(kind, 0.0)
            print(f"{kind:18s} {'until restarted' if not d else f'{d:g} s by default (KIND:DUR@T)'}")
        return 0
    from snn_control.bringup import run_graph
    from snn_control.commands.launch_blimp import _progress

    try:
        params, mission, faults, plant = build_params(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"snn-control launch mission: {exc}", file=sys.stderr)
        return 2
    duration = params["blimp_sim"]["duration_s"]
    fast = params["blimp_sim"].get("real_time_factor", 1.0) == 0
    print(f"launch mission: {duration:g} s simulated, {plant.name} plant, {len(mission.regions)} regions, "
          f"{len(mission.gestures)} gestures, faults: {', '.join(f.label for f in faults) or 'none'}, "
          f"{'fast' if fast else 'real time'}", file=sys.stderr)
    supervisor = Supervisor(faults)
    progress = _progress(duration)
    try:
        result = run_graph("mission", params, until=lambda nodes: nodes["blimp_sim"].finished,
                           on_spin=lambda nodes: progress(_sim_time(nodes)), supervise=supervisor)
    except ValueError as exc:
        print(f"snn-control launch mission: {exc}", file=sys.stderr)
        return 2
    finally:
        progress(None)
    sim = result.nodes["blimp_sim"]
    if sim.env is None or not sim.log["t_s"]:
        print("launch mission: the simulator recorded no control tick", file=sys.stderr)
        return 1
    report, plot_log = collect(result, mission, faults, supervisor, args.seed, duration)
    if args.plot:
        from snn_control.coordinator.mission_plot import plot_mission

        plot_log["title"] = f"mission, seed {args.seed}: " + (", ".join(f.label for f in faults) or "no faults")
        plot_mission(args.plot, plot_log)
        print(f"plot: {args.plot}", file=sys.stderr)
    print(summary_text(report), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(report))
    return 0 if result.completed else 1


def summary_text(r: dict) -> str:
    """A few human-readable lines of the report."""
    lines = [f"mission: {r['sim_s']:.1f} s simulated in {r['wall_s']:.1f} s wall; altitude "
             f"{r['min_altitude_m']:.2f}..{r['max_altitude_m']:.2f} m; nan_cmds {r['nan_cmds']}, "
             f"max |cmd| {r['max_abs_cmd']:.2f}"]
    pa, ga = r["place_accuracy"], r["gesture_accuracy"]
    lines.append(f"place: {pa.get('accuracy')} of {pa.get('n')} published matches right "
                 f"(region {r['region_accuracy'].get('accuracy')}); gestures: {ga.get('accuracy')} of "
                 f"{ga.get('n', ga.get('n_cues'))} cues")
    lat = r["latency"]
    lines.append("latency ms p50/p99: " + ", ".join(
        f"{k} {v.get('p50_ms') and round(v['p50_ms'], 2)}/{v.get('p99_ms') and round(v['p99_ms'], 2)}"
        for k, v in lat.items()))
    for f in r["faults"]:
        lines.append(f"  {f['kind']}@{f['t_s']:g}: detected +{_s(f['detect_delay_s'])}, fallback "
                     f"+{_s(f['fallback_delay_s'])}, recovered {f['recovered']} (+{_s(f['recover_delay_s'])})")
    lines.append("mode s: " + ", ".join(f"{k} {v:.1f}" for k, v in r["mode_s"].items()))
    if r.get("lifecycle"):
        lines.append("lifecycle: " + ", ".join(
            f"{name} {v['state']} (up at {_s(v['bringup_s'])}, brought up {v['bringups']}x, "
            f"{v['restarts']} restarts, {v['heartbeat_misses']} missed heartbeats)" for name, v in r["lifecycle"].items()))
    q = r.get("qos_events")
    if q:
        lines.append(f"QoS events: blimp/range deadline missed {q['range_deadline_misses']}x, controller publisher "
                     f"left {len(q['controller_publisher_left_at_s'])}x / joined "
                     f"{len(q['controller_publisher_joined_at_s'])}x")
    return "\n".join(lines)


def _s(x) -> str:
    return "-" if x is None else f"{x:.2f}s"
