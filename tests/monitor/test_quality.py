"""Data-quality checks on hand-built runs: tables, rejects, codes, missing shares, district coverage."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import ModuleType

import polars as pl

from kizuki.monitor.config import QualityConfig
from kizuki.monitor.quality import (
    category_checks,
    code_notes,
    code_rows,
    coverage_checks,
    coverage_features,
    missing_checks,
    reject_checks,
    table_checks,
)
from kizuki.pages import alert_text
from kizuki.runs import RejectSummary, read_run, summarise_rejects

Q = QualityConfig()
AS_OF = dt.date(2026, 9, 30)


def _inputs(**rows: tuple[int, int] | None) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for table, v in rows.items():
        out[table] = (
            {"present": False}
            if v is None
            else {"present": True, "rows_read": v[0], "rows_rejected": v[1]}
        )
    return out


def test_table_checks_name_missing_tables_row_drops_and_reject_rises(
    tmp_path: Path, factory: ModuleType
) -> None:
    f = factory.frame_generator(200, 1)
    ref = read_run(
        factory.fabricate_run(
            tmp_path / "r",
            f,
            as_of=AS_OF,
            inputs=_inputs(residents=(1000, 0), utility=(5000, 0), tax=(3000, 3), care=(400, 0)),
        )
    )
    cur = read_run(
        factory.fabricate_run(
            tmp_path / "c",
            f,
            as_of=AS_OF,
            inputs=_inputs(residents=(1005, 0), utility=None, tax=(2000, 3), care=(410, 9)),
            missing_tables=("utility",),
        )
    )
    frame, alerts = table_checks(ref, cur, Q)
    assert {(a.check, a.subject) for a in alerts} == {
        ("table_missing", "utility"),
        ("row_drop", "tax"),
        ("reject_rise", "care"),
    }
    row = frame.filter(pl.col("table") == "utility").row(0, named=True)
    assert row["ref_present"] and not row["cur_present"] and row["cur_rows"] is None
    care = next(a for a in alerts if a.subject == "care")
    assert "0.0%" in alert_text(care, "en") and "2.2%" in alert_text(care, "en")


def test_reject_summaries_count_values_but_never_keep_them() -> None:
    raw = pl.DataFrame(
        {
            "row_number": [3, 8, 9, 12],
            "rule": ["unknown_code", "unknown_code", "unknown_code", "negative_value"],
            "column": ["level", "level", "level", "service_units"],
            "person_id": ["P-SECRET-1", "P-SECRET-2", "P-SECRET-3", "P-SECRET-4"],
            "level": ["要介護9", "要介護9", "XX", "care1"],
            "service_units": ["1", "2", "3", "-5"],
        }
    )
    summary = summarise_rejects(raw)
    assert summary.rows() == [
        ("level", "unknown_code", 3, 2),
        ("service_units", "negative_value", 1, 1),
    ]
    frame, alerts = reject_checks({}, {"care": RejectSummary("care", summary)})
    text = json.dumps(frame.to_dicts(), ensure_ascii=False) + " ".join(
        alert_text(a, "en") + alert_text(a, "ja") + json.dumps(a.to_dict(), ensure_ascii=False)
        for a in alerts
    )
    for secret in ("P-SECRET", "要介護9", "XX", "-5"):
        assert secret not in text
    assert {(a.check, a.subject) for a in alerts} == {
        ("code_appeared", "care.level"),
        ("reject_rule_new", "care.service_units:negative_value"),
    }


def test_rules_already_seen_in_the_reference_do_not_fire() -> None:
    s = summarise_rejects(
        pl.DataFrame(
            {"row_number": [1], "rule": ["unknown_code"], "column": ["level"], "level": ["x"]}
        )
    )
    _, alerts = reject_checks(
        {"care": RejectSummary("care", s)}, {"care": RejectSummary("care", s)}
    )
    assert alerts == []


def test_codes_that_appear_or_vanish_in_the_features(factory: ModuleType) -> None:
    ref = factory.frame_generator(600, 2)
    cur = factory.frame_generator(600, 3).with_columns(
        pl.when(pl.col("hh_type") == "elderly_only")
        .then(pl.lit("elderly_pair"))
        .otherwise(pl.col("hh_type"))
        .alias("hh_type"),
        pl.when(pl.int_range(pl.len()) < 4)
        .then(pl.lit("新地区"))
        .otherwise(pl.col("district"))
        .alias("district"),
    )
    # every appearance an alert (a minimum of one household, as before the minimum existed)
    rows, alerts = category_checks(ref, cur, QualityConfig(code_appeared_min_count=1))
    got = {(a.check, a.subject) for a in alerts}
    assert got == {
        ("code_appeared", "hh_type=elderly_pair"),
        ("code_vanished", "hh_type=elderly_only"),
        ("code_appeared", "district=新地区"),
    }
    assert all(r["source"] == "features" for r in rows)
    # under the default minimum (5) the new district of 4 households is a note, not an alert
    rows, alerts = category_checks(ref, cur, Q)
    assert {(a.check, a.subject) for a in alerts} == got - {("code_appeared", "district=新地区")}
    new = next(r for r in rows if r["code"] == "新地区")
    assert (new["status"], new["alert"], new["cur_count"]) == ("appeared", False, 4)
    (note,) = code_notes(rows, Q.code_appeared_min_count)
    assert "features.district" in note and "4 households" in note and "note" in note


def test_a_new_code_needs_the_minimum_count_to_alert() -> None:
    ref = {("residents", "relation"): {"head": 500, "child": 300}}
    one = {("residents", "relation"): {"head": 500, "child": 299, "grandparent": 1}}
    many = {("residents", "relation"): {"head": 495, "child": 300, "grandparent": 5}}
    rows, alerts = code_rows("drop", ref, one, 10, appeared_min_count=5)
    assert alerts == []
    assert [(r["code"], r["status"], r["alert"]) for r in rows if r["status"]] == [
        ("grandparent", "appeared", False)
    ]
    assert code_notes(rows, 5) == [
        "note: residents.relation: code grandparent appeared in 1 row (none in the reference), "
        "fewer than quality.code_appeared_min_count = 5: a note, not an alert"
    ]
    rows, alerts = code_rows("drop", ref, many, 10, appeared_min_count=5)
    assert [(a.check, a.subject) for a in alerts] == [("code_appeared", "residents.relation=grandparent")]
    assert code_notes(rows, 5) == []


def test_a_rare_code_missing_by_chance_does_not_count_as_vanished() -> None:
    rows, alerts = code_rows(
        "drop",
        {("care", "level"): {"care5": 3, "care1": 40}},
        {("care", "level"): {"care1": 38}},
        min_count=10,
    )
    assert alerts == []
    assert {r["code"]: r["status"] for r in rows} == {"care1": None, "care5": None}


def test_missing_share_rise_fires_unless_a_missing_table_explains_it(factory: ModuleType) -> None:
    ref = factory.frame_generator(500, 4)
    cur = factory.frame_generator(500, 5).with_columns(
        pl.lit(None, pl.Float64).alias("water_recent"), pl.lit(None, pl.Float64).alias("oldest_age")
    )
    sources = {"water_recent": ("utility",), "oldest_age": ("residents",)}
    frame, alerts = missing_checks(ref, cur, Q, sources, ["utility"])
    assert [(a.check, a.subject) for a in alerts] == [("missing_share", "oldest_age")]
    assert frame.filter(pl.col("feature") == "water_recent")["explained_by"].to_list() == [
        "utility"
    ]


def test_a_district_without_utility_rows_is_named(factory: ModuleType) -> None:
    from kizuki.features.registry import REGISTRY

    covered = coverage_features(REGISTRY)
    assert "water_recent" in covered["utility"] and "stop_notices_12m" not in covered["utility"]
    ref = factory.frame_generator(900, 6).with_columns(
        pl.col("water_recent").alias("unpaid_yen_latest")
    )
    dark = pl.col("district") == "東"
    cur = factory.frame_generator(900, 7).with_columns(
        pl.when(dark).then(None).otherwise(pl.col("water_recent")).alias("water_recent"),
        pl.when(dark).then(None).otherwise(pl.col("water_recent")).alias("unpaid_yen_latest"),
    )
    frame, alerts = coverage_checks(
        ref, cur, {"utility": ["water_recent", "unpaid_yen_latest"]}, Q, []
    )
    assert [(a.check, a.subject) for a in alerts] == [("district_no_rows", "utility@東")]
    assert "東" in alert_text(alerts[0], "ja") and "utility" in alert_text(alerts[0], "en")
    east = frame.filter(pl.col("district") == "東").row(0, named=True)
    assert east["cur_with_rows"] == 0 and east["ref_with_rows"] > 0
    # the whole table missing is table_missing's job, not one alert per district
    _, none = coverage_checks(
        ref, cur, {"utility": ["water_recent", "unpaid_yen_latest"]}, Q, ["utility"]
    )
    assert none == []
