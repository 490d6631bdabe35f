"""Hand-built households: shape signs, membership on T, and checklist items that fire."""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.checklist import Checklist, load_checklist_config
from kizuki.contract.schema import TABLES
from kizuki.features.build import build_features
from kizuki.features.config import load_feature_config

T = dt.date(2025, 9, 30)
D = dt.date
LONG_AGO = D(2010, 1, 1)


def canonical(table: str, rows: list[dict]) -> pl.LazyFrame:
    """Rows in the canonical schema of ``table`` (missing columns null; known_on derived simply)."""
    schema = TABLES[table].schema
    frame = pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema, orient="row")
    if table in ("residents", "care"):
        frame = frame.with_columns(known_on=pl.col("valid_from"))
    elif table == "tax":
        frame = frame.with_columns(known_on=pl.date(pl.col("fiscal_year"), 6, 1))
    elif table in ("school", "utility"):
        frame = frame.with_columns(known_on=pl.col("month").dt.month_end())
    elif table == "care_usage":
        frame = frame.with_columns(known_on=pl.col("month").dt.offset_by("2mo").dt.month_end())
    elif table == "outcomes":
        frame = frame.with_columns(known_on=pl.col("opened_on"))
    return frame.lazy()


def person(
    pid: str,
    hh: str,
    born: dt.date,
    sex: str,
    rel: str,
    since: dt.date = LONG_AGO,
    until: dt.date | None = None,
    reason: str | None = None,
) -> dict:
    return {
        "person_id": pid,
        "household_id": hh,
        "birth_month": born,
        "sex": sex,
        "relation": rel,
        "district": "east",
        "valid_from": since,
        "valid_to": until,
        "end_reason": reason,
        "nationality": "jp",
    }


def residents() -> pl.LazyFrame:
    return canonical(
        "residents",
        [
            # 8050 with the middle-aged child as head (parent recorded as 母)
            person("a1", "A", D(1972, 4, 1), "M", "head"),
            person("a2", "A", D(1942, 2, 1), "F", "parent"),
            # older person living alone, moved in this year
            person("b1", "B", D(1945, 6, 1), "F", "head", since=D(2025, 3, 10)),
            # young carer: child 14, grandmother care4, one parent
            person("c1", "C", D(1985, 1, 1), "F", "head"),
            person("c2", "C", D(2011, 5, 1), "M", "child"),
            person("c3", "C", D(1950, 3, 1), "F", "parent"),
            # a member who joins on T counts; one who leaves on T does not
            person("d1", "D", D(1980, 1, 1), "M", "head"),
            person("d2", "D", D(1981, 1, 1), "F", "spouse", since=T),
            person("d3", "D", D(2005, 1, 1), "M", "child", until=T, reason="household_change"),
            person("d3", "E", D(2005, 1, 1), "M", "head", since=T),
            # moved district: the current period decides the district
            person("f1", "F", D(1990, 1, 1), "F", "head", until=D(2024, 1, 1), reason="moved_out"),
            person("f1", "F2", D(1990, 1, 1), "F", "head", since=D(2024, 1, 1)),
        ],
    ).with_columns(
        district=pl.when(pl.col("household_id") == "F2")
        .then(pl.lit("west"))
        .otherwise(pl.col("district"))
    )


def test_shapes_and_membership_on_T() -> None:
    tables = {
        "residents": residents(),
        "tax": canonical(
            "tax",
            [
                {
                    "person_id": "a1",
                    "fiscal_year": 2025,
                    "income_total": None,
                    "main_income": "none",
                    "taxable": False,
                    "filed": False,
                },
                {
                    "person_id": "a2",
                    "fiscal_year": 2025,
                    "income_total": 800000,
                    "main_income": "pension",
                    "taxable": True,
                    "filed": True,
                },
            ],
        ),
        "care": canonical(
            "care",
            [{"person_id": "c3", "kind": "ltc", "level": "care4", "valid_from": D(2024, 1, 5)}],
        ),
    }
    f = build_features(tables, T, load_feature_config())
    row = {r["household_id"]: r for r in f.iter_rows(named=True)}
    assert (
        row["A"]["pair_8050"]
        and row["A"]["middle_member_no_income"]
        and row["A"]["hh_type"] == "eight050_shape"
    )
    assert row["B"]["alone_65plus"] and row["B"]["recent_move_in_alone_65"]
    assert row["C"]["child_with_dependent"] and row["C"]["heavy_need_members"] == 1
    assert row["D"]["n_members"] == 2 and row["D"]["member_left_12m"] == 1
    assert row["E"]["n_members"] == 1
    assert "F" not in row and row["F2"]["district"] == "west"
    fired = Checklist(load_checklist_config()).explain(f).filter(pl.col("fired"))
    got = {(r["household_id"], r["item"]) for r in fired.iter_rows(named=True)}
    assert ("A", "pair_8050") in got and ("A", "no_declaration") in got
    assert ("B", "alone_65") in got and ("B", "move_in_alone") in got
    assert ("C", "child_carer_shape") in got and ("C", "heavy_care") in got
    scores = Checklist(load_checklist_config()).checklist_scores(f)
    top = (
        scores.sort("checklist_score", descending=True)
        .group_by("issue", maintain_order=True)
        .first()
    )
    by_issue = dict(zip(top["issue"], top["household_id"], strict=True))
    assert (
        by_issue["eight050"] == "A"
        and by_issue["young_carer"] == "C"
        and by_issue["elderly_isolation"] == "B"
    )


