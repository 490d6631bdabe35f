"""Rules across columns and rows, read from each table's declared :class:`~kizuki.contract.schema.Check`.

In: a :class:`~kizuki.contract.schema.Check`. Out: for a row-wise check, the polars
expression that is true on the rows breaking it (:func:`broken`); for ``no_overlap``,
the rule applied to a frame of rows (:func:`reject_overlaps`). A check over an empty
value is not broken (the column's own rules judge an empty value).
"""

from __future__ import annotations

import polars as pl

from kizuki.contract.schema import Check
from kizuki.errors import ContractError


def _other(check: Check) -> str:
    if check.other is None:
        raise ContractError(f"check {check.rule!r} ({check.kind}) names no other column")
    return check.other


def broken(check: Check) -> pl.Expr:
    """True on rows that break the row-wise ``check`` (null where a value is missing)."""
    col = pl.col(check.column)
    if check.kind == "at_least":
        return col < pl.col(_other(check))
    if check.kind == "at_most":
        return col > pl.col(_other(check))
    if check.kind == "one_of":
        return ~col.is_in(list(check.values))
    if check.kind == "valid_for":
        by = pl.col(_other(check))
        ok = pl.lit(False)
        for value, allowed in check.allowed:
            ok = ok | ((by == value) & col.cast(pl.String).is_in(list(allowed)))
        return col.is_not_null() & ~ok
    raise ContractError(f"check {check.rule!r}: {check.kind} is not a row-wise check")


def reject_overlaps(
    check: Check, frame: pl.DataFrame, rule: str, column: str, row: str
) -> pl.DataFrame:
    """Reject a period that starts before the previous one of the same ``by`` ended.

    ``frame`` has the first broken rule per row in column ``rule`` (null: kept so far),
    its column in ``column`` and a row number in ``row``. Among rows not already
    rejected, sorted by (``by``, start, row): a row whose start is before the running
    maximum end of the earlier rows of its ``by`` (an open end counts as infinity) gets
    ``check.rule`` under ``check.column``. Rows sharing (``by``, start) exactly are left
    to the key's duplicate test (a refusal), not called an overlap.
    """
    if check.by is None:
        raise ContractError(f"check {check.rule!r} (no_overlap) names no 'by' column")
    by, start, end = check.by, check.column, _other(check)
    far = pl.date(9999, 12, 31)
    ok = frame.filter(pl.col(rule).is_null()).select(by, start, end, row)
    # only groups with more than one period can overlap: check those alone
    ok = ok.filter(pl.col(by).is_duplicated()).sort(by, start, row)
    ok = ok.with_columns(prev_end=pl.col(end).fill_null(far).cum_max().shift(1).over(by))
    dup = pl.struct(by, start).is_duplicated()
    overlapping = ok.filter((pl.col(start) < pl.col("prev_end")) & ~dup)[row]
    if overlapping.len() == 0:
        return frame
    hit = pl.col(row).is_in(overlapping.implode())
    return frame.with_columns(
        pl.when(hit).then(pl.lit(check.rule)).otherwise(pl.col(rule)).alias(rule),
        pl.when(hit).then(pl.lit(check.column)).otherwise(pl.col(column)).alias(column),
    )
