"""Knowledge dates and rules across columns come from each table's declaration alone,
and give exactly what the old string switches gave (``reference.py``)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kizuki.contract import schema
from kizuki.contract.checks import reject_overlaps
from kizuki.contract.knowledge import default_known_on, with_known_on
from kizuki.contract.report import RULE_SEVERITY, RULE_TEXT
from kizuki.contract.validate import _cross_checks, validate_table

from .reference import old_cross_checks, old_knowledge_date, old_reject_overlaps

_days = st.dates(dt.date(1985, 1, 1), dt.date(2035, 12, 31))
_months = _days.map(lambda d: d.replace(day=1))


def _knowledge_frame(table: schema.Table, rows: list[tuple]) -> pl.DataFrame:
    """The columns ``table``'s knowledge rule reads, typed as a loaded frame has them."""
    rule = table.knowledge
    anchor, period, recorded = zip(*rows, strict=True) if rows else ((), (), ())
    kind = table.column(rule.column).kind
    data: dict[str, pl.Series] = {}
    if kind == "fiscal_year":
        data[rule.column] = pl.Series([d.year for d in anchor], dtype=pl.Int32)
    else:
        values = [d.replace(day=1) if kind == "month" else d for d in anchor]
        data[rule.column] = pl.Series(values, dtype=pl.Date)
    if rule.period_column is not None:
        data[rule.period_column] = pl.Series(list(period), dtype=pl.Int64)
    if rule.override is not None:
        data[rule.override] = pl.Series(list(recorded), dtype=pl.Date)
    return pl.DataFrame(data)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(list(schema.TABLES)),
    rows=st.lists(
        st.tuples(_days, st.sampled_from([1, 2, None]), st.none() | _days), max_size=25
    ),
)
def test_known_on_from_the_declared_rule_equals_the_old_switch(name: str, rows: list) -> None:
    table = schema.TABLES[name]
    frame = _knowledge_frame(table, rows)
    got = with_known_on(table, frame)
    want = frame.with_columns(known_on=old_knowledge_date(name))
    assert got.equals(want), name
    # the default alone is the old rule with nothing recorded
    if table.knowledge.override is not None:
        blank = frame.with_columns(pl.lit(None, pl.Date).alias(table.knowledge.override))
        expected = blank.select(old_knowledge_date(name).alias("known_on")).to_series()
        assert default_known_on(table, frame).equals(expected), name


def test_known_on_rules_the_document_states() -> None:
    """Spot values: a claim two months late, a bi-monthly reading, tax from June 1."""
    usage = pl.DataFrame(
        {"month": [dt.date(2025, 12, 1)], "recorded_on": [None]},
        schema={"month": pl.Date, "recorded_on": pl.Date},
    )
    assert with_known_on(schema.CARE_USAGE, usage)["known_on"].item() == dt.date(2026, 2, 28)
    water = pl.DataFrame(
        {"month": [dt.date(2024, 1, 1)] * 3, "period_months": [1, 2, None], "recorded_on": None},
        schema={"month": pl.Date, "period_months": pl.Int64, "recorded_on": pl.Date},
    )
    assert with_known_on(schema.UTILITY, water)["known_on"].to_list() == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 1, 31),
    ]
    tax = pl.DataFrame({"fiscal_year": [2024]}, schema={"fiscal_year": pl.Int32})
    assert default_known_on(schema.TAX, tax).item() == dt.date(2024, 6, 1)


_levels = st.none() | st.sampled_from(list(schema.CARE_LEVEL))
_kinds = st.none() | st.sampled_from(list(schema.CARE_KIND))
_small = st.none() | st.integers(-2, 25)


