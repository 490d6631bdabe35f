"""Knowledge dates: the day the municipality knew a row's fact (contract §1).

Every loaded row carries ``known_on``, derived from its table's declared
:class:`~kizuki.contract.schema.KnowledgeRule` alone: the rule's ``anchor`` (the date
itself, a month end ``lag_months`` later — stretched by a period column — or June 1
of a fiscal year), overridden by a filled ``override`` column (``recorded_on``).
Month arithmetic is :mod:`kizuki.calendar`'s.

In: a table and its canonical, validated frame (eager). Out: the frame with
``known_on`` (:func:`with_known_on`), or the default alone (:func:`default_known_on`,
used by the synthetic generator to date a late recording).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from kizuki.calendar import month_end_expr
from kizuki.contract.schema import Table
from kizuki.errors import ContractError

#: ``month_end(column, k)``: the last day of the month ``k`` months after ``column``'s month
MonthEnd = Callable[[str, int], pl.Expr]


def month_end(column: str, plus_months: int) -> pl.Expr:
    """Last day of the month ``plus_months`` after the month of ``column`` (element-wise)."""
    return month_end_expr(pl.col(column), plus_months)


def month_end_values(dates: pl.Series, plus_months: tuple[int, ...]) -> list[pl.Series]:
    """``month_end(dates, k)`` for each ``k``, computed once per distinct date.

    A month column holds a few dozen distinct values over millions of rows: the month
    ends of the sorted distinct dates are looked up by binary search (same values as the
    element-wise expression, a fraction of its time).
    """
    distinct = dates.drop_nulls().unique().sort()
    if distinct.len() == 0:
        frame = dates.to_frame()
        return [frame.select(month_end(dates.name, k)).to_series() for k in plus_months]
    where = distinct.search_sorted(dates)
    out = []
    for k in plus_months:
        ends = distinct.to_frame().select(month_end(dates.name, k)).to_series()
        values = ends.gather(where)
        if dates.null_count():
            values = pl.select(pl.when(dates.is_null()).then(None).otherwise(values)).to_series()
        out.append(values)
    return out


def period_length(table: Table) -> pl.Expr:
    """The period length of each row: the period column, an empty one counting as the
    column's declared default (without a default, an empty length gives no date)."""
    rule = table.knowledge
    if rule.period_column is None:
        raise ContractError(f"{table.name}: the knowledge-date rule has no period column")
    default = table.column(rule.period_column).default
    length = pl.col(rule.period_column)
    return length if default is None else length.fill_null(default)


def periods(table: Table, frame: pl.DataFrame) -> tuple[int, ...]:
    """The distinct period lengths of ``frame`` (``()`` for a rule without a period column)."""
    if table.knowledge.period_column is None:
        return ()
    values = frame.select(period_length(table).unique().sort()).to_series()
    return tuple(int(v) for v in values.drop_nulls().to_list())


def month_offsets(table: Table, frame: pl.DataFrame) -> tuple[int, ...]:
    """The month-end offsets the rule needs for ``frame``: ``lag + p - 1`` per period ``p``."""
    rule = table.knowledge
    if rule.anchor != "month_end":
        return ()
    if rule.period_column is None:
        return (rule.lag_months,)
    return tuple(dict.fromkeys(rule.lag_months + p - 1 for p in periods(table, frame)))


def default_expr(
    table: Table, month_end: MonthEnd = month_end, lengths: tuple[int, ...] = ()
) -> pl.Expr:
    """The default knowledge date of ``table``'s rule (before any override), as an expression.

    ``month_end``: how the month ends are read (element-wise by default; precomputed
    columns on the fast path); ``lengths``: the period lengths to cover when the rule
    has a period column (a row with another length gets no date).
    """
    rule = table.knowledge
    if rule.anchor == "date":
        return pl.col(rule.column)
    if rule.anchor == "fiscal_june1":
        return pl.date(pl.col(rule.column), 6, 1)
    if rule.anchor != "month_end":
        raise ContractError(f"unknown knowledge-date anchor {rule.anchor!r}")
    if rule.period_column is None:
        return month_end(rule.column, rule.lag_months)
    length = period_length(table)
    if not lengths:
        return pl.lit(None, pl.Date)
    first, *rest = lengths
    chain = pl.when(length == first).then(month_end(rule.column, rule.lag_months + first - 1))
    for p in rest:
        chain = chain.when(length == p).then(month_end(rule.column, rule.lag_months + p - 1))
    return chain.otherwise(None)


def knowledge_expr(
    table: Table, month_end: MonthEnd = month_end, lengths: tuple[int, ...] = ()
) -> pl.Expr:
    """``known_on`` of ``table``'s rule: the override column when filled, else the default."""
    default = default_expr(table, month_end, lengths)
    override = table.knowledge.override
    if override is None:
        return default
    return pl.coalesce(pl.col(override), default)


def _month_end_helpers(table: Table, frame: pl.DataFrame) -> tuple[dict[str, pl.Series], MonthEnd]:
    """Precomputed month-end columns (one lookup per distinct month) and their reader."""
    rule = table.knowledge
    offsets = month_offsets(table, frame)
    if not offsets:
        return {}, month_end
    ends = month_end_values(frame[rule.column], offsets)
    helpers = {
        f"__end_{rule.column}_{k}": e.alias(f"__end_{rule.column}_{k}")
        for k, e in zip(offsets, ends, strict=True)
    }
    return helpers, lambda col, k: pl.col(f"__end_{col}_{k}")


def with_known_on(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its ``known_on`` column, from ``table.knowledge`` alone."""
    lengths = periods(table, frame)
    if table.knowledge.anchor != "month_end" or frame.height == 0:
        return frame.with_columns(known_on=knowledge_expr(table, lengths=lengths))
    helpers, reader = _month_end_helpers(table, frame)
    frame = frame.with_columns(**helpers)
    return frame.with_columns(known_on=knowledge_expr(table, reader, lengths)).drop(list(helpers))


def default_known_on(table: Table, frame: pl.DataFrame) -> pl.Series:
    """The default knowledge date of each row of ``frame`` (``table``'s rule, no override)."""
    lengths = periods(table, frame)
    helpers: dict[str, pl.Series] = {}
    reader = month_end
    if table.knowledge.anchor == "month_end" and frame.height:
        helpers, reader = _month_end_helpers(table, frame)
    out = frame.with_columns(**helpers).with_columns(
        __known_on=default_expr(table, reader, lengths)
    )
    return out["__known_on"].alias("known_on")
