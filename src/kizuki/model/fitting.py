"""From long training frames to fitted :class:`IssueModels`.

Per issue, the cohort rows of the training dates become a :class:`TrainSet`:

- weights from :func:`kizuki.model.selective.pu_weights` and targets from
  :func:`kizuki.model.selective.soft_targets` (selective labels);
- unlabelled rows are subsampled at ``negative_sample`` (seeded, per issue) and their
  weights divided by it, so the weighted class balance is unchanged while fitting is
  several times faster; confirmed cases and assessed negatives are always kept;
- the calibration dates give the early-stopping fold and the calibrator's rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kizuki.contract.schema import ISSUES
from kizuki.model.config import ModelConfig
from kizuki.model.dataset import Frames, column, issue_rows
from kizuki.model.lgbm import IssueModels, TrainSet, matrix
from kizuki.model.selective import pu_weights, soft_targets


def train_set(
    frames: Frames,
    issue: str,
    features: Sequence[str],
    *,
    alpha: float,
    negative_sample: float,
    seed: int,
    prior_cases: float = 0.0,
) -> TrainSet:
    """The weighted (and subsampled) training rows of one issue (see module docstring)."""
    rows = issue_rows(frames, issue)
    y = column(rows, "label")
    assessed = column(rows, "assessed")
    prior = column(rows, "checklist_score")
    w = pu_weights(y, assessed, prior, alpha)
    unlabelled = (y == 0) & (assessed == 0)
    y = soft_targets(y, assessed, prior, prior_cases)
    if negative_sample < 1.0:
        rng = np.random.default_rng([seed, ISSUES.index(issue)])
        keep = ~unlabelled | (rng.random(len(y)) < negative_sample)
        w = np.where(unlabelled, w / negative_sample, w)[keep]
        rows, y = rows.filter(keep), y[keep]
    return TrainSet(matrix(rows, features), y, w)


def calibration_set(frames: Frames, issue: str, features: Sequence[str]) -> TrainSet:
    """All cohort rows of one issue on the calibration dates, unweighted."""
    rows = issue_rows(frames, issue)
    return TrainSet(matrix(rows, features), column(rows, "label"))


def fit_models(
    train: Frames,
    calibration: Frames,
    features: Sequence[str],
    config: ModelConfig,
    *,
    alpha: float | None = None,
) -> IssueModels:
    """Fit one booster and one calibrator per issue. ``alpha`` overrides ``config.pu_alpha``
    (0 = every unlabelled household a full negative); with an override the weak-label
    prior is off too, so that ``alpha=0`` gives the plain model without selective-label handling."""
    a = config.pu_alpha if alpha is None else alpha
    prior_cases = config.prior_cases if alpha is None else 0.0
    seed = config.lightgbm.seed
    sets = {
        i: train_set(
            train, i, features, alpha=a, negative_sample=config.negative_sample, seed=seed,
            prior_cases=prior_cases,
        )
        for i in ISSUES
    }
    cal = {i: calibration_set(calibration, i, features) for i in ISSUES}
    return IssueModels(features, config).fit(sets, cal)
