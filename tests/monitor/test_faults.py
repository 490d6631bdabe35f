"""Injected faults raise their alarm, named; the clean next month raises none.

Runs are built from a real synthetic village drop through the real loader and feature
builder (stand-in scores); each fault is injected into a copy of the drop.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kizuki.monitor.compare import MonitorResult, compare_runs
from kizuki.monitor.config import load_monitor_config
from kizuki.pages import alert_text
from kizuki.runs import read_run

pytestmark = pytest.mark.slow


def _compare(runs: dict[str, Path], name: str) -> MonitorResult:
    return compare_runs(read_run(runs["reference"]), read_run(runs[name]), load_monitor_config())


def _checks(result: MonitorResult) -> set[str]:
    return {a.check for a in result.alerts}


def test_the_clean_next_month_raises_no_alert(village_runs: dict[str, Path]) -> None:
    result = _compare(village_runs, "clean")
    assert result.alerts == [], [alert_text(a, "en") for a in result.alerts]
    assert result.drift["tested"].sum() > 100  # features overall, per district, scores, reasons


def test_missing_utility_table_fires_and_names_the_table(village_runs: dict[str, Path]) -> None:
    result = _compare(village_runs, "no_utility")
    missing = [a for a in result.alerts if a.check == "table_missing"]
    assert [a.subject for a in missing] == ["utility"]
    assert "utility" in alert_text(missing[0], "en") and "utility" in alert_text(missing[0], "ja")
    assert missing[0].fails
    # the water features' drift is explained by the missing table, not alarmed again
    water = result.drift.filter(pl.col("name").str.starts_with("water") & pl.col("alarm"))
    assert water.height > 0
    assert water["explained_by"].to_list() == ["table_missing:utility"] * water.height
    assert "feature_drift" not in _checks(result) or all(
        not a.subject.startswith("water") for a in result.alerts if a.check == "feature_drift"
    )


def test_one_district_water_shift_fires_for_that_district(village_runs: dict[str, Path]) -> None:
    result = _compare(village_runs, "water")
    district = str(village_runs["district"])
    hits = [a for a in result.alerts if a.check == "district_drift"]
    assert hits, [alert_text(a, "en") for a in result.alerts]
    assert {a.subject.split("@")[1] for a in hits} == {district}
    assert all(a.subject.startswith("water") for a in hits)
    assert all(district in alert_text(a, "en") and district in alert_text(a, "ja") for a in hits)
    # no other check confuses the shift with a data-quality fault
    assert _checks(result) <= {"district_drift", "feature_drift"}


def test_unknown_care_code_fires_and_names_the_column(village_runs: dict[str, Path]) -> None:
    result = _compare(village_runs, "codes")
    codes = [a for a in result.alerts if a.check == "code_appeared"]
    assert [a.subject for a in codes] == ["care.level"]
    msg = alert_text(codes[0], "en")
    assert "care.level" in msg and "5 rows" in msg and "unknown_code" in msg
    assert "99" not in msg.replace("5 rows", "")  # the rejected value itself is never shown
    rejects = result.quality.rejects.filter(pl.col("table") == "care")
    assert rejects.select("column", "rule", "ref_rows", "cur_rows", "cur_distinct").rows() == [
        ("level", "unknown_code", 0, 5, 1)
    ]
