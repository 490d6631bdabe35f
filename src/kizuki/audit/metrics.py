"""Group metrics of a shortlist at its list size, with small-cell suppression.

In: one row per (household, issue) of a run's cohort with ``listed`` (on the shortlist
for that issue), ``label`` (a confirmed case opened in the run's horizon) and the group
columns. Out: per issue and group: households, selection rate, prevalence, precision,
recall (TPR), FNR and FOR. A cell whose denominator is under ``min_cell`` households is
suppressed (null, with ``suppressed`` true); nothing derived from it is shown.
"""

from __future__ import annotations

import numpy as np
import polars as pl

MIN_CELL = 10

#: metric -> (numerator, denominator) over the confusion counts
METRICS: dict[str, tuple[str, str]] = {
    "selection_rate": ("listed", "n"),
    "prevalence": ("pos", "n"),
    "precision": ("tp", "listed"),
    "recall": ("tp", "pos"),
    "fnr": ("fn", "pos"),
    "for": ("fn", "not_listed"),
}


def counts(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Confusion counts per group: n, listed, not_listed, pos, tp, fn."""
    listed, label = pl.col("listed"), pl.col("label") == 1
    return frame.group_by(by, maintain_order=True).agg(
        n=pl.len(),
        listed=listed.sum(),
        not_listed=(~listed).sum(),
        pos=label.sum(),
        tp=(listed & label).sum(),
        fn=(~listed & label).sum(),
    )


def group_metrics(frame: pl.DataFrame, group: str, min_cell: int = MIN_CELL) -> pl.DataFrame:
    """Per issue and value of ``group``: counts and metrics, suppressed below ``min_cell``.

    Out: issue, group, value, n (null when suppressed), each metric, suppressed.
    """
    c = counts(
        frame.with_columns(pl.col(group).cast(pl.String).fill_null("(unknown)").alias("_v")),
        ["issue", "_v"],
    )
    exprs = []
    for name, (num, den) in METRICS.items():
        ok = (pl.col(den) >= min_cell) & (pl.col("n") >= min_cell)
        exprs.append(pl.when(ok).then(pl.col(num) / pl.col(den)).alias(name))
    return c.select(
        "issue",
        pl.lit(group).alias("group"),
        pl.col("_v").alias("value"),
        pl.when(pl.col("n") >= min_cell).then(pl.col("n")).alias("n"),
        *exprs,
        (pl.col("n") < min_cell).alias("suppressed"),
    ).sort("issue", "value")


def bootstrap_recall_ratio(
    frame: pl.DataFrame,
    group: str,
    reference: str,
    value: str,
    *,
    draws: int,
    seed: int,
    min_cell: int = MIN_CELL,
) -> tuple[float | None, float | None, float | None]:
    """Recall of ``value`` over recall of ``reference`` in ``group`` for one issue's rows,
    with a 95% percentile bootstrap interval (households resampled within each group).
    None when either group has fewer than ``min_cell`` positives."""
    g = frame[group].cast(pl.String).fill_null("(unknown)").to_numpy()
    listed = frame["listed"].to_numpy()
    label = frame["label"].to_numpy() == 1
    a = np.flatnonzero((g == value) & label)
    b = np.flatnonzero((g == reference) & label)
    if len(a) < min_cell or len(b) < min_cell:
        return None, None, None

    def recall(idx: np.ndarray) -> float:
        return float(listed[idx].mean())

    ref = recall(b)
    point = recall(a) / ref if ref > 0 else None
    rng = np.random.default_rng(seed)
    ratios = []
    for _ in range(draws):
        ra, rb = recall(rng.choice(a, len(a))), recall(rng.choice(b, len(b)))
        if rb > 0:
            ratios.append(ra / rb)
    if not ratios or point is None:
        return point, None, None
    lo, hi = np.percentile(ratios, [2.5, 97.5])
    return point, float(lo), float(hi)
