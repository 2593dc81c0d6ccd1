"""The synthetic multi-traverse place benchmark: one seeded route seen under several conditions.

**Camera.** A forward-looking pinhole camera (focal length ``f`` = image height in pixels, 67
degrees across at 4:3) drives along a straight road ``CAM_H`` = 2 m above it, like Nordland's train
or RobotCar's car. In metres, a point ``x`` to the right, ``h`` up and ``p`` along the route lands
at ``u = W/2 + x f / z``, ``v = v_hor + (CAM_H - h) f / z`` with ``z = p - c`` for the camera at
``c``. Place ``i`` is seen from ``c = i * place_spacing_m`` (10 m) plus a fixed start: near
things leave the view between neighbouring places while the road and far things change slowly, so
neighbours share part of the view but are not the same place. Poles, signs and fences stand by the
road; buildings, trees and the rest 10-150 m from it, like a rural drive rather than a street canyon.

**World** (:class:`World`, a function of the seed only): objects on both sides of the road, drawn
per 40 m segment from ``default_rng([seed, 0, segment])`` in regions (town, village, forest, fields)
of 200 m: buildings (side and end walls, windows, doors, three kinds of roof), deciduous trees,
conifers, poles and street lights, signs of six shapes and five colours, fences along the road,
bushes, rocks, silos; two ranges of hills, tree lines, and a textured ground, road and road markings
from hashed value noise of the position. The first 600 places of a 10,000-place set are a 600-place
set.

**Conditions** (:data:`CONDITIONS`, one per traverse, on the same geometry): foliage colour (bare
trees in winter), snow on the ground, roofs and tops of things, sky colour, light level, the sun's
side (lit and shaded walls, cast shadows), fog that fades far things, rain streaks (fall), snow
flakes (winter), night (dark; lit windows, street lights and their light on the ground, a headlight
cone; strong gain and sensor noise). Per image, from ``default_rng([seed, 1, condition index, i])``
(:func:`image_rng`): clouds, other cars, a small similarity warp (translation, rotation, scale),
exposure jitter, Gaussian and salt-and-pepper noise; per traverse, the mounting of its vehicle's
camera (a fixed offset, roll and scale, :attr:`Condition.mount`).

The output folder is what :func:`snn_control.perception.places.data.open_traverses` reads:
``<traverse>/%05d.png`` (8-bit BGR), ``<traverse>/positions.csv`` (``file,x,y`` metres:
``x = i * place_spacing_m`` plus GPS-like noise, ``y`` noise) and ``manifest.json``.

**Difficulty** (measured on the written files, 600 places, 128 x 96): the SAD baseline (grayscale,
64 x 32, 8 x 8 patch normalization, mean absolute difference, best of the spring and fall
references) reaches Recall@1 0.51 / 0.45 / 0.41 for summer / winter / night queries with seed 0
and 0.49 / 0.53 / 0.41 with seed 1 at tolerance 0, and 0.52-0.56 / 0.48-0.55 / 0.44-0.47 at
tolerance 1. Its mean distance to the true place is 0.62-0.75, to the neighbour 0.74-0.84 and to
any place 0.80-0.89: a neighbour is only a little closer than a random place, because SAD on
patch-normalized images loses a place after a shift of a pixel or two. The fixed per-traverse
mounting (rather than a drawn one) keeps the figures within a few points from seed to seed.

**Speed**: 600 places x 5 traverses (3,000 images, 76 MB) in 7.7-9.4 s with one worker (320-390
images/s, PNG writing included) and 5.4 s with two, on the 2-core development machine.

**Modules**: this one is the entry (the config, one image, the files on disk, a preview);
:mod:`.scene` holds the world and its camera geometry, :mod:`.drawing` the projection and the
drawing of each kind of object, :mod:`.backdrop` the sky, hills and ground, and :mod:`.conditions`
the conditions with their per-image weather and sensor effects.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from snn_control.dictio import DictIO
from snn_control.perception.places.backdrop import Backdrop, backdrop, paint_backdrop
from snn_control.perception.places.conditions import (
    CONDITION_TABLE,
    CONDITIONS,
    Condition,
    apply_camera,
    draw_clouds,
    draw_weather,
    get_condition,
)
from snn_control.perception.places.drawing import DRAW, View, draw_cars, in_view
from snn_control.perception.places.scene import Thing, World, value_noise

__all__ = [
    "CONDITIONS", "CONDITION_TABLE", "Condition", "get_condition", "Thing", "World", "value_noise", "Backdrop",
    "backdrop", "PlaceBenchConfig", "render_place", "image_rng", "image_name", "is_place_benchmark",
    "write_positions", "generate_places", "write_preview", "GENERATOR", "GENERATOR_VERSION", "MANIFEST_FILE",
    "POSITIONS_FILE",
]

GENERATOR = "snn_control.perception.places.synth"
GENERATOR_VERSION = 1
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class PlaceBenchConfig(DictIO):
    """What to generate: ``places`` places of one route, each seen once per traverse.

    Attributes:
        places: Places per traverse.
        seed: The route and every random choice (same seed and config: byte-identical files).
        width, height: Image size in pixels.
        traverses: Conditions to render, distinct names of :data:`CONDITIONS`.
        place_spacing_m: Distance between neighbouring places along the route, metres.
        gps_noise_m: Standard deviation of the noise on the positions written to the CSV, metres.
        viewpoint: Scale of the per-image and per-traverse viewpoint change (1: a few pixels of
            translation, up to 2 degrees of rotation and 4 % of scale at 128 x 96; 0: none).
    """

    places: int = 600
    seed: int = 0
    width: int = 128
    height: int = 96
    traverses: tuple[str, ...] = CONDITIONS
    place_spacing_m: float = 10.0
    gps_noise_m: float = 1.0
    viewpoint: float = 1.0

    def __post_init__(self) -> None:
        ints = (("places", 1, 10**6), ("seed", 0, 2**63 - 1), ("width", 16, 4096), ("height", 16, 4096))
        for name, low, high in ints:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
                raise ValueError(f"PlaceBenchConfig.{name} must be an int in [{low}, {high}], got {v!r}")
        traverses = (self.traverses,) if isinstance(self.traverses, str) else tuple(self.traverses)
        unknown = [t for t in traverses if t not in CONDITIONS]
        if not traverses or unknown or len(set(traverses)) != len(traverses):
            raise ValueError(f"PlaceBenchConfig.traverses must be distinct names among {list(CONDITIONS)}, "
                             f"got {list(traverses)}" + (f" (unknown: {unknown})" if unknown else ""))
        object.__setattr__(self, "traverses", traverses)
        for name, low, high in (("place_spacing_m", 0.5, 200.0), ("gps_noise_m", 0.0, 100.0), ("viewpoint", 0.0, 3.0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not low <= v <= high:
                raise ValueError(f"PlaceBenchConfig.{name} must be a number in [{low}, {high}], got {v!r}")


# ----------------------------------------------------------------------------------------------
# one image


def render_place(world: World, i: int, condition: str, rng: np.random.Generator) -> np.ndarray:
    """Place ``i`` of ``world`` as traverse ``condition`` sees it: BGR uint8 ``(height, width, 3)``.

    ``rng`` draws what changes per image (clouds, rain, viewpoint jitter, exposure, noise);
    :func:`image_rng` gives the one the generator uses.
    """
    cfg = world.config
    v = View(cfg.width, cfg.height, get_condition(condition))
    things = [(z, t) for z, t in world.things(world.camera_m(i)) if in_view(t, z, v)]
    canvas = np.clip(paint_backdrop(world, i, v, things) + 0.5, 0, 255).astype(np.uint8)
    if v.cond.clouds:
        draw_clouds(canvas, v.cond, rng, v.hor)
    for z, t in things:
        DRAW[t.kind](canvas, t, v, z)
    draw_cars(canvas, v, rng)
    return apply_camera(draw_weather(canvas, v.cond, rng), condition, cfg.viewpoint, rng)


def image_rng(seed: int, condition: str, i: int) -> np.random.Generator:
    """The generator of image ``i`` of traverse ``condition`` (independent of every other image)."""
    return np.random.default_rng([seed, 1, CONDITIONS.index(condition), i])


# ----------------------------------------------------------------------------------------------
# the data set on disk

POSITIONS_FILE = "positions.csv"
IMAGE_NAME = re.compile(r"^\d{5,}\.png$")


def image_name(i: int) -> str:
    return f"{i:05d}.png"


def is_place_benchmark(folder: str | Path) -> bool:
    """Whether ``folder`` holds a manifest written by this generator (complete or not)."""
    try:
        return json.loads((Path(folder) / MANIFEST_FILE).read_text()).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def _write_manifest(out: Path, config: PlaceBenchConfig, complete: bool) -> None:
    manifest = {"generator": GENERATOR, "version": GENERATOR_VERSION, "complete": complete, "seed": config.seed,
                "n_places": config.places, "traverses": list(config.traverses), "images": "<traverse>/%05d.png",
                "positions": f"<traverse>/{POSITIONS_FILE}: file,x,y in metres", "config": config.to_dict()}
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1) + "\n")


def _clear_previous(out: Path, traverses: Sequence[str]) -> None:
    """Remove the images and positions a previous run wrote, so no stale place survives a smaller run."""
    old = []
    if is_place_benchmark(out):
        old = json.loads((out / MANIFEST_FILE).read_text()).get("traverses", [])
    for name in {*traverses, *(t for t in old if t in CONDITIONS)}:
        folder = out / name
        if folder.is_dir():
            for path in folder.iterdir():
                if IMAGE_NAME.match(path.name) or path.name == POSITIONS_FILE:
                    path.unlink()
            if name not in traverses and not any(folder.iterdir()):
                folder.rmdir()


def write_positions(path: Path, config: PlaceBenchConfig, traverse: str) -> None:
    """``file,x,y``: x = i * place_spacing_m and y = 0 m, each plus N(0, gps_noise_m) noise."""
    rng = np.random.default_rng([config.seed, 3, CONDITIONS.index(traverse)])
    noise = rng.normal(0.0, config.gps_noise_m, (config.places, 2))
    rows = [f"{image_name(i)},{i * config.place_spacing_m + dx:.3f},{dy:.3f}" for i, (dx, dy) in enumerate(noise)]
    path.write_text("file,x,y\n" + "\n".join(rows) + "\n")


def _render_chunk(job: tuple[str, dict, int, int]) -> list[tuple[int, str]]:
    """Render and write places ``[start, stop)`` of every traverse; returns ``(place, traverse)`` done."""
    import cv2

    out, config_dict, start, stop = job
    config = PlaceBenchConfig.from_dict(config_dict)
    world, done = World(config), []
    for i in range(start, stop):
        for name in config.traverses:
            path = Path(out) / name / image_name(i)
            if not cv2.imwrite(str(path), render_place(world, i, name, image_rng(config.seed, name, i))):
                raise OSError(f"{path}: cannot write the image")
            done.append((i, name))
    return done


def generate_places(out: str | Path, config: PlaceBenchConfig, workers: int = 1,
                    on_image: Callable[[int, str], None] | None = None) -> dict[str, Any]:
    """Write the benchmark under ``out`` (see the module docstring); the same config gives the same bytes.

    Args:
        out: Output folder (created). Images and positions of a previous run there are replaced.
        config: What to generate.
        workers: Processes rendering chunks of places in parallel (1: this process). Every image has
            its own generator, so the files do not depend on it.
        on_image: Called as ``on_image(place, traverse)`` after each image is written (a progress bar).

    Returns:
        A summary: ``n_places``, ``traverses``, ``images``, ``wall_s``, ``images_per_s`` and more.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int >= 1, got {workers!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clear_previous(out, config.traverses)
    _write_manifest(out, config, complete=False)
    for name in config.traverses:
        (out / name).mkdir(exist_ok=True)
        write_positions(out / name / POSITIONS_FILE, config, name)
    chunk = max(1, min(50, math.ceil(config.places / (8 * workers))))
    jobs = [(str(out), config.to_dict(), a, min(a + chunk, config.places)) for a in range(0, config.places, chunk)]
    start = time.perf_counter()
    images = _run_chunks(jobs, workers, on_image)
    wall = time.perf_counter() - start
    _write_manifest(out, config, complete=True)
    return {"out": str(out), "n_places": config.places, "traverses": list(config.traverses), "images": images,
            "seed": config.seed, "size": [config.width, config.height], "wall_s": round(wall, 2),
            "images_per_s": round(images / max(wall, 1e-9), 1), "workers": workers, "version": GENERATOR_VERSION}


def _run_chunks(jobs: list[tuple[str, dict, int, int]], workers: int,
                on_image: Callable[[int, str], None] | None) -> int:
    """Render the jobs of :func:`_render_chunk` in this process or a pool of ``workers``; returns the image count."""
    images = 0
    if workers == 1:
        results = map(_render_chunk, jobs)
        pool = None
    else:
        import multiprocessing

        pool = multiprocessing.get_context("spawn").Pool(min(workers, len(jobs)))
        results = pool.imap(_render_chunk, jobs)
    try:
        for done in results:
            for i, name in done:
                images += 1
                if on_image is not None:
                    on_image(i, name)
    finally:
        if pool is not None:
            pool.terminate()
    return images


# ----------------------------------------------------------------------------------------------
# a preview


def write_preview(out_png: str | Path, source: str | Path | PlaceBenchConfig,
                  places: Sequence[int] = (0, 1, 2, 100, 300)) -> Path:
    """A grid PNG: one row per place (those that exist), one column per traverse.

    ``source`` is a data set folder (any layout :func:`open_traverses` reads) or a
    :class:`PlaceBenchConfig`, rendered in memory.
    """
    import cv2

    names, n, image = _preview_source(source)
    rows = [i for i in places if 0 <= i < n]
    if not rows:
        raise ValueError(f"write_preview: none of the places {list(places)} exists (the set has {n})")
    grid = _preview_grid(rows, names, image)
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out_png), grid):
        raise OSError(f"{out_png}: cannot write the preview")
    return out_png


