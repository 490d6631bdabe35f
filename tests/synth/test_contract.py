"""Every generated table obeys the data contract (§1): columns, types, codes, keys, periods."""

from __future__ import annotations

import polars as pl
import pytest

from kizuki.contract import schema
from kizuki.synth.generate import SynthDrop

_TYPES = {
    "str": pl.String,
    "date": pl.Date,
    "month": pl.String,  # canonical drops write months as YYYY-MM text
    "int": pl.Int64,
    "float": pl.Float64,
    "bool": pl.Boolean,
    "code": pl.String,
    "fiscal_year": pl.Int32,
}
_END = pl.date(2026, 9, 30)


@pytest.fixture(params=["town", "village"])
def drop(request: pytest.FixtureRequest) -> SynthDrop:
    return request.getfixturevalue(request.param)


def test_tables_columns_types_and_codes(drop: SynthDrop) -> None:
    assert set(drop.tables) == set(schema.TABLES)
    for name, frame in drop.tables.items():
        table = schema.TABLES[name]
        assert frame.height > 0, name
        # contract columns only, in contract order, every required one present
        assert frame.columns == [c for c in table.names if c in frame.columns], name
        assert set(table.required_names) <= set(frame.columns), name
        assert "known_on" not in frame.columns
        for col in table.columns:
            if col.name not in frame.columns:
                continue
            s = frame[col.name]
            where = f"{name}.{col.name}"
            assert s.dtype == _TYPES[col.kind], where
            if col.required:
                assert s.null_count() == 0, where
            if col.kind == "code":
                assert set(s.drop_nulls().unique()) <= set(col.codes), where
            if col.kind == "month":
                assert s.drop_nulls().str.contains(r"^\d{4}-(0[1-9]|1[0-2])$").all(), where
            if col.minimum is not None:
                assert (s.drop_nulls() >= col.minimum).all(), where


def test_keys_are_unique(drop: SynthDrop) -> None:
    for name, frame in drop.tables.items():
        key = list(schema.TABLES[name].key)
        assert frame.select(key).is_duplicated().sum() == 0, name


def test_identifiers_are_pseudonymous(drop: SynthDrop) -> None:
    r = drop.tables["residents"]
    assert r["person_id"].str.contains(r"^P[0-9a-f]{16}$").all()
    assert r["household_id"].str.contains(r"^H[0-9a-f]{16}$").all()
    assert not r["person_id"].str.contains(r"^\d{12}$").any()


def test_every_person_and_household_is_in_the_registry(drop: SynthDrop) -> None:
    people = drop.tables["residents"]["person_id"].unique().implode()
    households = drop.tables["residents"]["household_id"].unique().implode()
    for name in ("tax", "care", "care_usage", "school"):
        assert drop.tables[name]["person_id"].is_in(people).all(), name
    for name in ("utility", "outcomes"):
        assert drop.tables[name]["household_id"].is_in(households).all(), name


def test_residence_periods_never_overlap(drop: SynthDrop) -> None:
    r = drop.tables["residents"].sort("person_id", "valid_from")
    assert (r["valid_to"].is_null() | (r["valid_to"] > r["valid_from"])).all()
    # an end has a reason and a reason has an end
    assert (r["valid_to"].is_null() == r["end_reason"].is_null()).all()
    nxt = r.with_columns(
        next_from=pl.col("valid_from").shift(-1).over("person_id"),
    ).filter(pl.col("next_from").is_not_null())
    assert nxt["valid_to"].is_not_null().all()
    assert (nxt["next_from"] >= nxt["valid_to"]).all()
    # a household change (世帯変更) starts the next period the day the last one ends
    change = nxt.filter(pl.col("end_reason") == "household_change")
    assert change.height > 0
    assert (change["next_from"] == change["valid_to"]).all()
    # nobody is present after dying
    died = r.filter(pl.col("end_reason") == "died")
    assert died["person_id"].n_unique() == died.height
    assert nxt.filter(pl.col("end_reason") == "died").height == 0


def test_care_certificates_are_consistent(drop: SynthDrop) -> None:
    c = drop.tables["care"]
    for kind, levels in schema.LEVELS_BY_KIND.items():
        lv = c.filter(pl.col("kind") == kind)["level"]
        assert set(lv.unique()) <= set(levels), kind
    assert (c["valid_to"].is_null() | (c["valid_to"] > c["valid_from"])).all()
    # one person's certificates of one kind follow each other without overlapping
    s = c.sort("person_id", "kind", "valid_from").with_columns(
        prev_to=pl.col("valid_to").shift(1).over("person_id", "kind"),
        has_prev=pl.col("valid_from").shift(1).over("person_id", "kind").is_not_null(),
    )
    follow = s.filter(pl.col("has_prev"))
    assert follow["prev_to"].is_not_null().all()
    assert (follow["valid_from"] >= follow["prev_to"]).all()
    # ltc levels only rise along a person's certifications
    order = {lvl: i for i, lvl in enumerate(schema.LTC_LEVELS)}
    ltc = s.filter(pl.col("kind") == "ltc").with_columns(
        rise=pl.col("level").replace_strict(order, return_dtype=pl.Int32).diff().over("person_id")
    )
    assert (ltc["rise"].drop_nulls() >= 0).all()


def test_school_and_utility_rules(drop: SynthDrop) -> None:
    s = drop.tables["school"]
    assert (s["absent_days"] <= s["school_days"]).all()
    assert (s["late_days"] <= s["school_days"] - s["absent_days"]).all()
    u = drop.tables["utility"].sort("household_id", "month")
    assert set(u["period_months"].unique()) == {1, 2}
    # a two-month reading covers its month and the next: the household's next row
    # starts two months later
    m = (pl.col("month") + "-01").str.to_date()
    gaps = u.with_columns(
        step=(m.shift(-1).over("household_id").dt.month() - m.dt.month()) % 12,
    ).filter(pl.col("step").is_not_null())
    bi = gaps.filter(pl.col("period_months") == 2)
    assert bi.height > 0 and (bi["step"] == 2).all()


def test_nothing_is_known_after_the_extraction_date(drop: SynthDrop) -> None:
    assert drop.tables["residents"].filter(pl.col("valid_from") > _END).height == 0
    assert drop.tables["residents"].filter(pl.col("valid_to") > _END).height == 0
    assert drop.tables["care"].filter(pl.col("valid_from") > _END).height == 0
    assert drop.tables["outcomes"].filter(pl.col("opened_on") > _END).height == 0
    assert drop.tables["tax"].filter(pl.col("recorded_on") > _END).height == 0
    assert drop.tables["tax"]["recorded_on"].is_not_null().any()  # some arrive late
    # care claims arrive two months late: the last two service months are not in yet
    assert drop.tables["care_usage"]["month"].max() == "2026-07"
    assert drop.tables["utility"]["month"].max() == "2026-09"
