"""Event streams: the record type, the emulator and the data-set formats."""

from .types import EVENT_DTYPE, GESTURE_CLASSES, SENSOR_HEIGHT, SENSOR_WIDTH, EventSample, make_events

__all__ = ["EVENT_DTYPE", "GESTURE_CLASSES", "SENSOR_HEIGHT", "SENSOR_WIDTH", "EventSample", "make_events"]
