"""Genome layouts of the blimp SNNs: which genes, in which order, within which bounds.

A genome is a flat vector of real-valued genes, one per shared parameter (paper section 1):
every gene is per pair (P of them) except the readout leak (one). Groups, in order:

    enc.weight, enc.bias              [-1.5, 1.5]     input weight w0 (mirrored), bias b0
    enc.leak_i, enc.leak_v            [0, 0.99]       encoding LIF decays
    enc.threshold                     [0.8, 10]
    hid.weight [, hid.cross]          [-1.5, 1.5]     l0 -> l1 diagonal [and 2x2-block] weights
    hid.bias                          [-1.5, 1.5]
    hid.leak_i, hid.leak_v            [0, 0.99]
    hid.threshold                     [0.8, 10]       LIF kinds
    hid.base, hid.adapt, hid.leak_t   [0, 2], [-1, 1], [0, 0.99]   IWTA kinds (base_t, add_t)
    hid.rec_self, hid.rec_cross       [-1.5, 1.5]     recurrent kinds
    out.weight                        [-1.5, 1.5]     readout weight c (mirrored; ``readout_bound``)
    out.leak                          [0.15, 0.35] (role pd) or [0.15, 0.99] (role i)
                                      [0.999, 1] with the integrating readout (``readout="integrating"``,
                                      weights per spike: :mod:`snn_control.snn.readout`)

With P = 20: LIF 221 genes, IWTA 261 (the paper's count), recurrent +40, 2x2 blocks +20.
:meth:`BlimpSNNLayout.decode` turns genomes ``(pop, n_genes)`` into one
:class:`~snn_control.blimp.snn.controller.BlimpSNNParams` with a leading batch axis ``pop`` (genes
outside the bounds are clipped), so a population is evaluated in one vectorized pass.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, NamedTuple

import numpy as np

from snn_control.blimp.snn.network import HIDDEN_KINDS, BlimpSNNParams
from snn_control.snn.iwta import IWTAParams
from snn_control.snn.lif import LIFParams
from snn_control.snn.pairs import pair_mirrored, pair_shared
from snn_control.snn.readout import IntegratorParams, LIParams

ROLES = ("pd", "i")
READOUT_LEAK_BOUNDS = {"pd": (0.15, 0.35), "i": (0.15, 0.99)}
READOUTS = ("leaky", "integrating")
INTEGRATING_LEAK_BOUNDS = (0.999, 1.0)
INTEGRATOR_LIMIT = 10.0  # the PID's anti-windup clamp
DEFAULT_HIDDEN = {"pd": "lif", "i": "iwta"}


class GeneGroup(NamedTuple):
    name: str
    size: int
    lower: float
    upper: float


@dataclass(frozen=True)
class BlimpSNNLayout:
    """Genome layout of one blimp SNN.

    Args:
        role: ``"pd"`` or ``"i"``: the PID term the network imitates (sets the readout leak bounds).
        hidden: one of :data:`~snn_control.blimp.snn.controller.HIDDEN_KINDS`.
        n_pairs: P, pairs per layer (2P neurons per layer, 4P spiking neurons per network).
        block: 2x2 blocks within a pair from l0 to l1 instead of the diagonal.
        weight_bound, leak_max, threshold_bounds: the paper's bounds.
        readout_bound: bound of the readout weights c (the paper's weight bound by default).
        theta_min: floor of the IWTA thresholds.
        readout: ``"leaky"`` (the paper's: u = a u + (1 - a) c s) or ``"integrating"`` (a up to 1,
            weights per spike, clamped at ±10: a true integrator for the I-SNN).
    """

    role: str = "pd"
    hidden: str = "lif"
    n_pairs: int = 20
    block: bool = False
    weight_bound: float = 1.5
    readout_bound: float = 1.5
    leak_max: float = 0.99
    threshold_bounds: tuple[float, float] = (0.8, 10.0)
    theta_min: float = 0.01
    readout: str = "leaky"

    def __post_init__(self) -> None:
        if self.readout not in READOUTS:
            raise ValueError(f"BlimpSNNLayout.readout must be one of {READOUTS}, got {self.readout!r}")
        if self.role not in ROLES:
            raise ValueError(f"BlimpSNNLayout.role must be one of {ROLES}, got {self.role!r}")
        if self.hidden not in HIDDEN_KINDS:
            raise ValueError(f"BlimpSNNLayout.hidden must be one of {HIDDEN_KINDS}, got {self.hidden!r}")
        if isinstance(self.n_pairs, bool) or not isinstance(self.n_pairs, int) or self.n_pairs < 1:
            raise ValueError(f"BlimpSNNLayout.n_pairs must be a positive int, got {self.n_pairs!r}")
        if not isinstance(self.block, bool):
            raise ValueError(f"BlimpSNNLayout.block must be a bool, got {self.block!r}")
        for name in ("weight_bound", "readout_bound"):
            if not 0 < getattr(self, name) < np.inf:
                raise ValueError(f"BlimpSNNLayout.{name} must be > 0, got {getattr(self, name)}")
        if not 0 < self.leak_max <= 1:
            raise ValueError(f"BlimpSNNLayout.leak_max must be in (0, 1], got {self.leak_max}")
        lo, hi = self.threshold_bounds
        if not 0 < lo < hi < np.inf:
            raise ValueError(
                f"BlimpSNNLayout.threshold_bounds must satisfy 0 < low < high, got {self.threshold_bounds}"
            )
        if not self.theta_min > 0:
            raise ValueError(f"BlimpSNNLayout.theta_min must be > 0, got {self.theta_min}")

    @classmethod
    def for_role(cls, role: str, hidden: str | None = None, **kwargs: Any) -> "BlimpSNNLayout":
        """The paper's layout for a role: LIF hidden layer for ``pd``, IWTA for ``i``."""
        return cls(role=role, hidden=hidden or DEFAULT_HIDDEN.get(role, "lif"), **kwargs)

    @property
    def adaptive(self) -> bool:
        return self.hidden in ("iwta", "riwta")

    @property
    def recurrent(self) -> bool:
        return self.hidden in ("rlif", "riwta")

    @property
    def n_spiking_neurons(self) -> int:
        return 4 * self.n_pairs

    @property
    def groups(self) -> tuple[GeneGroup, ...]:
        p, w, lk = self.n_pairs, self.weight_bound, self.leak_max
        g = [GeneGroup("enc.weight", p, -w, w), GeneGroup("enc.bias", p, -w, w)]
        g += [GeneGroup("enc.leak_i", p, 0.0, lk), GeneGroup("enc.leak_v", p, 0.0, lk)]
        g += [GeneGroup("enc.threshold", p, *self.threshold_bounds), GeneGroup("hid.weight", p, -w, w)]
        if self.block:
            g.append(GeneGroup("hid.cross", p, -w, w))
        g += [GeneGroup("hid.bias", p, -w, w), GeneGroup("hid.leak_i", p, 0.0, lk)]
        g.append(GeneGroup("hid.leak_v", p, 0.0, lk))
        if self.adaptive:
            g += [GeneGroup("hid.base", p, 0.0, 2.0), GeneGroup("hid.adapt", p, -1.0, 1.0)]
            g.append(GeneGroup("hid.leak_t", p, 0.0, lk))
        else:
            g.append(GeneGroup("hid.threshold", p, *self.threshold_bounds))
        if self.recurrent:
            g += [GeneGroup("hid.rec_self", p, -w, w), GeneGroup("hid.rec_cross", p, -w, w)]
        r = self.readout_bound
        leak = INTEGRATING_LEAK_BOUNDS if self.readout == "integrating" else READOUT_LEAK_BOUNDS[self.role]
        g += [GeneGroup("out.weight", p, -r, r), GeneGroup("out.leak", 1, *leak)]
        return tuple(g)

    @property
    def n_genes(self) -> int:
        return sum(g.size for g in self.groups)

    @property
    def lower(self) -> np.ndarray:
        return np.concatenate([np.full(g.size, g.lower) for g in self.groups])

    @property
    def upper(self) -> np.ndarray:
        return np.concatenate([np.full(g.size, g.upper) for g in self.groups])

    def split(self, genomes: np.ndarray) -> dict[str, np.ndarray]:
        """Genes by group name, each ``(pop, size)``, clipped to the bounds."""
        x = np.atleast_2d(np.asarray(genomes, dtype=float))
        if x.ndim != 2 or x.shape[1] != self.n_genes:
            raise ValueError(f"genomes must be shaped (pop, {self.n_genes}) for this layout, got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError("genomes hold NaN or inf")
        x = np.clip(x, self.lower, self.upper)
        out, start = {}, 0
        for g in self.groups:
            out[g.name] = x[:, start : start + g.size]
            start += g.size
        return out

    def decode(self, genomes: np.ndarray) -> BlimpSNNParams:
        """Per-individual network parameters with a leading batch axis ``pop``."""
        g = self.split(genomes)
        if self.adaptive:
            hid = IWTAParams(
                pair_shared(g["hid.leak_i"]),
                pair_shared(g["hid.leak_v"]),
                pair_shared(g["hid.base"]),
                pair_shared(g["hid.adapt"]),
                pair_shared(g["hid.leak_t"]),
                self.theta_min,
            )
        else:
            hid = LIFParams(pair_shared(g["hid.leak_i"]), pair_shared(g["hid.leak_v"]), pair_shared(g["hid.threshold"]))
        return BlimpSNNParams(
            enc_weight=pair_mirrored(g["enc.weight"]),
            enc_bias=pair_shared(g["enc.bias"]),
            enc=LIFParams(pair_shared(g["enc.leak_i"]), pair_shared(g["enc.leak_v"]), pair_shared(g["enc.threshold"])),
            hid_weight=pair_shared(g["hid.weight"]),
            hid_cross=pair_shared(g["hid.cross"]) if self.block else None,
            hid_bias=pair_shared(g["hid.bias"]),
            hid=hid,
            rec_self=pair_shared(g["hid.rec_self"]) if self.recurrent else None,
            rec_cross=pair_shared(g["hid.rec_cross"]) if self.recurrent else None,
            out=IntegratorParams(g["out.leak"][:, 0].copy(), g["out.weight"].copy(), INTEGRATOR_LIMIT)
            if self.readout == "integrating" else LIParams(g["out.leak"][:, 0].copy(), g["out.weight"].copy()),
        )

    def normalize(self, genomes: np.ndarray) -> np.ndarray:
        """Genes -> [0, 1] coordinates within the bounds (the space the optimizers search)."""
        return (np.asarray(genomes, dtype=float) - self.lower) / (self.upper - self.lower)

    def denormalize(self, unit: np.ndarray) -> np.ndarray:
        """[0, 1] coordinates -> genes (clipped to the bounds)."""
        return self.lower + np.clip(np.asarray(unit, dtype=float), 0.0, 1.0) * (self.upper - self.lower)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["threshold_bounds"] = list(self.threshold_bounds)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BlimpSNNLayout":
        if not isinstance(data, dict):
            raise ValueError("BlimpSNNLayout: expected a mapping")
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"BlimpSNNLayout: unknown keys {sorted(unknown)}")
        d = dict(data)
        if "threshold_bounds" in d:
            d["threshold_bounds"] = tuple(d["threshold_bounds"])
        return cls(**d)
