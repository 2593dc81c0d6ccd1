"""Event streams: the record type, the emulator, stream checks and the data-set formats.

    types      the event record (EVENT_DTYPE), the gesture classes, EventSample
    emulator   ESIM/v2e pixel model: frames -> events
    checks     sanitize a live packet (never raises) or require a clean recording (raises)
    dvs128     DVS128 Gesture readers: AEDAT 3.1 + label CSVs, tonic's .npy layout
    datasets   the synthetic gesture format and one loader for all three formats
"""

from .types import EVENT_DTYPE, GESTURE_CLASSES, SENSOR_HEIGHT, SENSOR_WIDTH, EventSample, make_events

__all__ = ["EVENT_DTYPE", "GESTURE_CLASSES", "SENSOR_HEIGHT", "SENSOR_WIDTH", "EventSample", "make_events"]
