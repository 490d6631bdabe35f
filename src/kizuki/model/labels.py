"""Labels and cohorts (contract §2).

- label(h, i, T, H) = 1 when outcomes has (h, i, confirmed) opened in (T, T + H];
- cohort(i, T): households on T with no confirmed case of i opened on or before T
  (those are known cases, listed apart).
"""

from __future__ import annotations

import datetime as dt

import polars as pl


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (clamped to the month's last day; month ends stay month ends)."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    nxt = dt.date(y + (m == 11), (m + 1) % 12 + 1, 1)
    last = (nxt - dt.timedelta(days=1)).day
    if (day + dt.timedelta(days=1)).day == 1:  # a month end stays a month end
        return dt.date(y, m + 1, last)
    return dt.date(y, m + 1, min(day.day, last))


def known_cases(outcomes: pl.LazyFrame, as_of: dt.date) -> pl.DataFrame:
    """household_id, issue: confirmed cases opened on or before ``as_of``."""
    return (
        outcomes.filter(pl.col("confirmed") & (pl.col("opened_on") <= pl.lit(as_of)))
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .collect()
    )


def labels(
    outcomes: pl.LazyFrame, households: pl.DataFrame, as_of: dt.date, horizon_months: int
) -> pl.DataFrame:
    """household_id, issue, label (0/1) for every household in ``households`` × issue,
    restricted to the cohort (known cases on ``as_of`` removed).

    In: canonical outcomes; a frame with a ``household_id`` column (households on T).
    """
    from kizuki.contract.schema import ISSUES

    end = add_months(as_of, horizon_months)
    pos = (
        outcomes.filter(
            pl.col("confirmed")
            & (pl.col("opened_on") > pl.lit(as_of))
            & (pl.col("opened_on") <= pl.lit(end))
        )
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .with_columns(label=pl.lit(1, pl.Int8))
        .collect()
    )
    grid = households.select("household_id").join(
        pl.DataFrame({"issue": list(ISSUES)}), how="cross"
    )
    known = known_cases(outcomes, as_of)
    return (
        grid.join(known, on=["household_id", "issue"], how="anti")
        .join(pos, on=["household_id", "issue"], how="left")
        .with_columns(pl.col("label").fill_null(0))
    )
