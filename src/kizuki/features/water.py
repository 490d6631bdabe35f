"""Water use against the household's own history (暮らしの変化).

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id.
A bi-monthly reading covers two months: it is spread evenly over both (and, by the
contract, known only at the end of the second month).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.features.context import Context


def monthly_use(ctx: Context, since: dt.date) -> pl.LazyFrame:
    """household_id, month, m3: monthly use from ``since`` on, bi-monthly rows split over their two months.

    Rows are in month order (each household's months in order; households interleaved).
    """
    u = (
        ctx.tables["utility"]
        .filter(pl.col("month") >= pl.lit(add_months_first(since, -1)))
        .select("household_id", "month", "period_months", "water_m3")
    )
    first = u.select(
        "household_id", "month", (pl.col("water_m3") / pl.col("period_months")).alias("m3")
    )
    second = u.filter(pl.col("period_months") == 2).select(
        "household_id",
        pl.col("month").dt.offset_by("1mo").alias("month"),
        (pl.col("water_m3") / 2).alias("m3"),
    )
    # sorted so that each household's months come in order (sums and means add up in one
    # order: identical floats on every run); (household, month) is unique here, so sorting
    # by month alone does that without sorting millions of text keys
    return (
        pl.concat([first, second])
        .filter(pl.col("month") >= pl.lit(since))
        .group_by("household_id", "month")
        .agg(pl.col("m3").sum())
        .sort("month")
    )


def add_months_first(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after the month of ``day``."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, 1)


def build(ctx: Context) -> pl.LazyFrame | None:
    """Recent use vs the same months a year before, per person, drops, flat lines, erratic use."""
    if not ctx.has("utility"):
        return None
    cfg = ctx.config
    k, h = cfg.water_recent_months, cfg.water_history_months
    use = monthly_use(ctx, ctx.months_back(max(k + 12, h)))
    recent_from = pl.lit(ctx.months_back(k))
    prior_from, prior_to = pl.lit(ctx.months_back(k + 12)), pl.lit(ctx.months_back(12))
    hist_from = pl.lit(ctx.months_back(h))
    six = pl.lit(ctx.months_back(6))
    month, m3 = pl.col("month"), pl.col("m3")
    hist = m3.filter(month >= hist_from)
    # monthly_use is in month order: one grouped pass (keeping each household's rows in
    # order) computes the means, the median and the spread, and hands each household's
    # months and readings on as lists for the two counts below
    agg = (
        use.group_by("household_id", maintain_order=True)
        .agg(
            water_recent=m3.filter(month >= recent_from).mean(),
            water_prior_year=m3.filter((month >= prior_from) & (month < prior_to)).mean(),
            water_median_12m=hist.median(),
            std=hist.std(),
            mean=hist.mean(),
            water_last=m3.last(),
            __month=month,
            __m3=m3,
        )
        .with_row_index("__hh")
    )
    # the counts over the last 6 months, on the readings laid out household after
    # household (explode): the previous reading is the row before when it is the same
    # household's (the same comparisons as a per-group shift, without per-group work)
    mo, v, hh = pl.col("__month"), pl.col("__m3"), pl.col("__hh")
    counts = (
        agg.select("__hh", "water_median_12m", "__month", "__m3")
        .explode("__month", "__m3")
        .select(
            "__hh",
            low=(mo >= six) & (v < cfg.water_low_share * pl.col("water_median_12m")),
            # a flat line: consecutive months whose readings barely differ (no life in the
            # home, or an estimated reading)
            flat=(mo >= six) & (hh == hh.shift(1)) & ((v - v.shift(1)).abs() < cfg.water_flat_m3),
        )
        .group_by("__hh")
        .agg(
            water_low_months_6m=pl.col("low").sum().cast(pl.Int32),
            water_flat_months_6m=pl.col("flat").sum().cast(pl.Int32),
        )
    )
    agg = agg.drop("__month", "__m3").join(counts, on="__hh", how="left").drop("__hh")
    return agg.with_columns(
        water_change_yoy=pl.when(pl.col("water_prior_year") > 0).then(
            pl.col("water_recent") / pl.col("water_prior_year") - 1
        ),
        water_last_vs_median=pl.when(pl.col("water_median_12m") > 0).then(
            pl.col("water_last") / pl.col("water_median_12m") - 1
        ),
        water_cv_12m=pl.when(pl.col("mean") > 0).then(pl.col("std") / pl.col("mean")),
    ).drop("std", "mean", "water_last", "water_median_12m", "water_prior_year")
