"""Parsers for the raw text forms the contract accepts (contract §1).

Each ``parse_*`` function takes one raw string and returns the canonical value, or
raises :class:`ParseFailure` carrying the *rule* it broke (never the value). They
are applied to the **unique** raw values of a column (see :func:`map_unique`), so a
36-million-row table costs one Python call per distinct value, not per row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

import polars as pl

from kizuki.calendar import month_end
from kizuki.contract import schema


class ParseFailure(ValueError):
    """A raw value that cannot be parsed; ``rule`` names the broken rule."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


# ------------------------------------------------------------------- normalising


def nfkc(text: str) -> str:
    """NFKC-normalise and strip a numeric or code field (never used on free text).

    Also maps the minus-like characters NFKC leaves alone (−, ‐, ー in numbers) to '-'.
    """
    out = unicodedata.normalize("NFKC", text).strip()
    return out.replace("−", "-").replace("‐", "-").replace("ｰ", "-")


# -------------------------------------------------------------------- 和暦 (eras)

#: era letter -> (kanji name, first day of the era); the era ends the day before the next
ERAS: dict[str, tuple[str, dt.date]] = {
    "M": ("明治", dt.date(1868, 10, 23)),
    "T": ("大正", dt.date(1912, 7, 30)),
    "S": ("昭和", dt.date(1926, 12, 25)),
    "H": ("平成", dt.date(1989, 1, 8)),
    "R": ("令和", dt.date(2019, 5, 1)),
}
_ERA_BY_KANJI = {name: letter for letter, (name, _) in ERAS.items()}
_ERA_ORDER = list(ERAS)


def _era_bounds(letter: str) -> tuple[dt.date, dt.date | None]:
    start = ERAS[letter][1]
    i = _ERA_ORDER.index(letter)
    end = ERAS[_ERA_ORDER[i + 1]][1] if i + 1 < len(_ERA_ORDER) else None  # exclusive
    return start, end


def _era_letter(token: str) -> str:
    token = token.upper()
    if token in ERAS:
        return token
    if token in _ERA_BY_KANJI:
        return _ERA_BY_KANJI[token]
    raise ParseFailure("unknown_era")


def _era_year(letter: str, year_token: str) -> int:
    n = 1 if year_token == "元" else int(year_token)
    if n < 1:
        raise ParseFailure("date_outside_era")
    return ERAS[letter][1].year + n - 1


_WAREKI_DATE = re.compile(
    r"^(?P<era>[MTSHRmtshr]|明治|大正|昭和|平成|令和)\s*(?P<y>元|\d{1,2})\s*[.\-/年]\s*"
    r"(?P<m>\d{1,2})\s*[.\-/月]\s*(?P<d>\d{1,2})\s*日?$"
)
_WAREKI_MONTH = re.compile(
    r"^(?P<era>[MTSHRmtshr]|明治|大正|昭和|平成|令和)\s*(?P<y>元|\d{1,2})\s*[.\-/年]\s*"
    r"(?P<m>\d{1,2})\s*月?$"
)
_ISO_DATE = re.compile(r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})$")
_COMPACT_DATE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_ISO_MONTH = re.compile(r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})$")
_COMPACT_MONTH = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$")
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _make_date(y: int, m: int, d: int) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ParseFailure("invalid_date") from None


def parse_date(raw: str) -> dt.date:
    """Parse a date in any contract form: ``2023-08-03``, ``2023/08/03``, ``20230803``,
    ``R5.8.3``, ``R05.08.03``, ``令和5年8月3日``, ``令和元年5月1日``, ``H31.4.30``.

    A 和暦 date outside its era (``H32.1.1``, ``R1.4.1``) raises ``date_outside_era``.
    """
    s = nfkc(raw)
    m = _ISO_DATE.match(s) or _COMPACT_DATE.match(s)
    if m:
        return _make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    m = _ISO_DATETIME.match(s)
    if m:
        return parse_date(m.group(1))
    m = _WAREKI_DATE.match(s)
    if not m:
        raise ParseFailure("unparseable_date")
    letter = _era_letter(m["era"])
    value = _make_date(_era_year(letter, m["y"]), int(m["m"]), int(m["d"]))
    start, end = _era_bounds(letter)
    if value < start or (end is not None and value >= end):
        raise ParseFailure("date_outside_era")
    return value


def parse_month(raw: str) -> dt.date:
    """Parse a month (``2023-08``, ``202308``, ``R5.8``, ``令和5年8月``) to its first day.

    Full dates are accepted too (the day is dropped). A 和暦 month is valid when any
    day of it falls inside the era (令和元年4月 is not: 令和 began on 1 May 2019).
    """
    s = nfkc(raw)
    m = _ISO_MONTH.match(s) or _COMPACT_MONTH.match(s)
    if m:
        return _make_date(int(m["y"]), int(m["m"]), 1)
    m = _WAREKI_MONTH.match(s)
    if m:
        letter = _era_letter(m["era"])
        first = _make_date(_era_year(letter, m["y"]), int(m["m"]), 1)
        last = month_end(first)
        start, end = _era_bounds(letter)
        if last < start or (end is not None and first >= end):
            raise ParseFailure("date_outside_era")
        return first
    try:
        return parse_date(s).replace(day=1)
    except ParseFailure as exc:
        raise ParseFailure(
            "date_outside_era" if exc.rule == "date_outside_era" else "unparseable_month"
        ) from None


_FY_WAREKI = re.compile(r"^(?P<era>[HRhr]|平成|令和)\s*(?P<y>元|\d{1,2})\s*(年度|年)?$")


