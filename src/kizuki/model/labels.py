"""Labels and cohorts (contract §2).

- label(h, i, T, H) = 1 when outcomes has (h, i, confirmed = true) opened in (T, T + H];
- cohort(i, T): households on T with no confirmed case of i opened on or before T
  (those are known cases, listed apart, never labelled);
- assessed(h, i, T, H) = 1 when outcomes has (h, i, confirmed = false) opened in
  (T, T + H] and no confirmed one: somebody looked and found no such need. The
  selective-labels weighting treats these as real negatives, unlike households
  nobody looked at (see :mod:`kizuki.model.selective`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.calendar import add_months
from kizuki.contract.schema import ISSUES


def _issues(issue: str | None) -> list[str]:
    if issue is None:
        return list(ISSUES)
    if issue not in ISSUES:
        from kizuki.errors import ContractError

        raise ContractError(
            f"The 'issue' parameter must be one of the contract's issue codes; got {issue!r}"
        )
    return [issue]


def known_cases(outcomes: pl.LazyFrame, as_of: dt.date) -> pl.DataFrame:
    """household_id, issue: confirmed cases opened on or before ``as_of`` (unique pairs)."""
    return (
        outcomes.filter(pl.col("confirmed") & (pl.col("opened_on") <= pl.lit(as_of)))
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .collect()
    )


def cohort(
    outcomes: pl.LazyFrame, households: pl.DataFrame, as_of: dt.date, issue: str | None = None
) -> pl.DataFrame:
    """household_id, issue: the cohort of each issue (or of ``issue`` alone) on ``as_of``.

    In: canonical outcomes; a frame with a ``household_id`` column (households on T, one
    row each). Out: one row per (household, issue) with no confirmed case of that issue
    opened on or before T, in the order of ``households``.
    """
    grid = households.select("household_id").join(
        pl.DataFrame({"issue": _issues(issue)}), how="cross", maintain_order="left_right"
    )
    return grid.join(
        known_cases(outcomes, as_of),
        on=["household_id", "issue"],
        how="anti",
        maintain_order="left",
    )


def labels(
    outcomes: pl.LazyFrame,
    households: pl.DataFrame,
    as_of: dt.date,
    horizon_months: int,
    issue: str | None = None,
) -> pl.DataFrame:
    """household_id, issue, label (Int8 0/1), assessed (Int8 0/1) for the cohort rows.

    In: canonical outcomes; households on T (``household_id``). Out: one row per cohort
    (household, issue) (see :func:`cohort`); ``label`` per contract §2; ``assessed`` = 1
    when the window holds an unconfirmed assessment and no confirmed case.
    """
    end = add_months(as_of, horizon_months)
    window = outcomes.filter(
        (pl.col("opened_on") > pl.lit(as_of)) & (pl.col("opened_on") <= pl.lit(end))
    )
    seen = (
        window.group_by("household_id", pl.col("issue").cast(pl.String))
        .agg(
            label=pl.col("confirmed").any().cast(pl.Int8),
            assessed=(~pl.col("confirmed")).any().cast(pl.Int8),
        )
        .with_columns(assessed=pl.when(pl.col("label") == 1).then(0).otherwise(pl.col("assessed")))
        .collect()
    )
    return (
        cohort(outcomes, households, as_of, issue)
        .join(seen, on=["household_id", "issue"], how="left", maintain_order="left")
        .with_columns(
            pl.col("label").fill_null(0).cast(pl.Int8),
            pl.col("assessed").fill_null(0).cast(pl.Int8),
        )
    )
