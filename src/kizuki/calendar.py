"""Month arithmetic: the one home for moving dates by whole months.

Every window, horizon, knowledge-date rule and synthetic month in kizuki is counted
in calendar months. These functions are the only place that does that arithmetic,
both on Python dates (for as-of dates, horizons and windows) and as polars
expressions (for columns), so that "3 months before 2026-03-31" means the same in
features, labels, validation, monitoring and the generator.

Conventions:
- a *month index* is ``year * 12 + month - 1`` (January of year 0 is 0);
- :func:`add_months` keeps the day where the target month has it, clamps it to the
  target month's last day otherwise, and keeps a month end a month end
  (2026-02-28 + 1 month is 2026-03-31; 2026-03-31 - 12 months is 2025-03-31);
- :func:`month_start` / :func:`month_end` give the first / last day of a month.
"""

from __future__ import annotations

import datetime as dt

import polars as pl


def month_index(day: dt.date) -> int:
    """``year * 12 + month - 1`` of ``day`` (day of month ignored)."""
    return day.year * 12 + day.month - 1


def from_month_index(index: int, day: int = 1) -> dt.date:
    """The date with month index ``index`` and day ``day`` (no clamping)."""
    y, m = divmod(index, 12)
    return dt.date(y, m + 1, day)


def days_in_month(year: int, month: int) -> int:
    """Number of days of ``month`` (1-12) in ``year``."""
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


def is_month_end(day: dt.date) -> bool:
    """True when ``day`` is the last day of its month."""
    return (day + dt.timedelta(days=1)).day == 1


def month_start(day: dt.date, months: int = 0) -> dt.date:
    """The first day of the month ``months`` after (negative: before) the month of ``day``."""
    return from_month_index(month_index(day) + months)


def month_end(day: dt.date, months: int = 0) -> dt.date:
    """The last day of the month ``months`` after (negative: before) the month of ``day``."""
    y, m = divmod(month_index(day) + months, 12)
    return dt.date(y, m + 1, days_in_month(y, m + 1))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months.

    In: a date and a (possibly negative) number of months. Out: the same day of the
    target month, clamped to that month's last day; a month end stays a month end.
    """
    y, m = divmod(month_index(day) + months, 12)
    last = days_in_month(y, m + 1)
    if is_month_end(day):
        return dt.date(y, m + 1, last)
    return dt.date(y, m + 1, min(day.day, last))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from the month of ``start`` to the month of ``end``."""
    return month_index(end) - month_index(start)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from the month of ``first`` to that of ``last``, inclusive."""
    a, b = month_index(first), month_index(last)
    return [from_month_index(i) for i in range(a, b + 1)]


def matured_share(as_of: dt.date, horizon_months: int, known_until: dt.date | None) -> float:
    """Share of the horizon (T, T + H] that lies on or before ``known_until`` (0 to 1)."""
    if known_until is None:
        return 0.0
    end = add_months(as_of, horizon_months)
    total = (end - as_of).days
    done = (min(known_until, end) - as_of).days
    return max(0.0, min(1.0, done / total)) if total > 0 else 1.0


# ----------------------------------------------------------------- polars expressions


def month_index_expr(col: pl.Expr) -> pl.Expr:
    """Month index (``year * 12 + month - 1``) of a Date column, as Int32."""
    return col.dt.year().cast(pl.Int32) * 12 + col.dt.month().cast(pl.Int32) - 1


def month_end_expr(col: pl.Expr, months: int = 0) -> pl.Expr:
    """The last day of the month ``months`` after each date of a Date column."""
    start = col.dt.month_start()
    if months:
        start = start.dt.offset_by(f"{months}mo")
    return start.dt.month_end()


def from_month_index_expr(index: pl.Expr, day: pl.Expr | int = 1) -> pl.Expr:
    """The Date with month index ``index`` and day ``day`` (no clamping), as an expression."""
    return pl.date(index // 12, index % 12 + 1, day)
