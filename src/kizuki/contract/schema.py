"""The data contract, version 1, as data (``docs/contract.md`` §1–§3 is generated from it).

This module is the single source of truth for table names, column names, Japanese
header aliases, canonical dtypes, code aliases, the meaning of each column and code,
keys, knowledge-date rules (:class:`KnowledgeRule`) and the rules across columns
(:class:`Check`). The loader, the validator, the synthetic generator, the feature
registry and the contract document (:mod:`kizuki.contract.document`) all read it;
nothing else spells a column name, a code list or a rule out again.

Canonical frames (what :func:`kizuki.io.drop.load_drop` returns) have exactly the
columns listed in :data:`TABLES` for that table, in that order, with the canonical
polars dtypes below, plus one derived column, ``known_on`` (``pl.Date``): the
knowledge date of the row under the contract's default rules (:data:`KNOWLEDGE_RULE`).
Month columns are ``pl.Date`` on the first day of the month. Code columns are
``pl.Enum`` over the canonical codes. Optional columns absent from a file are added
as nulls (or their documented default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

CONTRACT_VERSION = 1

Kind = Literal["str", "date", "month", "int", "float", "bool", "code", "fiscal_year"]

# --------------------------------------------------------------------------- codes

SEX = ("M", "F")
RELATION = (
    "head",
    "spouse",
    "child",
    "child_in_law",
    "parent",
    "parent_in_law",
    "grandchild",
    "grandparent",
    "sibling",
    "other_relative",
    "non_relative",
)
END_REASON = ("moved_out", "died", "household_change")
NATIONALITY = ("jp", "foreign")
MAIN_INCOME = ("salary", "pension", "business", "other", "none")
CARE_KIND = ("ltc", "disability_physical", "disability_intellectual", "disability_mental")
LTC_LEVELS = (
    "none",
    "program",
    "support1",
    "support2",
    "care1",
    "care2",
    "care3",
    "care4",
    "care5",
)
PHYSICAL_LEVELS = ("1", "2", "3", "4", "5", "6")
INTELLECTUAL_LEVELS = ("A", "B")
MENTAL_LEVELS = ("1", "2", "3")
CARE_LEVEL = tuple(
    dict.fromkeys(LTC_LEVELS + PHYSICAL_LEVELS + INTELLECTUAL_LEVELS + MENTAL_LEVELS)
)
#: which canonical levels are valid for which certificate kind
LEVELS_BY_KIND: dict[str, tuple[str, ...]] = {
    "ltc": LTC_LEVELS,
    "disability_physical": PHYSICAL_LEVELS,
    "disability_intellectual": INTELLECTUAL_LEVELS,
    "disability_mental": MENTAL_LEVELS,
}
SCHOOL_LEVEL = ("elementary", "junior_high", "high")
SCHOOL_AID = ("none", "semi", "full")
ISSUES = (
    "eight050",
    "double_care",
    "young_carer",
    "elderly_isolation",
    "financial_hardship",
    "self_neglect",
)
ROUTE = ("consultation", "referral", "outreach", "kizuki")

ISSUE_NAMES_JA: dict[str, str] = {
    "eight050": "8050問題",
    "double_care": "ダブルケア",
    "young_carer": "ヤングケアラー",
    "elderly_isolation": "高齢者の社会的孤立",
    "financial_hardship": "生活困窮",
    "self_neglect": "セルフネグレクト",
}
ISSUE_NAMES_EN: dict[str, str] = {
    "eight050": "8050 household",
    "double_care": "Double care",
    "young_carer": "Young carer",
    "elderly_isolation": "Isolated older person",
    "financial_hardship": "Financial hardship",
    "self_neglect": "Self-neglect",
}

#: what each issue means (contract §3)
ISSUE_TEXT_EN: dict[str, str] = {
    "eight050": "an elderly parent (typically 75+) and a middle-aged child (typically 40–64) "
    "who cannot live independently, often withdrawn (ひきこもり), in one household",
    "double_care": "someone caring for a young child and for an older or disabled relative at once",
    "young_carer": "a school-age child doing excessive care or daily support for a family member",
    "elderly_isolation": "an older person living alone, cut off from support, at risk of "
    "dying unnoticed (孤立死)",
    "financial_hardship": "a household at risk of being unable to maintain a minimum standard "
    "of living",
    "self_neglect": "a person no longer doing, or able to do, what daily living requires "
    "(including ごみ屋敷)",
}

#: what each code means, per code column (English; the aliases below give the Japanese)
CODE_TEXT_EN: dict[str, dict[str, str]] = {
    "sex": {"M": "male", "F": "female"},
    "relation": {
        "head": "the household head (世帯主)",
        "spouse": "spouse of the head",
        "child": "child of the head (also 長男, 次女, 三男, … in the older style)",
        "child_in_law": "spouse of a child of the head",
        "parent": "parent of the head",
        "parent_in_law": "parent of the head's spouse",
        "grandchild": "grandchild of the head",
        "grandparent": "grandparent of the head",
        "sibling": "brother or sister of the head",
        "other_relative": "another relative",
        "non_relative": "lives in the household, not related (同居人)",
    },
    "end_reason": {
        "moved_out": "moved out of the municipality (転出)",
        "died": "died",
        "household_change": "moved to another household in the municipality (世帯変更)",
    },
    "nationality": {"jp": "Japanese national", "foreign": "foreign resident"},
    "main_income": {
        "salary": "salary or wages",
        "pension": "pension",
        "business": "business or self-employment",
        "other": "other income",
        "none": "no income",
    },
    "kind": {
        "ltc": "long-term care certification (要介護認定, 介護保険)",
        "disability_physical": "physical disability certificate (身体障害者手帳)",
        "disability_intellectual": "intellectual disability certificate (療育手帳, 愛の手帳)",
        "disability_mental": "mental disability certificate (精神障害者保健福祉手帳)",
    },
    "level": {
        "none": "assessed, not eligible (非該当)",
        "program": "eligible for the prevention programme only (事業対象者)",
        "support1": "needs support, level 1 (要支援1)",
        "support2": "needs support, level 2 (要支援2)",
        **{f"care{n}": f"needs care, level {n} (要介護{n}; 5 is the highest)" for n in range(1, 6)},
        **{str(n): f"grade {n} ({n}級; 1 is the most severe)" for n in range(1, 7)},
        "A": "severe (重度: A1, A2, 愛の手帳 1度, 2度)",
        "B": "moderate or mild (中軽度: B1, B2, 愛の手帳 3度, 4度)",
    },
    "school_level": {
        "elementary": "elementary school (小学校, grades 1–6)",
        "junior_high": "junior high school (中学校, grades 7–9)",
        "high": "high school (高等学校)",
    },
    "school_aid": {
        "none": "no school-cost aid",
        "semi": "準要保護: aid for a household in hardship short of public assistance",
        "full": "要保護: household on public assistance (生活保護)",
    },
    "issue": ISSUE_NAMES_EN,
    "route": {
        "consultation": "the household or someone close came for advice (相談)",
        "referral": "referred by another agency (関係機関)",
        "outreach": "found by the team's own outreach (アウトリーチ)",
        "kizuki": "from a kizuki shortlist (気づき)",
    },
}

#: aliases for each code list: alias (as written in a source system) -> canonical code.
#: Canonical codes map to themselves implicitly. Matching is done after NFKC and
#: stripping surrounding white space; Latin aliases match case-insensitively.
CODE_ALIASES: dict[str, dict[str, str]] = {
    "sex": {"男": "M", "1": "M", "女": "F", "2": "F", "m": "M", "f": "F"},
    "relation": {
        "世帯主": "head",
        "本人": "head",
        "妻": "spouse",
        "夫": "spouse",
        "子": "child",
        "子の妻": "child_in_law",
        "子の夫": "child_in_law",
        "父": "parent",
        "母": "parent",
        "妻の父": "parent_in_law",
        "妻の母": "parent_in_law",
        "夫の父": "parent_in_law",
        "夫の母": "parent_in_law",
        "孫": "grandchild",
        "祖父": "grandparent",
        "祖母": "grandparent",
        "兄": "sibling",
        "姉": "sibling",
        "弟": "sibling",
        "妹": "sibling",
        "その他の親族": "other_relative",
        "縁故者": "other_relative",
        "同居人": "non_relative",
    },
    "end_reason": {"転出": "moved_out", "死亡": "died", "世帯変更": "household_change"},
    "nationality": {"日本": "jp", "外国": "foreign"},
    "main_income": {
        "給与": "salary",
        "年金": "pension",
        "営業": "business",
        "事業": "business",
        "その他": "other",
        "なし": "none",
    },
    "kind": {
        "要介護認定": "ltc",
        "介護": "ltc",
        "身体障害者手帳": "disability_physical",
        "身体": "disability_physical",
        "療育手帳": "disability_intellectual",
        "療育": "disability_intellectual",
        "精神障害者保健福祉手帳": "disability_mental",
        "精神": "disability_mental",
    },
    # level aliases that do not depend on the kind; kind-specific ones are below
    "level": {
        "非該当": "none",
        "01": "none",
        "事業対象者": "program",
        "06": "program",
        "要支援1": "support1",
        "12": "support1",
        "要支援2": "support2",
        "13": "support2",
        "要介護1": "care1",
        "21": "care1",
        "要介護2": "care2",
        "22": "care2",
        "要介護3": "care3",
        "23": "care3",
        "要介護4": "care4",
        "24": "care4",
        "要介護5": "care5",
        "25": "care5",
        "A1": "A",
        "A2": "A",
        "B1": "B",
        "B2": "B",
        "1度": "A",
        "2度": "A",
        "3度": "B",
        "4度": "B",
        **{f"{n}級": str(n) for n in range(1, 7)},
    },
    "school_level": {
        "小学校": "elementary",
        "中学校": "junior_high",
        "高等学校": "high",
        "高校": "high",
    },
    "school_aid": {"なし": "none", "準要保護": "semi", "要保護": "full"},
    "issue": {
        **{v: k for k, v in ISSUE_NAMES_JA.items()},
        "8050": "eight050",
        "社会的孤立": "elderly_isolation",
        "高齢者孤立": "elderly_isolation",
    },
    "route": {
        "相談": "consultation",
        "関係機関": "referral",
        "関係機関から": "referral",
        "アウトリーチ": "outreach",
        "気づき": "kizuki",
    },
}

#: 続柄 written in the older style (長男, 二女, 三男, …) all mean ``child``.
CHILD_RELATION_PATTERN = re.compile(r"^(長|次|二|三|四|五|六|七|八|九|十)(男|女)$")

#: generic boolean spellings (contract §1); each bool column adds its own words
BOOL_TRUE = ("true", "1", "あり", "有", "はい", "t", "yes", "y")
BOOL_FALSE = ("false", "0", "なし", "無", "いいえ", "f", "no", "n")
BOOL_COLUMN_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "taxable": (("課税",), ("非課税",)),
    "filed": (("申告あり",), ("申告なし",)),
    "stop_notice": (("予告あり", "給水停止予告"), ("予告なし",)),
    "confirmed": (("確認", "該当", "該当あり"), ("非該当", "該当なし")),
}

# ------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``kind`` says how the raw text is parsed; ``codes`` lists canonical codes for
    ``kind == "code"``; ``alias`` is the Japanese header alias; ``minimum`` a lower bound
    (rule ``negative_value``); ``default`` the value an empty field of an optional column
    takes in the loaded frame (``None``: it stays empty); ``meaning_en`` what the column
    holds, in English with the Japanese terms a municipal system uses (for the contract
    document).
    """

    name: str
    kind: Kind
    required: bool
    alias: str | None = None
    codes: tuple[str, ...] = ()
    minimum: float | None = None
    meaning_en: str = ""
    default: int | None = None

    @property
    def dtype(self) -> pl.DataType:
        """Canonical polars dtype of this column."""
        return _DTYPES[self.kind](self)


