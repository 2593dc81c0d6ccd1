"""Generic evolution with DEAP, shared by every robot (nothing here imports a system folder).

Terminology: a *genome* is a flat vector of genes (a system's layout says which gene is what); a
*strategy* is asked for a population and told its fitness (:mod:`.strategies`: CMA-ES, a GA, the
NCAP paper's ES, all on explicit ``numpy.random.Generator`` s); a *task* scores a chunk of a
population in one vectorized pass, and the *population map* sends the chunks to tasks (serial, a
process pool, later a cluster: :mod:`.popmap`); a *generation* is one ask-evaluate-tell step
(:mod:`.loop`); *checkpoints* (:mod:`.checkpoint`) and the per-generation *log* (:mod:`.log`)
make a run resumable and readable. The blimp's recipe is :mod:`snn_control.blimp.training.recipe`,
the swimmer's :mod:`snn_control.swimmer.training`.
"""
