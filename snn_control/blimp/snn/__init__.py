"""The blimp's spiking controllers: the network (:mod:`.network`), its genome layout
(:mod:`.genome`) and the deployable PD-SNN + I-SNN pair with its artifact files (:mod:`.controller`).
"""
