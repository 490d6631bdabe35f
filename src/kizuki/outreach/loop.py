"""What a scoring run as of T takes from the outreach loop of its history.

:func:`loop_as_of` reads the history's lists and visits and gives, as of T (lists of
runs before T, visits on or before T):

- ``held_back``: (household_id, issue, held_back_until) not to list for the issue;
- ``in_support``: (household_id, issue, in_support_since) confirmed on a visit: known
  cases of the issue;
- ``marks``: per household known to the loop: new / again / visited, with the last
  visit and its result (:data:`kizuki.outreach.followup.MARKS_SCHEMA`);
- ``summary``: per district, the loop so far (:data:`SUMMARY_SCHEMA`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kizuki.history.layout import HistoryLayout
from kizuki.outreach.config import OutreachConfig
from kizuki.outreach.followup import held_back, household_marks, in_support, state_as_of
from kizuki.outreach.lists import HistoryLists, history_lists
from kizuki.outreach.visits import read_visits

#: per district: lists handed out before T, households listed on them, visited (a
#: visit or attempt recorded), found (a need confirmed), not reached (the last visit
#: not_reached), no result yet (listed, no visit recorded)
SUMMARY_SCHEMA = pl.Schema(
    {
        "district": pl.String,
        "lists": pl.Int64,
        "listed": pl.Int64,
        "visited": pl.Int64,
        "found": pl.Int64,
        "not_reached": pl.Int64,
        "no_result": pl.Int64,
    }
)


@dataclass(frozen=True)
class LoopState:
    """The loop as a run as of ``as_of`` sees it (module docstring)."""

    as_of: dt.date
    held_back: pl.DataFrame
    in_support: pl.DataFrame
    marks: pl.DataFrame
    summary: pl.DataFrame


def loop_summary(lists: HistoryLists, visits: pl.DataFrame) -> pl.DataFrame:
    """Per district (the household's district on its newest list): the loop's counts
    (:data:`SUMMARY_SCHEMA`), over the lists and visits given."""
    in_use = lists.newest_per_date()
    home = in_use.sort("as_of").group_by("household_id").agg(district=pl.col("district").last())
    runs_per = in_use.group_by("district").agg(lists=pl.col("as_of").n_unique().cast(pl.Int64))
    v = visits.join(
        lists.lists.select("run_id", "household_id").unique(),
        on=["run_id", "household_id"],
        how="semi",
    )
    last = (
        v.sort("visited_on", "imported_at")
        .group_by("household_id")
        .agg(
            last_result=pl.col("result").last(),
            found=(pl.col("result") == "need_confirmed").any(),
        )
    )
    per = (
        home.join(last, on="household_id", how="left")
        .group_by("district")
        .agg(
            listed=pl.len().cast(pl.Int64),
            visited=pl.col("last_result").is_not_null().sum().cast(pl.Int64),
            found=pl.col("found").fill_null(False).sum().cast(pl.Int64),
            not_reached=(pl.col("last_result") == "not_reached").sum().cast(pl.Int64),
        )
        .with_columns(no_result=pl.col("listed") - pl.col("visited"))
    )
    return (
        per.join(runs_per, on="district", how="left")
        .select(list(SUMMARY_SCHEMA))
        .cast(dict(SUMMARY_SCHEMA))
        .sort("district")
    )


def loop_as_of(history: Path, config: OutreachConfig, as_of: dt.date) -> LoopState:
    """The loop state a run as of ``as_of`` in the history ``history`` uses."""
    layout = HistoryLayout(Path(history))
    lists = history_lists(layout)
    visits = read_visits(layout).filter(pl.col("visited_on") <= as_of)
    state = state_as_of(lists, visits, config, as_of)
    return LoopState(
        as_of=as_of,
        held_back=held_back(state, as_of),
        in_support=in_support(state, as_of),
        marks=household_marks(state),
        summary=loop_summary(lists.before(as_of), visits),
    )
