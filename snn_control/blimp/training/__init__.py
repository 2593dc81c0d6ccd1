"""Evolving the blimp SNNs: PID flights to imitate (:mod:`.data`), fitness (:mod:`.fitness`),
starting genomes (:mod:`.initial`), per-generation tasks (:mod:`.tasks`) and the recipe that runs
the generic evolution stack of :mod:`snn_control.evolve` over them (:mod:`.recipe`).
"""
