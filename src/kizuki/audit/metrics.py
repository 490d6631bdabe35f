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
import polars as pl

CELLS = ("tp", "fp", "fn", "tn")
#: metrics in the order the report shows them: recall first (outreach is assistive)
METRICS = ("recall", "selection_rate", "precision", "fnr", "for", "prevalence")
#: metrics that need outcome labels
LABEL_METRICS = ("recall", "precision", "fnr", "for", "prevalence")


def cell_counts(frame: pl.DataFrame, group: str, label: str) -> pl.DataFrame:
    """Per value of ``group``: tp, fp, fn, tn (Int64), sorted by group.

    In: rows with ``listed`` (bool), ``label`` column (bool; null counts as no case) and
    the ``group`` column.
    """
    listed, case = pl.col("listed"), pl.col(label).fill_null(False)
    return (
        frame.group_by(pl.col(group).alias("group"))
        .agg(
            (listed & case).sum().cast(pl.Int64).alias("tp"),
            (listed & ~case).sum().cast(pl.Int64).alias("fp"),
            (~listed & case).sum().cast(pl.Int64).alias("fn"),
            (~listed & ~case).sum().cast(pl.Int64).alias("tn"),
        )
        .sort("group")
    )


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


def metric_frame(counts: pl.DataFrame) -> pl.DataFrame:
    """``counts`` (group, tp, fp, fn, tn) plus n and every metric, UNSUPPRESSED.

    For tests and internal use only: what leaves the audit goes through
    :mod:`kizuki.audit.suppress` first.
    """
    cells = counts.select(CELLS).to_numpy()
    r = rates(cells)
    return counts.with_columns(
        pl.Series("n", cells.sum(axis=1), dtype=pl.Int64),
        *[pl.Series(m, r[m], dtype=pl.Float64).fill_nan(None) for m in METRICS],
    )
