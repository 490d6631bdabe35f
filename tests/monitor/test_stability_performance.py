"""List stability (Jaccard, Spearman, Kendall) and performance while labels are late."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType

import numpy as np
import polars as pl
import pytest
from scipy import stats

from kizuki.calendar import add_months, matured_share
from kizuki.monitor.config import PerformanceConfig, StabilityConfig
from kizuki.monitor.performance import (
    estimate_error,
    performance_alerts,
    performance_history,
    run_performance,
)
from kizuki.monitor.stability import list_overlap, list_stability, rank_correlations
from kizuki.runs import find_runs, read_run


def _listed(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"household_id": pl.String, "district": pl.String, "issue": pl.String},
        orient="row",
    )


def test_jaccard_overall_per_district_per_issue() -> None:
    ref = _listed([("a", "x", "i1"), ("b", "x", "i1"), ("c", "y", "i2"), ("c", "y", "i1")])
    cur = _listed([("a", "x", "i1"), ("d", "x", "i2"), ("c", "y", "i2")])
    got = {
        (r["scope"], r["key"]): r["jaccard"] for r in list_overlap(ref, cur).iter_rows(named=True)
    }
    assert got[("all", None)] == pytest.approx(2 / 4)  # {a,c} of {a,b,c,d}
    assert got[("district", "x")] == pytest.approx(1 / 3)
    assert got[("district", "y")] == 1.0
    assert got[("issue", "i1")] == pytest.approx(1 / 3)  # {a} of {a,b,c}
    assert got[("issue", "i2")] == pytest.approx(1 / 2)


def test_rank_correlations_equal_scipy_on_households_in_both() -> None:
    rng = np.random.default_rng(0)
    ids = [f"h{i}" for i in range(300)]
    s1 = rng.random(300)
    s2 = s1 + rng.normal(0, 0.2, 300)
    ref = pl.DataFrame({"household_id": ids, "issue": "eight050", "score": s1})
    cur = pl.DataFrame(
        {"household_id": [*ids[10:], "new"], "issue": "eight050", "score": [*list(s2[10:]), 0.5]}
    )
    row = rank_correlations(ref, cur).row(0, named=True)
    assert row["households"] == 290
    assert row["spearman"] == pytest.approx(stats.spearmanr(s1[10:], s2[10:]).statistic)
    assert row["kendall"] == pytest.approx(stats.kendalltau(s1[10:], s2[10:]).statistic)


def test_rank_alarm_names_the_issue() -> None:
    rng = np.random.default_rng(1)
    ids = [f"h{i}" for i in range(200)]
    ref = pl.DataFrame({"household_id": ids, "issue": "young_carer", "score": rng.random(200)})
    cur = pl.DataFrame({"household_id": ids, "issue": "young_carer", "score": rng.random(200)})
    empty = _listed([])
    result = list_stability(empty, empty, ref, cur, StabilityConfig(min_spearman=0.5))
    assert [(a.check, a.subject) for a in result.alerts] == [("list_stability", "rank:young_carer")]


def _reference_add_months(day: dt.date, months: int) -> dt.date:
    """A slow, independent statement of the rule: walk day by day to the target month."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    target = dt.date(y, m + 1, 1)
    last = target
    while (last + dt.timedelta(days=1)).month == target.month:
        last += dt.timedelta(days=1)
    month_end = (day + dt.timedelta(days=1)).month != day.month
    return last if month_end or day.day > last.day else target.replace(day=day.day)


def test_add_months_agrees_with_the_label_rule() -> None:
    label_add_months = _reference_add_months

    for day in (
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2024, 2, 29),
        dt.date(2026, 8, 15),
        dt.date(2025, 12, 31),
    ):
        for m in (-12, -1, 1, 6, 13):
            assert add_months(day, m) == label_add_months(day, m)
    assert matured_share(dt.date(2026, 3, 31), 6, dt.date(2026, 9, 30)) == 1.0
    assert matured_share(dt.date(2026, 3, 31), 6, dt.date(2026, 3, 31)) == 0.0
    assert 0.49 < matured_share(dt.date(2026, 3, 31), 6, dt.date(2026, 6, 30)) < 0.51
    assert matured_share(dt.date(2026, 3, 31), 6, None) == 0.0


@pytest.fixture
def past_run(tmp_path: Path, factory: ModuleType) -> Path:
    features = factory.frame_generator(400, 9).with_columns(
        (pl.col("oldest_age") > 70).alias("alone_65plus"), pl.lit(0.0).alias("stop_notices_12m")
    )
    return factory.fabricate_run(tmp_path / "run", features, as_of=dt.date(2026, 3, 31), capacity=4)


