"""SpikePoint (Ren et al., ICLR 2024): event windows as point clouds, classified by a spiking network.

Terminology:
    window: the events of [t0, t0 + 0.5 s) of a stream; windows start every 0.25 s.
    points (N): events of a window sampled to a fixed count, as normalized (x, y, t) in [0, 1)^3.
    groups (G), neighbours (K): FPS centroids and each one's K nearest points.
    local / centroid branch: the network's two inputs, [G, K, 6] offsets + group corner, [G, 3].
    time steps (T): Bernoulli rate-coding steps per window; the class score is the vote rate.
    early exit: stopping a window's time steps once the decoded confidence passes a threshold.

Modules, bottom up: ``config`` (one frozen config, the artifact's), ``preprocess`` (numpy only:
windows, sampling, FPS, kNN, features), ``neuron`` and ``model`` (torch), ``data`` (grouped windows
of labelled recordings), ``early_exit``, ``evaluate``, ``train``, ``artifact`` (.pt + JSON) and
``recognizer`` (the streaming core of the ROS node). torch is imported only by the modules that
need it, never by importing this package, ``config`` or ``preprocess``.
"""
