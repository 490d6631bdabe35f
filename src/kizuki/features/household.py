"""Household shape and moves (家族の形, 介護の負担 shape, 子ども shape), plus audit groups.

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id.
Care needs of members come from the care table (certificates valid on T).
"""

from __future__ import annotations

import polars as pl

from kizuki.contract.schema import LTC_LEVELS
from kizuki.features.context import Context

LTC_INDEX = {code: i for i, code in enumerate(LTC_LEVELS)}


def member_needs(ctx: Context) -> pl.LazyFrame:
    """Per person on T: ltc level index (0 none … 8 care5), heavy need, any certificate.

    Out: person_id, ltc_level, heavy_need, any_certificate.
    """
    heavy_from = LTC_INDEX[ctx.config.heavy_ltc_level]
    if not ctx.has("care"):
        return pl.LazyFrame(
            schema={
                "person_id": pl.String,
                "ltc_level": pl.Int32,
                "heavy_need": pl.Boolean,
                "any_certificate": pl.Boolean,
            }
        )
    t = pl.lit(ctx.as_of)
    valid = ctx.tables["care"].filter(
        (pl.col("valid_from") <= t) & (pl.col("valid_to").is_null() | (pl.col("valid_to") > t))
    )
    lvl = pl.col("level").cast(pl.String)
    ltc_index = (
        pl.when(pl.col("kind") == "ltc")
        .then(lvl.replace_strict(LTC_INDEX, default=0, return_dtype=pl.Int32))
        .otherwise(0)
    )
    heavy = (
        ((pl.col("kind") == "ltc") & (ltc_index >= heavy_from))
        | ((pl.col("kind") == "disability_physical") & lvl.is_in(["1", "2"]))
        | ((pl.col("kind") == "disability_intellectual") & (lvl == "A"))
        | ((pl.col("kind") == "disability_mental") & (lvl == "1"))
    )
    certificate = (pl.col("kind") != "ltc") | (ltc_index >= LTC_INDEX["care1"])
    # the newest certificate of each kind is the one in force
    newest = valid.sort("valid_from").group_by("person_id", "kind").agg(pl.all().last())
    return newest.group_by("person_id").agg(
        ltc_level=ltc_index.max().cast(pl.Int32),
        heavy_need=heavy.any(),
        any_certificate=certificate.any(),
    )


