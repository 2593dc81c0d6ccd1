"""Place recognition: ensembles of compact, region-specific, regularized SNNs (no ROS).

Terminology:
    traverse: one drive along the route (e.g. ``spring``); the i-th image of every traverse shows
        place i. A data set is a folder with one subfolder per traverse.
    reference / query: the traverses a model learns from, and the one it is asked to localize.
    module: one small Diehl & Cook style excitatory/inhibitory LIF network that learns 25
        contiguous places (its region); the ensemble pools every module's neurons.
    hyperactive neuron: one that fires for many reference images, including those outside its own
        region; removing them is the regularization.

OpenCV is imported only inside the modules that read or write images.
"""
