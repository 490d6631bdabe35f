"""The lists a history has handed out: every complete run under ``runs/`` (contract §9).

:func:`history_lists` reads each run's manifest (run id, as-of date) and its
shortlist (household, district, priority, listed issues). A run folder being written
(a temporary sibling) or without a manifest is not a list yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from kizuki.history.layout import HistoryLayout
from kizuki.io.files import scan_parquet
from kizuki.runs import RunLayout, read_manifest
from kizuki.runs.layout import is_temporary

RUNS_SCHEMA = pl.Schema(
    {"run_id": pl.String, "as_of": pl.Date, "run_dir": pl.String, "attempt": pl.Int64}
)
LISTS_SCHEMA = pl.Schema(
    {
        "run_id": pl.String,
        "as_of": pl.Date,
        "attempt": pl.Int64,
        "household_id": pl.String,
        "district": pl.String,
        "priority": pl.Int64,
        "issues": pl.List(pl.String),
    }
)


@dataclass(frozen=True)
class HistoryLists:
    """``runs``: one row per complete run folder (:data:`RUNS_SCHEMA`); ``lists``: one
    row per listed household per run (:data:`LISTS_SCHEMA`)."""

    runs: pl.DataFrame
    lists: pl.DataFrame

    def newest_per_date(self) -> pl.DataFrame:
        """``lists`` of the newest attempt of each as-of date (the list in use)."""
        newest = self.runs.group_by("as_of").agg(pl.col("attempt").max())
        return self.lists.join(newest, on=["as_of", "attempt"], how="semi")

    def before(self, as_of: dt.date) -> HistoryLists:
        """The runs (and their lists) as of a date before ``as_of``."""
        return HistoryLists(
            self.runs.filter(pl.col("as_of") < as_of), self.lists.filter(pl.col("as_of") < as_of)
        )


def _attempt(name: str) -> int:
    tail = name.rsplit(".", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 1


def history_lists(layout: HistoryLayout) -> HistoryLists:
    """Every complete run of the history and its list (see the module docstring)."""
    runs: list[dict[str, object]] = []
    frames: list[pl.LazyFrame] = []
    if layout.runs.is_dir():
        for folder in sorted(layout.runs.iterdir()):
            run = RunLayout(folder)
            if is_temporary(folder) or not folder.is_dir() or not run.holds_run():
                continue
            if not run.shortlist.is_file():
                continue
            m = read_manifest(run.manifest)
            attempt = _attempt(folder.name)
            runs.append(
                {"run_id": m.run_id, "as_of": m.as_of, "run_dir": folder.name, "attempt": attempt}
            )
            frames.append(
                scan_parquet(run.shortlist).select(
                    pl.lit(m.run_id).alias("run_id"),
                    pl.lit(m.as_of, dtype=pl.Date).alias("as_of"),
                    pl.lit(attempt, dtype=pl.Int64).alias("attempt"),
                    pl.col("household_id").cast(pl.String),
                    pl.col("district").cast(pl.String),
                    pl.col("priority").cast(pl.Int64),
                    pl.col("issues").cast(pl.List(pl.String)),
                )
            )
    lists = pl.concat(pl.collect_all(frames)) if frames else LISTS_SCHEMA.to_frame()
    return HistoryLists(
        runs=pl.DataFrame(runs, schema=RUNS_SCHEMA), lists=lists.cast(dict(LISTS_SCHEMA))
    )
