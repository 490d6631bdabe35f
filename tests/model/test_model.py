"""Labels and cohorts, faithful contributions, calibration, save/load, temporal splits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from kizuki.contract.schema import ISSUES, TABLES
from kizuki.errors import ContractError
from kizuki.model.calibration import fit_calibrator
from kizuki.model.config import load_model_config
from kizuki.model.labels import add_months, labels
from kizuki.model.lgbm import IssueModels

D = dt.date


def _outcomes(rows: list[tuple[str, str, dt.date, bool]]) -> pl.LazyFrame:
    schema = TABLES["outcomes"].schema
    frame = pl.DataFrame(
        {
            "household_id": [r[0] for r in rows],
            "issue": [r[1] for r in rows],
            "opened_on": [r[2] for r in rows],
            "confirmed": [r[3] for r in rows],
            "route": [None] * len(rows),
        },
    ).with_columns(known_on=pl.col("opened_on"))
    return frame.cast(dict(schema)).lazy()


def test_label_window_and_cohort_boundaries() -> None:
    T = D(2025, 3, 31)
    out = _outcomes(
        [
            ("A", "eight050", T, True),  # opened on T: a known case, out of the cohort
            ("B", "eight050", add_months(T, 6), True),  # on T + H: a positive
            ("C", "eight050", add_months(T, 6) + dt.timedelta(days=1), True),  # after the horizon
            ("D", "eight050", D(2025, 5, 1), False),  # assessed, not confirmed: negative
        ]
    )
    hh = pl.DataFrame({"household_id": ["A", "B", "C", "D"]})
    lab = labels(out, hh, T, 6).filter(pl.col("issue") == "eight050")
    got = dict(zip(lab["household_id"], lab["label"], strict=True))
    assert got == {"B": 1, "C": 0, "D": 0}
    # A is still in the cohort of the other issues
    assert labels(out, hh, T, 6).filter(pl.col("household_id") == "A").height == len(ISSUES) - 1


def test_month_ends_stay_month_ends() -> None:
    assert add_months(D(2026, 9, 30), -6) == D(2026, 3, 31)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2026, 1, 15), 1) == D(2026, 2, 15)


@pytest.fixture(scope="module")
def fitted() -> tuple[IssueModels, pl.DataFrame]:
    rng = np.random.default_rng(0)
    n, feats = 3000, ["a", "b", "c"]
    X = rng.normal(size=(n, 3))
    y = (rng.random(n) < 1 / (1 + np.exp(-(2 * X[:, 0] - 3)))).astype(float)
    train = {i: (X[:2000], y[:2000], np.ones(2000)) for i in ISSUES}
    calib = {i: (X[2000:], y[2000:]) for i in ISSUES}
    model = IssueModels(feats, load_model_config()).fit(train, calib)
    frame = pl.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(500)],
            "a": X[:500, 0],
            "b": X[:500, 1],
            "c": X[:500, 2],
        }
    )
    return model, frame


def test_contributions_sum_to_the_raw_output(fitted: tuple[IssueModels, pl.DataFrame]) -> None:
    model, frame = fitted
    for issue in ISSUES:
        contrib, base, names = model.contributions(frame, issue)
        assert names == ["a", "b", "c"]
        np.testing.assert_allclose(
            contrib.sum(axis=1) + base, model.raw_score(frame, issue), atol=1e-9
        )


def test_calibrated_probabilities_are_monotone_in_raw_score(
    fitted: tuple[IssueModels, pl.DataFrame],
) -> None:
    model, frame = fitted
    raw = model.raw_score(frame, "eight050")
    p = model.predict_issue(frame, "eight050")
    assert ((p >= 0) & (p <= 1)).all()
    order = np.argsort(raw)
    assert (np.diff(p[order]) >= -1e-12).all()
    platt = fit_calibrator(
        np.array([-2.0, -1.0, 0.0, 1.0, 2.0] * 4), np.array([0, 0, 0, 1, 1] * 4), 60
    )
    assert platt.kind == "platt" and platt(np.array([-3.0]))[0] < platt(np.array([3.0]))[0]


def test_save_load_round_trip(fitted: tuple[IssueModels, pl.DataFrame], tmp_path: Path) -> None:
    model, frame = fitted
    model.save(tmp_path / "m")
    again = IssueModels.load(tmp_path / "m")
    assert again.predict_proba(frame).equals(model.predict_proba(frame))


def test_protected_attributes_are_refused_as_inputs() -> None:
    with pytest.raises(ContractError):
        IssueModels(["a", "nationality"], load_model_config())
