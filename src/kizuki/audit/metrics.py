"""Group metrics at the list size, from the four cells of each group's 2×2 table.

Cells, per group: tp = listed and a case, fp = listed and no case, fn = not listed and a
case, tn = not listed and no case. Metrics (``listed`` = tp + fp, ``case`` = tp + fn):

- selection rate = listed / n
- prevalence = case / n
- precision = tp / listed
- recall (TPR) = tp / case
- FNR = fn / case
- FOR (false omission rate) = fn / (fn + tn)

Functions work on arrays of cells ``(..., groups, 4)`` so the same code gives point
estimates and bootstrap replicates (NaN where a denominator is 0).
"""

from __future__ import annotations

import numpy as np

CELLS = ("tp", "fp", "fn", "tn")
#: metrics in the order the report shows them: recall first (outreach is assistive)
METRICS = ("recall", "selection_rate", "precision", "fnr", "for", "prevalence")


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), np.nan)


def rates(cells: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric from cells ``(..., 4)`` (tp, fp, fn, tn); arrays of shape ``(...)``."""
    c = np.asarray(cells, dtype=float)
    tp, fp, fn, tn = c[..., 0], c[..., 1], c[..., 2], c[..., 3]
    n = tp + fp + fn + tn
    return {
        "recall": _div(tp, tp + fn),
        "selection_rate": _div(tp + fp, n),
        "precision": _div(tp, tp + fp),
        "fnr": _div(fn, tp + fn),
        "for": _div(fn, fn + tn),
        "prevalence": _div(tp + fn, n),
    }
