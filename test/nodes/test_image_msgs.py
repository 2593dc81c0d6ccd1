"""sensor_msgs/Image <-> grayscale arrays: every supported encoding, padded rows, and refusals."""

import numpy as np
import pytest

pytest.importorskip("sensor_msgs")
cv2 = pytest.importorskip("cv2")

from sensor_msgs.msg import Image  # noqa: E402

from snn_control.nodes.common import time_msg  # noqa: E402
from snn_control.nodes.image_msgs import ImageMsgError, gray_to_image, image_to_gray, stamp_ns  # noqa: E402

RNG = np.random.default_rng(0)
BGR = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)


def message(array: np.ndarray, encoding: str, pad: int = 0, bigendian: bool = False) -> Image:
    h, w = array.shape[:2]
    rows = array.reshape(h, -1).view(np.uint8) if array.dtype != np.uint8 else array.reshape(h, -1)
    if pad:
        rows = np.concatenate([rows, np.full((h, pad), 99, np.uint8)], axis=1)
    return Image(height=h, width=w, encoding=encoding, is_bigendian=int(bigendian), step=rows.shape[1],
                 data=np.ascontiguousarray(rows).tobytes())


def test_mono8_round_trip_keeps_pixels_and_stamp():
    gray = RNG.integers(0, 256, (6, 9), dtype=np.uint8)
    msg = gray_to_image(gray, time_msg(12.5), "place:3")
    assert (msg.encoding, msg.step, msg.header.frame_id) == ("mono8", 9, "place:3")
    assert stamp_ns(msg.header.stamp) == 12_500_000_000
    out = image_to_gray(msg)
    assert out.dtype == np.uint8 and np.array_equal(out, gray)


@pytest.mark.parametrize("encoding, pixels", [
    ("bgr8", BGR), ("rgb8", BGR[:, :, ::-1]),
    ("bgra8", np.concatenate([BGR, np.full((5, 7, 1), 7, np.uint8)], axis=2)),
    ("rgba8", np.concatenate([BGR[:, :, ::-1], np.zeros((5, 7, 1), np.uint8)], axis=2)),
])
@pytest.mark.parametrize("pad", [0, 3])
def test_colour_is_bt601_luma_as_opencv_computes_it(encoding, pixels, pad):
    out = image_to_gray(message(pixels, encoding, pad))
    assert out.dtype == np.float32 and out.shape == (5, 7)
    assert np.abs(out - cv2.cvtColor(BGR, cv2.COLOR_BGR2GRAY)).max() <= 0.5 + 1e-4  # OpenCV rounds


@pytest.mark.parametrize("bigendian", [False, True])
def test_mono16_scales_to_0_255_in_either_byte_order(bigendian):
    values = np.array([[0, 257, 65535], [32896, 1, 514]], dtype=">u2" if bigendian else "<u2")
    out = image_to_gray(message(values, "mono16", pad=2, bigendian=bigendian))
    assert np.allclose(out, np.array([[0, 1, 255], [128, 1 / 257, 2]]), atol=1e-4)


@pytest.mark.parametrize("change, match", [
    ({"encoding": "yuv422"}, r"encoding 'yuv422' is not supported \(supported: mono8, mono16, bgr8"),
    ({"encoding": "32FC1"}, "is not supported"),
    ({"height": 0, "data": b""}, r"empty image \(7 x 0 pixels\)"),
    ({"width": 0}, "empty image"),
    ({"step": 20}, "step 20 bytes is shorter than a row of 7 bgr8 pixels"),
    ({"data": bytes(5 * 21 - 1)}, "data holds 104 bytes, header says 5 rows x 21 bytes"),
    ({"height": 6}, "data holds 105 bytes, header says 6 rows x 21 bytes"),
])
def test_bad_messages_are_refused_with_the_reason(change, match):
    msg = message(BGR, "bgr8")
    for key, value in change.items():
        setattr(msg, key, value)
    with pytest.raises(ImageMsgError, match=match):
        image_to_gray(msg)


@pytest.mark.parametrize("bad", [np.zeros((0, 4), np.uint8), np.zeros((3, 4), np.float32),
                                 np.zeros((3, 4, 3), np.uint8)])
def test_only_uint8_gray_images_are_written(bad):
    with pytest.raises(ImageMsgError, match="non-empty uint8"):
        gray_to_image(bad, time_msg(0.0))