def _check_frame(rows: list[tuple]) -> pl.DataFrame:
    """Every column any check reads, typed as in a loaded frame."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * 8
    return pl.DataFrame(
        {
            "valid_from": pl.Series(list(cols[0]), dtype=pl.Date),
            "valid_to": pl.Series(list(cols[1]), dtype=pl.Date),
            "kind": pl.Series(list(cols[2]), dtype=pl.Enum(list(schema.CARE_KIND))),
            "level": pl.Series(list(cols[3]), dtype=pl.Enum(list(schema.CARE_LEVEL))),
            "school_days": pl.Series(list(cols[4]), dtype=pl.Int64),
            "absent_days": pl.Series(list(cols[5]), dtype=pl.Int64),
            "late_days": pl.Series(list(cols[6]), dtype=pl.Int64),
            "period_months": pl.Series(list(cols[7]), dtype=pl.Int64),
        }
    )


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(list(schema.TABLES)),
    rows=st.lists(
        st.tuples(
            st.none() | _days, st.none() | _days, _kinds, _levels, _small, _small, _small, _small
        ),
        max_size=25,
    ),
)
def test_declared_checks_break_exactly_where_the_old_rules_did(name: str, rows: list) -> None:
    frame = _check_frame(rows)
    new = _cross_checks(schema.TABLES[name])
    old = old_cross_checks(name)
    assert [(c, r) for c, r, _ in new] == [(c, r) for c, r, _ in old]
    for (_, rule, got), (_, _, want) in zip(new, old, strict=True):
        a = frame.select(got.fill_null(False).alias("x")).to_series()
        b = frame.select(want.fill_null(False).alias("x")).to_series()
        assert a.equals(b), rule


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["P1", "P2", "P3"]),
            _months,
            st.none() | _months,
            st.sampled_from([None, None, None, "unknown_code"]),
        ),
        max_size=20,
    )
)
def test_declared_overlap_check_rejects_exactly_the_old_rows(rows: list) -> None:
    cols = list(zip(*rows, strict=True)) if rows else [()] * 4
    frame = pl.DataFrame(
        {
            "person_id": pl.Series(list(cols[0]), dtype=pl.String),
            "valid_from": pl.Series(list(cols[1]), dtype=pl.Date),
            "valid_to": pl.Series(list(cols[2]), dtype=pl.Date),
            "__rule": pl.Series(list(cols[3]), dtype=pl.String),
            "__column": pl.Series([c and "sex" for c in cols[3]], dtype=pl.String),
        }
    ).with_row_index("__row")
    (check,) = [c for c in schema.RESIDENTS.checks if not c.row_wise]
    got = reject_overlaps(check, frame, "__rule", "__column", "__row")
    assert got.equals(old_reject_overlaps(frame, "__rule", "__column", "__row"))


#: the rule ids rejects files carry for rules across columns (unchanged from contract v1)
RULE_IDS = {
    "residents": ["end_before_start", "period_overlap"],
    "tax": [],
    "care": ["end_before_start", "level_not_valid_for_kind"],
    "care_usage": [],
    "school": ["absent_over_school_days", "late_over_school_days"],
    "utility": ["invalid_period_months"],
    "outcomes": [],
}


@pytest.mark.parametrize("name", list(schema.TABLES))
def test_every_declared_rule_names_real_columns_and_has_a_text(name: str) -> None:
    table = schema.TABLES[name]
    assert [c.rule for c in table.checks] == RULE_IDS[name]
    for check in table.checks:
        for col in (check.column, check.other, check.by):
            if col is not None:
                table.column(col)  # KeyError when the table has no such column
        assert RULE_TEXT[check.rule] == check.text_en
    rule = table.knowledge
    anchor_kind = table.column(rule.column).kind
    assert anchor_kind == {"date": "date", "month_end": "month", "fiscal_june1": "fiscal_year"}[
        rule.anchor
    ]
    if rule.override is not None:
        assert table.column(rule.override).kind == "date"
    if rule.period_column is not None:
        assert table.column(rule.period_column).kind == "int"
    for col in table.columns:
        assert col.meaning_en, f"{name}.{col.name} has no meaning_en"
        for code in col.codes:
            assert schema.CODE_TEXT_EN[col.name][code], f"{name}.{col.name}={code}"


def test_a_declared_check_rejects_under_its_rule_id_and_column() -> None:
    raw = pl.DataFrame(
        {
            "person_id": ["P1", "P2", "P3", "P4"],
            "month": ["2024-05"] * 4,
            "school_level": ["elementary"] * 4,
            "school_days": ["19", "19", "19", "x"],
            "absent_days": ["20", "2", "19", "1"],
            "late_days": ["1", "25", None, "1"],
        }
    )
    result = validate_table(schema.SCHOOL, raw)
    assert result.rejects.select("row_number", "rule", "column").rows() == [
        (1, "absent_over_school_days", "absent_days"),
        (2, "late_over_school_days", "late_days"),
        (4, "not_an_integer", "school_days"),
    ]
    assert result.kept["person_id"].to_list() == ["P3"]
    assert all(v.severity == RULE_SEVERITY[v.rule] for v in result.violations)


def test_an_empty_optional_field_takes_the_declared_default_in_the_kept_rows() -> None:
    raw = pl.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H3"],
            "month": ["2024-01", "2024-01", "2024-01", "2024-01"],
            "period_months": ["2", None, " ", "1"],
            "water_m3": ["1"] * 4,
            "billed_yen": ["100"] * 4,
            "unpaid_yen": ["0"] * 4,
        }
    )
    assert schema.UTILITY.column("period_months").default == 1
    result = validate_table(schema.UTILITY, raw)
    assert result.kept["period_months"].to_list() == [2, 1, 1, 1]
    assert result.kept["known_on"].to_list() == [dt.date(2024, 2, 29)] + [dt.date(2024, 1, 31)] * 3
    (dup,) = result.violations
    assert (dup.rule, dup.severity) == ("duplicate_key", RULE_SEVERITY["duplicate_key"])
