"""The as-of cut: what the municipality knew on date T, and who lived with whom on T.

``cut(tables, T)`` keeps rows whose knowledge date (``known_on``) is on or before T;
a residence or certificate end dated after T is not yet known, so it is blanked
(the period is open on T). ``households_on(residents, T)``: one row per person in a
household on T (valid_from ≤ T < valid_to; a membership starting on T counts, one
ending on T does not) with age on T.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from kizuki.calendar import month_index, month_index_expr


def cut(tables: Mapping[str, pl.LazyFrame], as_of: dt.date) -> dict[str, pl.LazyFrame]:
    """Every table restricted to what was known on ``as_of`` (see module docstring).

    In: canonical LazyFrames (with ``known_on``). Out: same schemas, fewer rows.
    """
    t = pl.lit(as_of)
    out: dict[str, pl.LazyFrame] = {}
    for name, frame in tables.items():
        f = frame.filter(pl.col("known_on") <= t)
        if name in ("residents", "care"):
            unknown_end = pl.col("valid_to") > t
            f = f.with_columns(
                pl.when(unknown_end).then(None).otherwise(pl.col("valid_to")).alias("valid_to")
            )
            if name == "residents":
                f = f.with_columns(
                    pl.when(unknown_end)
                    .then(None)
                    .otherwise(pl.col("end_reason"))
                    .alias("end_reason")
                )
        out[name] = f
    return out


def age_on(birth_month: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Whole years of age on ``as_of`` from a birth month (day unknown: counted from the 1st)."""
    months = pl.lit(month_index(as_of), pl.Int32) - month_index_expr(birth_month)
    return (months // 12).cast(pl.Int32)


def households_on(residents: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """People in households on ``as_of``.

    In: residents (already cut, or not: the function applies the cut rules itself).
    Out: household_id, person_id, age, sex, relation, district, nationality,
    valid_from (of the current membership).
    """
    t = pl.lit(as_of)
    return residents.filter(
        (pl.col("valid_from") <= t)
        & (pl.col("known_on") <= t)
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") > t))
    ).select(
        "household_id",
        "person_id",
        age_on(pl.col("birth_month"), as_of).alias("age"),
        "sex",
        "relation",
        "district",
        "nationality",
        "valid_from",
    )
