"""Code counts of a drop's code columns: what a run records so monitor need not reload drops.

``code_counts(tables, as_of)`` counts, for every contract column of kind ``code``,
the rows per canonical code among the rows the loader kept whose knowledge date falls
in the :data:`CODE_WINDOW_MONTHS` months up to the as-of date, (as_of − window,
as_of]. Rejected rows (an unknown code) are not here: they are counted from
``rejects/``. A code that appears or vanishes between two runs is found by comparing
their manifests (:meth:`kizuki.runs.RunFolder.code_counts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from kizuki.calendar import add_months
from kizuki.contract.schema import TABLES

#: months of knowledge dates up to the as-of date whose rows are counted
CODE_WINDOW_MONTHS = 12


def code_count_queries(
    tables: Mapping[str, pl.LazyFrame], as_of: dt.date, window_months: int = CODE_WINDOW_MONTHS
) -> tuple[list[tuple[str, str]], list[pl.LazyFrame]]:
    """The lazy queries behind :func:`code_counts`, to collect with other work.

    Out: the (table, column) of each query, and the queries (code, rows). A code
    column the frame lacks is not counted.
    """
    start = add_months(as_of, -window_months)
    keys: list[tuple[str, str]] = []
    queries: list[pl.LazyFrame] = []
    for name, lf in tables.items():
        table = TABLES.get(name)
        if table is None:
            continue
        present = set(lf.collect_schema().names())
        recent = lf.filter((pl.col("known_on") > start) & (pl.col("known_on") <= as_of))
        for col in table.columns:
            if col.kind != "code" or col.name not in present:
                continue
            queries.append(
                recent.select(pl.col(col.name).cast(pl.String).alias("code"))
                .drop_nulls()
                .group_by("code")
                .agg(pl.len().alias("rows"))
                .sort("code")
            )
            keys.append((name, col.name))
    return keys, queries


def gather_code_counts(
    keys: list[tuple[str, str]], frames: list[pl.DataFrame]
) -> dict[str, dict[str, dict[str, int]]]:
    """Collected :func:`code_count_queries` as table -> column -> code -> rows."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for (table, column), frame in zip(keys, frames, strict=True):
        out.setdefault(table, {})[column] = {str(c): int(n) for c, n in frame.iter_rows()}
    return out


def code_counts(
    tables: Mapping[str, pl.LazyFrame], as_of: dt.date, window_months: int = CODE_WINDOW_MONTHS
) -> dict[str, dict[str, dict[str, int]]]:
    """Rows per canonical code of every code column among the kept rows known in
    (as_of − window, as_of].

    In: canonical tables (``known_on`` present), the as-of date, the window in months.
    Out: table -> column -> code -> rows (codes sorted; a table without code columns
    is absent).
    """
    keys, queries = code_count_queries(tables, as_of, window_months)
    return gather_code_counts(keys, pl.collect_all(queries) if queries else [])
