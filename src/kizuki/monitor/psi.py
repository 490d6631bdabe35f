"""Population stability index (PSI) on bin counts.

PSI = Σ_b (c_b − r_b) · ln(c_b / r_b), with r_b and c_b the reference's and current's
share of bin b, each floored at ε (a bin empty in one run would otherwise give an
infinite log). Works on one pair of count vectors or on many at once (last axis =
bins), so the null distribution is computed without Python loops.
"""

from __future__ import annotations

import numpy as np


def shares(counts: np.ndarray, epsilon: float) -> np.ndarray:
    """Bin shares along the last axis, floored at ``epsilon`` (zeros where a row is empty)."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(total > 0, counts / np.where(total > 0, total, 1), 0.0)
    return np.maximum(p, epsilon)


def psi(reference: np.ndarray, current: np.ndarray, epsilon: float) -> np.ndarray | float:
    """PSI of count vectors (the last axis is bins; leading axes broadcast).

    In: reference counts and current counts (same number of bins), ε.
    Out: a float for 1-d input, else an array over the leading axes.
    """
    r = shares(reference, epsilon)
    c = shares(current, epsilon)
    value = ((c - r) * np.log(c / r)).sum(axis=-1)
    return float(value) if np.ndim(value) == 0 else value