def build(ctx: Context) -> pl.LazyFrame:
    """Household shape, moves and audit groups (see registry for each feature)."""
    a = ctx.config.age
    needs = member_needs(ctx)
    m = ctx.members.join(needs, on="person_id", how="left").with_columns(
        pl.col("ltc_level").fill_null(0),
        pl.col("heavy_need").fill_null(False),
        pl.col("any_certificate").fill_null(False),
    )
    age = pl.col("age")
    middle = (age >= a.middle_from) & (age <= a.middle_to)
    gap = ctx.config.generation_gap_years
    recent = pl.lit(ctx.months_back(ctx.config.recent_move_months - 1))
    shape = m.group_by("household_id").agg(
        district=pl.col("district").first(),
        n_members=pl.len().cast(pl.Int32),
        n_65plus=(age >= a.older).sum().cast(pl.Int32),
        n_75plus=(age >= a.old_old).sum().cast(pl.Int32),
        n_preschool=(age <= a.preschool_to).sum().cast(pl.Int32),
        n_school_age=((age >= 6) & (age <= 17)).sum().cast(pl.Int32),
        n_carer_age_children=((age >= a.carer_child_from) & (age <= 17)).sum().cast(pl.Int32),
        n_working_age=((age >= 18) & (age < a.older)).sum().cast(pl.Int32),
        n_able_adults=((age >= 18) & (age < a.older) & ~pl.col("any_certificate"))
        .sum()
        .cast(pl.Int32),
        oldest_age=age.max().cast(pl.Int32),
        max_age_middle=pl.when(middle).then(age).max(),
        min_age_middle=pl.when(middle).then(age).min(),
        oldest_old=pl.when(age >= a.old_old).then(age).max(),
        heavy_need_members=pl.col("heavy_need").sum().cast(pl.Int32),
        max_ltc_level=pl.col("ltc_level").max().cast(pl.Int32),
        certified_members=pl.col("any_certificate").sum().cast(pl.Int32),
        newest_member_since=pl.col("valid_from").max(),
        n_recent_members=(pl.col("valid_from") >= recent).sum().cast(pl.Int32),
        head_sex=pl.col("sex").filter(pl.col("relation") == "head").first().cast(pl.String),
        any_foreign=(pl.col("nationality") == "foreign").any(),
        all_known_nat=pl.col("nationality").is_not_null().all(),
    )
    pair = (
        pl.col("oldest_old").is_not_null()
        & pl.col("min_age_middle").is_not_null()
        & ((pl.col("oldest_old") - pl.col("min_age_middle")) >= gap)
    )
    out = shape.with_columns(
        alone_65plus=(pl.col("n_members") == 1) & (pl.col("n_65plus") == 1),
        pair_8050=pair.fill_null(False),
        three_generations=(pl.col("n_65plus") > 0)
        & (pl.col("n_working_age") > 0)
        & ((pl.col("n_school_age") + pl.col("n_preschool")) > 0)
        & (pl.col("n_members") >= 3),
        preschool_with_care_need=(pl.col("n_preschool") > 0)
        & ((pl.col("heavy_need_members") > 0) | (pl.col("max_ltc_level") >= LTC_INDEX["care1"])),
        child_with_dependent=(pl.col("n_carer_age_children") > 0)
        & (pl.col("heavy_need_members") > 0)
        & (pl.col("n_able_adults") <= 1),
    ).with_columns(
        recent_move_in_alone_65=pl.col("alone_65plus") & (pl.col("n_recent_members") > 0),
        member_joined_12m=pl.col("n_recent_members"),
    )
    left = _members_left(ctx)
    out = out.join(left, on="household_id", how="left").with_columns(
        pl.col("member_left_12m").fill_null(0)
    )
    return out.with_columns(
        hh_type=_hh_type(),
        oldest_age_band=pl.when(pl.col("oldest_age") < 40)
        .then(pl.lit("<40"))
        .when(pl.col("oldest_age") < 65)
        .then(pl.lit("40-64"))
        .when(pl.col("oldest_age") < 75)
        .then(pl.lit("65-74"))
        .when(pl.col("oldest_age") < 85)
        .then(pl.lit("75-84"))
        .otherwise(pl.lit("85+")),
        nationality=pl.when(pl.col("any_foreign"))
        .then(pl.lit("foreign"))
        .when(pl.col("all_known_nat"))
        .then(pl.lit("jp"))
        .otherwise(None),
    ).drop(
        "max_age_middle",
        "min_age_middle",
        "oldest_old",
        "newest_member_since",
        "n_recent_members",
        "any_foreign",
        "all_known_nat",
    )


def _members_left(ctx: Context) -> pl.LazyFrame:
    """Members whose membership ended (moved out, died, changed household) in the last 12 months."""
    t = pl.lit(ctx.as_of)
    since = pl.lit(ctx.months_back(ctx.config.recent_move_months - 1))
    r = ctx.tables["residents"]
    return (
        r.filter(
            pl.col("valid_to").is_not_null()
            & (pl.col("valid_to") <= t)
            & (pl.col("valid_to") >= since)
        )
        .group_by("household_id")
        .agg(member_left_12m=pl.len().cast(pl.Int32))
    )


def _hh_type() -> pl.Expr:
    n = pl.col("n_members")
    kids = pl.col("n_school_age") + pl.col("n_preschool")
    adults = n - kids
    return (
        pl.when(pl.col("alone_65plus"))
        .then(pl.lit("single_65plus"))
        .when(n == 1)
        .then(pl.lit("single_under65"))
        .when(pl.col("pair_8050") & (kids == 0))
        .then(pl.lit("eight050_shape"))
        .when(pl.col("three_generations"))
        .then(pl.lit("three_generation"))
        .when(pl.col("n_65plus") == n)
        .then(pl.lit("elderly_only"))
        .when((kids > 0) & (adults == 1))
        .then(pl.lit("single_parent"))
        .when(kids > 0)
        .then(pl.lit("couple_with_children"))
        .otherwise(pl.lit("other"))
    )
