"""Selective labels: a case record exists only where somebody noticed the need.

A household with no confirmed case is not a household without the need: it may be
one nobody looked at. Treating every unlabelled household as a negative teaches a
model who gets *noticed* (care users, people who ask) as much as who is *in need*.
Three measured remedies (see benchmarks/eval_models.py for the figures):

- **Positive-unlabelled weights** (:func:`pu_weights`): confirmed cases weigh 1;
  households assessed in the window and found without the need (``confirmed =
  false``) are real negatives and weigh 1; every other household is *unlabelled*
  and, as a negative, weighs ``1 - alpha * prior``, where the prior of hidden need is
  the 気づき checklist score (0–1). Households the checklist flags are likelier hidden
  positives, so they pull the model less towards "no need".
- **Weak-label prior** (:func:`soft_targets`): unlabelled households get a soft target
  from the checklist score, scaled so that the checklist contributes a fixed number of
  pseudo-cases. With few real cases (a rare issue, a village) the model then learns the
  checklist's ranking instead of nothing; with many, the real cases dominate.
- **Exploration share** (:func:`explore_at_capacity`): a share of each district's
  capacity goes, instead of to the model's next-ranked households, to the households
  the checklist flags most among those the model ranks low — a visit there either
  finds a need the records missed or yields a label where the model has none.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kizuki.errors import parameter_error


def pu_weights(
    label: np.ndarray, assessed: np.ndarray, prior: np.ndarray, alpha: float
) -> np.ndarray:
    """Per-row training weights (see module docstring).

    In: ``label`` (1 confirmed case in the window), ``assessed`` (1 assessed without the
    need), ``prior`` (checklist score 0–1), all length n; ``alpha`` in [0, 1].
    Out: weights, length n, in [1 - alpha, 1].
    """
    if not 0.0 <= alpha <= 1.0:
        raise parameter_error("alpha", "a float in [0, 1]", alpha)
    prior = np.clip(np.nan_to_num(np.asarray(prior, dtype=float), nan=0.0), 0.0, 1.0)
    unlabelled = (np.asarray(label) == 0) & (np.asarray(assessed) == 0)
    return np.where(unlabelled, 1.0 - alpha * prior, 1.0)


def soft_targets(
    label: np.ndarray, assessed: np.ndarray, prior: np.ndarray, prior_cases: float
) -> np.ndarray:
    """Training targets with the checklist as a weak-label prior of ``prior_cases`` pseudo-cases.

    Confirmed cases keep 1 and assessed negatives 0; an unlabelled household gets
    ``lam * prior`` with ``lam = min(1, prior_cases / sum(prior over unlabelled))``: the
    checklist spreads ``prior_cases`` expected hidden cases over the households it flags.
    Where real cases are few (a rare issue, a village), the prior carries the ranking;
    where they are many, it is outweighed. In: arrays of length n; out: targets in [0, 1].
    """
    label = np.asarray(label, dtype=float)
    prior = np.clip(np.nan_to_num(np.asarray(prior, dtype=float), nan=0.0), 0.0, 1.0)
    unlabelled = (label == 0) & (np.asarray(assessed) == 0)
    mass = float(prior[unlabelled].sum())
    lam = min(1.0, prior_cases / mass) if prior_cases > 0 and mass > 0 else 0.0
    return np.where(unlabelled, lam * prior, label)


def explore_at_capacity(frame: pl.DataFrame, capacity: pl.DataFrame, share: float) -> pl.Series:
    """Which rows a list with an exploration share would visit (Boolean Series, row order kept).

    In: ``frame`` with columns district, score (model), prior (checklist score), one row
    per household of one issue's cohort; ``capacity``: district, capacity. Per district
    with capacity c: the model's top ``c - e`` rows, plus the ``e = round(share * c)``
    rows with the highest prior among the rest (ties: higher model score first).
    """
    if not 0.0 <= share < 1.0:
        raise parameter_error("share", "a float in [0, 1)", share)
    f = (
        frame.select("district", "score", "prior")
        .with_row_index("_row")
        .join(
            capacity.select("district", "capacity"),
            on="district",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("capacity").fill_null(0))
        .with_columns(
            explore=(pl.col("capacity") * share).round().cast(pl.Int64),
            model_rank=pl.col("score").rank("ordinal", descending=True).over("district"),
        )
        .with_columns(exploit=pl.col("model_rank") <= pl.col("capacity") - pl.col("explore"))
    )
    rest = (
        f.filter(~pl.col("exploit"))
        .sort(["prior", "score", "_row"], descending=[True, True, False])
        .with_columns(prior_rank=pl.int_range(pl.len()).over("district") + 1)
        .filter(pl.col("prior_rank") <= pl.col("explore"))
        .select("_row")
    )
    chosen = pl.concat([f.filter(pl.col("exploit")).select("_row"), rest])["_row"]
    return f["_row"].is_in(chosen.implode()).alias("visited")