def parse_fiscal_year(raw: str) -> int:
    """Parse a fiscal year (年度): ``2024``, ``R6``, ``令和6年度``, ``2024年度``."""
    s = nfkc(raw)
    m = re.match(r"^(\d{4})\s*(年度|年)?$", s)
    if m:
        y = int(m.group(1))
        if not 1900 <= y <= 2200:
            raise ParseFailure("invalid_fiscal_year")
        return y
    m = _FY_WAREKI.match(s)
    if not m:
        raise ParseFailure("invalid_fiscal_year")
    letter = _era_letter(m["era"])
    y = _era_year(letter, m["y"])
    # a fiscal year starts on 1 April: it must overlap the era
    start, end = _era_bounds(letter)
    fy_start, fy_end = dt.date(y, 4, 1), dt.date(y + 1, 3, 31)
    if fy_end < start or (end is not None and fy_start >= end):
        raise ParseFailure("date_outside_era")
    return y


# -------------------------------------------------------------- numbers, bools, codes

_INT = re.compile(r"^[+-]?\d+$")


def parse_int(raw: str) -> int:
    """Parse an integer (full-width digits, thousands separators and a trailing 円 allowed)."""
    s = nfkc(raw).replace(",", "").removesuffix("円").strip()
    if s.endswith(".0"):
        s = s[:-2]
    if not _INT.match(s):
        raise ParseFailure("not_an_integer")
    value = int(s)
    if not -(2**63) <= value < 2**63:
        raise ParseFailure("out_of_range")
    return value


def parse_float(raw: str) -> float:
    """Parse a decimal number (full-width digits and thousands separators allowed)."""
    s = nfkc(raw).replace(",", "")
    try:
        value = float(s)
    except ValueError:
        raise ParseFailure("not_a_number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ParseFailure("not_a_number")
    return value


def bool_parser(column: str) -> Callable[[str], bool]:
    """A parser for the boolean ``column``: generic spellings plus the column's own words."""
    true_words = {w.lower() for w in schema.BOOL_TRUE}
    false_words = {w.lower() for w in schema.BOOL_FALSE}
    own_true, own_false = schema.BOOL_COLUMN_WORDS.get(column, ((), ()))
    true_words |= {nfkc(w).lower() for w in own_true}
    false_words |= {nfkc(w).lower() for w in own_false}

    def parse(raw: str) -> bool:
        s = nfkc(raw).lower()
        if s in true_words:
            return True
        if s in false_words:
            return False
        raise ParseFailure("invalid_boolean")

    return parse


def code_parser(column: str, codes: tuple[str, ...]) -> Callable[[str], str]:
    """A parser mapping canonical codes and their aliases (schema.CODE_ALIASES) to the code."""
    table: dict[str, str] = {c.lower(): c for c in codes}
    for alias, code in schema.CODE_ALIASES.get(column, {}).items():
        table[nfkc(alias).lower()] = code
    relation = column == "relation"

    def parse(raw: str) -> str:
        s = nfkc(raw)
        code = table.get(s.lower())
        if code is None and relation and schema.CHILD_RELATION_PATTERN.match(s):
            code = "child"
        if code is None:
            raise ParseFailure("unknown_code")
        return code

    return parse


def parser_for(column: schema.Column) -> Callable[[str], object]:
    """The raw-text parser for a contract column (``str`` columns are only stripped)."""
    kind = column.kind
    if kind == "date":
        return parse_date
    if kind == "month":
        return parse_month
    if kind == "fiscal_year":
        return parse_fiscal_year
    if kind == "int":
        return parse_int
    if kind == "float":
        return parse_float
    if kind == "bool":
        return bool_parser(column.name)
    if kind == "code":
        return code_parser(column.name, column.codes)
    return lambda raw: raw.strip()


# ------------------------------------------------------------- vectorised mapping


def map_unique(
    values: pl.Series, parse: Callable[[str], object], dtype: pl.DataType
) -> tuple[pl.Series, pl.Series]:
    """Parse a string Series by parsing each distinct value once.

    In: raw strings (nulls and blank strings mean "no value"), a parser, the output dtype.
    Out: (parsed values with nulls where absent or failed, rule names where parsing failed
    else null), both aligned with ``values``.
    """
    uniq = values.drop_nulls().unique()
    olds: list[str] = []
    news: list[object] = []
    bad_olds: list[str] = []
    bad_rules: list[str] = []
    for raw in uniq.to_list():
        if not raw.strip():
            continue
        try:
            news.append(parse(raw))
            olds.append(raw)
        except ParseFailure as exc:
            bad_olds.append(raw)
            bad_rules.append(exc.rule)
    str_dtype = dtype if not isinstance(dtype, pl.Enum) else pl.String()
    parsed = values.replace_strict(
        pl.Series(olds, dtype=pl.String()),
        pl.Series(news, dtype=str_dtype),
        default=None,
        return_dtype=str_dtype,
    )
    if isinstance(dtype, pl.Enum):
        parsed = parsed.cast(dtype)
    if not bad_olds:  # nothing failed: no lookup over every row for the rules
        return parsed, pl.repeat(None, values.len(), dtype=pl.String, eager=True).alias(values.name)
    rules = values.replace_strict(
        pl.Series(bad_olds, dtype=pl.String()),
        pl.Series(bad_rules, dtype=pl.String()),
        default=None,
        return_dtype=pl.String(),
    )
    return parsed, rules
