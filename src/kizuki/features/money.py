"""Money and payments (お金・支払い): resident tax and water-bill arrears (two families).

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id.
Tax: each adult's newest fiscal year known on T. Water: billing rows known on T.
Each family's :func:`declare_*` lists the features its builder computes.
"""

from __future__ import annotations

import polars as pl

from kizuki.calendar import month_start
from kizuki.features.config import FeatureConfig
from kizuki.features.context import Context
from kizuki.features.phrases import GROWTH, fmt, months_en, recent_ja, signed, span_ja
from kizuki.features.spec import Family, Feature, NullPolicy

#: growth of the unpaid water balance is measured over this many months
UNPAID_GROWTH_MONTHS = 3
#: stop notices are counted over this many months
STOP_NOTICE_MONTHS = 12
_FY = "newest fiscal year known on T"
KEEP = NullPolicy.KEEP_NULL


def declare_tax(cfg: FeatureConfig) -> tuple[Feature, ...]:
    """The tax family's features (no configured window: each adult's newest fiscal year)."""
    return (
        Feature(
            "n_adults_not_filed",
            (("tax", "filed"),),
            _FY,
            "所得の申告がない成人の数",
            "adults with no income declaration",
            "no_declaration",
            KEEP,
            phrase=fmt(
                "申告のない成人{v}人",
                "{v} adults with no declaration",
                zero=("成人全員が申告済み", "every adult has declared"),
            ),
        ),
        Feature(
            "all_adults_nontaxable",
            (("tax", "taxable"),),
            _FY,
            "成人全員が住民税非課税",
            "every adult exempt from resident tax",
            "nontaxable",
            KEEP,
            kind="bool",
            phrase=fmt(
                "世帯全員が住民税非課税",
                "every adult tax-exempt",
                "bool",
                zero=("住民税が課税されている成人がいる", "an adult pays resident tax"),
            ),
        ),
        Feature(
            "household_income_yen",
            (("tax", "income_total"),),
            _FY,
            "世帯の合計所得金額",
            "household total income",
            "nontaxable",
            KEEP,
            phrase=fmt(
                "世帯の合計所得{v}",
                "household income {v}",
                "yen",
                zero=("世帯の合計所得0円", "household income ¥0"),
            ),
        ),
        Feature(
            "tax_arrears_yen",
            (("tax", "arrears_yen"),),
            _FY,
            "住民税の滞納額（世帯合計）",
            "resident-tax arrears (household)",
            "tax_arrears",
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT,
            phrase=fmt(
                "住民税滞納{v}", "tax arrears {v}", "yen", zero=("住民税の滞納なし", "no tax arrears")
            ),
        ),
        Feature(
            "middle_member_no_income",
            (("tax", "income_total"), ("tax", "filed"), ("residents", "birth_month")),
            _FY,
            "40〜64歳の世帯員に所得・申告がない",
            "a member aged 40-64 with no income or no declaration",
            "pair_8050",
            KEEP,
            kind="bool",
            phrase=fmt(
                "40〜64歳の家族に所得・申告なし",
                "a 40-64 member with no income or declaration",
                "bool",
                zero=(
                    "所得・申告のない40〜64歳の家族はいない",
                    "no 40-64 member without income or declaration",
                ),
            ),
        ),
    )


def tax_features(ctx: Context) -> pl.LazyFrame | None:
    """Non-taxable, undeclared, arrears, the 8050 child's income (None without a tax table)."""
    if not ctx.has("tax"):
        return None
    a = ctx.config.age
    # (person, fiscal year) is the table's key: the newest year's row, taken per person
    newest = ctx.tables["tax"].group_by("person_id").agg(pl.all().sort_by("fiscal_year").last())
    adults = ctx.members.filter(pl.col("age") >= 18).join(newest, on="person_id", how="left")
    middle = (pl.col("age") >= a.middle_from) & (pl.col("age") <= a.middle_to)
    no_income = (
        (~pl.col("filed").fill_null(False))
        | (pl.col("income_total").fill_null(0) <= 0)
        | (pl.col("main_income") == "none")
    )
    return adults.group_by("household_id").agg(
        n_adults_not_filed=(~pl.col("filed")).sum().cast(pl.Int32),
        all_adults_nontaxable=(~pl.col("taxable")).all() & pl.col("taxable").is_not_null().all(),
        household_income_yen=pl.col("income_total").sum(),
        tax_arrears_yen=pl.col("arrears_yen").fill_null(0).sum(),
        middle_member_no_income=(middle & no_income).any(),
    )


