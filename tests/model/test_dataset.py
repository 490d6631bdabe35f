"""Temporal schedule (no label window crosses a later split) and the per-date frames."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kizuki.calendar import add_months
from kizuki.errors import KizukiError
from kizuki.model.dataset import Frames, build_frames, issue_rows, schedule

from .test_labels import outcomes

D = dt.date


def month_end(y: int, m: int) -> dt.date:
    return add_months(D(y, m, 1), 1) - dt.timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(
    as_of=st.dates(D(2025, 1, 1), D(2028, 12, 31)),
    newest=st.dates(D(2025, 1, 1), D(2028, 12, 31)),
    start=st.dates(D(2018, 1, 1), D(2023, 12, 31)),
    H=st.integers(1, 12),
    S=st.integers(1, 6),
    max_train=st.integers(2, 10),
)
def test_splits_follow_each_other_without_overlap(
    as_of: dt.date, newest: dt.date, start: dt.date, H: int, S: int, max_train: int
) -> None:
    try:
        s = schedule(
            as_of,
            newest,
            start,
            horizon_months=H,
            step_months=S,
            min_history_months=15,
            max_train_dates=max_train,
        )
    except KizukiError:
        return  # too little history: a one-line error, tested below
    (val,) = s.validation
    (cal,) = s.calibration
    assert add_months(val, H) <= min(as_of, newest)  # the validation horizon has matured
    assert add_months(cal, H) <= val  # calibration labels end before validation starts
    assert all(add_months(t, H) <= cal for t in s.train)  # training labels end before calibration
    assert list(s.train) == sorted(set(s.train)) and 2 <= len(s.train) <= max_train
    assert s.train[0] >= add_months(start, 15)  # enough history before the first date
    assert len(s.all_dates()) == len(s.train) + 2


def test_schedule_of_the_synthetic_history() -> None:
    s = schedule(
        D(2026, 9, 30),
        D(2026, 9, 30),
        D(2022, 10, 31),
        horizon_months=6,
        step_months=2,
        min_history_months=15,
        max_train_dates=8,
    )
    assert s.validation == (D(2026, 3, 31),)
    assert s.calibration == (D(2025, 9, 30),)
    assert s.train == tuple(
        month_end(y, m)
        for y, m in [
            (2024, 1),
            (2024, 3),
            (2024, 5),
            (2024, 7),
            (2024, 9),
            (2024, 11),
            (2025, 1),
            (2025, 3),
        ]
    )
    # an earlier --as-of moves everything back; the drop's newest date caps a later one
    assert schedule(
        D(2026, 5, 31),
        D(2026, 9, 30),
        D(2022, 10, 31),
        horizon_months=6,
        step_months=2,
        min_history_months=15,
        max_train_dates=8,
    ).validation == (D(2025, 11, 30),)


@pytest.mark.parametrize(
    ("as_of", "H"), [(D(2025, 1, 31), 6), (D(2026, 9, 30), 24), (D(2026, 9, 30), 0)]
)
def test_too_little_history_is_one_line_error(as_of: dt.date, H: int) -> None:
    with pytest.raises(KizukiError) as err:
        schedule(
            as_of,
            D(2026, 9, 30),
            D(2022, 10, 31),
            horizon_months=H,
            step_months=2,
            min_history_months=15,
            max_train_dates=8,
        )
    assert "\n" not in str(err.value)


def test_frames_join_labels_checklist_need_and_features_per_date() -> None:
    T1, T2 = D(2025, 1, 31), D(2025, 7, 31)
    out = outcomes([("A", "eight050", D(2025, 3, 1), True), ("B", "eight050", D(2025, 9, 1), True)])
    tables: Mapping[str, pl.LazyFrame] = {"outcomes": out}

    def feats(_: Mapping[str, pl.LazyFrame], T: dt.date) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "household_id": ["A", "B", "C"],
                "as_of": [T] * 3,
                "district": ["x", "x", "y"],
                "f": [1.0, 2.0, 3.0],
            }
        )

    def checklist(X: pl.DataFrame) -> pl.DataFrame:
        return X.select("household_id", issue=pl.lit("eight050"), checklist_score=pl.col("f") / 10)

    truth = pl.DataFrame({"household_id": ["C"], "month": [D(2025, 8, 1)], "issue": ["eight050"]})
    fr = build_frames(tables, [T2, T1], 6, feats, checklist, truth)
    assert isinstance(fr, Frames) and fr.dates == [T1, T2]
    rows = issue_rows(fr, "eight050").sort("as_of", "household_id")
    # T1: A positive (opened 2025-03-01); T2: A is a known case (out), B positive
    got = rows.with_columns(pl.col("checklist_score").round(6))
    assert got.select("as_of", "household_id", "label", "need", "checklist_score", "f").rows() == [
        (T1, "A", 1, 0, 0.1, 1.0),
        (T1, "B", 0, 0, 0.2, 2.0),
        (T1, "C", 0, 0, 0.3, 3.0),
        (T2, "B", 1, 0, 0.2, 2.0),
        (T2, "C", 0, 1, 0.3, 3.0),
    ]
    assert fr.subset([T2]).X.height == 3 and fr.subset([T2]).y["as_of"].unique().to_list() == [T2]


def test_no_outcomes_table_is_refused() -> None:
    with pytest.raises(KizukiError, match="outcomes"):
        build_frames({}, [D(2025, 1, 31)], 6, lambda t, T: pl.DataFrame(), lambda X: X)
