"""Training data in time: as-of schedules and the per-date frames models learn from.

Time is built in. With H the horizon and S the step (configs/model.yaml):

- as-of dates run back from the latest matured date, ``min(--as-of, newest knowledge
  date) - H``, every S months, while enough history exists before them (at most
  ``max_train_dates`` training dates);
- validation = the latest date; calibration = the latest date whose label window
  ends by the validation date; training = dates whose label windows end by the
  calibration date. No label window of an earlier split reaches past the as-of date
  of a later split, so no household-time fact leaks across the split.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from kizuki.calendar import add_months
from kizuki.contract.schema import ISSUES
from kizuki.errors import KizukiError, parameter_error
from kizuki.model.labels import labels

#: tables whose history features look back over (their first knowledge date starts the clock)
HISTORY_TABLES = ("utility", "school", "care_usage", "tax")


@dataclass(frozen=True)
class Schedule:
    """As-of dates of the three temporal splits (each sorted, oldest first)."""

    train: tuple[dt.date, ...]
    calibration: tuple[dt.date, ...]
    validation: tuple[dt.date, ...]

    def all_dates(self) -> list[dt.date]:
        """Every as-of date of the schedule, oldest first."""
        return sorted({*self.train, *self.calibration, *self.validation})

    def as_dict(self) -> dict[str, list[str]]:
        """ISO dates per split (for logs, metadata and tracking)."""
        return {
            "train": [str(d) for d in self.train],
            "calibration": [str(d) for d in self.calibration],
            "validation": [str(d) for d in self.validation],
        }


def schedule(
    as_of: dt.date,
    newest_known: dt.date,
    history_start: dt.date | None,
    *,
    horizon_months: int,
    step_months: int,
    min_history_months: int,
    max_train_dates: int,
) -> Schedule:
    """The training, calibration and validation as-of dates (see module docstring).

    In: the ``--as-of`` date, the newest knowledge date of the drop, the first knowledge
    date of the history tables (None: unknown, three years are assumed). Raises a
    one-line KizukiError when the history is too short for the three splits.
    """
    if horizon_months < 1:
        raise parameter_error("horizon", "a positive int", horizon_months)
    H, S = horizon_months, step_months
    limit = min(as_of, newest_known)
    last = add_months(limit, -H)
    while add_months(last, H) > limit:  # month ends: Feb 28 + 6 months is Aug 31
        last -= dt.timedelta(days=1)
    earliest = (
        add_months(history_start, min_history_months) if history_start else add_months(last, -36)
    )
    dates: list[dt.date] = []
    d = last
    while d >= earliest:
        dates.append(d)
        d = add_months(d, -S)
    dates.sort()
    if not dates:
        raise KizukiError(
            f"train: no as-of date has both {min_history_months} months of history and a matured "
            f"{H}-month horizon before the as-of date; give a later --as-of or a shorter --horizon"
        )
    val = dates[-1]
    cal = [x for x in dates if add_months(x, H) <= val][-1:]
    train = [x for x in dates if cal and add_months(x, H) <= cal[0]][-max_train_dates:]
    if not cal or len(train) < 2:
        raise KizukiError(
            f"train: too little history for a temporal split: need at least two training dates, a "
            f"calibration date and a validation date {H} months apart; found {len(dates)} as-of dates"
        )
    return Schedule(tuple(train), tuple(cal), (val,))


def history_start(sources: Mapping[str, object]) -> dt.date | None:
    """First knowledge date over the history tables of a drop's sources (None if none)."""
    starts = [
        dt.date.fromisoformat(str(t.known_from))
        for name, t in sources.items()
        if name in HISTORY_TABLES and getattr(t, "known_from", None)
    ]
    return min(starts) if starts else None


@dataclass
class Frames:
    """Long frames over one or more as-of dates.

    - ``X``: household_id, as_of, district, feature and group columns (one row per household on T);
    - ``y``: household_id, as_of, issue, label, assessed (cohort rows only);
    - ``checklist``: household_id, as_of, issue, checklist_score;
    - ``need``: household_id, as_of, issue, need (1 when truth/latent.parquet has the need
      in a month of [month of T, T + H]); None without truth.
    """

    dates: list[dt.date]
    X: pl.DataFrame
    y: pl.DataFrame
    checklist: pl.DataFrame
    need: pl.DataFrame | None = None

    def subset(self, dates: list[dt.date] | tuple[dt.date, ...]) -> Frames:
        """The rows of the given as-of dates."""
        keep = pl.col("as_of").is_in(list(dates))
        return Frames(
            dates=sorted(dates),
            X=self.X.filter(keep),
            y=self.y.filter(keep),
            checklist=self.checklist.filter(keep),
            need=self.need.filter(keep) if self.need is not None else None,
        )


