"""A multi-traverse place data set on disk: one folder of images per traverse, the i-th image of
every traverse showing place i.

Layout (Nordland, Oxford RobotCar or the synthetic benchmark exported this way)::

    root/
        spring/  00000.png 00001.png ... [positions.csv]
        fall/    img1.jpg img2.jpg ... img10.jpg
        ...

Images are sorted by file name in *natural* order (``img2`` before ``img10``); files whose suffix
OpenCV does not read as an image (``.csv``, ``.json``, ``.txt``, ...) and hidden files are ignored.
Any size or format OpenCV reads is accepted and turned to 8-bit grayscale.

``<traverse>/positions.csv`` is optional: a header and one row per image, ``file,x,y`` (metres,
odometry) or ``file,lat,lon`` (degrees, WGS84; turned into local metres by an equirectangular
projection about the first image of the first traverse in sorted order, the same origin for every
traverse, so positions of different traverses compare). Rows are matched to images by file name.

Every problem raises :class:`PlaceDataError` naming the folder or file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".dib", ".tif", ".tiff", ".webp",
                            ".pgm", ".ppm", ".pbm", ".pnm", ".pxm", ".pfm", ".sr", ".ras", ".jp2",
                            ".exr", ".hdr", ".pic", ".avif"})
POSITIONS_FILE = "positions.csv"
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


class PlaceDataError(ValueError):
    """A traverse folder, image or positions file is missing, empty, unreadable or inconsistent."""


def natural_key(name: str) -> tuple:
    """Sort key with digit runs compared as numbers: ``img2`` < ``img10`` < ``img10b``."""
    parts = re.split(r"(\d+)", name)
    return tuple(int(p) if i % 2 else p.lower() for i, p in enumerate(parts)), name


@dataclass(frozen=True)
class TraverseSet:
    """Traverses of one route, aligned by index (see the module docstring).

    Attributes:
        root: The data set folder.
        files: Traverse name -> its image files in natural order (the same count for every one).
        positions: Traverse name -> ``(n_places, 2)`` float64 positions in metres, only for the
            traverses that have a positions file.
    """

    root: Path
    files: dict[str, tuple[Path, ...]]
    positions: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        if not self.files:
            raise ValueError("TraverseSet.files must name at least one traverse")
        counts = {name: len(paths) for name, paths in self.files.items()}
        if min(counts.values()) == 0 or len(set(counts.values())) > 1:
            raise ValueError(f"TraverseSet.files must hold the same number (> 0) of images per traverse, got {counts}")
        for name, pos in self.positions.items():
            if name not in self.files or pos.shape != (counts[name], 2):
                raise ValueError(f"TraverseSet.positions[{name!r}] must be ({counts.get(name)}, 2) metres "
                                 f"of a listed traverse, got {getattr(pos, 'shape', pos)}")

    @property
    def names(self) -> tuple[str, ...]:
        """Traverse names, sorted."""
        return tuple(sorted(self.files))

    @property
    def n_places(self) -> int:
        """Images (places) per traverse."""
        return len(next(iter(self.files.values())))


def list_images(folder: Path) -> tuple[Path, ...]:
    """The image files of one traverse folder, in natural order (non-image and hidden files skipped)."""
    files = [p for p in folder.iterdir()
             if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES]
    return tuple(sorted(files, key=lambda p: natural_key(p.name)))


def open_traverses(root: str | Path, traverses: Sequence[str] | None = None) -> TraverseSet:
    """List and check the traverses under ``root`` (images are read later, by :func:`load_traverse`).

    Args:
        root: The data set folder, one subfolder per traverse.
        traverses: The traverse names to use (None: every subfolder that is not hidden; one name may
            be given as a string).

    Raises:
        PlaceDataError: ``root`` is missing; a requested traverse is missing (the error lists the
            available ones); a traverse holds no image; traverses differ in length (the error gives
            each count); a positions file is wrong.
    """
    root = Path(root)
    if not root.is_dir():
        raise PlaceDataError(f"{root}: no such data set folder")
    available = sorted((p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=natural_key)
    if traverses is None:
        names = available
    else:
        names = [traverses] if isinstance(traverses, str) else [str(t) for t in traverses]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        missing = [n for n in names if n not in available]
        if duplicates:
            raise PlaceDataError(f"{root}: traverses {duplicates} requested more than once")
        if missing:
            raise PlaceDataError(f"{root}: no traverse folder {missing}; available: {available or 'none'}")
    if not names:
        raise PlaceDataError(f"{root}: no traverse folders (expected one subfolder of images per traverse)")
    files = {name: list_images(root / name) for name in names}
    empty = [str(root / n) for n, f in files.items() if not f]
    if empty:
        raise PlaceDataError(f"no images in {', '.join(empty)} (no file named *.png, *.jpg, *.tif or another "
                             "format OpenCV reads)")
    counts = {name: len(f) for name, f in files.items()}
    if len(set(counts.values())) > 1:
        raise PlaceDataError(f"{root}: traverses must have the same number of images (image i is place i), got "
                             + ", ".join(f"{n}: {c}" for n, c in counts.items()))
    return TraverseSet(root=root, files=files, positions=_read_all_positions(root, files))


def _read_all_positions(root: Path, files: dict[str, tuple[Path, ...]]) -> dict[str, np.ndarray]:
    """Metres for every traverse with a positions file; lat/lon share one origin."""
    raw = {name: _read_positions(root / name / POSITIONS_FILE, paths)
           for name, paths in files.items() if (root / name / POSITIONS_FILE).is_file()}
    kinds = {name: kind for name, (kind, _) in raw.items()}
    if len(set(kinds.values())) > 1:
        raise PlaceDataError(f"{root}: positions files mix x,y metres and lat,lon degrees ({kinds}); "
                             "use one kind for every traverse")
    latlon = [values for kind, values in raw.values() if kind == "latlon"]
    origin = latlon[0][0] if latlon else None
    out = {}
    for name, (kind, values) in raw.items():
        metres = latlon_to_metres(values, origin) if kind == "latlon" else values
        metres.flags.writeable = False
        out[name] = metres
    return out


def _read_positions(path: Path, images: tuple[Path, ...]) -> tuple[str, np.ndarray]:
    """``("xy" | "latlon", (n, 2) float64)`` in image order, from one positions file."""
    try:
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaceDataError(f"{path}: cannot read ({exc})") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise PlaceDataError(f"{path}: empty; expected a header file,x,y or file,lat,lon")
    header = [c.strip().lower() for c in rows[0]]
    kind = "xy" if {"file", "x", "y"} <= set(header) else "latlon" if {"file", "lat", "lon"} <= set(header) else None
    if kind is None:
        raise PlaceDataError(f"{path}: header {rows[0]} lacks the columns file,x,y or file,lat,lon")
    cols = [header.index(c) for c in (("file", "x", "y") if kind == "xy" else ("file", "lat", "lon"))]
    by_name: dict[str, tuple[float, float]] = {}
    for line, row in enumerate(rows[1:], start=2):
        try:
            name, a, b = (row[c].strip() for c in cols)
            value = (float(a), float(b))
        except (IndexError, ValueError):
            raise PlaceDataError(f"{path}: line {line} {row} is not <file>,<number>,<number>") from None
        if not np.all(np.isfinite(value)) or (kind == "latlon" and (abs(value[0]) > 90 or abs(value[1]) > 180)):
            raise PlaceDataError(f"{path}: line {line} has an invalid position {value}")
        if Path(name).name in by_name:
            raise PlaceDataError(f"{path}: line {line}: a second row for {Path(name).name!r}")
        by_name[Path(name).name] = value
    image_names = [p.name for p in images]
    missing = [n for n in image_names if n not in by_name]
    extra = sorted(set(by_name) - set(image_names), key=natural_key)
    if missing or extra:
        raise PlaceDataError(f"{path}: rows must match the {len(images)} images one to one; "
                             f"no row for {_few(missing)}; rows without an image: {_few(extra)}")
    return kind, np.array([by_name[n] for n in image_names], dtype=np.float64)


def _few(names: list[str], at_most: int = 5) -> str:
    if not names:
        return "none"
    more = f" and {len(names) - at_most} more" if len(names) > at_most else ""
    return ", ".join(names[:at_most]) + more


def latlon_to_metres(latlon_deg: np.ndarray, origin_deg: np.ndarray | None = None) -> np.ndarray:
    """Equirectangular projection: ``(n, 2)`` lat, lon degrees -> ``(n, 2)`` east x, north y metres.

    ``x = R (lon - lon0) cos(lat0)``, ``y = R (lat - lat0)`` with angles in radians and R the mean
    Earth radius; about ``origin_deg`` (default: the first row). Good to ~0.1 % over tens of km.
    """
    latlon = np.radians(np.asarray(latlon_deg, dtype=np.float64))
    lat0, lon0 = np.radians(latlon_deg[0] if origin_deg is None else origin_deg)
    dlon = (latlon[:, 1] - lon0 + np.pi) % (2.0 * np.pi) - np.pi  # across the antimeridian too
    return np.stack([EARTH_RADIUS_M * dlon * np.cos(lat0), EARTH_RADIUS_M * (latlon[:, 0] - lat0)], axis=1)


def read_gray(path: str | Path) -> np.ndarray:
    """One image as uint8 grayscale ``(H, W)``; colour is converted, 16-bit is scaled to 8 bits.

    Raises:
        PlaceDataError: The file is missing, empty, or not an image OpenCV reads.
    """
    import cv2

    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise PlaceDataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if data.size == 0:
        raise PlaceDataError(f"{path}: empty file (0 bytes)")
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    if image is None or image.size == 0:
        raise PlaceDataError(f"{path}: not an image OpenCV can read (corrupt or unsupported format)")
    return image


def load_traverse(tset: TraverseSet, name: str, size: tuple[int, int] = (28, 28), progress: bool = False) -> np.ndarray:
    """Every image of one traverse, grayscale and resized.

    Args:
        tset: From :func:`open_traverses`.
        name: The traverse.
        size: ``(width, height)`` in pixels of the output images (``cv2.INTER_AREA``).
        progress: Show a tqdm bar.

    Returns:
        ``(n_places, height, width)`` float32, values 0..255.
    """
    import cv2

    if name not in tset.files:
        raise PlaceDataError(f"{tset.root}: no traverse {name!r} in this set; available: {list(tset.names)}")
    if (not isinstance(size, (tuple, list)) or len(size) != 2
            or any(isinstance(v, bool) or not isinstance(v, (int, float)) or int(v) != v or v < 1 for v in size)):
        raise ValueError(f"size must be (width, height) in whole pixels >= 1, got {size!r}")
    width, height = int(size[0]), int(size[1])
    paths = tset.files[name]
    out = np.empty((len(paths), height, width), dtype=np.float32)
    if progress:
        from tqdm import tqdm

        paths = tqdm(paths, desc=name, unit="img")
    for i, path in enumerate(paths):
        out[i] = resize_gray(read_gray(path), width, height)
    return out


def resize_gray(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """One grayscale image to ``(height, width)`` float32 by area interpolation, resized in its own
    8-bit (or 16-bit, float32) type, so a mono8 camera frame gives exactly what training read from
    the same image on disk; other types are resized as float32."""
    import cv2

    a = np.asarray(image)
    if a.dtype not in (np.uint8, np.uint16, np.float32):
        a = a.astype(np.float32)
    if a.shape != (height, width):
        a = cv2.resize(a, (width, height), interpolation=cv2.INTER_AREA)
    return a.astype(np.float32)


def place_distances(tset: TraverseSet, query: str, reference: str) -> np.ndarray | None:
    """Metres between every query place and every reference place, from the positions files.

    Returns:
        ``(n_query, n_reference)`` float32 metres (float32: 10,000 x 10,000 places is 400 MB), or
        None when either traverse has no positions file.
    """
    for name in (query, reference):
        if name not in tset.files:
            raise PlaceDataError(f"{tset.root}: no traverse {name!r} in this set; available: {list(tset.names)}")
    if query not in tset.positions or reference not in tset.positions:
        return None
    q, r = tset.positions[query], tset.positions[reference]
    out = np.empty((q.shape[0], r.shape[0]), dtype=np.float32)
    for start in range(0, q.shape[0], 1024):  # float64 differences a block at a time
        block = q[start:start + 1024, None, :] - r[None, :, :]
        out[start:start + 1024] = np.hypot(block[..., 0], block[..., 1])
    return out