def _outcomes(rows: list[tuple[str, str, dt.date, bool]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "household_id": pl.String,
            "issue": pl.String,
            "opened_on": pl.Date,
            "confirmed": pl.Boolean,
        },
        orient="row",
    )


def test_realised_and_expected_precision_recall_by_hand(past_run: Path) -> None:
    run = read_run(past_run)
    listed = run.listed().filter(pl.col("issue") == "elderly_isolation")["household_id"].to_list()
    scores = run.scores.filter(pl.col("issue") == "elderly_isolation")
    unlisted = scores.filter(~pl.col("household_id").is_in(listed))["household_id"].to_list()
    k = len(listed)
    outcomes = _outcomes(
        [
            (listed[0], "elderly_isolation", dt.date(2026, 4, 10), True),  # hit
            (listed[1], "elderly_isolation", dt.date(2026, 5, 10), False),  # assessed, no need
            (listed[2], "elderly_isolation", dt.date(2026, 11, 1), True),  # after the horizon
            (listed[3], "elderly_isolation", dt.date(2026, 3, 1), True),  # before T
            (unlisted[0], "elderly_isolation", dt.date(2026, 6, 1), True),  # missed
            (unlisted[1], "elderly_isolation", dt.date(2026, 8, 1), True),  # missed, after D
        ]
    )
    frame = run_performance(run, outcomes, dt.date(2026, 7, 31), PerformanceConfig())
    row = frame.filter(pl.col("issue") == "elderly_isolation").row(0, named=True)
    assert row["k"] == k and row["hits"] == 1 and row["positives"] == 2
    assert row["precision"] == pytest.approx(1 / k) and row["recall"] == pytest.approx(0.5)
    assert 0.65 < row["matured_share"] < 0.68  # 4 of 6 months
    listed_scores = scores.filter(pl.col("household_id").is_in(listed))["score"]
    assert row["expected_precision"] == pytest.approx(listed_scores.mean())
    assert row["expected_recall"] == pytest.approx(listed_scores.sum() / scores["score"].sum())
    assert row["expected_precision_to_date"] == pytest.approx(
        row["matured_share"] * listed_scores.mean()
    )
    pooled = frame.filter(pl.col("issue") == "all").row(0, named=True)
    assert pooled["k"] == run.listed().height and pooled["cohort"] == run.scores.height

    # backfilled: later outcomes change the same run's figures on the next call
    later = run_performance(run, outcomes, dt.date(2026, 9, 30), PerformanceConfig())
    row2 = later.filter(pl.col("issue") == "elderly_isolation").row(0, named=True)
    assert (
        row2["positives"] == 3
        and row2["matured_share"] == 1.0
        and row2["recall"] == pytest.approx(1 / 3)
    )


def test_no_outcomes_yet_is_not_shown_as_zero(past_run: Path) -> None:
    run = read_run(past_run)
    frame = run_performance(run, _outcomes([]), dt.date(2026, 3, 31), PerformanceConfig())
    assert frame["matured_share"].unique().to_list() == [0.0]
    assert not frame["shown"].any()


def test_history_error_and_shortfall_alert(tmp_path: Path, factory: ModuleType) -> None:
    runs = []
    for i, as_of in enumerate((dt.date(2025, 9, 30), dt.date(2025, 10, 31))):
        features = factory.frame_generator(300, 20 + i).with_columns(
            (pl.col("oldest_age") > 70).alias("alone_65plus")
        )
        runs.append(
            factory.fabricate_run(tmp_path / "runs" / str(as_of), features, as_of=as_of, capacity=5)
        )
    found = find_runs([tmp_path / "runs"])
    assert [r.as_of for r in found] == [dt.date(2025, 9, 30), dt.date(2025, 10, 31)]
    history = performance_history(found, _outcomes([]), dt.date(2026, 9, 30), PerformanceConfig())
    assert history.filter(pl.col("issue") == "all").height == 2
    error = estimate_error(history)
    pooled = error.filter(pl.col("issue") == "all").row(0, named=True)
    # nothing was confirmed, so the error equals the expected precision itself
    exp = history.filter(pl.col("issue") == "all")["expected_precision"].mean()
    assert pooled["runs"] == 2 and pooled["precision_mae"] == pytest.approx(exp)
    alerts = performance_alerts(history, PerformanceConfig(precision_shortfall=0.01))
    assert alerts and all(a.check == "performance_shortfall" for a in alerts)
    assert performance_alerts(history, PerformanceConfig()) == []
