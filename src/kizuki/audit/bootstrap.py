"""Household bootstrap of group metrics and their disparities against a reference group.

Households are resampled with replacement (N of N, seeded). A household contributes a
small vector of cells to its group (tp, fp, fn, tn; summed over issues for the
all-issues view), so households with the same group and vector are exchangeable: the
replicate counts of each distinct *pattern* are Multinomial(N, pattern share). Drawing
those counts is exactly the household bootstrap, at a cost set by the number of
patterns, not of households. Percentile intervals; replicates where a metric is
undefined (a zero denominator) are left out of that metric's interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from kizuki.audit.metrics import CELLS, METRICS, rates


def household_patterns(
    per_household: pl.DataFrame, group: str, groups: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (group, cells) patterns of households and how many households have each.

    In: one row per household with its cells (tp, fp, fn, tn, summed over the issues in
    scope) and its ``group``; ``groups``: the group order. Out: cells ``(P, 4)``, group
    index ``(P,)``, households ``(P,)``.
    """
    patterns = (
        per_household.group_by(group, *CELLS)
        .agg(pl.len().cast(pl.Int64).alias("households"))
        .sort(group, *CELLS)
    )
    index = {g: i for i, g in enumerate(groups)}
    gi = np.array([index[g] for g in patterns[group].to_list()], dtype=np.int64)
    return patterns.select(CELLS).to_numpy().astype(np.int64), gi, patterns["households"].to_numpy()


def one_hot_patterns(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Patterns when every household has one row (one issue): each of a group's four cells
    is a pattern whose households are the cell's count. In: cells ``(G, 4)``."""
    n_groups = cells.shape[0]
    pats = np.tile(np.eye(4, dtype=np.int64), (n_groups, 1))
    gi = np.repeat(np.arange(n_groups, dtype=np.int64), 4)
    return pats, gi, cells.reshape(-1).astype(np.int64)


def bootstrap_cells(
    cells: np.ndarray,
    group_index: np.ndarray,
    households: np.ndarray,
    n_groups: int,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Replicate cells per group: ``(replicates, n_groups, 4)`` (see module docstring)."""
    total = int(households.sum())
    if total == 0:
        return np.zeros((replicates, n_groups, 4), dtype=np.int64)
    draws = rng.multinomial(total, households / total, size=replicates)  # (B, P)
    design = np.zeros((cells.shape[0], n_groups * 4), dtype=np.int64)
    for c in range(4):
        design[np.arange(cells.shape[0]), group_index * 4 + c] = cells[:, c]
    return (draws @ design).reshape(replicates, n_groups, 4)


def _percentiles(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Per column of ``(B, G)``, the central ``level`` interval of the finite values
    (linear interpolation between order statistics; NaN for a column with none)."""
    v = np.where(np.isfinite(values), values, np.inf)
    v = np.sort(v, axis=0)  # finite values first, the undefined (inf) last
    k = np.isfinite(v).sum(axis=0)  # finite replicates per column
    out = []
    for q in ((1 - level) / 2, 1 - (1 - level) / 2):
        pos = q * np.maximum(k - 1, 0)
        lo_i = np.floor(pos).astype(np.int64)
        hi_i = np.minimum(lo_i + 1, np.maximum(k - 1, 0))
        a = np.take_along_axis(v, lo_i[None, :], axis=0)[0]
        b = np.take_along_axis(v, hi_i[None, :], axis=0)[0]
        with np.errstate(invalid="ignore"):
            val = a + (b - a) * (pos - lo_i)
        out.append(np.where(k > 0, val, np.nan))
    return out[0], out[1]


def disparities(
    point: np.ndarray, replicates: np.ndarray, reference: int, level: float
) -> dict[str, dict[str, np.ndarray]]:
    """Per metric: value, its interval, difference and ratio to the reference group with
    intervals. In: point cells ``(G, 4)``, replicate cells ``(B, G, 4)``, the reference
    group's index. Out: metric -> {value, low, high, diff, diff_low, diff_high, ratio,
    ratio_low, ratio_high}, each ``(G,)`` (NaN where undefined)."""
    p = rates(point)
    b = rates(replicates)
    out: dict[str, dict[str, np.ndarray]] = {}
    for m in METRICS:
        v, bv = p[m], b[m]
        with np.errstate(all="ignore"):
            diff, bdiff = v - v[reference], bv - bv[:, [reference]]
            ratio = np.where(v[reference] > 0, v / v[reference], np.nan)
            bratio = np.where(bv[:, [reference]] > 0, bv / bv[:, [reference]], np.nan)
        lo, hi = _percentiles(bv, level)
        dlo, dhi = _percentiles(bdiff, level)
        rlo, rhi = _percentiles(bratio, level)
        out[m] = {
            "value": v,
            "low": lo,
            "high": hi,
            "diff": diff,
            "diff_low": dlo,
            "diff_high": dhi,
            "ratio": ratio,
            "ratio_low": rlo,
            "ratio_high": rhi,
        }
    return out
