"""Who is in the cohort, who is listed, who turned out to have the need: the audit frame.

Labels follow contract §2: household h has issue i as of T with horizon H when the
outcomes hold (h, i, confirmed = true) opened in (T, T + H]. The cohort for issue i is
the run's ``scores.parquet`` rows for i (households on T without a known case of i).
"Listed" means on the shortlist for that issue. Synthetic truth, when a drop has
``truth/latent.parquet``: the household truly had the need in the month of T.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from kizuki.calendar import add_months
from kizuki.runs import RunFolder

UNKNOWN = "unknown"


def positives(outcomes: pl.LazyFrame | pl.DataFrame, as_of: dt.date, horizon_months: int) -> pl.DataFrame:
    """household_id, issue: confirmed cases opened in (as_of, as_of + horizon]."""
    end = add_months(as_of, horizon_months)
    return (
        outcomes.lazy()
        .filter(pl.col("confirmed") & (pl.col("opened_on") > pl.lit(as_of)) & (pl.col("opened_on") <= pl.lit(end)))
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .collect()
    )


def truth_in_need(latent: pl.LazyFrame | pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """household_id, issue: truly in need in the month of ``as_of`` (synthetic truth rows
    household_id, month, issue)."""
    month = as_of.replace(day=1)
    return (
        latent.lazy()
        .filter(pl.col("month").cast(pl.Date) == pl.lit(month))
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .collect()
    )


def find_truth(*drops: Path | None) -> Path | None:
    """The first ``truth/latent.parquet`` found in the given drop folders."""
    for d in drops:
        if d is not None and (Path(d) / "truth" / "latent.parquet").is_file():
            return Path(d) / "truth" / "latent.parquet"
    return None


def audit_frame(
    run: RunFolder,
    dimensions: Sequence[str],
    positive: pl.DataFrame | None,
    truth: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per (household, issue) of the run's cohort.

    Out: household_id, issue, listed (bool), label (bool; null when ``positive`` is None:
    outcomes pending), truth (bool; null without truth), and the dimension columns as
    strings (missing → ``"unknown"``).
    """
    cols = [c for c in dimensions if c in run.features.columns]
    missing = sorted(set(dimensions) - set(cols))
    groups = run.features.select(
        "household_id",
        *[pl.col(c).cast(pl.String).fill_null(UNKNOWN) for c in cols],
        *[pl.lit(UNKNOWN).alias(c) for c in missing],
    )
    listed = run.listed().select("household_id", "issue").with_columns(pl.lit(True).alias("listed"))
    frame = (
        run.scores.select("household_id", pl.col("issue").cast(pl.String))
        .join(listed, on=["household_id", "issue"], how="left")
        .with_columns(pl.col("listed").fill_null(False))
    )

    def mark(f: pl.DataFrame, pairs: pl.DataFrame | None, name: str) -> pl.DataFrame:
        if pairs is None:
            return f.with_columns(pl.lit(None, pl.Boolean).alias(name))
        p = pairs.select("household_id", pl.col("issue").cast(pl.String)).unique().with_columns(pl.lit(True).alias(name))
        return f.join(p, on=["household_id", "issue"], how="left").with_columns(pl.col(name).fill_null(False))

    frame = mark(mark(frame, positive, "label"), truth, "truth")
    return frame.join(groups, on="household_id", how="left").with_columns(
        [pl.col(c).fill_null(UNKNOWN) for c in dimensions]
    )
