"""Perception: event cameras, SpikePoint action recognition and place recognition (no ROS).

Terminology:
    event: one brightness change at a pixel, ``(x, y, t, p)``; ``p`` is +1 (ON, brighter) or -1 (OFF).
    events/: the event-camera emulator (ESIM/v2e pixel model), event formats and data-set loaders.
    gestures/: the synthetic gesture scene (MuJoCo upper body) and the data-set generator.
    spikepoint/: the SpikePoint point-cloud SNN (torch, imported lazily), its training and evaluation.
    places/: place recognition with ensembles of small, region-specific, regularized SNNs (numpy),
        its baselines, metrics, traverse data and the synthetic multi-traverse benchmark.
    place_service / place_replay: the cores of the place_recognition and image_replay nodes.

torch and OpenCV are imported only inside the modules that need them, so importing
``snn_control.perception`` stays light.
"""
