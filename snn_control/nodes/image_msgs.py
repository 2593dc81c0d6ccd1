"""``/camera/image`` as sensor_msgs/Image and back: grayscale numpy arrays for the place model.

Read (:func:`image_to_gray`), one array ``(height, width)`` per message:

=============================  =====================================================================
encoding                       result
=============================  =====================================================================
``mono8``                      uint8, the pixels as sent
``mono16``                     float32 in 0..255: ``value * 255 / 65535`` (``is_bigendian`` honoured)
``bgr8`` ``rgb8``              float32 luma in 0..255, ITU-R BT.601: ``0.299 R + 0.587 G + 0.114 B``
``bgra8`` ``rgba8``            the same, alpha ignored
=============================  =====================================================================

BT.601 is what ``cv2.cvtColor(..., COLOR_BGR2GRAY)`` computes (before it rounds to uint8), so a
colour camera and a folder of images read with OpenCV see the same gray. Rows may be padded
(``step`` larger than ``width`` times the pixel size); ``data`` must hold exactly ``step * height``
bytes, as sensor_msgs/Image defines. Any other encoding, an empty image, a ``step`` shorter than a
row or a data length that disagrees with the header raises :class:`ImageMsgError` (a
``ValueError``) with the reason; the caller skips the image and says so.

Write (:func:`gray_to_image`): a uint8 ``(height, width)`` array as a ``mono8`` message.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# encoding: (bytes per pixel, channel order of the colour ones: index of R, G, B)
ENCODINGS: dict[str, tuple[int, tuple[int, int, int] | None]] = {
    "mono8": (1, None),
    "mono16": (2, None),
    "bgr8": (3, (2, 1, 0)),
    "rgb8": (3, (0, 1, 2)),
    "bgra8": (4, (2, 1, 0)),
    "rgba8": (4, (0, 1, 2)),
}
LUMA_RGB = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R BT.601


class ImageMsgError(ValueError):
    """A sensor_msgs/Image the place node cannot read (encoding, size or data length)."""


def _pixels(msg: Any) -> np.ndarray:
    """The message's pixels ``(height, width, bytes per pixel)`` uint8, row padding removed."""
    encoding = str(msg.encoding)
    if encoding not in ENCODINGS:
        raise ImageMsgError(f"encoding {msg.encoding!r} is not supported (supported: {', '.join(ENCODINGS)})")
    bpp = ENCODINGS[encoding][0]
    height, width, step = int(msg.height), int(msg.width), int(msg.step)
    if height <= 0 or width <= 0:
        raise ImageMsgError(f"empty image ({width} x {height} pixels)")
    if step < width * bpp:
        raise ImageMsgError(f"step {step} bytes is shorter than a row of {width} {encoding} pixels "
                            f"({width * bpp} bytes)")
    data = np.frombuffer(msg.data, dtype=np.uint8)
    if data.size != step * height:
        raise ImageMsgError(f"data holds {data.size} bytes, header says {height} rows x {step} bytes")
    return data.reshape(height, step)[:, :width * bpp].reshape(height, width, bpp)


def image_to_gray(msg: Any) -> np.ndarray:
    """The grayscale image a sensor_msgs/Image holds (see the module docstring for the types).

    Raises:
        ImageMsgError: An unsupported encoding, an empty image, or a size that does not add up.
    """
    pixels = _pixels(msg)
    encoding = str(msg.encoding)
    if encoding == "mono8":
        return pixels[:, :, 0].copy()
    if encoding == "mono16":
        order = ">" if msg.is_bigendian else "<"
        raw = np.ascontiguousarray(pixels).view(f"{order}u2")[:, :, 0]
        return raw.astype(np.float32) * np.float32(255.0 / 65535.0)
    r, g, b = ENCODINGS[encoding][1]  # type: ignore[misc]
    rgb = pixels[:, :, [r, g, b]].astype(np.float32)
    return rgb @ LUMA_RGB


def stamp_ns(stamp: Any) -> int:
    """A builtin_interfaces/Time as integer nanoseconds (exact, unlike float seconds): the key that
    pairs an image with the answers stamped as it."""
    return int(stamp.sec) * 1_000_000_000 + int(stamp.nanosec)


def gray_to_image(image: np.ndarray, stamp: Any, frame_id: str = "camera") -> Any:
    """A ``mono8`` sensor_msgs/Image of uint8 ``image (height, width)``, stamped ``stamp``.

    Raises:
        ImageMsgError: ``image`` is not a non-empty 2-D uint8 array.
    """
    from sensor_msgs.msg import Image

    a = np.asarray(image)
    if a.ndim != 2 or a.size == 0 or a.dtype != np.uint8:
        raise ImageMsgError(f"expected a non-empty uint8 (height, width) image, got {a.dtype}{list(a.shape)}")
    msg = Image()
    msg.header.stamp = stamp
    msg.header.frame_id = frame_id
    msg.height, msg.width = int(a.shape[0]), int(a.shape[1])
    msg.encoding = "mono8"
    msg.is_bigendian = 0
    msg.step = int(a.shape[1])
    msg.data = np.ascontiguousarray(a).tobytes()
    return msg
