"""``snn-control eval ncap``: a swimmer policy's return over seeded episodes (and a video).

    snn-control eval ncap --links 6 --variant rate [--untrained | --artifact PATH] --episodes 20 \\
        --seed 0 [--workers 2] [--json] [--video swim.gif]

Episodes use seeds SEED, SEED+1, ... Weights: ``--untrained`` (NCAP's canonical ±1; a seeded
random MLP), ``--artifact PATH``, or by default the shipped ``ncap_VARIANT_6link`` moved to the
``--links`` body (zero-shot transfer; shared NCAP weights only). ``--json`` prints ``mean_return``,
``std_return``, ``n_params`` and more as JSON on the last line. ``--video FILE.gif|FILE.mp4``
renders the first episode headless (MUJOCO_GL=egl); GIF needs Pillow, MP4 the ffmpeg program.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--links", type=int, default=6, help="links of the swimmer body (joints = links - 1)")
    parser.add_argument("--variant", choices=("rate", "spiking", "mlp"), default="rate")
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument("--untrained", action="store_true", help="NCAP canonical weights / random MLP")
    weights.add_argument("--artifact", default=None, help="policy artifact (.npz path or shipped name)")
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0, help="first episode seed")
    parser.add_argument("--episode-steps", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--video", type=Path, default=None, help="render episode SEED to FILE.gif or FILE.mp4")
    parser.add_argument("--video-every", type=int, default=3, help="keep every Nth control step as a frame")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on the last line")


def resolve_policy(args: argparse.Namespace):
    """(policy, params, source) for the command line's variant, body and weights."""
    from snn_control.swimmer.policy import load_policy, make_policy

    if args.untrained:
        policy = make_policy(args.variant, args.links)
        return policy, policy.initial_params("canonical", args.seed), "untrained"
    if args.artifact is None and args.variant == "mlp":
        raise ValueError("--variant mlp has no shipped artifact: pass --artifact PATH or --untrained")
    source = args.artifact or f"ncap_{args.variant}_6link"
    policy, params, _ = load_policy(source)
    if policy.variant != args.variant:
        raise ValueError(f"--artifact {source} holds a {policy.variant!r} policy, not {args.variant!r}")
    return policy.with_joints(args.links - 1), params, str(source)


def render_video(path: Path, policy, params, n_links: int, seed: int, episode_steps: int, every: int) -> dict:
    """Run one episode with the policy's single controller and write its frames; returns stats."""
    os.environ.setdefault("MUJOCO_GL", "egl")
    from snn_control.swimmer.env import SwimmerEnv

    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ValueError(f"--video must end in .gif or .mp4, got {path.name}")
    if suffix == ".mp4" and shutil.which("ffmpeg") is None:
        raise ValueError("--video .mp4 needs the ffmpeg program (not found); use a .gif")
    env, controller = SwimmerEnv(n_links, episode_steps=episode_steps), policy.controller(params)
    obs = env.reset(seed)
    frames, done = [env.render()], False
    while not done:
        obs, _, done, _ = env.step(controller.step(obs if policy.variant == "mlp" else env.joint_angles))
        if env.t % every == 0:
            frames.append(env.render())
    env.close()
    fps = 1.0 / (env.control_dt_s * every)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".gif":
        from PIL import Image

        images = [Image.fromarray(f) for f in frames]
        images[0].save(path, save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    else:
        _write_mp4(path, frames, fps)
    return {"video": str(path), "video_return": env.episode_return, "frames": len(frames)}


def _write_mp4(path: Path, frames: list, fps: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FFMpegWriter

    h, w, _ = frames[0].shape
    fig = plt.figure(figsize=(w / 100, h / 100), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.axis("off")
    image = ax.imshow(frames[0])
    writer = FFMpegWriter(fps=fps)
    with writer.saving(fig, str(path), dpi=100):
        for f in frames:
            image.set_data(f)
            writer.grab_frame()
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    from snn_control.evolve.popmap import population_map
    from snn_control.swimmer.rollout import evaluate_population

    try:
        if args.episodes < 1 or args.workers < 1 or args.video_every < 1:
            raise ValueError("--episodes, --workers and --video-every must be >= 1")
        if args.links < 3:
            raise ValueError(f"--links must be >= 3, got {args.links}")
        policy, params, source = resolve_policy(args)
    except (ValueError, OSError) as exc:
        print(f"snn-control eval ncap: {exc}", file=sys.stderr)
        return 2
    seeds = [args.seed + k for k in range(args.episodes)]
    start = time.perf_counter()
    with population_map(args.workers) as pmap:
        returns = evaluate_population(policy, np.repeat(params[None], len(seeds), axis=0), seeds, pmap,
                                      args.episode_steps)
    result = {
        "variant": policy.variant, "links": args.links, "weights": source, "episodes": len(seeds), "seed": args.seed,
        "mean_return": float(returns.mean()), "std_return": float(returns.std()),
        "min_return": float(returns.min()), "max_return": float(returns.max()),
        "n_params": policy.n_params, "returns": [round(float(r), 3) for r in returns],
        "wall_s": round(time.perf_counter() - start, 2),
    }
    if args.video is not None:
        try:
            result.update(render_video(args.video, policy, params, args.links, args.seed, args.episode_steps, args.video_every))
        except ValueError as exc:
            print(f"snn-control eval ncap: {exc}", file=sys.stderr)
            return 2
    print(f"{policy.variant} ({source}, {policy.n_params} params) on {args.links} links: "
          f"{result['mean_return']:.1f} ± {result['std_return']:.1f} over {len(seeds)} episodes (seeds {seeds[0]}..{seeds[-1]})")
    if args.json:
        print(json.dumps(result))
    return 0
