"""Labels and cohorts (contract §2) on hand-built outcomes, boundaries included."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kizuki.calendar import add_months
from kizuki.contract.schema import ISSUES, TABLES
from kizuki.errors import ContractError
from kizuki.model.labels import cohort, known_cases, labels

D = dt.date
T = D(2025, 3, 31)


def outcomes(rows: list[tuple[str, str, dt.date, bool]]) -> pl.LazyFrame:
    """Canonical outcomes (the loader's schema) from (household, issue, opened_on, confirmed)."""
    frame = pl.DataFrame(
        {
            "household_id": [r[0] for r in rows],
            "issue": [r[1] for r in rows],
            "opened_on": [r[2] for r in rows],
            "confirmed": [r[3] for r in rows],
            "route": [None] * len(rows),
        },
        schema_overrides={"opened_on": pl.Date, "route": pl.String},
    ).with_columns(known_on=pl.col("opened_on"))
    return frame.cast(dict(TABLES["outcomes"].schema)).lazy()  # type: ignore[arg-type]


OUT = outcomes(
    [
        ("A", "eight050", T, True),  # opened on T: a known case, out of the cohort
        ("B", "eight050", add_months(T, 6), True),  # on T + H: a positive
        ("C", "eight050", add_months(T, 6) + dt.timedelta(days=1), True),  # after the horizon
        ("D", "eight050", D(2025, 5, 1), False),  # assessed, not confirmed: negative, assessed
        ("E", "eight050", T + dt.timedelta(days=1), True),  # the day after T: a positive
        ("E", "eight050", D(2025, 6, 1), False),  # and an unconfirmed one: still a positive
        ("F", "self_neglect", D(2020, 1, 1), True),  # an old case of another issue
        ("G", "eight050", D(2025, 1, 1), False),  # assessed before T, not confirmed: in cohort
    ]
)
HH = pl.DataFrame({"household_id": ["A", "B", "C", "D", "E", "F", "G", "H"]})


def test_label_window_is_open_at_t_and_closed_at_t_plus_h() -> None:
    lab = labels(OUT, HH, T, 6, "eight050")
    got = {
        h: (lab_, a) for h, lab_, a in lab.select("household_id", "label", "assessed").iter_rows()
    }
    assert got == {
        "B": (1, 0),
        "C": (0, 0),
        "D": (0, 1),
        "E": (1, 0),
        "F": (0, 0),
        "G": (0, 0),
        "H": (0, 0),
    }
    assert lab["label"].dtype == pl.Int8


def test_a_case_opened_on_t_is_known_and_leaves_only_that_issues_cohort() -> None:
    assert known_cases(OUT, T).sort("household_id").rows() == [
        ("A", "eight050"),
        ("F", "self_neglect"),
    ]
    c = cohort(OUT, HH, T)
    assert c.height == HH.height * len(ISSUES) - 2
    assert c.filter(pl.col("household_id") == "A")["issue"].to_list() == [
        i for i in ISSUES if i != "eight050"
    ]
    # the day before, A's case was not yet known: A is in the cohort, and a positive
    before = labels(OUT, HH, T - dt.timedelta(days=1), 6, "eight050")
    assert before.filter(pl.col("household_id") == "A")["label"].to_list() == [1]


def test_every_household_issue_pair_once_and_order_kept() -> None:
    lab = labels(OUT, HH, T, 6)
    assert lab.select("household_id", "issue").is_duplicated().sum() == 0
    assert lab.height == cohort(OUT, HH, T).height
    firsts = lab.unique("household_id", keep="first", maintain_order=True)["household_id"]
    assert firsts.to_list() == [h for h in HH["household_id"]]


def test_unknown_issue_is_refused() -> None:
    with pytest.raises(ContractError, match="issue"):
        labels(OUT, HH, T, 6, "8050")


@pytest.mark.parametrize(
    ("day", "months", "want"),
    [
        (D(2026, 9, 30), -6, D(2026, 3, 31)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 1, 15), 1, D(2026, 2, 15)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2025, 12, 31), 1, D(2026, 1, 31)),
    ],
)
def test_add_months(day: dt.date, months: int, want: dt.date) -> None:
    assert add_months(day, months) == want
