"""The C. elegans circuit-prior swimmer (NCAP, Bhattasali et al. 2022).

Terminology: the *body* of N+1 links and N joints and its "swim" reward (:mod:`.model`), simulated
in MuJoCo (:mod:`.env`); the *circuit* NCAP as a rate model (:mod:`.ncap`) or built from LIF
neurons (:mod:`.ncap_spiking`), and the MLP baseline (:mod:`.mlp`), all behind one *policy*
interface with artifact files (:mod:`.policy`); *rollouts* score a population (:mod:`.rollout`)
and :mod:`.training` runs the generic evolution stack over them.
"""