_DTYPES = {
    "str": lambda c: pl.String(),
    "date": lambda c: pl.Date(),
    "month": lambda c: pl.Date(),
    "int": lambda c: pl.Int64(),
    "float": lambda c: pl.Float64(),
    "bool": lambda c: pl.Boolean(),
    "code": lambda c: pl.Enum(list(c.codes)),
    "fiscal_year": lambda c: pl.Int32(),
}


@dataclass(frozen=True)
class KnowledgeRule:
    """Where a table's knowledge date (``known_on``) comes from (contract §1).

    ``column``: the date or month column the default is computed from.
    ``anchor``: ``"date"`` (the column itself), ``"month_end"`` (the last day of the
    month ``lag_months`` after the column's month; with ``period_column``, a row
    covering ``p`` months ends ``p - 1`` months later, an empty ``p`` counting as that
    column's ``default``), or ``"fiscal_june1"`` (June 1 of the fiscal year in
    ``column``). ``override``: a column that, when filled, wins over the default
    (``recorded_on``). ``text_en``: the rule in words, for documents.
    """

    column: str
    anchor: Literal["date", "month_end", "fiscal_june1"]
    text_en: str
    lag_months: int = 0
    period_column: str | None = None
    override: str | None = None


CheckKind = Literal["at_least", "at_most", "one_of", "valid_for", "no_overlap"]


