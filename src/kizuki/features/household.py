"""Household shape and moves (家族の形, 介護の負担 shape, 子ども shape), plus audit groups.

In: :class:`~kizuki.features.context.Context`. Out: LazyFrame keyed by household_id
(with ``district``). Care needs of members come from the care table (certificates
valid on T). :func:`declare` lists the features :func:`build` computes; the moves
window is ``recent_move_months`` (its length is in the names ``member_joined_12m``,
``member_left_12m`` and in the texts).
"""

from __future__ import annotations

import polars as pl

from kizuki.calendar import month_start
from kizuki.contract.schema import LTC_LEVELS
from kizuki.features.config import FeatureConfig
from kizuki.features.context import Context
from kizuki.features.phrases import fmt, last_en, months_en, span_ja
from kizuki.features.spec import Family, Feature, NullPolicy

LTC_INDEX = {code: i for i, code in enumerate(LTC_LEVELS)}

R = ("residents", "birth_month")
REL = ("residents", "relation")
CARE = ("care", "level")
NEVER = NullPolicy.NEVER_NULL


def _moves_names(cfg: FeatureConfig) -> tuple[str, str]:
    n = cfg.recent_move_months
    return f"member_joined_{n}m", f"member_left_{n}m"


def declare(cfg: FeatureConfig) -> tuple[Feature, ...]:
    """The household family's features under ``cfg`` (shape, moves, audit groups)."""
    n = cfg.recent_move_months
    joined, left = _moves_names(cfg)
    return (
        # ---- 家族の形 household shape
        Feature(
            "n_members",
            (("residents", "household_id"),),
            "on T",
            "世帯人数",
            "household size",
            "household_size",
            NEVER,
            phrase=fmt("世帯人数{v}人", "{v} members"),
        ),
        Feature(
            "n_65plus",
            (R,),
            "on T",
            "65歳以上の世帯員数",
            "members aged 65+",
            "alone_65",
            NEVER,
            phrase=fmt(
                "65歳以上{v}人", "{v} aged 65+", zero=("65歳以上の世帯員なし", "no member aged 65+")
            ),
        ),
        Feature(
            "n_75plus",
            (R,),
            "on T",
            "75歳以上の世帯員数",
            "members aged 75+",
            "pair_8050",
            NEVER,
            phrase=fmt(
                "75歳以上{v}人", "{v} aged 75+", zero=("75歳以上の世帯員なし", "no member aged 75+")
            ),
        ),
        Feature(
            "n_preschool",
            (R,),
            "on T",
            "未就学児（0〜5歳）の数",
            "preschool children (0-5)",
            "double_care_shape",
            NEVER,
            phrase=fmt(
                "未就学児{v}人", "{v} preschool children", zero=("未就学児なし", "no preschool child")
            ),
        ),
        Feature(
            "n_school_age",
            (R,),
            "on T",
            "学齢期の子ども（6〜17歳）の数",
            "school-age children (6-17)",
            "household_size",
            NEVER,
            phrase=fmt(
                "学齢期の子ども{v}人",
                "{v} school-age children",
                zero=("学齢期の子どもなし", "no school-age child"),
            ),
        ),
        Feature(
            "n_carer_age_children",
            (R,),
            "on T",
            "10〜17歳の子どもの数",
            "children aged 10-17",
            "child_carer_shape",
            NEVER,
            phrase=fmt(
                "10〜17歳の子ども{v}人",
                "{v} children aged 10-17",
                zero=("10〜17歳の子どもなし", "no child aged 10-17"),
            ),
        ),
        Feature(
            "n_working_age",
            (R,),
            "on T",
            "18〜64歳の世帯員数",
            "members aged 18-64",
            "household_size",
            NEVER,
            phrase=fmt(
                "18〜64歳{v}人", "{v} aged 18-64", zero=("18〜64歳の世帯員なし", "no member aged 18-64")
            ),
        ),
        Feature(
            "n_able_adults",
            (R, CARE),
            "on T",
            "認定・手帳のない18〜64歳の世帯員数",
            "adults 18-64 without a certificate",
            "child_carer_shape",
            NEVER,
            phrase=fmt(
                "認定・手帳のない18〜64歳{v}人",
                "{v} adults 18-64 without a certificate",
                zero=("認定・手帳のない18〜64歳なし", "no adult 18-64 without a certificate"),
            ),
        ),
        Feature(
            "oldest_age",
            (R,),
            "on T",
            "最年長の世帯員の年齢",
            "age of the oldest member",
            "alone_65",
            NEVER,
            phrase=fmt("最年長{v}歳", "oldest member {v}"),
        ),
        Feature(
            "alone_65plus",
            (R,),
            "on T",
            "65歳以上の一人暮らし",
            "a person aged 65+ living alone",
            "alone_65",
            NEVER,
            kind="bool",
            phrase=fmt(
                "65歳以上の一人暮らし",
                "aged 65+ living alone",
                "bool",
                zero=("65歳以上の一人暮らしではない", "not a person aged 65+ living alone"),
            ),
        ),
        Feature(
            "pair_8050",
            (R, REL),
            "on T",
            "75歳以上の親世代と40〜64歳の子世代が同居（続柄は問わない）",
            "a member 75+ and a member 40-64 a generation younger (either may be head)",
            "pair_8050",
            NEVER,
            kind="bool",
            phrase=fmt(
                "75歳以上と40〜64歳の親子世帯",
                "a 75+ parent with a 40-64 child",
                "bool",
                zero=("75歳以上と40〜64歳の親子世帯ではない", "not a 75+ parent with a 40-64 child"),
            ),
        ),
        Feature(
            "three_generations",
            (R,),
            "on T",
            "三世代世帯",
            "three generations in one household",
            "household_size",
            NEVER,
            kind="bool",
            phrase=fmt(
                "三世代同居",
                "three generations",
                "bool",
                zero=("三世代同居ではない", "not three generations"),
            ),
        ),
        Feature(
            "preschool_with_care_need",
            (R, CARE),
            "on T",
            "未就学児と介護・障害のある家族が同居",
            "a preschool child and a member needing care",
            "double_care_shape",
            NEVER,
            kind="bool",
            phrase=fmt(
                "未就学児と要介護・障害のある家族が同居",
                "preschool child and a member needing care",
                "bool",
                zero=(
                    "未就学児と要介護・障害のある家族の同居ではない",
                    "no preschool child living with a member needing care",
                ),
            ),
        ),
        Feature(
            "child_with_dependent",
            (R, CARE),
            "on T",
            "10〜17歳の子と重い介護・障害のある家族、支えられる大人は1人以下",
            "a child 10-17, a heavily dependent member, at most one able adult",
            "child_carer_shape",
            NEVER,
            kind="bool",
            phrase=fmt(
                "子どもと重い介護が必要な家族、大人は1人以下",
                "a child, a heavily dependent member, at most one able adult",
                "bool",
                zero=(
                    "子ども・重い介護が必要な家族・大人1人以下の組み合わせではない",
                    "not a child with a heavily dependent member and at most one able adult",
                ),
            ),
        ),
        Feature(
            "heavy_need_members",
            (CARE,),
            "valid on T",
            "重い介護・障害のある世帯員数（要介護3以上、身体1・2級、療育A、精神1級）",
            "members with heavy needs (care3+, physical 1-2, intellectual A, mental 1)",
            "heavy_care",
            NullPolicy.ZERO_WHEN_MISSING,
            phrase=fmt(
                "重い介護・障害のある家族{v}人",
                "{v} members with heavy needs",
                zero=("重い介護・障害のある家族なし", "no member with heavy needs"),
            ),
        ),
        Feature(
            "max_ltc_level",
            (CARE,),
            "valid on T",
            "世帯で最も重い要介護度",
            "highest long-term care level in the household",
            "heavy_care",
            NullPolicy.ZERO_WHEN_MISSING,
            phrase=fmt(
                "最も重い介護度 {v}",
                "highest care level {v}",
                "ltc",
                zero=("要介護・要支援の認定なし", "no care-level certification"),
            ),
        ),
        Feature(
            "certified_members",
            (CARE,),
            "valid on T",
            "要介護1以上または障害者手帳のある世帯員数",
            "members certified care1+ or holding a disability certificate",
            "heavy_care",
            NullPolicy.ZERO_WHEN_MISSING,
            phrase=fmt(
                "要介護1以上・障害者手帳の家族{v}人",
                "{v} members certified care1+ or with a disability certificate",
                zero=(
                    "要介護1以上・障害者手帳の家族なし",
                    "no member certified care1+ or with a disability certificate",
                ),
            ),
        ),
        # ---- moves (recent_move_months)
        Feature(
            "recent_move_in_alone_65",
            (("residents", "valid_from"),),
            months_en(n),
            f"最近{span_ja(n)}以内に転入・世帯変更した65歳以上の一人暮らし",
            f"a person 65+ living alone who joined the household in the {last_en(n)}",
            "move_in_alone",
            NEVER,
            kind="bool",
            phrase=fmt(
                f"{span_ja(n)}以内に転入した65歳以上の一人暮らし",
                f"moved in within {months_en(n)}, 65+, alone",
                "bool",
                zero=(
                    f"{span_ja(n)}以内に転入した65歳以上の一人暮らしではない",
                    f"not a person 65+ living alone who moved in within {months_en(n)}",
                ),
            ),
        ),
        Feature(
            joined,
            (("residents", "valid_from"),),
            months_en(n),
            f"この{span_ja(n)}に加わった世帯員数",
            f"members who joined in the {last_en(n)}",
            "household_change",
            NEVER,
            phrase=fmt(
                f"この{span_ja(n)}で{{v}}人が世帯に加わった",
                f"{{v}} joined in {months_en(n)}",
                zero=(f"この{span_ja(n)}に加わった世帯員なし", f"nobody joined in {months_en(n)}"),
            ),
        ),
        Feature(
            left,
            (("residents", "valid_to"), ("residents", "end_reason")),
            months_en(n),
            f"この{span_ja(n)}に転出・死亡・世帯変更した世帯員数",
            f"members who moved out, died or left in the {last_en(n)}",
            "household_change",
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT,
            phrase=fmt(
                f"この{span_ja(n)}で{{v}}人が転出・死亡等",
                f"{{v}} left or died in {months_en(n)}",
                zero=(
                    f"この{span_ja(n)}に転出・死亡等した世帯員なし",
                    f"nobody left or died in {months_en(n)}",
                ),
            ),
        ),
        # ---- groups for the fairness audit (never model inputs)
        Feature(
            "hh_type",
            (R, REL),
            "on T",
            "世帯の型",
            "household type",
            None,
            NEVER,
            model_input=False,
            kind="category",
        ),
        Feature(
            "oldest_age_band",
            (R,),
            "on T",
            "最年長の世帯員の年齢帯",
            "age band of the oldest member",
            None,
            NEVER,
            model_input=False,
            kind="category",
        ),
        Feature(
            "head_sex",
            (("residents", "sex"), REL),
            "on T",
            "世帯主の性別",
            "sex of the household head",
            None,
            NullPolicy.KEEP_NULL,
            model_input=False,
            kind="category",
        ),
        Feature(
            "nationality",
            (("residents", "nationality"),),
            "on T",
            "国籍区分（外国籍の世帯員がいれば foreign）",
            "nationality (foreign if any member is)",
            None,
            NullPolicy.KEEP_NULL,
            model_input=False,
            kind="category",
        ),
    )


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
    """Household shape, moves and audit groups (:func:`declare` lists them), plus district."""
    a = ctx.config.age
    joined, left_name = _moves_names(ctx.config)
    needs = member_needs(ctx)
    m = ctx.members.join(needs, on="person_id", how="left").with_columns(
        pl.col("ltc_level").fill_null(0),
        pl.col("heavy_need").fill_null(False),
        pl.col("any_certificate").fill_null(False),
    )
    age = pl.col("age")
    middle = (age >= a.middle_from) & (age <= a.middle_to)
    gap = ctx.config.generation_gap_years
    recent = pl.lit(month_start(ctx.as_of, -(ctx.config.recent_move_months - 1)))
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
        (pl.col("alone_65plus") & (pl.col("n_recent_members") > 0)).alias(
            "recent_move_in_alone_65"
        ),
        pl.col("n_recent_members").alias(joined),
    )
    left = _members_left(ctx, left_name)
    out = out.join(left, on="household_id", how="left").with_columns(pl.col(left_name).fill_null(0))
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


def _members_left(ctx: Context, name: str) -> pl.LazyFrame:
    """Members whose membership ended (moved out, died, changed household) in the moves window."""
    t = pl.lit(ctx.as_of)
    since = pl.lit(month_start(ctx.as_of, -(ctx.config.recent_move_months - 1)))
    r = ctx.tables["residents"]
    return (
        r.filter(
            pl.col("valid_to").is_not_null()
            & (pl.col("valid_to") <= t)
            & (pl.col("valid_to") >= since)
        )
        .group_by("household_id")
        .agg(pl.len().cast(pl.Int32).alias(name))
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


FAMILY = Family("household", declare, build, keys=("district",))
