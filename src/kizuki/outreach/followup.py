"""The follow-up state (``followup.parquet``, contract §9): what the loop knows per
household and issue.

It is derived, never edited: :func:`followup_state` computes it from the lists the
history handed out (:mod:`kizuki.outreach.lists`) and the imported visits
(:mod:`kizuki.outreach.visits`), so a correction or a re-import gives the same state as
if the right file had come first. :func:`write_followup` writes it after each run and
each import (the caller holds the history's lock).

One row per (household_id, issue) the loop has touched (listed for the issue, or
confirmed on a visit):

- ``first_listed``, ``last_listed``, ``times_listed`` (as-of dates of the lists in use,
  the newest attempt per date), ``last_run_id``;
- ``last_visit``, ``last_result``: the household's newest visit that concerned the
  issue (listed for it on that run, or confirmed on the visit);
- ``held_back_until``: after a visit with a hold-back result (configs/outreach.yaml,
  default no_need and declined) for an issue it was listed for, V + the issue's months
  (:func:`kizuki.calendar.add_months`); the household is not listed for the issue on a
  run as of T with V <= T < held_back_until;
- ``in_support_since``: the first visit that confirmed the issue (need_confirmed): from
  then on the household is a known case for it (outside the issue's cohort, shown
  among those in support).

:func:`state_as_of` is the state a run as of T may use: lists before T, visits on or
before T (only what was known on the as-of date).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from kizuki.calendar import add_months
from kizuki.history.layout import HistoryLayout
from kizuki.io.atomic import write_parquet
from kizuki.outreach.config import OutreachConfig
from kizuki.outreach.lists import HistoryLists, history_lists
from kizuki.outreach.visits import read_visits

FOLLOWUP_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "issue": pl.String,
        "first_listed": pl.Date,
        "last_listed": pl.Date,
        "times_listed": pl.Int64,
        "last_run_id": pl.String,
        "last_visit": pl.Date,
        "last_result": pl.String,
        "held_back_until": pl.Date,
        "in_support_since": pl.Date,
    }
)
#: the per-household marks a list shows (:func:`household_marks`)
MARKS_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "followup": pl.String,  # new | again | visited
        "times_listed_before": pl.Int64,
        "last_visit": pl.Date,
        "last_result": pl.String,
    }
)
#: result order for a tie of two visits on one day (the stronger finding last)
_RESULT_RANK = {"moved": 0, "not_reached": 1, "declined": 2, "no_need": 3, "need_confirmed": 4}


def _until(visited: pl.Series, issues: pl.Series, config: OutreachConfig) -> pl.Series:
    """visited_on + the issue's hold-back months, one Python step per distinct pair."""
    pairs = pl.DataFrame({"v": visited, "i": issues})
    uniq = pairs.unique()
    ends = [
        add_months(v, config.hold_back_months.months(i)) if v is not None else None
        for v, i in uniq.iter_rows()
    ]
    table = uniq.with_columns(u=pl.Series(ends, dtype=pl.Date))
    return pairs.join(table, on=["v", "i"], how="left", maintain_order="left")["u"]