def latent_need(
    truth: pl.DataFrame | None, households: pl.DataFrame, as_of: dt.date, horizon_months: int
) -> pl.DataFrame | None:
    """household_id, issue, need (Int8), as_of for every household × issue, from the synthetic
    truth (household_id, month, issue): 1 when the need exists in a month of the window."""
    if truth is None:
        return None
    start = dt.date(as_of.year, as_of.month, 1)
    end = add_months(as_of, horizon_months)
    flagged = (
        truth.lazy()
        .filter((pl.col("month") >= start) & (pl.col("month") <= end))
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .with_columns(need=pl.lit(1, pl.Int8))
        .collect()
    )
    grid = households.select("household_id").join(
        pl.DataFrame({"issue": list(ISSUES)}), how="cross", maintain_order="left_right"
    )
    return grid.join(
        flagged, on=["household_id", "issue"], how="left", maintain_order="left"
    ).with_columns(pl.col("need").fill_null(0), as_of=pl.lit(as_of))


def build_frames(
    tables: Mapping[str, pl.LazyFrame],
    dates: list[dt.date],
    horizon_months: int,
    features: Callable[[Mapping[str, pl.LazyFrame], dt.date], pl.DataFrame],
    checklist_scores: Callable[[pl.DataFrame], pl.DataFrame],
    truth: pl.DataFrame | None = None,
    progress: Callable[[str], None] = lambda s: None,
) -> Frames:
    """Features, labels, checklist scores and latent need for every date in ``dates``.

    In: canonical tables (with ``outcomes``), ``features(tables, T)`` (e.g.
    ``build_features`` with its config), ``checklist_scores(X)`` → household_id, issue,
    checklist_score. Out: :class:`Frames`.
    """
    outcomes = tables.get("outcomes")
    if outcomes is None:
        raise KizukiError("train: the drop has no outcomes table (case records are the labels)")
    xs, ys, cs, ns = [], [], [], []
    for T in sorted(dates):
        progress(f"train: features as of {T}")
        X = features(tables, T)
        xs.append(X)
        ys.append(labels(outcomes, X, T, horizon_months).with_columns(as_of=pl.lit(T)))
        cs.append(checklist_scores(X).with_columns(as_of=pl.lit(T)))
        n = latent_need(truth, X, T, horizon_months)
        if n is not None:
            ns.append(n)
    return Frames(
        dates=sorted(dates),
        X=pl.concat(xs, how="vertical_relaxed"),
        y=pl.concat(ys),
        checklist=pl.concat(cs),
        need=pl.concat(ns) if ns else None,
    )


def issue_rows(frames: Frames, issue: str) -> pl.DataFrame:
    """The cohort rows of one issue over the frames' dates, with everything joined.

    Out: household_id, as_of, label, assessed, checklist_score, [need], district, features
    — one row per cohort (household, as_of), in the order of ``frames.y``.
    """
    rows = (
        frames.y.filter(pl.col("issue") == issue)
        .drop("issue")
        .join(
            frames.checklist.filter(pl.col("issue") == issue).drop("issue"),
            on=["household_id", "as_of"],
            how="left",
            maintain_order="left",
        )
    )
    if frames.need is not None:
        rows = rows.join(
            frames.need.filter(pl.col("issue") == issue).drop("issue"),
            on=["household_id", "as_of"],
            how="left",
            maintain_order="left",
        ).with_columns(pl.col("need").fill_null(0))
    return rows.with_columns(pl.col("checklist_score").fill_null(0.0)).join(
        frames.X, on=["household_id", "as_of"], how="left", maintain_order="left"
    )


def column(rows: pl.DataFrame, name: str) -> np.ndarray:
    """One column of :func:`issue_rows` as a float numpy array."""
    return rows[name].cast(pl.Float64).to_numpy()
