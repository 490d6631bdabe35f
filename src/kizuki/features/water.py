"""Water use against the household's own history (暮らしの変化).

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id.
A bi-monthly reading covers two months: it is spread evenly over both (and, by the
contract, known only at the end of the second month). Windows: ``water_recent_months``
(recent use), ``water_history_months`` (the household's usual use, in the name
``water_cv_12m``) and :data:`COUNT_MONTHS` (the low and flat month counts).
``water_per_person`` is derived from ``water_recent`` and ``n_members`` once the
household family is joined (its expression is declared here).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.calendar import month_start
from kizuki.features.config import FeatureConfig
from kizuki.features.context import Context
from kizuki.features.phrases import (
    fmt,
    last_en,
    months_en,
    pct_change,
    recent_ja,
    share_en,
    share_ja,
    span_ja,
)
from kizuki.features.spec import Family, Feature, NullPolicy

#: low and flat months are counted over this many months
COUNT_MONTHS = 6
M3 = ("utility", "water_m3")
KEEP = NullPolicy.KEEP_NULL


def _names(cfg: FeatureConfig) -> tuple[str, str, str]:
    c, h = COUNT_MONTHS, cfg.water_history_months
    return f"water_low_months_{c}m", f"water_flat_months_{c}m", f"water_cv_{h}m"


def declare(cfg: FeatureConfig) -> tuple[Feature, ...]:
    """The water family's features under ``cfg`` (``water_per_person`` derived)."""
    k, h, c = cfg.water_recent_months, cfg.water_history_months, COUNT_MONTHS
    low, flat, cv = _names(cfg)
    sja, sen = share_ja(cfg.water_low_share), share_en(cfg.water_low_share)
    return (
        Feature(
            "water_recent",
            (M3, ("utility", "period_months")),
            months_en(k),
            f"{recent_ja(k)}の月平均水道使用量（m³）",
            f"mean monthly water use, {last_en(k)} (m³)",
            "water_level",
            KEEP,
            phrase=fmt("月{v}m³", "{v} m³ a month", "float1", zero=("月0m³", "0 m³ a month")),
        ),
        Feature(
            "water_change_yoy",
            (M3,),
            f"{months_en(k)} vs a year before",
            f"水道使用量の前年同期比（{recent_ja(k)}）",
            f"water use, {last_en(k)} vs the same months a year before",
            "water_drop",
            KEEP,
            phrase=pct_change(
                f"水道使用量が{recent_ja(k)}で前年同期比",
                f"water use over {months_en(k)} vs a year ago",
                same=(
                    f"水道使用量が{recent_ja(k)}で前年同期とほぼ同じ",
                    f"water use over {months_en(k)} about as a year ago",
                ),
            ),
        ),
        Feature(
            "water_last_vs_median",
            (M3,),
            f"latest month vs {h}-month median",
            f"最新月の水道使用量の、その世帯の{span_ja(h)}の中央値との差",
            f"latest month's water use vs the household's {h}-month median",
            "water_drop",
            KEEP,
            phrase=pct_change(
                "最新月の水道使用量がふだんより",
                "latest water use vs usual",
                same=("最新月の水道使用量がふだんとほぼ同じ", "latest water use about as usual"),
            ),
        ),
        Feature(
            low,
            (M3,),
            months_en(c),
            f"{recent_ja(c)}で使用量がふだんの{sja}未満だった月数",
            f"months in the last {c} with use under {sen} of usual",
            "water_drop",
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT,
            phrase=fmt(
                f"ふだんの{sja}未満の月が{{v}}回",
                f"{{v}} months under {sen} of usual",
                zero=(f"ふだんの{sja}未満の月なし", f"no month under {sen} of usual"),
            ),
        ),
        Feature(
            "water_per_person",
            (M3, ("residents", "household_id")),
            months_en(k),
            f"1人あたりの月平均水道使用量（m³、{recent_ja(k)}）",
            f"mean monthly water use per member, {last_en(k)} (m³)",
            "water_level",
            KEEP,
            phrase=fmt(
                "1人あたり月{v}m³",
                "{v} m³ a month per member",
                "float1",
                zero=("1人あたり月0m³", "0 m³ a month per member"),
            ),
            derive=pl.when(pl.col("n_members") > 0).then(
                pl.col("water_recent") / pl.col("n_members")
            ),
        ),
        Feature(
            flat,
            (M3,),
            months_en(c),
            f"{recent_ja(c)}で使用量が前月とほぼ同じだった月数（動きのない暮らし・推定検針）",
            f"months in the last {c} with almost the same use as the month before (a flat line)",
            "water_drop",
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT,
            phrase=fmt(
                "使用量に動きのない月が{v}回",
                "{v} flat months",
                zero=("使用量に動きのない月なし", "no flat month"),
            ),
        ),
        Feature(
            cv,
            (M3,),
            months_en(h),
            f"水道使用量のばらつき（変動係数、{span_ja(h)}）",
            f"variability of water use (coefficient of variation, {months_en(h)})",
            "water_erratic",
            KEEP,
            phrase=fmt("使用量のばらつき{v}", "variability {v}", "pct"),
        ),
    )


