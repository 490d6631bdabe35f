"""Children (子ども): absence and lateness against the child's own past, 長期欠席 pace, 就学援助.

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id
(the most worrying child of the household for each feature). Windows:
``school_windows_months`` (short, recent, year: in the names ``absence_rate_1m``,
``absence_rate_3m``, ``absence_rate_12m``, ``late_rate_3m``); ``long_absence_days``
is the 長期欠席 threshold quoted in the texts.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.calendar import month_start
from kizuki.features.config import FeatureConfig
from kizuki.features.context import Context
from kizuki.features.phrases import RISE, fmt, last_en, months_en, recent_ja, signed, span_ja
from kizuki.features.spec import Family, Feature, NullPolicy, no_phrase

AID = {"none": 0, "semi": 1, "full": 2}
ABSENT = ("school", "absent_days")
DAYS = ("school", "school_days")
KEEP = NullPolicy.KEEP_NULL


def _names(cfg: FeatureConfig) -> tuple[str, str, str, str]:
    w1, w3, w12 = cfg.school_windows_months
    return (
        f"absence_rate_{w1}m",
        f"absence_rate_{w3}m",
        f"absence_rate_{w12}m",
        f"late_rate_{w3}m",
    )


def _over_en(months: int) -> str:
    return "last month" if months == 1 else f"over {months_en(months)}"


def declare(cfg: FeatureConfig) -> tuple[Feature, ...]:
    """The school family's features under ``cfg`` (the year rate has no reason phrase:
    it is the child's own past that the shorter rates are read against)."""
    w1, w3, w12 = cfg.school_windows_months
    r1, r3, r12, late = _names(cfg)
    days = cfg.long_absence_days

    def rate(name: str, w: int, phrase: bool) -> Feature:
        return Feature(
            name,
            (ABSENT, DAYS),
            months_en(w),
            f"{recent_ja(w)}の欠席率（最も高い子）",
            f"absence rate, {last_en(w)} (highest child)",
            "absence",
            KEEP,
            phrase=fmt(
                f"{recent_ja(w)}の欠席率{{v}}",
                f"absent {{v}} of days {_over_en(w)}",
                "pct",
                zero=(f"{recent_ja(w)}の欠席率0%", f"absent 0% of days {_over_en(w)}"),
            )
            if phrase
            else no_phrase,
        )

    return (
        rate(r1, w1, True),
        rate(r3, w3, True),
        rate(r12, w12, False),
        Feature(
            "absence_trend",
            (ABSENT,),
            f"{w3} vs {w12} months",
            f"欠席率の上昇（{span_ja(w3)}と{span_ja(w12)}の差）",
            f"rise in absence ({w3}-month rate minus {w12}-month rate)",
            "absence",
            KEEP,
            # a change: its sign in words (欠席率がふだんより5%低下), never "-5%上昇"
            phrase=signed(
                "欠席率がふだんより{v}{dir}",
                "absence {dir} {v} on the child's own past",
                "pct",
                RISE,
                zero=("欠席率はふだんと同じ", "absence as in the child's own past"),
            ),
        ),
        Feature(
            late,
            (("school", "late_days"), DAYS),
            months_en(w3),
            f"{recent_ja(w3)}の遅刻・早退率",
            f"late or leaving early, {last_en(w3)}",
            "absence",
            KEEP,
            phrase=fmt(
                "遅刻・早退率{v}",
                "late or early {v} of days",
                "pct",
                zero=("遅刻・早退率0%", "late or early 0% of days"),
            ),
        ),
        Feature(
            "absent_days_school_year",
            (ABSENT,),
            "school year from April",
            "今年度の欠席日数（最も多い子）",
            "days absent this school year (highest child)",
            "long_absence",
            KEEP,
            phrase=fmt(
                "今年度の欠席{v}日",
                "{v} days absent this school year",
                zero=("今年度の欠席0日", "0 days absent this school year"),
            ),
        ),
        Feature(
            "long_absence_pace",
            (ABSENT, DAYS),
            "school year from April",
            f"このままの年間欠席日数の見込み（長期欠席は{days}日以上）",
            f"projected days absent over the school year ({days}+ is 長期欠席)",
            "long_absence",
            KEEP,
            phrase=fmt(
                "年間{v}日の欠席ペース",
                "on pace for {v} days absent",
                zero=("年間0日の欠席ペース", "on pace for 0 days absent"),
            ),
        ),
        Feature(
            "school_aid_level",
            (("school", "school_aid"),),
            "newest month",
            "就学援助（1 準要保護、2 要保護）",
            "school-cost aid (1 semi, 2 full)",
            "school_aid",
            KEEP,
            phrase=fmt(
                "就学援助（{v}）", "school aid ({v})", "aid", zero=("就学援助なし", "no school aid")
            ),
        ),
    )


def build(ctx: Context) -> pl.LazyFrame | None:
    """absence rates over 1/3/12 months, trend, lateness, days this school year, pace, aid."""
    if not ctx.has("school"):
        return None
    w1, w3, w12 = ctx.config.school_windows_months
    r1, r3, r12, late = _names(ctx.config)
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
        start = pl.lit(month_start(ctx.as_of, -k))
        days = since("school_days", start)
        return pl.when(days > 0).then(since(pl.col(col).fill_null(0), start) / days)

    per_child = s.group_by("person_id").agg(
        rate("absent_days", w1).alias(r1),
        rate("absent_days", w3).alias(r3),
        rate("absent_days", w12).alias(r12),
        rate("late_days", w3).alias(late),
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
        absence_trend=pl.col(r3) - pl.col(r12),
        long_absence_pace=pl.when(pl.col("school_days_school_year") > 0).then(
            pl.col("absent_days_school_year") / pl.col("school_days_school_year") * full_year
        ),
    )
    return (
        members.join(per_child, on="person_id", how="inner")
        .group_by("household_id")
        .agg(
            pl.col(r1).max(),
            pl.col(r3).max(),
            pl.col(r12).max(),
            pl.col(late).max(),
            absence_trend=pl.col("absence_trend").max(),
            absent_days_school_year=pl.col("absent_days_school_year").max().cast(pl.Int32),
            long_absence_pace=pl.col("long_absence_pace").max(),
            school_aid_level=pl.col("aid").max().cast(pl.Int32),
        )
    )


FAMILY = Family("school", declare, build)
