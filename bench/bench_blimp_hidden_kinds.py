"""Which I-SNN integrates? Every hidden kind x readout, evolved on the same imitation budget.

    .venv/bin/python bench/bench_blimp_hidden_kinds.py [--generations 200] [--seed 0]

For each hidden layer the layouts support (``lif``, ``iwta``, ``rlif``, ``riwta``) and each readout
(``leaky``: the paper's, leak <= 0.99; ``integrating``: leak up to 1, weights per spike), evolve an
I-SNN with the imitation stage alone (the paper's fitness against the PID's I term, PID flights over
random plants, start altitudes and sensor noise), then print:

* the held-out imitation score of ``snn-control eval blimp --imitation`` (16 unseen plants):
  fitness and Pearson r against the PID's I term;
* the open-loop output after a constant error of +0.1 m held 5 s and 20 s (the PID's I term:
  0.375 and 1.5 units, a ramp), and of +0.3 m held 20 s (PID: 4.5);
* the drift over 30 s of zero error after 10 s at +0.3 m (an integrator holds: drift 0).

Each run takes a minute or two on two cores; the whole table about 15 minutes at 200 generations.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from snn_control.blimp.imitation import imitation_report, ramp_and_hold
from snn_control.blimp.snn.controller import BlimpSNNNetwork, save_blimp_snn
from snn_control.blimp.snn.network import HIDDEN_KINDS, blimp_snn_rollout
from snn_control.blimp.training.recipe import EvolveConfig, evolve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default=",".join(HIDDEN_KINDS))
    args = parser.parse_args()
    print(f"{'hidden':<6} {'readout':<12} {'fitness':>8} {'pearson':>8} {'+0.1@5s':>8} {'+0.1@20s':>9} "
          f"{'+0.3@20s':>9} {'hold drift':>10} {'wall s':>7}")
    print(f"{'PID I':<6} {'':<12} {0:>8.3f} {1:>8.3f} {0.375:>8.3f} {1.5:>9.3f} {4.5:>9.3f} {0:>10.3f}")
    for hidden in args.kinds.split(","):
        for readout in ("leaky", "integrating"):
            config = EvolveConfig(role="i", hidden=hidden, readout=readout, generations=args.generations,
                                  closed_loop_generations=0, holdout_every=50, seed=args.seed)
            t0 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                result = evolve(config, Path(tmp), progress=False)
                wall = time.perf_counter() - t0
                path = save_blimp_snn(Path(tmp) / "i_snn", result.layout, result.genome)
                score = imitation_report(i_artifact=str(path), constant_errors=False)["networks"]["i"]
            net = BlimpSNNNetwork(result.layout, result.genome)
            ramp = blimp_snn_rollout(net.params, np.stack([np.full(200, 0.1), np.full(200, 0.3)]))
            drift = ramp_and_hold(net, errors_m=(0.3,))[0]["drift"]
            print(f"{hidden:<6} {readout:<12} {score['fitness']:>8.3f} {score['pearson_r']:>8.3f} "
                  f"{ramp[0, 49]:>8.3f} {ramp[0, 199]:>9.3f} {ramp[1, 199]:>9.3f} {drift:>10.3f} {wall:>7.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
