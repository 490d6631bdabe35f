"""The follow-up marks of a listed household: new, listed again, or visited before."""

from __future__ import annotations

import polars as pl

#: the columns :func:`mark_followup` adds to the shortlist
FOLLOWUP_COLUMNS = pl.Schema(
    {
        "followup": pl.String,  # new | again | visited; null: the run is in no history
        "times_listed_before": pl.Int64,
        "last_visit": pl.Date,
        "last_result": pl.String,
    }
)


def mark_followup(shortlist: pl.DataFrame, marks: pl.DataFrame | None) -> pl.DataFrame:
    """The shortlist with :data:`FOLLOWUP_COLUMNS` added.

    In: the shortlist; ``marks`` (household_id plus the columns above, from
    :func:`kizuki.outreach.followup.household_marks`) or None when the run belongs to no
    history (the marks are then null: kizuki does not know). A listed household the
    marks do not hold is ``new``, listed 0 times before. Row order unchanged.
    """
    base = shortlist.drop([c for c in FOLLOWUP_COLUMNS if c in shortlist.columns])
    if marks is None:
        return base.with_columns(
            pl.lit(None, dtype=dtype).alias(name) for name, dtype in FOLLOWUP_COLUMNS.items()
        )
    m = marks.select("household_id", *FOLLOWUP_COLUMNS).cast(dict(FOLLOWUP_COLUMNS))
    return base.join(m, on="household_id", how="left", maintain_order="left").with_columns(
        pl.col("followup").fill_null("new"), pl.col("times_listed_before").fill_null(0)
    )