def _payment_names() -> tuple[str, str]:
    return f"unpaid_growth_{UNPAID_GROWTH_MONTHS}m", f"stop_notices_{STOP_NOTICE_MONTHS}m"


def declare_water_payment(cfg: FeatureConfig) -> tuple[Feature, ...]:
    """The water-payment family's features (windows: :data:`UNPAID_GROWTH_MONTHS`,
    :data:`STOP_NOTICE_MONTHS`)."""
    g, s = UNPAID_GROWTH_MONTHS, STOP_NOTICE_MONTHS
    growth, stops = _payment_names()
    return (
        Feature(
            "unpaid_yen_latest",
            (("utility", "unpaid_yen"),),
            "newest bill known on T",
            "水道料金の未納額（最新）",
            "unpaid water balance (latest)",
            "water_arrears",
            KEEP,
            phrase=fmt(
                "水道料金の未納{v}",
                "unpaid water bill {v}",
                "yen",
                zero=("水道料金の未納なし", "no unpaid water bill"),
            ),
        ),
        Feature(
            growth,
            (("utility", "unpaid_yen"),),
            months_en(g),
            f"水道料金の未納額の{span_ja(g)}での増加",
            f"growth of the unpaid water balance over {months_en(g)}",
            "water_arrears",
            KEEP,
            # a change: its sign in words (未納が3か月で7,295円減少), never "-7,295円増加"
            phrase=signed(
                f"未納が{span_ja(g)}で{{v}}{{dir}}",
                f"unpaid {{dir}} {{v}} in {months_en(g)}",
                "yen",
                GROWTH,
                zero=(f"未納は{span_ja(g)}で増減なし", f"unpaid unchanged over {months_en(g)}"),
            ),
        ),
        Feature(
            stops,
            (("utility", "stop_notice"),),
            months_en(s),
            f"{recent_ja(s)}の給水停止予告の回数",
            f"water stop notices in {months_en(s)}",
            "water_arrears",
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT,
            phrase=fmt(
                "給水停止予告{v}回",
                "{v} stop notices",
                zero=(f"{recent_ja(s)}の給水停止予告なし", f"no stop notice in {months_en(s)}"),
            ),
        ),
    )


def water_payment_features(ctx: Context) -> pl.LazyFrame | None:
    """Unpaid water balance now, its growth, stop notices (None without a utility table)."""
    if not ctx.has("utility"):
        return None
    growth, stops = _payment_names()
    u = ctx.tables["utility"]
    since_growth = pl.lit(month_start(ctx.as_of, -UNPAID_GROWTH_MONTHS))
    since_stops = pl.lit(month_start(ctx.as_of, -STOP_NOTICE_MONTHS))
    month, unpaid = pl.col("month"), pl.col("unpaid_yen")
    # (household, month) is the table's key: "the row of the newest month" is well defined,
    # and taking it per group (sort_by(...).last()) avoids sorting the whole table by month
    upto = pl.when(month <= since_growth)
    return (
        u.group_by("household_id")
        .agg(
            unpaid_yen_latest=unpaid.sort_by(month).last(),
            # the newest bill at least UNPAID_GROWTH_MONTHS old (null when there is none:
            # rows after it have a null sort key, and nulls sort first)
            unpaid_then=upto.then(unpaid).sort_by(upto.then(month)).last(),
            stop_notices=(pl.col("stop_notice").fill_null(False) & (month >= since_stops))
            .sum()
            .cast(pl.Int32),
        )
        .select(
            "household_id",
            "unpaid_yen_latest",
            (pl.col("unpaid_yen_latest") - pl.col("unpaid_then").fill_null(0)).alias(growth),
            pl.col("stop_notices").alias(stops),
        )
    )


TAX = Family("tax", declare_tax, tax_features)
WATER_PAYMENT = Family("water_payment", declare_water_payment, water_payment_features)
