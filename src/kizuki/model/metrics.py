"""Ranking and calibration metrics at the outreach capacity.

The list an outreach team visits is per district: each district's top ``capacity``
households for an issue (configs/shortlist.yaml). Precision and recall "at k" are
computed on exactly that selection (k = the sum of the district capacities).
"""

from __future__ import annotations

import numpy as np
import polars as pl


def average_precision(y: np.ndarray, s: np.ndarray) -> float | None:
    """Average precision of scores ``s`` for 0/1 labels ``y`` (None when there is no positive)."""
    y = np.asarray(y)
    if y.size == 0 or np.sum(y) == 0:
        return None
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, np.asarray(s, dtype=float)))


def top_per_district(district: pl.Series, score: np.ndarray, capacity: pl.DataFrame) -> np.ndarray:
    """Boolean mask: the rows within their district's capacity by descending score.

    In: district per row (length n), score (length n), capacity frame (district,
    capacity). Ties are broken by row position (household ids are pseudonymous hashes,
    so their order carries no information). Out: bool array, length n.
    """
    f = pl.DataFrame({"district": district, "score": np.asarray(score, dtype=float)}).join(
        capacity.select("district", "capacity"), on="district", how="left", maintain_order="left"
    )
    mask = f.select(
        pl.col("score").rank("ordinal", descending=True).over("district")
        <= pl.col("capacity").fill_null(0)
    ).to_series()
    return mask.to_numpy()


def at_capacity(y: np.ndarray, visited: np.ndarray) -> tuple[float | None, float | None]:
    """(precision, recall) of a visit list given as a boolean mask over rows."""
    y = np.asarray(y)
    n = int(np.sum(visited))
    hits = float(np.sum(y[visited]))
    pos = float(np.sum(y))
    return (hits / n if n else None), (hits / pos if pos else None)


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared error of probabilities ``p`` against 0/1 labels ``y``."""
    return float(np.mean((np.asarray(p, dtype=float) - np.asarray(y, dtype=float)) ** 2))


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pl.DataFrame:
    """Deciles of predicted probability (equal counts, by rank).

    Out: one row per bin: decile (1 = lowest), n, mean_predicted, observed (label rate).
    """
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
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
    return pl.DataFrame(
        rows,
        schema={
            "decile": pl.Int64,
            "n": pl.Int64,
            "mean_predicted": pl.Float64,
            "observed": pl.Float64,
        },
        orient="row",
    )