@dataclass(frozen=True)
class Check:
    """A rule of a table that spans columns (or rows); a row breaking it is rejected.

    ``rule``: the rule id written to rejects files and the report; ``column``: the
    column a broken row is reported under; ``text_en``: what breaks the rule, in words
    (the report's text for ``rule``). By ``kind``:

    - ``at_least`` / ``at_most``: ``column`` must not be below / above ``other``;
    - ``one_of``: ``column`` must be one of ``values``;
    - ``valid_for``: ``column`` must be one of the values ``allowed`` lists for the
      row's value of ``other`` (pairs of (value of ``other``, allowed values));
    - ``no_overlap``: the periods from ``column`` to ``other`` (exclusive; empty: open)
      of rows with the same ``by`` must not overlap; the later-starting row is rejected.

    A check over an empty value is not broken: an empty value is judged by its
    column's own rules. Row checks are applied in declaration order after the column
    rules (a row is reported under the first rule it broke); ``no_overlap`` is applied
    last, to the rows still kept.
    """

    rule: str
    column: str
    kind: CheckKind
    text_en: str
    other: str | None = None
    values: tuple[int | str, ...] = ()
    allowed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    by: str | None = None

    @property
    def row_wise(self) -> bool:
        """True when the check judges each row on its own (every kind but ``no_overlap``)."""
        return self.kind != "no_overlap"