def test_water_drop_and_arrears_fire_their_items() -> None:
    months = [D(2024, m, 1) for m in range(1, 13)] + [D(2025, m, 1) for m in range(1, 10)]
    rows = []
    for m in months:
        low = m >= D(2025, 6, 1)
        rows.append(
            {
                "household_id": "B",
                "month": m,
                "period_months": 1,
                "water_m3": 1.0 if low else 8.0,
                "billed_yen": 2000,
                "unpaid_yen": 12000 if low else 0,
                "stop_notice": m == D(2025, 9, 1),
            }
        )
    tables = {"residents": residents(), "utility": canonical("utility", rows)}
    f = build_features(tables, T, load_feature_config())
    b = f.filter(pl.col("household_id") == "B").row(0, named=True)
    assert (
        b["water_change_yoy"] < -0.8
        and b["water_low_months_6m"] == 4
        and b["stop_notices_12m"] == 1
    )
    fired = (
        Checklist(load_checklist_config())
        .explain(f)
        .filter(pl.col("fired") & (pl.col("household_id") == "B"))
    )
    assert {"water_drop", "water_arrears"} <= set(fired["item"])


def test_missing_optional_tables_give_nulls_not_errors() -> None:
    f = build_features({"residents": residents()}, T, load_feature_config())
    assert f["water_change_yoy"].null_count() == f.height
    assert f["n_adults_not_filed"].null_count() == f.height


def test_care_rise_compares_with_the_same_day_a_year_before() -> None:
    # care1 for years, care3 from 29 September 2024: on T = 30 September 2025 the level a
    # year before (30 September 2024) was already care3, so it has not risen in 12 months
    # (comparing against the 28th, as a day clamp would, counts a rise of two steps)
    care = canonical(
        "care",
        [
            {
                "person_id": "c3",
                "kind": "ltc",
                "level": "care1",
                "valid_from": D(2019, 4, 1),
                "valid_to": D(2024, 9, 29),
            },
            {"person_id": "c3", "kind": "ltc", "level": "care3", "valid_from": D(2024, 9, 29)},
            {"person_id": "a2", "kind": "ltc", "level": "care1", "valid_from": D(2019, 4, 1)},
            {"person_id": "a2", "kind": "ltc", "level": "care2", "valid_from": D(2025, 1, 30)},
        ],
    )
    tables = {"residents": residents(), "care": care}
    row = {
        r["household_id"]: r
        for r in build_features(tables, T, load_feature_config()).iter_rows(named=True)
    }
    assert row["C"]["ltc_rise_12m"] == 0 and row["C"]["max_ltc_level"] == 6
    assert row["A"]["ltc_rise_12m"] == 1
    # on a day that is not a month end the same day of the month is kept: as of
    # 30 January 2026 the level of 30 January 2025 (care2, from that day) is the base
    early = {
        r["household_id"]: r
        for r in build_features(tables, D(2026, 1, 30), load_feature_config()).iter_rows(named=True)
    }
    assert early["A"]["ltc_rise_12m"] == 0


def _bimonthly(hh: str, uses: list[float], first: dt.date) -> pl.LazyFrame:
    """Bi-monthly readings (each covering two months) starting at ``first``, known at the
    end of their second month (the contract's rule for a billing period)."""
    rows, m = [], first
    for use in uses:
        rows.append(
            {
                "household_id": hh,
                "month": m,
                "period_months": 2,
                "water_m3": use,
                "billed_yen": 4000,
                "unpaid_yen": 0,
                "stop_notice": False,
            }
        )
        m = D(m.year + (m.month + 1) // 12, (m.month + 1) % 12 + 1, 1)
    frame = canonical("utility", rows)
    return frame.with_columns(known_on=pl.col("month").dt.offset_by("1mo").dt.month_end())


def test_a_bimonthly_reading_is_flat_only_when_it_matches_the_reading_before() -> None:
    # the second month of a bi-monthly reading is the same reading halved: on the old code
    # every such month counted as "flat", so a household of a bi-monthly district had 2 or 3
    # flat months in any 6 (alternating from one month to the next) with no flat line at all
    lively = [16.0, 20.0, 14.0, 22.0, 18.0, 12.0, 24.0, 15.0, 21.0, 17.0, 23.0, 13.0]
    stuck = [*lively[:8], 10.0, 10.0, 10.0, 10.0]  # from 2025-05: equal readings
    cfg = load_feature_config()
    counts = {}
    utility = pl.concat(
        [_bimonthly("B", lively, D(2024, 1, 1)), _bimonthly("S", stuck, D(2024, 1, 1))]
    )
    tables = {"residents": residents_with("S", "B"), "utility": utility}
    for as_of in (D(2025, 8, 31), D(2025, 9, 30), D(2025, 10, 31)):
        f = build_features(tables, as_of, cfg)
        counts[as_of] = dict(zip(f["household_id"], f["water_flat_months_6m"], strict=True))
    assert [counts[d]["B"] for d in counts] == [0, 0, 0]
    # the reading of 2025-07/08 equals the one before (both its months flat); that of
    # 2025-09/10 too, known at the end of October
    assert [counts[d]["S"] for d in counts] == [2, 2, 4]


def residents_with(*extra: str) -> pl.LazyFrame:
    """One-person households ``extra`` (district east, born 1950)."""
    rows = [person(f"{h}1", h, D(1950, 1, 1), "F", "head") for h in extra]
    return canonical("residents", rows)
