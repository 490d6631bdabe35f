"""Care (介護の負担, 姿・健康): rising levels, certified but no service, recent certification.

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id.
Service use (care_usage) arrives late (the contract's knowledge rule for care_usage,
``lag_months``): "no service" is judged only on months whose claims are already
known on T. Windows: ``care_rise_window_months`` (in the name ``ltc_rise_12m``),
``recent_certification_months`` and ``no_service_months``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.calendar import add_months, is_month_end, month_start
from kizuki.contract.schema import TABLES
from kizuki.features.config import FeatureConfig
from kizuki.features.context import Context
from kizuki.features.household import LTC_INDEX
from kizuki.features.phrases import fmt, months_en, span_ja
from kizuki.features.spec import Family, Feature, NullPolicy


def _rise_name(cfg: FeatureConfig) -> str:
    return f"ltc_rise_{cfg.care_rise_window_months}m"


def declare(cfg: FeatureConfig) -> tuple[Feature, ...]:
    """The care family's features under ``cfg``."""
    r, c, n = cfg.care_rise_window_months, cfg.recent_certification_months, cfg.no_service_months
    claims = "last known claim month" if n == 1 else f"last {n} known claim months"
    return (
        Feature(
            _rise_name(cfg),
            (("care", "level"),),
            months_en(r),
            f"この{span_ja(r)}で上がった要介護度の段階数",
            f"steps the care level rose in {months_en(r)}",
            "care_rising",
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT,
            phrase=fmt(
                f"介護度がこの{span_ja(r)}で{{v}}段階上昇",
                f"care level up {{v}} steps in {months_en(r)}",
                zero=(f"この{span_ja(r)}で介護度の上昇なし", f"care level not up in {months_en(r)}"),
            ),
        ),
        Feature(
            "recent_certification",
            (("care", "valid_from"),),
            months_en(c),
            f"最近{span_ja(c)}以内の初めての要介護認定",
            f"a first care certification within {months_en(c)}",
            "care_rising",
            NullPolicy.FALSE_WHEN_SOURCE_PRESENT,
            kind="bool",
            phrase=fmt(
                f"{span_ja(c)}以内に初めて要介護認定",
                f"first certified within {months_en(c)}",
                "bool",
                zero=(
                    f"{span_ja(c)}以内の初めての要介護認定なし",
                    f"no first certification within {months_en(c)}",
                ),
            ),
        ),
        Feature(
            "certified_no_service_months",
            (("care", "level"), ("care_usage", "service_units")),
            claims,
            "要支援以上の認定があるのにサービス利用のない月数（請求が届いた月のみ）",
            "months with no service used although certified (only months whose claims have arrived)",
            "no_service",
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT,
            phrase=fmt(
                "認定があるのに{v}か月サービス利用なし",
                "no service used for {v} months despite certification",
            ),
        ),
    )


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
    """ltc_rise_12m, certified_no_service_months, recent_certification (None without care).

    Households without rows are null here; the declared null policies fill them.
    """
    if not ctx.has("care"):
        return None
    cfg = ctx.config
    care = ctx.tables["care"]
    members = ctx.members.select("household_id", "person_id")
    now = _ltc_level_on(care, ctx.as_of)
    # the same day a window earlier (a month end stays a month end: 2026-03-31 -> 2025-03-31)
    then = _ltc_level_on(care, add_months(ctx.as_of, -cfg.care_rise_window_months))
    rise = now.join(then, on="person_id", how="left", suffix="_then").select(
        "person_id", rise=(pl.col("level") - pl.col("level_then").fill_null(0)).clip(0)
    )
    first = (
        care.filter(pl.col("kind") == "ltc")
        .group_by("person_id")
        .agg(first_cert=pl.col("valid_from").min())
    )
    recent_from = pl.lit(month_start(ctx.as_of, -(cfg.recent_certification_months - 1)))
    per_person = (
        members.join(now, on="person_id", how="left")
        .join(rise, on="person_id", how="left")
        .join(first, on="person_id", how="left")
    )
    per_person = per_person.join(_no_service(ctx, now), on="person_id", how="left")
    return per_person.group_by("household_id").agg(
        pl.col("rise").max().cast(pl.Int32).alias(_rise_name(cfg)),
        certified_no_service_months=pl.col("no_service").max().cast(pl.Int32),
        recent_certification=(pl.col("first_cert") >= recent_from).any(),
    )


def last_known_claim_month(as_of: dt.date) -> dt.date:
    """The newest service month whose claims are known on ``as_of`` under the contract default.

    A month's claims are known at the end of the month ``lag_months`` later
    (``TABLES["care_usage"].knowledge``): on a month end that is the month ``lag``
    months back, on any other day one month earlier still.
    """
    lag = TABLES["care_usage"].knowledge.lag_months
    return month_start(as_of, -lag if is_month_end(as_of) else -lag - 1)


def _no_service(ctx: Context, now: pl.LazyFrame) -> pl.LazyFrame:
    """Per person certified support1+ on T: how many of the last N known claim months had no
    service (null without a care_usage table)."""
    n = ctx.config.no_service_months
    certified = now.filter(pl.col("level") >= LTC_INDEX["support1"]).select("person_id")
    if not ctx.has("care_usage"):
        return certified.with_columns(no_service=pl.lit(None, pl.Int32))
    usage = ctx.tables["care_usage"]
    last_known = last_known_claim_month(ctx.as_of)
    window_from = month_start(last_known, -(n - 1))
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


FAMILY = Family("care", declare, build)
