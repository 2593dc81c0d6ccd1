"""The preview's event images: counts by polarity and last-event times, on hand-made events."""

import numpy as np

from snn_control.perception.events.types import GESTURE_CLASSES, make_events
from snn_control.perception.gestures.preview import SHORT_NAMES, count_image, time_image


def test_count_image_colours_on_and_off():
    events = make_events([1, 1, 2, 3], [0, 0, 0, 4], [0.1, 0.2, 0.3, 0.4], [1, 1, 1, -1])
    img = count_image(events, 8, 6)
    assert img.shape == (6, 8, 3) and img.dtype == np.uint8
    assert img[0, 1, 1] == 255 and img[0, 2, 1] > 0 and img[0, 1, 0] < img[0, 1, 1]  # ON: green
    assert img[4, 3, 0] == 255 and img[4, 3, 2] == 255 and img[4, 3, 1] < 255  # OFF: magenta
    assert img[5].max() == 0


def test_time_image_keeps_the_last_event_and_blacks_out_silent_pixels():
    events = make_events([0, 0, 5], [0, 0, 2], [0.9, 0.1, 0.5], [1, -1, 1])
    img = time_image(events, 8, 4, 0.0, 1.0)
    late, middle = img[0, 0].astype(int), img[2, 5].astype(int)
    assert late.sum() > middle.sum()  # viridis: later is brighter
    assert img[3].max() == 0 and img[1].max() == 0
    assert len(SHORT_NAMES) == len(GESTURE_CLASSES)
