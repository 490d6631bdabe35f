"""Money and payments (お金・支払い): resident tax and water-bill arrears.

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id.
Tax: each adult's newest fiscal year known on T. Water: billing rows known on T.
"""

from __future__ import annotations

import polars as pl

from kizuki.features.context import Context


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


def water_payment_features(ctx: Context) -> pl.LazyFrame | None:
    """Unpaid water balance now, its growth over 3 months, stop notices in 12 months."""
    if not ctx.has("utility"):
        return None
    u = ctx.tables["utility"]
    since3 = pl.lit(ctx.months_back(3))
    since12 = pl.lit(ctx.months_back(12))
    month, unpaid = pl.col("month"), pl.col("unpaid_yen")
    # (household, month) is the table's key: "the row of the newest month" is well defined,
    # and taking it per group (sort_by(...).last()) avoids sorting the whole table by month
    upto3 = pl.when(month <= since3)
    return (
        u.group_by("household_id")
        .agg(
            unpaid_yen_latest=unpaid.sort_by(month).last(),
            # the newest bill at least 3 months old (null when there is none: rows after
            # since3 have a null sort key, and nulls sort first)
            unpaid_then=upto3.then(unpaid).sort_by(upto3.then(month)).last(),
            stop_notices_12m=(pl.col("stop_notice").fill_null(False) & (month >= since12))
            .sum()
            .cast(pl.Int32),
        )
        .select(
            "household_id",
            "unpaid_yen_latest",
            unpaid_growth_3m=pl.col("unpaid_yen_latest") - pl.col("unpaid_then").fill_null(0),
            stop_notices_12m=pl.col("stop_notices_12m"),
        )
    )
