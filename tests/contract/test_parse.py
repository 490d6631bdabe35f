"""Parsers for every accepted raw form (contract §1), with era boundaries exact."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kizuki.contract.parse import (
    ParseFailure,
    bool_parser,
    code_parser,
    map_unique,
    parse_date,
    parse_fiscal_year,
    parse_int,
    parse_month,
)
from kizuki.contract.schema import MAIN_INCOME, RELATION

D = dt.date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-08-03", D(2023, 8, 3)),
        ("2023/08/03", D(2023, 8, 3)),
        ("20230803", D(2023, 8, 3)),
        ("R5.8.3", D(2023, 8, 3)),
        ("R05.08.03", D(2023, 8, 3)),
        ("令和5年8月3日", D(2023, 8, 3)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("H31.4.30", D(2019, 4, 30)),
        ("平成31年4月30日", D(2019, 4, 30)),
        ("S18.5.1", D(1943, 5, 1)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("T15.12.24", D(1926, 12, 24)),
        ("M45.7.29", D(1912, 7, 29)),
        ("２０２３－０８－０３", D(2023, 8, 3)),
        ("Ｒ５．８．３", D(2023, 8, 3)),
    ],
)
def test_dates_in_every_form(raw: str, expected: dt.date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("平成31年5月1日", "date_outside_era"),
        ("昭和64年1月8日", "date_outside_era"),
        ("H32.1.1", "date_outside_era"),
        ("R1.4.1", "date_outside_era"),
        ("令和元年4月30日", "date_outside_era"),
        ("S1.12.24", "date_outside_era"),
        ("2023-02-30", "invalid_date"),
        ("R5.2.30", "invalid_date"),
        ("X5.1.1", "unparseable_date"),
        ("yesterday", "unparseable_date"),
        ("", "unparseable_date"),
    ],
)
def test_bad_dates_name_their_rule(raw: str, rule: str) -> None:
    with pytest.raises(ParseFailure) as exc:
        parse_date(raw)
    assert exc.value.rule == rule


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-08", D(2023, 8, 1)),
        ("202308", D(2023, 8, 1)),
        ("R5.8", D(2023, 8, 1)),
        ("令和5年8月", D(2023, 8, 1)),
        ("令和元年5月", D(2019, 5, 1)),
        ("平成31年4月", D(2019, 4, 1)),
        ("S64.1", D(1989, 1, 1)),
    ],
)
def test_months(raw: str, expected: dt.date) -> None:
    assert parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["令和元年4月", "平成31年5月", "H32.1", "2023-13"])
def test_bad_months(raw: str) -> None:
    with pytest.raises(ParseFailure):
        parse_month(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024", 2024),
        ("R6", 2024),
        ("令和6年度", 2024),
        ("令和元年度", 2019),
        ("平成30年度", 2018),
        ("２０２４", 2024),
    ],
)
def test_fiscal_years(raw: str, expected: int) -> None:
    assert parse_fiscal_year(raw) == expected


def test_integers_full_width_and_separators() -> None:
    assert parse_int("１２３") == 123
    assert parse_int("1,200,000") == 1_200_000
    assert parse_int("－５") == -5
    with pytest.raises(ParseFailure):
        parse_int("12a")
    with pytest.raises(ParseFailure) as exc:
        parse_int("9" * 30)
    assert exc.value.rule == "out_of_range"


def test_booleans_generic_and_column_words() -> None:
    taxable = bool_parser("taxable")
    assert taxable("課税") is True and taxable("非課税") is False
    assert taxable("1") is True and taxable("false") is False
    filed = bool_parser("filed")
    assert filed("申告あり") is True and filed("申告なし") is False and filed("有") is True
    with pytest.raises(ParseFailure):
        filed("maybe")


def test_codes_and_aliases() -> None:
    rel = code_parser("relation", RELATION)
    assert rel("世帯主") == "head" and rel("長男") == "child" and rel("二女") == "child"
    assert (
        rel("妻の母") == "parent_in_law"
        and rel("子の妻") == "child_in_law"
        and rel("縁故者") == "other_relative"
    )
    assert rel("child") == "child"
    main = code_parser("main_income", MAIN_INCOME)
    assert main("事業") == "business" and main("年金") == "pension"
    with pytest.raises(ParseFailure):
        rel("友人")


def test_map_unique_aligns_values_and_rules() -> None:
    raw = pl.Series("d", ["R5.8.3", None, "bad", "R5.8.3", "", "H32.1.1"])
    values, rules = map_unique(raw, parse_date, pl.Date())
    assert values.to_list() == [D(2023, 8, 3), None, None, D(2023, 8, 3), None, None]
    assert rules.to_list() == [None, None, "unparseable_date", None, None, "date_outside_era"]
