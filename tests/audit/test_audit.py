"""Audit metrics equal a direct per-group computation and fairlearn's MetricFrame; small cells are suppressed."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from fairlearn.metrics import MetricFrame, false_negative_rate, selection_rate
from sklearn.metrics import precision_score, recall_score

from kizuki.audit.metrics import bootstrap_recall_ratio, group_metrics


@pytest.fixture
def frame() -> pl.DataFrame:
    rng = np.random.default_rng(3)
    n = 4000
    district = rng.choice(["east", "west", "north", "tiny"], n, p=[0.5, 0.3, 0.198, 0.002])
    label = (rng.random(n) < np.where(district == "west", 0.2, 0.1)).astype(int)
    listed = rng.random(n) < np.where(label == 1, 0.4, 0.05)
    return pl.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(n)],
            "issue": "eight050",
            "district": district,
            "label": label,
            "listed": listed,
        }
    )


def test_group_metrics_match_fairlearn_and_direct_computation(frame: pl.DataFrame) -> None:
    got = group_metrics(frame, "district").filter(~pl.col("suppressed"))
    y, pred, g = (
        frame["label"].to_numpy(),
        frame["listed"].to_numpy().astype(int),
        frame["district"].to_numpy(),
    )
    mf = MetricFrame(
        metrics={
            "recall": recall_score,
            "precision": lambda a, b: precision_score(a, b, zero_division=0),
            "selection_rate": selection_rate,
            "fnr": false_negative_rate,
        },
        y_true=y,
        y_pred=pred,
        sensitive_features=g,
    )
    for r in got.iter_rows(named=True):
        expected = mf.by_group.loc[r["value"]]
        for k in ("recall", "precision", "selection_rate", "fnr"):
            assert r[k] == pytest.approx(expected[k]), (r["value"], k)
        part = frame.filter(pl.col("district") == r["value"])
        not_listed = part.filter(~pl.col("listed"))
        assert r["for"] == pytest.approx(not_listed["label"].mean())
        assert r["prevalence"] == pytest.approx(part["label"].mean())


def test_cells_under_ten_households_are_suppressed(frame: pl.DataFrame) -> None:
    got = group_metrics(frame, "district")
    tiny = got.filter(pl.col("value") == "tiny").row(0, named=True)
    assert tiny["suppressed"] and tiny["n"] is None
    assert all(
        tiny[k] is None
        for k in ("recall", "precision", "selection_rate", "fnr", "for", "prevalence")
    )


def test_recall_ratio_interval_contains_the_point(frame: pl.DataFrame) -> None:
    point, lo, hi = bootstrap_recall_ratio(frame, "district", "east", "west", draws=200, seed=1)
    assert point is not None and lo is not None and hi is not None
    assert lo <= point <= hi
    assert bootstrap_recall_ratio(frame, "district", "east", "tiny", draws=50, seed=1) == (
        None,
        None,
        None,
    )