def monthly_use(ctx: Context, since: dt.date) -> pl.LazyFrame:
    """household_id, month, m3, new_reading: monthly use from ``since`` on, bi-monthly rows
    split over their two months; ``new_reading`` is False for the second month of a
    bi-monthly reading (the same reading, halved: comparing it with the month before says
    nothing about the household).

    Rows are in month order (each household's months in order; households interleaved).
    """
    u = (
        ctx.tables["utility"]
        .filter(pl.col("month") >= pl.lit(month_start(since, -1)))
        .select("household_id", "month", "period_months", "water_m3")
    )
    first = u.select(
        "household_id",
        "month",
        (pl.col("water_m3") / pl.col("period_months")).alias("m3"),
        new_reading=pl.lit(True),
    )
    second = u.filter(pl.col("period_months") == 2).select(
        "household_id",
        pl.col("month").dt.offset_by("1mo").alias("month"),
        (pl.col("water_m3") / 2).alias("m3"),
        new_reading=pl.lit(False),
    )
    # sorted so that each household's months come in order (sums and means add up in one
    # order: identical floats on every run); (household, month) is unique here, so sorting
    # by month alone does that without sorting millions of text keys
    return (
        pl.concat([first, second])
        .filter(pl.col("month") >= pl.lit(since))
        .group_by("household_id", "month")
        .agg(pl.col("m3").sum(), pl.col("new_reading").any())
        .sort("month")
    )


def build(ctx: Context) -> pl.LazyFrame | None:
    """Recent use vs the same months a year before, drops, flat lines, erratic use."""
    if not ctx.has("utility"):
        return None
    cfg = ctx.config
    low, flat, cv = _names(cfg)
    k, h = cfg.water_recent_months, cfg.water_history_months

    def back(months: int) -> pl.Expr:
        return pl.lit(month_start(ctx.as_of, -months))

    use = monthly_use(ctx, month_start(ctx.as_of, -max(k + 12, h)))
    recent_from = back(k)
    prior_from, prior_to = back(k + 12), back(12)
    hist_from = back(h)
    count_from = back(COUNT_MONTHS)
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
            __new=pl.col("new_reading"),
        )
        .with_row_index("__hh")
    )
    # the counts over the last COUNT_MONTHS months, on the readings laid out household after
    # household (explode): the previous reading is the row before when it is the same
    # household's (the same comparisons as a per-group shift, without per-group work)
    mo, v, hh, new = pl.col("__month"), pl.col("__m3"), pl.col("__hh"), pl.col("__new")
    # a flat line: a month whose reading barely differs (per month) from the reading before
    # (no life in the home, or an estimated reading). The second month of a bi-monthly
    # reading is the same reading: it is flat when its reading is, never by itself
    same_as_before = (hh == hh.shift(1)) & ((v - v.shift(1)).abs() < cfg.water_flat_m3)
    flat_reading = pl.when(new).then(same_as_before).otherwise(
        (hh == hh.shift(1)) & same_as_before.shift(1)
    )
    counts = (
        agg.select("__hh", "water_median_12m", "__month", "__m3", "__new")
        .explode("__month", "__m3", "__new")
        .select(
            "__hh",
            low=(mo >= count_from) & (v < cfg.water_low_share * pl.col("water_median_12m")),
            flat=(mo >= count_from) & flat_reading.fill_null(False),
        )
        .group_by("__hh")
        .agg(
            pl.col("low").sum().cast(pl.Int32).alias(low),
            pl.col("flat").sum().cast(pl.Int32).alias(flat),
        )
    )
    agg = agg.drop("__month", "__m3", "__new").join(counts, on="__hh", how="left").drop("__hh")
    return agg.with_columns(
        pl.when(pl.col("mean") > 0).then(pl.col("std") / pl.col("mean")).alias(cv),
        water_change_yoy=pl.when(pl.col("water_prior_year") > 0).then(
            pl.col("water_recent") / pl.col("water_prior_year") - 1
        ),
        water_last_vs_median=pl.when(pl.col("water_median_12m") > 0).then(
            pl.col("water_last") / pl.col("water_median_12m") - 1
        ),
    ).drop("std", "mean", "water_last", "water_median_12m", "water_prior_year")


FAMILY = Family("water", declare, build)
