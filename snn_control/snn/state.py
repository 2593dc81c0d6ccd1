"""Operations on explicit state: the (nested) NamedTuples of batch-first arrays a step returns.

:func:`select_state` keeps the old state on the rows that must not step (a guard that refuses a
garbage reading) and takes the new one elsewhere, whatever the state's structure: leaves are
arrays whose first axis is the batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def select_state(mask: np.ndarray, new: Any, old: Any) -> Any:
    """``new`` where ``mask`` (batch,) is True, ``old`` elsewhere, leaf by leaf."""
    if isinstance(new, tuple):
        parts = [select_state(mask, n, o) for n, o in zip(new, old)]
        return type(new)(*parts) if hasattr(new, "_fields") else tuple(parts)
    if new is None:
        return None
    n, o = np.asarray(new), np.asarray(old)
    m = np.asarray(mask, dtype=bool).reshape((-1,) + (1,) * (n.ndim - 1))
    return np.where(m, n, o)
