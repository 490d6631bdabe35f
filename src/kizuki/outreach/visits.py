"""``visits.parquet`` (contract §8, §9): every imported feedback row, with its file.

The file is rewritten whole through an atomic replace by the holder of the history's
lock (``kizuki feedback import``). :func:`outcomes_from_visits` turns visits into
``outcomes`` rows with ``route = kizuki`` (for training).
"""

from __future__ import annotations

import polars as pl

from kizuki.history.layout import HistoryLayout
from kizuki.io.atomic import write_parquet
from kizuki.io.files import read_parquet
from kizuki.outreach.lists import history_lists

VISITS_SCHEMA = pl.Schema(
    {
        "run_id": pl.String,
        "household_id": pl.String,
        "visited_on": pl.Date,
        "result": pl.String,
        "confirmed_issues": pl.List(pl.String),
        "team": pl.String,
        "row": pl.Int64,  # the row of the file it came from (1 = the header row)
        "file": pl.String,  # the file's name
        "file_sha256": pl.String,
        "imported_at": pl.Datetime("us", "UTC"),
    }
)
#: the outcomes columns (contract §1) a visit gives
OUTCOMES_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "issue": pl.String,
        "opened_on": pl.Date,
        "confirmed": pl.Boolean,
        "route": pl.String,
    }
)


def read_visits(layout: HistoryLayout) -> pl.DataFrame:
    """Every imported visit (empty, with :data:`VISITS_SCHEMA`, before the first import)."""
    if not layout.visits.is_file():
        return VISITS_SCHEMA.to_frame()
    return read_parquet(layout.visits).select(list(VISITS_SCHEMA)).cast(dict(VISITS_SCHEMA))


def write_visits(layout: HistoryLayout, visits: pl.DataFrame) -> None:
    """Replace ``visits.parquet`` atomically (the caller holds the history's lock)."""
    ordered = visits.select(list(VISITS_SCHEMA)).cast(dict(VISITS_SCHEMA))
    write_parquet(layout.visits, ordered.sort("visited_on", "run_id", "household_id", "file"))


def outcomes_from_visits(visits: pl.DataFrame, lists: pl.DataFrame) -> pl.DataFrame:
    """The §8 ``outcomes`` rows of imported visits (``route = kizuki``).

    In: visits (:data:`VISITS_SCHEMA`), the lists (run_id, household_id, issues). Out:
    :data:`OUTCOMES_SCHEMA`, one row per (household, issue, visit): ``need_confirmed``
    gives ``confirmed = true`` for each confirmed issue and ``false`` for the other
    issues it was listed for; ``no_need`` gives ``false`` for the listed issues;
    ``declined``, ``not_reached`` and ``moved`` give no row. ``opened_on`` is the visit
    date.
    """
    listed = lists.select("run_id", "household_id", listed=pl.col("issues"))
    v = visits.filter(pl.col("result").is_in(["need_confirmed", "no_need"])).join(
        listed, on=["run_id", "household_id"], how="left"
    )
    v = v.with_columns(pl.col("listed").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    confirmed = v.filter(pl.col("result") == "need_confirmed").select(
        "household_id",
        "visited_on",
        issue=pl.col("confirmed_issues"),
        confirmed=pl.lit(True),
    )
    assessed = v.select(
        "household_id",
        "visited_on",
        issue=pl.col("listed").list.set_difference(pl.col("confirmed_issues")),
        confirmed=pl.lit(False),
    )
    return (
        pl.concat([confirmed, assessed])
        .explode("issue")
        .drop_nulls("issue")
        .select(
            "household_id",
            "issue",
            opened_on="visited_on",
            confirmed="confirmed",
            route=pl.lit("kizuki"),
        )
        .unique(maintain_order=True)
        .sort("household_id", "issue", "opened_on")
        .cast(dict(OUTCOMES_SCHEMA))
    )


def history_outcomes(layout: HistoryLayout) -> pl.DataFrame:
    """The ``outcomes`` rows (``route = kizuki``) of every visit imported into a history
    (:func:`outcomes_from_visits` over its visits and lists), for training."""
    return outcomes_from_visits(read_visits(layout), history_lists(layout).lists)
