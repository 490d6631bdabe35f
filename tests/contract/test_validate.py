"""The validator's vectorised shortcuts give exactly what the element-wise rules give."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from kizuki.contract import schema
from kizuki.contract.knowledge import month_end, month_end_values, with_known_on
from kizuki.contract.validate import _canonical_dates, validate_table

from .reference import old_knowledge_date, old_month_end

# text close to the canonical forms: digits, separators, signs, white space, full-width
_date_like = st.text(alphabet="0123456789-/ +\t\n０１２x", max_size=12) | st.sampled_from(
    [
        "2023-08",
        "2023-8",
        "2023-08-01",
        "2023-08-1",
        "2023-02-30",
        " 2023-08",
        "2023-08 ",
        "+2023-08",
        "-2023-08",
        "0000-01",
        "9999-12",
        "1-01",
        "23-08",
        "2023- 8",
        "2023-13",
        "2024-02-29",
        "2023-02-29",
        "",
        "  ",
    ]
)


def _reference(text: pl.Series, kind: str) -> pl.Series:
    """The fast path as it was: strip, pad a month to its first day, parse, truncate."""
    stripped = text.str.strip_chars()
    padded = stripped + "-01" if kind == "month" else stripped
    direct = padded.str.to_date("%Y-%m-%d", strict=False)
    return direct.dt.truncate("1mo") if kind == "month" else direct


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.none() | _date_like, max_size=20), kind=st.sampled_from(["date", "month"])
)
def test_canonical_dates_match_the_strip_and_pad_path(values: list[str | None], kind: str) -> None:
    text = pl.Series("c", values, dtype=pl.String)
    assert _canonical_dates(text, kind).equals(_reference(text, kind))


@settings(max_examples=100, deadline=None)
@given(
    days=st.lists(st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), max_size=30),
    plus=st.integers(0, 3),
)
def test_month_ends_by_distinct_value_match_the_expression(
    days: list[dt.date | None], plus: int
) -> None:
    s = pl.Series("month", days, dtype=pl.Date)
    expected = s.to_frame().select(old_month_end("month", plus)).to_series()
    assert month_end_values(s, (plus,))[0].equals(expected)
    # the element-wise form (kizuki.calendar) agrees with the old expression on any day
    assert s.to_frame().select(month_end("month", plus)).to_series().equals(expected)


def test_known_on_matches_the_expression_for_every_table() -> None:
    months = [dt.date(2023, m, 1) for m in (1, 2, 11, 12)]
    frames = {
        "utility": pl.DataFrame(
            {
                "month": months,
                "period_months": [1, 2, None, 2],
                "recorded_on": [None, None, dt.date(2024, 5, 5), None],
            }
        ),
        "school": pl.DataFrame(
            {"month": months, "recorded_on": [None] * 3 + [dt.date(2024, 1, 9)]}
        ),
        "care_usage": pl.DataFrame({"month": months, "recorded_on": [None] * 4}),
    }
    for name, frame in frames.items():
        frame = frame.with_columns(pl.col("recorded_on").cast(pl.Date))
        got = with_known_on(schema.TABLES[name], frame)
        want = frame.with_columns(known_on=old_knowledge_date(name))
        assert got.equals(want), name


def test_a_clean_table_and_one_with_a_bad_row_agree_on_the_clean_rows() -> None:
    n = 50
    raw = pl.DataFrame(
        {
            "household_id": [f" H{i:03d}" if i % 7 == 0 else f"H{i:03d}" for i in range(n)],
            "month": ["2024-01" if i % 2 else "R6.2" for i in range(n)],
            "period_months": [1 + i % 2 for i in range(n)],
            "water_m3": [float(i) for i in range(n)],
            "billed_yen": [100] * n,
            "unpaid_yen": [0] * n,
        }
    )
    table = schema.TABLES["utility"]
    clean = validate_table(table, raw)
    assert clean.rejects.height == 0 and not clean.violations
    assert clean.kept["household_id"].str.starts_with("H").all()
    bad = raw.with_columns(unpaid_yen=pl.when(pl.int_range(n) == 3).then(-1).otherwise(0))
    dirty = validate_table(table, bad)
    assert dirty.rejects["rule"].to_list() == ["negative_value"]
    assert dirty.rejects["row_number"].to_list() == [4]
    assert dirty.kept.equals(clean.kept.filter(pl.int_range(n) != 3))