def _preview_source(source: str | Path | PlaceBenchConfig
                    ) -> tuple[Sequence[str], int, Callable[[int, str], np.ndarray]]:
    """The traverse names, the number of places and ``image(place, traverse)`` (BGR) of a preview's source."""
    import cv2

    if isinstance(source, PlaceBenchConfig):
        world = World(source)

        def rendered(i: int, name: str) -> np.ndarray:
            return render_place(world, i, name, image_rng(source.seed, name, i))
        return source.traverses, source.places, rendered

    from snn_control.perception.places.data import open_traverses, read_gray

    tset = open_traverses(source)
    names = tset.names
    if is_place_benchmark(source):  # the generator's order (spring, fall, summer, winter, night)
        listed = json.loads((Path(source) / MANIFEST_FILE).read_text()).get("traverses", [])
        names = tuple(t for t in listed if t in tset.files) + tuple(t for t in names if t not in listed)

    def read(i: int, name: str) -> np.ndarray:
        img = cv2.imread(str(tset.files[name][i]), cv2.IMREAD_COLOR)
        return img if img is not None else cv2.cvtColor(read_gray(tset.files[name][i]), cv2.COLOR_GRAY2BGR)
    return names, tset.n_places, read


def _preview_grid(rows: list[int], names: Sequence[str], image: Callable[[int, str], np.ndarray]) -> np.ndarray:
    """The preview image: a header of traverse names, then per place its label and one cell per traverse."""
    import cv2

    first = image(rows[0], names[0])
    cell_w, label_w, head_h = 256, 90, 24
    cell_h = max(16, round(cell_w * first.shape[0] / first.shape[1]))
    grid = np.full((head_h + len(rows) * (cell_h + 4), label_w + len(names) * (cell_w + 4), 3), 255, np.uint8)
    for col, name in enumerate(names):
        cv2.putText(grid, name, (label_w + col * (cell_w + 4) + 6, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1,
                    cv2.LINE_AA)
    for row, i in enumerate(rows):
        y = head_h + row * (cell_h + 4)
        cv2.putText(grid, f"place {i}", (6, y + cell_h // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        for col, name in enumerate(names):
            x = label_w + col * (cell_w + 4)
            cell = cv2.resize(image(i, name), (cell_w, cell_h), interpolation=cv2.INTER_AREA)
            grid[y:y + cell_h, x:x + cell_w] = cell
    return grid
