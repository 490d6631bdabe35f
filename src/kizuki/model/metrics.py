"""Ranking and calibration metrics at the outreach capacity."""

from __future__ import annotations

import numpy as np
import polars as pl


def average_precision(y: np.ndarray, s: np.ndarray) -> float | None:
    """Average precision (None when there is no positive)."""
    if np.sum(y) == 0:
        return None
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, s))


def at_k(y: np.ndarray, s: np.ndarray, k: int) -> tuple[float | None, float | None]:
    """(precision@k, recall@k): the top k by score (ties by position)."""
    if k <= 0 or len(y) == 0:
        return None, None
    top = np.argsort(-s, kind="stable")[:k]
    hits = float(np.sum(y[top]))
    pos = float(np.sum(y))
    return hits / min(k, len(y)), (hits / pos if pos else None)


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared error of probabilities."""
    return float(np.mean((np.asarray(p) - np.asarray(y)) ** 2))


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pl.DataFrame:
    """Deciles of predicted probability: n, mean predicted, observed rate."""
    order = np.argsort(p, kind="stable")
    groups = np.array_split(order, bins)
    rows = [
        (
            i + 1,
            len(g),
            float(np.mean(p[g])) if len(g) else None,
            float(np.mean(y[g])) if len(g) else None,
        )
        for i, g in enumerate(groups)
    ]
    return pl.DataFrame(rows, schema=["decile", "n", "mean_predicted", "observed"], orient="row")