@dataclass(frozen=True)
class Table:
    """One contract table: its columns, key, knowledge-date rule and cross-column checks.

    ``title_ja`` / ``title_en``: the table's name in the municipality's words and in
    English; ``grain_en``: what one row is; ``notes``: further facts about the table
    (English, for the contract document).
    """

    name: str
    title_ja: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    knowledge: KnowledgeRule
    required: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    title_en: str = ""
    grain_en: str = ""
    checks: tuple[Check, ...] = ()

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError when the table has none)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Canonical column names in contract order."""
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    @property
    def schema(self) -> pl.Schema:
        """Canonical schema of the loaded frame, including the derived ``known_on``."""
        return pl.Schema({**{c.name: c.dtype for c in self.columns}, "known_on": pl.Date()})


def _c(
    name: str, kind: Kind, required: bool, alias: str | None, meaning: str, **kw: object
) -> Column:
    return Column(name, kind, required, alias, meaning_en=meaning, **kw)  # type: ignore[arg-type]


_PERSON = "pseudonymous person (宛名番号, pseudonymised before the drop is made)"
_HOUSEHOLD = "pseudonymous household (世帯番号, pseudonymised before the drop is made)"
_RECORDED = "the day the row was recorded; when filled, this is the knowledge date"

#: a certificate or a residence ends before it starts
_END_BEFORE_START = Check(
    "end_before_start", "valid_to", "at_least", "valid_to is before valid_from", other="valid_from"
)

RESIDENTS = Table(
    "residents",
    "住民記録",
    (
        _c("person_id", "str", True, "個人ID", _PERSON),
        _c("household_id", "str", True, "世帯ID", _HOUSEHOLD),
        _c("birth_month", "month", True, "生年月", "year and month of birth (the day is dropped)"),
        _c("sex", "code", True, "性別", "sex as registered", codes=SEX),
        _c(
            "relation", "code", True, "続柄", "続柄: relation to the household head", codes=RELATION
        ),
        _c(
            "district",
            "str",
            True,
            "地区",
            "area that assigns the outreach team (小学校区, 地域包括支援センター圏域, …)",
        ),
        _c(
            "valid_from",
            "date",
            True,
            "開始日",
            "start of this membership (birth, 転入 moving in, 世帯変更 change of household)",
        ),
        _c(
            "valid_to",
            "date",
            False,
            "終了日",
            "end of this membership, exclusive; empty while current; known from that day",
        ),
        _c("end_reason", "code", False, "異動事由", "why the membership ended", codes=END_REASON),
        _c(
            "nationality",
            "code",
            False,
            "国籍区分",
            "for fairness audits only, never a model input",
            codes=NATIONALITY,
        ),
    ),
    key=("person_id", "valid_from"),
    knowledge=KnowledgeRule(
        "valid_from", "date", "valid_from (an end is known from valid_to itself)"
    ),
    required=True,
    title_en="resident registry history",
    grain_en="One row per person per period of membership in a household.",
    notes=("One person's periods never overlap.",),
    checks=(
        _END_BEFORE_START,
        Check(
            "period_overlap",
            "valid_from",
            "no_overlap",
            "person's residence periods overlap (the later-starting one is rejected)",
            other="valid_to",
            by="person_id",
        ),
    ),
)
TAX = Table(
    "tax",
    "個人住民税",
    (
        _c("person_id", "str", True, "個人ID", _PERSON),
        _c(
            "fiscal_year",
            "fiscal_year",
            True,
            "年度",
            "fiscal year of the assessment: `2024`, `R6`, `令和6年度`",
        ),
        _c(
            "income_total",
            "int",
            False,
            "合計所得金額",
            "合計所得金額: total income in yen; empty when nothing was declared",
            minimum=0,
        ),
        _c("main_income", "code", True, "主たる所得", "main kind of income", codes=MAIN_INCOME),
        _c(
            "taxable",
            "bool",
            True,
            "課税区分",
            "false = 住民税非課税 (exempt from resident tax)",
        ),
        _c(
            "filed",
            "bool",
            True,
            "申告有無",
            "a declaration (申告) or an employer/pension report was received",
        ),
        _c(
            "arrears_yen",
            "int",
            False,
            "滞納額",
            "滞納額: unpaid resident tax in yen when recorded",
            minimum=0,
        ),
        _c("recorded_on", "date", False, "記録日", _RECORDED),
    ),
    key=("person_id", "fiscal_year"),
    knowledge=KnowledgeRule(
        "fiscal_year",
        "fiscal_june1",
        "recorded_on, else June 1 of the fiscal year",
        override="recorded_on",
    ),
    title_en="individual resident tax assessment",
    grain_en="One row per person per fiscal year (年度).",
    notes=(
        "The assessment of fiscal year Y is based on income of calendar year Y-1; "
        "the 年度 runs from April 1 of Y to March 31 of Y+1.",
    ),
)
CARE = Table(
    "care",
    "介護保険認定・障害者手帳",
    (
        _c("person_id", "str", True, "個人ID", _PERSON),
        _c("kind", "code", True, "種別", "kind of certification or certificate", codes=CARE_KIND),
        _c(
            "level",
            "code",
            True,
            "区分",
            "care level or certificate grade; which codes are valid depends on `kind`",
            codes=CARE_LEVEL,
        ),
        _c("valid_from", "date", True, "開始日", "start of validity"),
        _c("valid_to", "date", False, "終了日", "end of validity, exclusive; empty while valid"),
    ),
    key=("person_id", "kind", "valid_from"),
    knowledge=KnowledgeRule("valid_from", "date", "valid_from"),
    title_en="long-term care certification and disability certificates",
    grain_en="One row per certification or certificate.",
    checks=(
        _END_BEFORE_START,
        Check(
            "level_not_valid_for_kind",
            "level",
            "valid_for",
            "certificate level is not valid for its kind",
            other="kind",
            allowed=tuple(LEVELS_BY_KIND.items()),
        ),
    ),
)
CARE_USAGE = Table(
    "care_usage",
    "介護給付実績",
    (
        _c("person_id", "str", True, "個人ID", _PERSON),
        _c("month", "month", True, "年月", "month of service"),
        _c("service_units", "int", True, "単位数", "単位数: service units used", minimum=0),
        _c("recorded_on", "date", False, "記録日", _RECORDED),
    ),
    key=("person_id", "month"),
    knowledge=KnowledgeRule(
        "month",
        "month_end",
        "recorded_on, else the last day of the month two months after the service month",
        lag_months=2,
        override="recorded_on",
    ),
    title_en="long-term care service use, from benefit claims",
    grain_en="One row per person per month in which services were used.",
    notes=(
        "A certified person with no row in a month used no service.",
        "Claims reach the municipality late: a month's row is known two months after it.",
    ),
)
SCHOOL = Table(
    "school",
    "出欠・就学援助",
    (
        _c("person_id", "str", True, "個人ID", _PERSON),
        _c("month", "month", True, "年月", "month of attendance"),
        _c("school_level", "code", True, "学校種別", "kind of school", codes=SCHOOL_LEVEL),
        _c(
            "school_days",
            "int",
            True,
            "授業日数",
            "授業日数: days the school was in session",
            minimum=0,
        ),
        _c("absent_days", "int", True, "欠席日数", "欠席日数: days absent", minimum=0),
        _c(
            "late_days",
            "int",
            False,
            "遅刻早退日数",
            "遅刻・早退: days late or leaving early",
            minimum=0,
        ),
        _c(
            "school_aid",
            "code",
            False,
            "就学援助",
            "就学援助: school-cost aid the household receives",
            codes=SCHOOL_AID,
        ),
        _c("recorded_on", "date", False, "記録日", _RECORDED),
    ),
    key=("person_id", "month"),
    knowledge=KnowledgeRule(
        "month", "month_end", "recorded_on, else the last day of the month", override="recorded_on"
    ),
    title_en="school attendance and school-cost aid",
    grain_en="One row per enrolled child per month.",
    notes=("30 or more absent days in a school year (April to March) is 長期欠席.",),
    checks=(
        Check(
            "absent_over_school_days",
            "absent_days",
            "at_most",
            "absent_days above school_days",
            other="school_days",
        ),
        Check(
            "late_over_school_days",
            "late_days",
            "at_most",
            "late_days above school_days",
            other="school_days",
        ),
    ),
)
UTILITY = Table(
    "utility",
    "水道",
    (
        _c("household_id", "str", True, "世帯ID", _HOUSEHOLD),
        _c("month", "month", True, "年月", "first month of the billing period"),
        _c(
            "period_months",
            "int",
            False,
            "検針間隔",
            "months the reading covers: 1 or 2 (隔月検針, bi-monthly reading); a 2-month "
            "row covers `month` and the next",
            default=1,
        ),
        _c(
            "water_m3",
            "float",
            True,
            "使用水量",
            "使用水量: water used in the period, m³",
            minimum=0,
        ),
        _c("billed_yen", "int", True, "請求額", "請求額: amount billed for the period, yen"),
        _c(
            "unpaid_yen",
            "int",
            True,
            "未納額",
            "未納額: total unpaid balance at the end of the period, yen",
            minimum=0,
        ),
        _c(
            "stop_notice",
            "bool",
            False,
            "給水停止予告",
            "給水停止予告: notice that the supply will be stopped, issued in the period",
        ),
        _c("recorded_on", "date", False, "記録日", _RECORDED),
    ),
    key=("household_id", "month"),
    knowledge=KnowledgeRule(
        "month",
        "month_end",
        "recorded_on, else the last day of the billing period (month + period_months - 1)",
        period_column="period_months",
        override="recorded_on",
    ),
    title_en="water use and billing",
    grain_en="One row per household per billing period.",
    checks=(
        Check(
            "invalid_period_months",
            "period_months",
            "one_of",
            "period_months must be 1 or 2",
            values=(1, 2),
        ),
    ),
)
OUTCOMES = Table(
    "outcomes",
    "支援記録",
    (
        _c("household_id", "str", True, "世帯ID", _HOUSEHOLD),
        _c("issue", "code", True, "課題", "the issue assessed (section 3)", codes=ISSUES),
        _c("opened_on", "date", True, "受付日", "受付日: referral or contact date"),
        _c(
            "confirmed",
            "bool",
            True,
            "確認結果",
            "true: the need was confirmed; false: assessed, no such need",
        ),
        _c("route", "code", False, "経路", "how the case came to the team", codes=ROUTE),
    ),
    key=("household_id", "issue", "opened_on"),
    knowledge=KnowledgeRule("opened_on", "date", "opened_on"),
    title_en="case records, the labels",
    grain_en=(
        "One row per household per issue assessed by the multi-agency team (多機関協働) "
        "or an outreach visit."
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (RESIDENTS, TAX, CARE, CARE_USAGE, SCHOOL, UTILITY, OUTCOMES)
}

#: how each table's ``known_on`` is derived, in words (from each table's :class:`KnowledgeRule`)
KNOWLEDGE_RULE: dict[str, str] = {t.name: t.knowledge.text_en for t in TABLES.values()}

#: header alias -> canonical name, over every table (aliases are the same in every table)
HEADER_ALIASES: dict[str, str] = {
    c.alias: c.name for t in TABLES.values() for c in t.columns if c.alias is not None
}

#: what the absence of each optional table means by default (the packaged
#: ``configs/validation.yaml`` ``missing_tables`` says the same, with the reasons):
#: ``refuse`` the drop (exit 3), ``alert`` (the command completes and exits 4) or
#: ``allow`` (a warning)
MISSING_TABLE_DEFAULT: dict[str, str] = {
    "tax": "refuse",
    "care": "refuse",
    "utility": "refuse",
    "care_usage": "alert",
    "school": "alert",
    "outcomes": "alert",
}

#: column names that are direct identifiers and refuse a drop (contract §4);
#: matched after NFKC, lower-casing and removing separators (``_``, ``-``, spaces)
IDENTIFIER_COLUMN_WORDS: tuple[str, ...] = (
    "氏名",
    "名前",
    "カナ氏名",
    "フリガナ",
    "name",
    "fullname",
    "firstname",
    "lastname",
    "住所",
    "address",
    "addr",
    "電話",
    "電話番号",
    "phone",
    "tel",
    "telephone",
    "個人番号",
    "マイナンバー",
    "mynumber",
    "宛名番号",
    "atenabango",
    "atena",
)
