"""Care (介護の負担, 姿・健康): rising levels, certified but no service, recent certification.

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id.
Service use (care_usage) arrives two months late: "no service" is judged only on
months whose claims are already known on T (the cut guarantees that).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.features.context import Context
from kizuki.features.household import LTC_INDEX


def _ltc_level_on(care: pl.LazyFrame, day: dt.date) -> pl.LazyFrame:
    t = pl.lit(day)
    valid = care.filter(
        (pl.col("kind") == "ltc")
        & (pl.col("valid_from") <= t)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > t))
    )
    return (
        valid.sort("valid_from")
        .group_by("person_id")
        .agg(
            level=pl.col("level")
            .cast(pl.String)
            .last()
            .replace_strict(LTC_INDEX, default=0, return_dtype=pl.Int32)
        )
    )


def build(ctx: Context) -> pl.LazyFrame | None:
    """ltc_rise_12m, certified_no_service_months, recent_certification."""
    if not ctx.has("care"):
        return None
    cfg = ctx.config
    care = ctx.tables["care"]
    members = ctx.members.select("household_id", "person_id")
    now = _ltc_level_on(care, ctx.as_of)
    y, mth = divmod(ctx.as_of.year * 12 + ctx.as_of.month - 1 - cfg.care_rise_window_months, 12)
    then = _ltc_level_on(care, dt.date(y, mth + 1, min(ctx.as_of.day, 28)))
    rise = now.join(then, on="person_id", how="left", suffix="_then").select(
        "person_id", rise=(pl.col("level") - pl.col("level_then").fill_null(0)).clip(0)
    )
    first = (
        care.filter(pl.col("kind") == "ltc")
        .group_by("person_id")
        .agg(first_cert=pl.col("valid_from").min())
    )
    recent_from = pl.lit(ctx.months_back(cfg.recent_certification_months - 1))
    per_person = (
        members.join(now, on="person_id", how="left")
        .join(rise, on="person_id", how="left")
        .join(first, on="person_id", how="left")
    )
    per_person = per_person.join(_no_service(ctx, now), on="person_id", how="left")
    return per_person.group_by("household_id").agg(
        ltc_rise_12m=pl.col("rise").fill_null(0).max().cast(pl.Int32),
        certified_no_service_months=pl.col("no_service").fill_null(0).max().cast(pl.Int32),
        recent_certification=(pl.col("first_cert") >= recent_from).fill_null(False).any(),
    )


def _no_service(ctx: Context, now: pl.LazyFrame) -> pl.LazyFrame:
    """Per person certified support1+ on T: how many of the last N known claim months had no service."""
    n = ctx.config.no_service_months
    certified = now.filter(pl.col("level") >= LTC_INDEX["support1"]).select("person_id")
    if not ctx.has("care_usage"):
        return certified.with_columns(no_service=pl.lit(None, pl.Int32))
    usage = ctx.tables["care_usage"]
    # the newest month whose claims are known on T (contract default: two months late)
    y, m = divmod(ctx.as_of.year * 12 + ctx.as_of.month - 1 - 2, 12)
    last_known = dt.date(y, m + 1, 1)
    if (
        dt.date(ctx.as_of.year + (ctx.as_of.month == 12), ctx.as_of.month % 12 + 1, 1)
        - dt.timedelta(days=1)
    ) != ctx.as_of:
        y, m = divmod(y * 12 + m - 1, 12)
        last_known = dt.date(y, m + 1, 1)
    ly, lm = divmod(last_known.year * 12 + last_known.month - 1 - (n - 1), 12)
    window_from = dt.date(ly, lm + 1, 1)
    used = (
        usage.filter(
            (pl.col("month") >= pl.lit(window_from))
            & (pl.col("month") <= pl.lit(last_known))
            & (pl.col("service_units") > 0)
        )
        .group_by("person_id")
        .agg(months_used=pl.col("month").n_unique().cast(pl.Int32))
    )
    return certified.join(used, on="person_id", how="left").select(
        "person_id", no_service=(pl.lit(n) - pl.col("months_used").fill_null(0)).cast(pl.Int32)
    )
