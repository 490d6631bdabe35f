"""Baselines the model must beat: the 気づき checklist and the best single feature.

- checklist: the transparent rule score (``checklist_score``, 0–1) already joined to
  every cohort row by :func:`kizuki.model.dataset.issue_rows`;
- single feature: per issue, the one model input (and direction) with the highest
  average precision against case labels on the *training* period, then applied
  unchanged to the validation period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from kizuki.model.metrics import average_precision

#: the score of a missing value: below every real value
_LAST = -np.finfo(np.float64).max


def _signed(v: np.ndarray, sign: float) -> np.ndarray:
    return np.where(np.isnan(v), _LAST, sign * np.nan_to_num(v))


@dataclass(frozen=True)
class SingleFeature:
    """One feature used as a score: ``sign * value`` (nulls rank last)."""

    feature: str
    sign: float
    train_ap: float | None

    def score(self, rows: pl.DataFrame) -> np.ndarray:
        """Scores for the rows of a frame that has the feature column (length n)."""
        v = rows[self.feature].cast(pl.Float64).to_numpy()
        return _signed(v, self.sign)

    @property
    def name(self) -> str:
        """Scorer name in evaluation tables: ``single:<feature>`` (``-`` prefix when reversed)."""
        return f"single:{'' if self.sign > 0 else '-'}{self.feature}"


def best_single_feature(
    rows: pl.DataFrame, features: Sequence[str], label: str = "label"
) -> SingleFeature:
    """The feature and direction with the highest AP for ``label`` over ``rows``.

    In: cohort rows of one issue on the training dates (label + feature columns).
    One AP per feature and direction: a few dozen vectorised passes, not per row.
    """
    y = rows[label].to_numpy()
    best = SingleFeature(features[0], 1.0, None)
    for f in features:
        v = rows[f].cast(pl.Float64).to_numpy()
        for sign in (1.0, -1.0):
            ap = average_precision(y, _signed(v, sign))
            if ap is not None and (best.train_ap is None or ap > best.train_ap):
                best = SingleFeature(f, sign, ap)
    return best