def followup_state(
    lists: HistoryLists, visits: pl.DataFrame, config: OutreachConfig
) -> pl.DataFrame:
    """The follow-up state from the history's lists and visits (module docstring).

    Out: :data:`FOLLOWUP_SCHEMA`, sorted by household_id, issue.
    """
    in_use = lists.newest_per_date().select(
        "run_id", "as_of", "household_id", issue=pl.col("issues")
    )
    listed = (
        in_use.explode("issue")
        .drop_nulls("issue")
        .sort("as_of")
        .group_by("household_id", "issue")
        .agg(
            first_listed=pl.col("as_of").min(),
            last_listed=pl.col("as_of").max(),
            times_listed=pl.col("as_of").n_unique().cast(pl.Int64),
            last_run_id=pl.col("run_id").last(),
        )
    )
    every_list = lists.lists.select("run_id", "household_id", listed=pl.col("issues"))
    v = visits.join(every_list, on=["run_id", "household_id"], how="left").with_columns(
        pl.col("listed").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        rank=pl.col("result").replace_strict(_RESULT_RANK, default=0, return_dtype=pl.Int64),
    )
    touched = (
        v.with_columns(issue=pl.concat_list("listed", "confirmed_issues").list.unique())
        .explode("issue")
        .drop_nulls("issue")
    )
    last = (
        touched.sort("visited_on", "rank", "imported_at")
        .group_by("household_id", "issue")
        .agg(last_visit=pl.col("visited_on").last(), last_result=pl.col("result").last())
    )
    holding = v.filter(pl.col("result").is_in(list(config.hold_back_results))).explode("listed")
    holding = holding.drop_nulls("listed").rename({"listed": "issue"})
    held = (
        holding.with_columns(
            until=_until(holding["visited_on"], holding["issue"], config)
            if holding.height
            else pl.lit(None, dtype=pl.Date)
        )
        .group_by("household_id", "issue")
        .agg(held_back_until=pl.col("until").max())
    )
    support = (
        v.filter(pl.col("result") == "need_confirmed")
        .explode("confirmed_issues")
        .drop_nulls("confirmed_issues")
        .group_by("household_id", issue="confirmed_issues")
        .agg(in_support_since=pl.col("visited_on").min())
    )
    keys = pl.concat(
        [f.select("household_id", "issue") for f in (listed, last, held, support)]
    ).unique()
    out = keys
    for part in (listed, last, held, support):
        out = out.join(part, on=["household_id", "issue"], how="left")
    return (
        out.with_columns(pl.col("times_listed").fill_null(0))
        .select(list(FOLLOWUP_SCHEMA))
        .cast(dict(FOLLOWUP_SCHEMA))
        .sort("household_id", "issue")
    )


def state_as_of(
    lists: HistoryLists, visits: pl.DataFrame, config: OutreachConfig, as_of: dt.date
) -> pl.DataFrame:
    """The follow-up state a run as of ``as_of`` may use: lists of runs before it and
    visits on or before it."""
    return followup_state(lists.before(as_of), visits.filter(pl.col("visited_on") <= as_of), config)


def held_back(state: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """(household_id, issue, held_back_until): the pairs held back on ``as_of``
    (``held_back_until`` after it; see :func:`state_as_of` for the visits counted)."""
    return state.filter(pl.col("held_back_until") > as_of).select(
        "household_id", "issue", "held_back_until"
    )


def in_support(state: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """(household_id, issue, in_support_since): confirmed on a visit on or before
    ``as_of``: known cases of that issue from then on."""
    return state.filter(pl.col("in_support_since") <= as_of).select(
        "household_id", "issue", "in_support_since"
    )


def household_marks(state: pl.DataFrame) -> pl.DataFrame:
    """Per household the state knows: ``followup`` = ``visited`` (a visit before),
    ``again`` (listed before, never visited), ``new`` otherwise; the times listed
    before, the last visit and its result (:data:`MARKS_SCHEMA`). A household the
    state does not hold is new."""
    per = (
        state.sort("last_visit", nulls_last=False)
        .group_by("household_id")
        .agg(
            times_listed_before=pl.col("times_listed").max(),
            last_visit=pl.col("last_visit").max(),
            last_result=pl.col("last_result")
            .filter(pl.col("last_visit") == pl.col("last_visit").max())
            .last(),
        )
    )
    return (
        per.with_columns(
            followup=pl.when(pl.col("last_visit").is_not_null())
            .then(pl.lit("visited"))
            .when(pl.col("times_listed_before") > 0)
            .then(pl.lit("again"))
            .otherwise(pl.lit("new"))
        )
        .select(list(MARKS_SCHEMA))
        .cast(dict(MARKS_SCHEMA))
        .sort("household_id")
    )


def read_state(layout: HistoryLayout, config: OutreachConfig) -> pl.DataFrame:
    """The whole follow-up state of a history, computed from its runs and visits."""
    return followup_state(history_lists(layout), read_visits(layout), config)


def write_followup(layout: HistoryLayout, config: OutreachConfig) -> pl.DataFrame:
    """Recompute ``followup.parquet`` from the history's runs and visits and replace it
    atomically; returns the state. The caller holds the history's lock."""
    state = read_state(layout, config)
    write_parquet(layout.followup, state)
    return state
