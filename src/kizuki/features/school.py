"""Children (子ども): absence and lateness against the child's own past, 長期欠席 pace, 就学援助.

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id
(the most worrying child of the household for each feature).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.features.context import Context

AID = {"none": 0, "semi": 1, "full": 2}


def build(ctx: Context) -> pl.LazyFrame | None:
    """absence rates over 1/3/12 months, trend, lateness, days this school year, pace, aid."""
    if not ctx.has("school"):
        return None
    w1, w3, w12 = ctx.config.school_windows_months
    s = ctx.tables["school"]
    members = ctx.members.select("household_id", "person_id")
    sy = ctx.as_of.year if ctx.as_of.month >= 4 else ctx.as_of.year - 1
    sy_start = pl.lit(dt.date(sy, 4, 1))
    month = pl.col("month")

    # windowed sums as sums of masked columns (nulls are skipped): the same integer sums as
    # filtering inside each group, in one vectorised pass
    def since(col: str | pl.Expr, start: pl.Expr) -> pl.Expr:
        c = pl.col(col) if isinstance(col, str) else col
        return pl.when(month >= start).then(c).sum()

    def rate(col: str, k: int) -> pl.Expr:
        start = pl.lit(ctx.months_back(k))
        days = since("school_days", start)
        return pl.when(days > 0).then(since(pl.col(col).fill_null(0), start) / days)

    per_child = s.group_by("person_id").agg(
        absence_rate_1m=rate("absent_days", w1),
        absence_rate_3m=rate("absent_days", w3),
        absence_rate_12m=rate("absent_days", w12),
        late_rate_3m=rate("late_days", w3),
        absent_days_school_year=since("absent_days", sy_start),
        school_days_school_year=since("school_days", sy_start),
        aid=pl.col("school_aid")
        .cast(pl.String)
        .sort_by(month)
        .last()
        .replace_strict(AID, default=None, return_dtype=pl.Int32),
    )
    full_year = 200.0
    per_child = per_child.with_columns(
        absence_trend=pl.col("absence_rate_3m") - pl.col("absence_rate_12m"),
        long_absence_pace=pl.when(pl.col("school_days_school_year") > 0).then(
            pl.col("absent_days_school_year") / pl.col("school_days_school_year") * full_year
        ),
    )
    return (
        members.join(per_child, on="person_id", how="inner")
        .group_by("household_id")
        .agg(
            absence_rate_1m=pl.col("absence_rate_1m").max(),
            absence_rate_3m=pl.col("absence_rate_3m").max(),
            absence_rate_12m=pl.col("absence_rate_12m").max(),
            absence_trend=pl.col("absence_trend").max(),
            late_rate_3m=pl.col("late_rate_3m").max(),
            absent_days_school_year=pl.col("absent_days_school_year").max().cast(pl.Int32),
            long_absence_pace=pl.col("long_absence_pace").max(),
            school_aid_level=pl.col("aid").max().cast(pl.Int32),
        )
    )
