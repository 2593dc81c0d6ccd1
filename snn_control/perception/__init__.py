"""Perception: event cameras, SpikePoint action recognition and place recognition (no ROS).

Terminology:
    event: one brightness change at a pixel, ``(x, y, t, p)``; ``p`` is +1 (ON, brighter) or -1 (OFF).
    events/: the event-camera emulator (ESIM/v2e pixel model), event formats and data-set loaders.
    gestures/: the synthetic gesture scene (MuJoCo upper body) and the data-set generator.
    spikepoint/: the SpikePoint point-cloud SNN (torch, imported lazily), its training and evaluation.

torch and OpenCV are imported only inside the modules that need them, so importing
``snn_control.perception`` stays light.
"""
