"""The validator's rules as they were spelled before they became data (commit ffefb2a).

A frozen copy, kept only as the oracle for ``test_declared_rules.py``: the knowledge
date was a string switch on the table name, the month ends a separate table, and the
rules across columns a switch of their own. The declared rules must give exactly
these values.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from kizuki.contract import schema


def old_month_end(col: str, plus_months: int) -> pl.Expr:
    """Last day of the month ``plus_months`` after the month of ``col``."""
    return pl.col(col).dt.offset_by(f"{plus_months}mo").dt.month_end()


def old_knowledge_date(
    table: str, month_end: Callable[[str, int], pl.Expr] = old_month_end
) -> pl.Expr:
    """The ``known_on`` expression for a table, as the old string switch gave it."""
    if table in ("residents", "care"):
        return pl.col("valid_from")
    if table == "outcomes":
        return pl.col("opened_on")
    if table == "tax":
        default = pl.date(pl.col("fiscal_year"), 6, 1)
        return pl.coalesce(pl.col("recorded_on"), default)
    if table == "care_usage":
        return pl.coalesce(pl.col("recorded_on"), month_end("month", 2))
    if table == "school":
        return pl.coalesce(pl.col("recorded_on"), month_end("month", 0))
    if table == "utility":
        two = pl.col("period_months").fill_null(1) == 2
        end = pl.when(two).then(month_end("month", 1)).otherwise(month_end("month", 0))
        return pl.coalesce(pl.col("recorded_on"), end)
    raise KeyError(table)


def old_cross_checks(table: str) -> list[tuple[str, str, pl.Expr]]:
    """The rules across columns of a table: (column, rule, broken-when expression)."""
    checks: list[tuple[str, str, pl.Expr]] = []
    if table in ("residents", "care"):
        checks.append(("valid_to", "end_before_start", pl.col("valid_to") < pl.col("valid_from")))
    if table == "care":
        ok = pl.lit(False)
        for kind, levels in schema.LEVELS_BY_KIND.items():
            ok = ok | (
                (pl.col("kind") == kind) & pl.col("level").cast(pl.String).is_in(list(levels))
            )
        checks.append(("level", "level_not_valid_for_kind", pl.col("level").is_not_null() & ~ok))
    if table == "school":
        checks.append(
            (
                "absent_days",
                "absent_over_school_days",
                pl.col("absent_days") > pl.col("school_days"),
            )
        )
        checks.append(
            ("late_days", "late_over_school_days", pl.col("late_days") > pl.col("school_days"))
        )
    if table == "utility":
        checks.append(
            ("period_months", "invalid_period_months", ~pl.col("period_months").is_in([1, 2]))
        )
    return checks


def old_reject_overlaps(frame: pl.DataFrame, rule: str, column: str, row: str) -> pl.DataFrame:
    """Reject a residence period that starts before the same person's previous one ended."""
    far = pl.date(9999, 12, 31)
    ok = frame.filter(pl.col(rule).is_null()).select("person_id", "valid_from", "valid_to", row)
    ok = ok.filter(pl.col("person_id").is_duplicated()).sort("person_id", "valid_from", row)
    ok = ok.with_columns(
        prev_end=pl.col("valid_to").fill_null(far).cum_max().shift(1).over("person_id")
    )
    dup = pl.struct("person_id", "valid_from").is_duplicated()
    overlapping = ok.filter((pl.col("valid_from") < pl.col("prev_end")) & ~dup)[row]
    if overlapping.len() == 0:
        return frame
    hit = pl.col(row).is_in(overlapping.implode())
    return frame.with_columns(
        pl.when(hit).then(pl.lit("period_overlap")).otherwise(pl.col(rule)).alias(rule),
        pl.when(hit).then(pl.lit("valid_from")).otherwise(pl.col(column)).alias(column),
    )
