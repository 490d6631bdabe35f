"""The follow-up state and the hold-back rule, exactly: held for V <= T < V + months,
per issue, only after no_need / declined, only for the issues listed on that run; in
support from the first confirming visit; marks new / again / visited."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kizuki.config import validate_config
from kizuki.outreach.config import OutreachConfig, load_outreach_config
from kizuki.outreach.followup import (
    followup_state,
    held_back,
    household_marks,
    in_support,
    state_as_of,
)
from kizuki.outreach.lists import LISTS_SCHEMA, RUNS_SCHEMA, HistoryLists
from kizuki.outreach.visits import VISITS_SCHEMA, outcomes_from_visits
from kizuki.shortlist import ShortlistConfig, build_shortlist, held_back_rows

D = dt.date


def _lists(rows: list[tuple[str, dt.date, int, str, list[str]]]) -> HistoryLists:
    """rows: (run_id, as_of, attempt, household_id, issues), district 'A'."""
    lists = pl.DataFrame(
        {
            "run_id": [r[0] for r in rows],
            "as_of": [r[1] for r in rows],
            "attempt": [r[2] for r in rows],
            "household_id": [r[3] for r in rows],
            "district": ["A"] * len(rows),
            "priority": list(range(1, len(rows) + 1)),
            "issues": [r[4] for r in rows],
        },
        schema=LISTS_SCHEMA,
    )
    runs = (
        lists.select("run_id", "as_of", "attempt")
        .unique()
        .with_columns(run_dir=pl.col("as_of").cast(pl.String))
    )
    return HistoryLists(runs=runs.select(list(RUNS_SCHEMA)).cast(dict(RUNS_SCHEMA)), lists=lists)


def _visits(rows: list[tuple[str, str, dt.date, str, list[str]]]) -> pl.DataFrame:
    """rows: (run_id, household_id, visited_on, result, confirmed_issues)."""
    return pl.DataFrame(
        {
            "run_id": [r[0] for r in rows],
            "household_id": [r[1] for r in rows],
            "visited_on": [r[2] for r in rows],
            "result": [r[3] for r in rows],
            "confirmed_issues": [r[4] for r in rows],
            "team": [None] * len(rows),
            "row": list(range(2, len(rows) + 2)),
            "file": ["f.csv"] * len(rows),
            "file_sha256": ["0" * 64] * len(rows),
            "imported_at": [dt.datetime(2026, 6, 1, tzinfo=dt.UTC)] * len(rows),
        },
        schema=VISITS_SCHEMA,
    )


def _cfg(**months: int) -> OutreachConfig:
    return validate_config(
        OutreachConfig,
        {"config_version": 1, "hold_back_months": {"default": 3, "issues": months}},
    )


LISTS = _lists(
    [
        ("R1", D(2026, 1, 31), 1, "H1", ["eight050", "elderly_isolation"]),
        ("R1", D(2026, 1, 31), 1, "H2", ["financial_hardship"]),
        ("R1", D(2026, 1, 31), 1, "H3", ["self_neglect"]),
        ("R1", D(2026, 1, 31), 1, "H4", ["young_carer"]),
    ]
)


@pytest.mark.parametrize(
    ("visited", "months", "until"),
    [
        (D(2026, 2, 10), 3, D(2026, 5, 10)),
        (D(2026, 2, 28), 3, D(2026, 5, 31)),  # a month end stays a month end
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 2, 10), 1, D(2026, 3, 10)),
    ],
)
def test_hold_back_is_exact_day_by_day(visited, months, until) -> None:
    visits = _visits([("R1", "H1", visited, "no_need", [])])
    cfg = _cfg(eight050=months, elderly_isolation=months)
    day = visited - dt.timedelta(days=5)
    checked = 0
    while day <= until + dt.timedelta(days=5):
        state = state_as_of(LISTS, visits, cfg, day)
        held = set(held_back(state, day).select("household_id", "issue").iter_rows())
        expected = (
            {("H1", "eight050"), ("H1", "elderly_isolation")} if visited <= day < until else set()
        )
        assert held == expected, day
        checked += 1
        day += dt.timedelta(days=1)
    assert checked > 30


def test_months_are_per_issue_and_only_hold_back_results_hold() -> None:
    visits = _visits(
        [
            ("R1", "H1", D(2026, 2, 10), "declined", []),
            ("R1", "H2", D(2026, 2, 10), "not_reached", []),
            ("R1", "H3", D(2026, 2, 10), "moved", []),
            ("R1", "H4", D(2026, 2, 10), "no_need", []),
        ]
    )
    state = followup_state(LISTS, visits, _cfg(elderly_isolation=1))
    until = {
        (h, i): u
        for h, i, u in state.select("household_id", "issue", "held_back_until").iter_rows()
    }
    assert until[("H1", "eight050")] == D(2026, 5, 10)
    assert until[("H1", "elderly_isolation")] == D(2026, 3, 10)
    assert until[("H2", "financial_hardship")] is None
    assert until[("H3", "self_neglect")] is None
    assert until[("H4", "young_carer")] == D(2026, 5, 10)


def test_a_confirmed_need_is_in_support_from_the_visit_and_holds_nothing() -> None:
    visits = _visits([("R1", "H1", D(2026, 2, 10), "need_confirmed", ["eight050", "double_care"])])
    cfg = load_outreach_config()
    before = state_as_of(LISTS, visits, cfg, D(2026, 2, 9))
    assert in_support(before, D(2026, 2, 9)).is_empty()
    on = state_as_of(LISTS, visits, cfg, D(2026, 2, 10))
    assert sorted(in_support(on, D(2026, 2, 10))["issue"]) == ["double_care", "eight050"]
    assert held_back(on, D(2026, 2, 10)).is_empty()


def test_times_listed_counts_the_list_in_use_per_date_and_marks_follow() -> None:
    lists = _lists(
        [
            ("R1", D(2026, 1, 31), 1, "H1", ["eight050"]),
            ("R1", D(2026, 1, 31), 1, "H9", ["eight050"]),  # only on the replaced attempt
            ("R1b", D(2026, 1, 31), 2, "H1", ["eight050"]),
            ("R1b", D(2026, 1, 31), 2, "H2", ["eight050"]),
            ("R2", D(2026, 2, 28), 1, "H1", ["eight050"]),
            ("R2", D(2026, 2, 28), 1, "H2", ["self_neglect"]),
        ]
    )
    visits = _visits([("R2", "H2", D(2026, 3, 5), "not_reached", [])])
    state = followup_state(lists, visits, load_outreach_config())
    rows = {(r["household_id"], r["issue"]): r for r in state.iter_rows(named=True)}
    assert rows[("H1", "eight050")]["times_listed"] == 2
    assert rows[("H1", "eight050")]["first_listed"] == D(2026, 1, 31)
    assert rows[("H1", "eight050")]["last_run_id"] == "R2"
    assert ("H9", "eight050") not in rows
    assert rows[("H2", "self_neglect")]["last_result"] == "not_reached"
    marks = {r["household_id"]: r for r in household_marks(state).iter_rows(named=True)}
    assert marks["H1"]["followup"] == "again" and marks["H1"]["times_listed_before"] == 2
    assert marks["H2"]["followup"] == "visited" and marks["H2"]["last_result"] == "not_reached"
    # as of the second list, only the first list and no visit are known
    early = household_marks(state_as_of(lists, visits, load_outreach_config(), D(2026, 2, 28)))
    assert dict(early.select("household_id", "followup").iter_rows()) == {
        "H1": "again",
        "H2": "again",
    }


def test_outcomes_from_visits_follow_section_8() -> None:
    lists = _lists(
        [
            ("R1", D(2026, 1, 31), 1, "H1", ["eight050", "financial_hardship"]),
            ("R1", D(2026, 1, 31), 1, "H2", ["self_neglect"]),
            ("R1", D(2026, 1, 31), 1, "H3", ["young_carer"]),
        ]
    )
    visits = _visits(
        [
            ("R1", "H1", D(2026, 2, 3), "need_confirmed", ["financial_hardship", "double_care"]),
            ("R1", "H2", D(2026, 2, 4), "no_need", []),
            ("R1", "H3", D(2026, 2, 5), "declined", []),
        ]
    )
    out = outcomes_from_visits(visits, lists.lists)
    assert out.select("household_id", "issue", "confirmed").rows() == [
        ("H1", "double_care", True),
        ("H1", "eight050", False),
        ("H1", "financial_hardship", True),
        ("H2", "self_neglect", False),
    ]
    assert set(out["route"]) == {"kizuki"}
    assert out["opened_on"].to_list() == [D(2026, 2, 3)] * 3 + [D(2026, 2, 4)]


def _shortlist_cfg() -> ShortlistConfig:
    return validate_config(
        ShortlistConfig, {"config_version": 1, "capacity": {"default": {"count": 2}}}
    )


def test_a_held_back_household_gives_its_place_to_the_next_and_is_counted() -> None:
    scores = pl.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H4", "H1"],
            "issue": ["eight050"] * 4 + ["self_neglect"],
            "score": [0.9, 0.8, 0.7, 0.6, 0.05],
        }
    )
    hh = pl.DataFrame({"household_id": ["H1", "H2", "H3", "H4"], "district": ["A"] * 4})
    cap = pl.DataFrame({"district": ["A"], "capacity": [2]})
    none = pl.DataFrame(schema={"household_id": pl.String, "issue": pl.String})
    free = build_shortlist(scores, hh, none, cap, _shortlist_cfg())
    assert free["household_id"].to_list() == ["H1", "H2"]
    held = pl.DataFrame(
        {"household_id": ["H1"], "issue": ["eight050"], "held_back_until": [D(2026, 5, 10)]}
    )
    listed = build_shortlist(scores, hh, none, cap, _shortlist_cfg(), held_back=held)
    # H1 is still listed, but only for the issue it is not held back from
    assert listed.select("household_id", "issues").rows() == [
        ("H2", ["eight050"]),
        ("H1", ["self_neglect"]),
    ]
    rows = held_back_rows(scores, hh, cap, held, _shortlist_cfg())
    assert rows.select("household_id", "issue", "would_list").rows() == [("H1", "eight050", True)]
