"""Month arithmetic for horizons and windows (same rule as ``kizuki.model.labels.add_months``,
kept here so monitor and audit do not import the model package and LightGBM)."""

from __future__ import annotations

import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months; clamped to the month's last day; a month end stays a
    month end (2026-02-28 + 1 → 2026-03-31)."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    nxt = dt.date(y + (m == 11), (m + 1) % 12 + 1, 1)
    last = (nxt - dt.timedelta(days=1)).day
    if (day + dt.timedelta(days=1)).day == 1:
        return dt.date(y, m + 1, last)
    return dt.date(y, m + 1, min(day.day, last))


def matured_share(as_of: dt.date, horizon_months: int, known_until: dt.date | None) -> float:
    """Share of the horizon (T, T + H] that lies on or before ``known_until`` (0 to 1)."""
    if known_until is None:
        return 0.0
    end = add_months(as_of, horizon_months)
    total = (end - as_of).days
    done = (min(known_until, end) - as_of).days
    return max(0.0, min(1.0, done / total)) if total > 0 else 1.0
