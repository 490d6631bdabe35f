"""Top reasons: the checklist items that pushed a household's score up the most.

A reason is a 気づき checklist item whose summed contribution (see
:mod:`kizuki.explain.contributions`) is positive. Per (household, issue) the
``k`` largest are kept; per household, across the issues it is listed for, each
item's contributions are added over those issues (an item that supports two of the
household's needs counts for both) and the ``k`` largest are kept.
"""

from __future__ import annotations

import polars as pl

from kizuki.explain.contributions import OTHER_ITEM

ISSUE_REASON_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "issue": pl.String,
        "rank": pl.Int64,
        "item": pl.String,
        "contribution": pl.Float64,
    }
)
HOUSEHOLD_REASON_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "rank": pl.Int64,
        "item": pl.String,
        "contribution": pl.Float64,
        "issues": pl.List(pl.String),
    }
)


def _positive(item_contrib: pl.DataFrame) -> pl.LazyFrame:
    return item_contrib.lazy().filter((pl.col("contribution") > 0) & (pl.col("item") != OTHER_ITEM))


def top_reasons_by_issue(item_contrib: pl.DataFrame, k: int = 3) -> pl.DataFrame:
    """The ``k`` items with the largest positive contribution per (household, issue).

    In: ``household_id, issue, item, contribution``. Out: :data:`ISSUE_REASON_SCHEMA`,
    ``rank`` 1 = strongest, ties broken by item id; fewer than ``k`` rows when fewer
    items pushed the score up.
    """
    return (
        _positive(item_contrib)
        .sort(
            ["household_id", "issue", "contribution", "item"],
            descending=[False, False, True, False],
        )
        .with_columns(
            rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("household_id", "issue")
        )
        .filter(pl.col("rank") <= k)
        .select(list(ISSUE_REASON_SCHEMA.names()))
        .collect()
        .cast(dict(ISSUE_REASON_SCHEMA))
    )


def top_reasons_by_household(item_contrib: pl.DataFrame, k: int = 3) -> pl.DataFrame:
    """The ``k`` strongest items per household over all the issues given for it.

    In: ``household_id, issue, item, contribution`` restricted to the issues each
    household is listed for. Out: :data:`HOUSEHOLD_REASON_SCHEMA`: the item's
    contributions summed over those issues, and ``issues``: the issues where the item
    pushed the score up (sorted).
    """
    return (
        item_contrib.lazy()
        .filter(pl.col("item") != OTHER_ITEM)
        .sort("household_id", "item", "issue")
        .group_by("household_id", "item", maintain_order=True)
        .agg(
            pl.col("contribution").sum(),
            issues=pl.col("issue").filter(pl.col("contribution") > 0),
        )
        .filter(pl.col("contribution") > 0)
        .sort(["household_id", "contribution", "item"], descending=[False, True, False])
        .with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("household_id"))
        .filter(pl.col("rank") <= k)
        .select(list(HOUSEHOLD_REASON_SCHEMA.names()))
        .collect()
        .cast(dict(HOUSEHOLD_REASON_SCHEMA))
    )
