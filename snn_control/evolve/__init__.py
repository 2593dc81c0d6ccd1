"""Evolution of controllers with DEAP (numpy cores; nothing here imports the modules below).

Terminology: a *genome* is a flat vector of genes (a layout in ``control/`` says which gene is
what and its bounds); a *task* scores a whole population in one vectorized pass; the *map* that
sends chunks of a population to tasks is injected (builtin ``map``, a process pool's, a cluster's);
an *optimizer* is asked for a population and told its fitness (``deap.cma`` CMA-ES or a DEAP GA);
the *held-out* task picks the genome that is deployed. Blimp SNNs: ``blimp_*`` modules
(``blimp_evolve.evolve`` is the entry point).
"""
