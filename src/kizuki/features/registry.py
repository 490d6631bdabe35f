"""The feature registry: every feature's metadata, as data that tests and reports walk.

Each :class:`Feature` says which contract table and columns it reads, its window,
what it means in Japanese and English, which 気づき checklist item it belongs to
(model reasons are summed per item), how nulls are treated, whether it may be a
model input (protected attributes never are), and how to write a household's own
value in a reason (``phrase(value, lang)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from kizuki.contract.schema import LTC_LEVELS

Lang = Literal["ja", "en"]
_LTC_JA = [
    "なし",
    "事業対象者",
    "要支援1",
    "要支援2",
    "要介護1",
    "要介護2",
    "要介護3",
    "要介護4",
    "要介護5",
]


def _num(v: object) -> float | None:
    try:
        return None if v is None else float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _pct_change(ja: str, en: str) -> Callable[[object, Lang], str | None]:
    def f(v: object, lang: Lang) -> str | None:
        x = _num(v)
        if x is None or abs(x) < 0.05:
            return None
        p = round(abs(x) * 100)
        if lang == "ja":
            return f"{ja}{p}%{'減' if x < 0 else '増'}"
        return f"{en} {'down' if x < 0 else 'up'} {p}%"

    return f


def _fmt(ja: str, en: str, kind: str = "num") -> Callable[[object, Lang], str | None]:
    """Template phrase: ``{v}`` is replaced by the formatted value; None/0/False hide it."""

    def f(v: object, lang: Lang) -> str | None:
        if v is None or v is False:
            return None
        if kind == "bool":
            return ja if lang == "ja" else en
        x = _num(v)
        if x is None or x == 0:
            return None
        if kind == "pct":
            s = f"{x * 100:.0f}%"
        elif kind == "yen":
            s = f"{x:,.0f}円" if lang == "ja" else f"¥{x:,.0f}"
        elif kind == "ltc":
            i = int(x)
            s = _LTC_JA[i] if lang == "ja" else LTC_LEVELS[i]
        elif kind == "aid":
            s = (
                ("準要保護" if x == 1 else "要保護")
                if lang == "ja"
                else ("semi" if x == 1 else "full")
            )
        elif kind == "float1":
            s = f"{x:.1f}"
        else:
            s = f"{x:.0f}"
        return (ja if lang == "ja" else en).format(v=s)

    return f


@dataclass(frozen=True)
class Feature:
    """Metadata of one feature column (see module docstring)."""

    name: str
    sources: tuple[tuple[str, str], ...]  # (table, column) pairs read
    window: str
    description_ja: str
    description_en: str
    item: str | None  # 気づき checklist item id; None for group columns
    nulls: str
    model_input: bool = True
    kind: Literal["number", "bool", "category"] = "number"
    phrase: Callable[[object, Lang], str | None] = field(
        default=lambda v, lang: None, compare=False
    )


R = ("residents", "birth_month")
REL = ("residents", "relation")
CARE = ("care", "level")

REGISTRY: tuple[Feature, ...] = (
    # ---- 家族の形 household shape
    Feature(
        "n_members",
        (("residents", "household_id"),),
        "on T",
        "世帯人数",
        "household size",
        "household_size",
        "never null",
        phrase=_fmt("世帯人数{v}人", "{v} members"),
    ),
    Feature(
        "n_65plus", (R,), "on T", "65歳以上の世帯員数", "members aged 65+", "alone_65", "never null"
    ),
    Feature(
        "n_75plus",
        (R,),
        "on T",
        "75歳以上の世帯員数",
        "members aged 75+",
        "pair_8050",
        "never null",
    ),
    Feature(
        "n_preschool",
        (R,),
        "on T",
        "未就学児（0〜5歳）の数",
        "preschool children (0-5)",
        "double_care_shape",
        "never null",
        phrase=_fmt("未就学児{v}人", "{v} preschool children"),
    ),
    Feature(
        "n_school_age",
        (R,),
        "on T",
        "学齢期の子ども（6〜17歳）の数",
        "school-age children (6-17)",
        "household_size",
        "never null",
    ),
    Feature(
        "n_carer_age_children",
        (R,),
        "on T",
        "10〜17歳の子どもの数",
        "children aged 10-17",
        "child_carer_shape",
        "never null",
    ),
    Feature(
        "n_working_age",
        (R,),
        "on T",
        "18〜64歳の世帯員数",
        "members aged 18-64",
        "household_size",
        "never null",
    ),
    Feature(
        "n_able_adults",
        (R, CARE),
        "on T",
        "認定・手帳のない18〜64歳の世帯員数",
        "adults 18-64 without a certificate",
        "child_carer_shape",
        "never null",
    ),
    Feature(
        "oldest_age",
        (R,),
        "on T",
        "最年長の世帯員の年齢",
        "age of the oldest member",
        "alone_65",
        "never null",
        phrase=_fmt("最年長{v}歳", "oldest member {v}"),
    ),
    Feature(
        "alone_65plus",
        (R,),
        "on T",
        "65歳以上の一人暮らし",
        "a person aged 65+ living alone",
        "alone_65",
        "never null",
        kind="bool",
        phrase=_fmt("65歳以上の一人暮らし", "aged 65+ living alone", "bool"),
    ),
    Feature(
        "pair_8050",
        (R, REL),
        "on T",
        "75歳以上の親世代と40〜64歳の子世代が同居（続柄は問わない）",
        "a member 75+ and a member 40-64 a generation younger (either may be head)",
        "pair_8050",
        "never null",
        kind="bool",
        phrase=_fmt("75歳以上と40〜64歳の親子世帯", "a 75+ parent with a 40-64 child", "bool"),
    ),
    Feature(
        "three_generations",
        (R,),
        "on T",
        "三世代世帯",
        "three generations in one household",
        "household_size",
        "never null",
        kind="bool",
    ),
    Feature(
        "preschool_with_care_need",
        (R, CARE),
        "on T",
        "未就学児と介護・障害のある家族が同居",
        "a preschool child and a member needing care",
        "double_care_shape",
        "never null",
        kind="bool",
        phrase=_fmt(
            "未就学児と要介護・障害のある家族が同居",
            "preschool child and a member needing care",
            "bool",
        ),
    ),
    Feature(
        "child_with_dependent",
        (R, CARE),
        "on T",
        "10〜17歳の子と重い介護・障害のある家族、支えられる大人は1人以下",
        "a child 10-17, a heavily dependent member, at most one able adult",
        "child_carer_shape",
        "never null",
        kind="bool",
        phrase=_fmt(
            "子どもと重い介護が必要な家族、大人は1人以下",
            "a child, a heavily dependent member, at most one able adult",
            "bool",
        ),
    ),
    Feature(
        "heavy_need_members",
        (CARE,),
        "valid on T",
        "重い介護・障害のある世帯員数（要介護3以上、身体1・2級、療育A、精神1級）",
        "members with heavy needs (care3+, physical 1-2, intellectual A, mental 1)",
        "heavy_care",
        "0 without care table",
        phrase=_fmt("重い介護・障害のある家族{v}人", "{v} members with heavy needs"),
    ),
    Feature(
        "max_ltc_level",
        (CARE,),
        "valid on T",
        "世帯で最も重い要介護度",
        "highest long-term care level in the household",
        "heavy_care",
        "0 = none",
        phrase=_fmt("最も重い介護度 {v}", "highest care level {v}", "ltc"),
    ),
    Feature(
        "certified_members",
        (CARE,),
        "valid on T",
        "要介護1以上または障害者手帳のある世帯員数",
        "members certified care1+ or holding a disability certificate",
        "heavy_care",
        "0 without care table",
    ),
    # ---- moves
    Feature(
        "recent_move_in_alone_65",
        (("residents", "valid_from"),),
        "12 months",
        "最近1年以内に転入・世帯変更した65歳以上の一人暮らし",
        "a person 65+ living alone who joined the household in the last 12 months",
        "move_in_alone",
        "never null",
        kind="bool",
        phrase=_fmt(
            "1年以内に転入した65歳以上の一人暮らし", "moved in within 12 months, 65+, alone", "bool"
        ),
    ),
    Feature(
        "member_joined_12m",
        (("residents", "valid_from"),),
        "12 months",
        "この1年に加わった世帯員数",
        "members who joined in the last 12 months",
        "household_change",
        "never null",
        phrase=_fmt("この1年で{v}人が世帯に加わった", "{v} joined in 12 months"),
    ),
    Feature(
        "member_left_12m",
        (("residents", "valid_to"), ("residents", "end_reason")),
        "12 months",
        "この1年に転出・死亡・世帯変更した世帯員数",
        "members who moved out, died or left in the last 12 months",
        "household_change",
        "0 when none",
        phrase=_fmt("この1年で{v}人が転出・死亡等", "{v} left or died in 12 months"),
    ),
    # ---- お金・支払い
    Feature(
        "n_adults_not_filed",
        (("tax", "filed"),),
        "newest fiscal year known on T",
        "所得の申告がない成人の数",
        "adults with no income declaration",
        "no_declaration",
        "null without tax table",
        phrase=_fmt("申告のない成人{v}人", "{v} adults with no declaration"),
    ),
    Feature(
        "all_adults_nontaxable",
        (("tax", "taxable"),),
        "newest fiscal year known on T",
        "成人全員が住民税非課税",
        "every adult exempt from resident tax",
        "nontaxable",
        "null without tax table",
        kind="bool",
        phrase=_fmt("世帯全員が住民税非課税", "every adult tax-exempt", "bool"),
    ),
    Feature(
        "household_income_yen",
        (("tax", "income_total"),),
        "newest fiscal year known on T",
        "世帯の合計所得金額",
        "household total income",
        "nontaxable",
        "null when nothing declared",
        phrase=_fmt("世帯の合計所得{v}", "household income {v}", "yen"),
    ),
    Feature(
        "tax_arrears_yen",
        (("tax", "arrears_yen"),),
        "newest fiscal year known on T",
        "住民税の滞納額（世帯合計）",
        "resident-tax arrears (household)",
        "tax_arrears",
        "0 when none",
        phrase=_fmt("住民税滞納{v}", "tax arrears {v}", "yen"),
    ),
    Feature(
        "middle_member_no_income",
        (("tax", "income_total"), ("tax", "filed"), R),
        "newest fiscal year known on T",
        "40〜64歳の世帯員に所得・申告がない",
        "a member aged 40-64 with no income or no declaration",
        "pair_8050",
        "null without tax table",
        kind="bool",
        phrase=_fmt(
            "40〜64歳の家族に所得・申告なし", "a 40-64 member with no income or declaration", "bool"
        ),
    ),
    Feature(
        "unpaid_yen_latest",
        (("utility", "unpaid_yen"),),
        "newest bill known on T",
        "水道料金の未納額（最新）",
        "unpaid water balance (latest)",
        "water_arrears",
        "null without utility rows",
        phrase=_fmt("水道料金の未納{v}", "unpaid water bill {v}", "yen"),
    ),
    Feature(
        "unpaid_growth_3m",
        (("utility", "unpaid_yen"),),
        "3 months",
        "水道料金の未納額の3か月での増加",
        "growth of the unpaid water balance over 3 months",
        "water_arrears",
        "null without utility rows",
        phrase=_fmt("未納が3か月で{v}増加", "unpaid up {v} in 3 months", "yen"),
    ),
    Feature(
        "stop_notices_12m",
        (("utility", "stop_notice"),),
        "12 months",
        "1年間の給水停止予告の回数",
        "water stop notices in 12 months",
        "water_arrears",
        "0 when none",
        phrase=_fmt("給水停止予告{v}回", "{v} stop notices"),
    ),
    # ---- 暮らしの変化 water
    Feature(
        "water_recent",
        (("utility", "water_m3"), ("utility", "period_months")),
        "3 months",
        "直近3か月の月平均水道使用量（m³）",
        "mean monthly water use, last 3 months (m³)",
        "water_level",
        "null without utility rows",
        phrase=_fmt("月{v}m³", "{v} m³ a month", "float1"),
    ),
    Feature(
        "water_change_yoy",
        (("utility", "water_m3"),),
        "3 months vs a year before",
        "水道使用量の前年同期比（直近3か月）",
        "water use, last 3 months vs the same months a year before",
        "water_drop",
        "null without a year of history",
        phrase=_pct_change(
            "水道使用量が直近3か月で前年同期比", "water use over 3 months vs a year ago"
        ),
    ),
    Feature(
        "water_last_vs_median",
        (("utility", "water_m3"),),
        "latest month vs 12-month median",
        "最新月の水道使用量の、その世帯の1年の中央値との差",
        "latest month's water use vs the household's 12-month median",
        "water_drop",
        "null without history",
        phrase=_pct_change("最新月の水道使用量がふだんより", "latest water use vs usual"),
    ),
    Feature(
        "water_low_months_6m",
        (("utility", "water_m3"),),
        "6 months",
        "直近6か月で使用量がふだんの3割未満だった月数",
        "months in the last 6 with use under 30% of usual",
        "water_drop",
        "0 when none",
        phrase=_fmt("ふだんの3割未満の月が{v}回", "{v} months under 30% of usual"),
    ),
    Feature(
        "water_per_person",
        (("utility", "water_m3"), ("residents", "household_id")),
        "3 months",
        "1人あたりの月平均水道使用量（m³、直近3か月）",
        "mean monthly water use per member, last 3 months (m³)",
        "water_level",
        "null without utility rows",
        phrase=_fmt("1人あたり月{v}m³", "{v} m³ a month per member", "float1"),
    ),
    Feature(
        "water_flat_months_6m",
        (("utility", "water_m3"),),
        "6 months",
        "直近6か月で使用量が前月とほぼ同じだった月数（動きのない暮らし・推定検針）",
        "months in the last 6 with almost the same use as the month before (a flat line)",
        "water_drop",
        "0 when none",
        phrase=_fmt("使用量に動きのない月が{v}回", "{v} flat months"),
    ),
    Feature(
        "water_cv_12m",
        (("utility", "water_m3"),),
        "12 months",
        "水道使用量のばらつき（変動係数、1年）",
        "variability of water use (coefficient of variation, 12 months)",
        "water_erratic",
        "null without history",
        phrase=_fmt("使用量のばらつき{v}", "variability {v}", "pct"),
    ),
    # ---- 介護・姿
    Feature(
        "ltc_rise_12m",
        (CARE,),
        "12 months",
        "この1年で上がった要介護度の段階数",
        "steps the care level rose in 12 months",
        "care_rising",
        "0 when none",
        phrase=_fmt("介護度がこの1年で{v}段階上昇", "care level up {v} steps in 12 months"),
    ),
    Feature(
        "recent_certification",
        (("care", "valid_from"),),
        "6 months",
        "最近6か月以内の初めての要介護認定",
        "a first care certification within 6 months",
        "care_rising",
        "never null",
        kind="bool",
        phrase=_fmt("6か月以内に初めて要介護認定", "first certified within 6 months", "bool"),
    ),
    Feature(
        "certified_no_service_months",
        (("care", "level"), ("care_usage", "service_units")),
        "last 3 known claim months",
        "要支援以上の認定があるのにサービス利用のない月数（請求が届いた月のみ）",
        "months with no service used although certified (only months whose claims have arrived)",
        "no_service",
        "null without care_usage",
        phrase=_fmt(
            "認定があるのに{v}か月サービス利用なし",
            "no service used for {v} months despite certification",
        ),
    ),
    # ---- 子ども
    Feature(
        "absence_rate_1m",
        (("school", "absent_days"), ("school", "school_days")),
        "1 month",
        "直近1か月の欠席率（最も高い子）",
        "absence rate, last month (highest child)",
        "absence",
        "null without school rows",
        phrase=_fmt("直近1か月の欠席率{v}", "absent {v} of days last month", "pct"),
    ),
    Feature(
        "absence_rate_3m",
        (("school", "absent_days"), ("school", "school_days")),
        "3 months",
        "直近3か月の欠席率（最も高い子）",
        "absence rate, last 3 months (highest child)",
        "absence",
        "null without school rows",
        phrase=_fmt("直近3か月の欠席率{v}", "absent {v} of days over 3 months", "pct"),
    ),
    Feature(
        "absence_rate_12m",
        (("school", "absent_days"), ("school", "school_days")),
        "12 months",
        "1年間の欠席率（最も高い子）",
        "absence rate, last 12 months (highest child)",
        "absence",
        "null without school rows",
    ),
    Feature(
        "absence_trend",
        (("school", "absent_days"),),
        "3 vs 12 months",
        "欠席率の上昇（3か月と1年の差）",
        "rise in absence (3-month rate minus 12-month rate)",
        "absence",
        "null without school rows",
        phrase=_fmt("欠席率がふだんより{v}上昇", "absence up {v} on the child's own past", "pct"),
    ),
    Feature(
        "late_rate_3m",
        (("school", "late_days"), ("school", "school_days")),
        "3 months",
        "直近3か月の遅刻・早退率",
        "late or leaving early, last 3 months",
        "absence",
        "null without school rows",
        phrase=_fmt("遅刻・早退率{v}", "late or early {v} of days", "pct"),
    ),
    Feature(
        "absent_days_school_year",
        (("school", "absent_days"),),
        "school year from April",
        "今年度の欠席日数（最も多い子）",
        "days absent this school year (highest child)",
        "long_absence",
        "null without school rows",
        phrase=_fmt("今年度の欠席{v}日", "{v} days absent this school year"),
    ),
    Feature(
        "long_absence_pace",
        (("school", "absent_days"), ("school", "school_days")),
        "school year from April",
        "このままの年間欠席日数の見込み（長期欠席は30日以上）",
        "projected days absent over the school year (30+ is 長期欠席)",
        "long_absence",
        "null without school rows",
        phrase=_fmt("年間{v}日の欠席ペース", "on pace for {v} days absent"),
    ),
    Feature(
        "school_aid_level",
        (("school", "school_aid"),),
        "newest month",
        "就学援助（1 準要保護、2 要保護）",
        "school-cost aid (1 semi, 2 full)",
        "school_aid",
        "null when not reported",
        phrase=_fmt("就学援助（{v}）", "school aid ({v})", "aid"),
    ),
    # ---- groups for the fairness audit (never model inputs)
    Feature(
        "hh_type",
        (R, REL),
        "on T",
        "世帯の型",
        "household type",
        None,
        "never null",
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
        "never null",
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
        "null when no head recorded",
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
        "null when not recorded",
        model_input=False,
        kind="category",
    ),
)

BY_NAME: dict[str, Feature] = {f.name: f for f in REGISTRY}
#: columns of the feature frame that are not features
KEYS = ("household_id", "as_of", "district")
#: protected attributes: never model inputs, whatever the registry says
PROTECTED = ("nationality", "head_sex")


def model_inputs() -> list[str]:
    """Names of the features a model may use (protected attributes excluded)."""
    return [f.name for f in REGISTRY if f.model_input and f.name not in PROTECTED]


def feature_items() -> dict[str, str | None]:
    """feature name -> 気づき checklist item id (None for group columns)."""
    return {f.name: f.item for f in REGISTRY}
