"""The indoor blimp's altitude control (Burgers et al. 2023): plant, sensor, controllers, training.

Terminology: the *plant* is the blimp's altitude dynamics (:mod:`.dynamics`), simulated in MuJoCo
(:mod:`.sim`) or by its vectorized numpy *twin* (:mod:`.twin`); the *reading* is the ToF range
(:mod:`.tof`); a *controller* maps altitude and set-point to a motor command (the paper's PID in
:mod:`.pid`, the spiking pair in :mod:`.snn`), always flown behind the *guard* (:mod:`.guard`),
through a *profile* of set-points (:mod:`.profiles`); a *flight* is one closed loop
(:mod:`.flight`) and the *metrics* score it (:mod:`.metrics`). :mod:`.training` evolves the SNNs.
"""
