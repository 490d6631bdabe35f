"""How every page prints a number or a date: one missing-value mark, percentages, counts,
probabilities, fixed decimals, intervals, dates.

Every function takes a value that may be missing (None or NaN) and prints :data:`MISSING`
for it; each is also a Jinja filter of the same name (``{{ share|pct }}``) in the page
templates and in the word catalogue's texts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date as Date
from typing import Any

#: what every page prints for a value that is missing
MISSING = "—"


def missing(value: Any) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def integer(value: Any) -> str:
    """A count with thousands separators: ``12,345``."""
    return MISSING if missing(value) else f"{int(value):,}"


def fixed(value: Any, digits: int = 3) -> str:
    """A number with ``digits`` decimals: ``0.123``."""
    return MISSING if missing(value) else f"{value:.{digits}f}"


def ratio(value: Any) -> str:
    """A ratio (of rates, to a reference): two decimals, ``0.87``."""
    return fixed(value, 2)


def num(value: Any, digits: int = 3) -> str:
    """An int with thousands separators, any other number with ``digits`` decimals."""
    if isinstance(value, int) and not isinstance(value, bool):
        return integer(value)
    return fixed(value, digits)


def pct(value: Any, digits: int = 1, *, fine: bool = False) -> str:
    """A share as a percentage: ``12.3%``; with ``fine``, one more decimal below 1%."""
    if missing(value):
        return MISSING
    if fine and abs(value) < 0.01:
        digits += 1
    return f"{100 * value:.{digits}f}%"


def prob(value: Any) -> str:
    """A probability: one decimal below 10%, none above; ``<0.1%`` when tiny."""
    if missing(value):
        return MISSING
    p = 100.0 * value
    if p < 0.1:
        return "<0.1%"
    return f"{p:.1f}%" if p < 10 else f"{p:.0f}%"


def signed_points(value: Any) -> str:
    """A difference of shares in percentage points, signed, without the unit: ``+1.2``."""
    return MISSING if missing(value) else f"{100 * value:+.1f}"


def p_value(value: Any) -> str:
    """A p-value: four decimals, scientific below 0.0001."""
    if missing(value) or value >= 1e-4:
        return fixed(value, 4)
    return f"{value:.1e}"


def interval(low: Any, high: Any, fmt: Callable[[Any], str] = fixed) -> str:
    """``[low–high]`` printed with ``fmt``."""
    return f"[{fmt(low)}–{fmt(high)}]"


def date(value: Date | str | None, lang: str = "en") -> str:
    """A date: 2026年3月31日 in Japanese, 2026-03-31 in English (ISO text kept as given)."""
    if missing(value):
        return MISSING
    if isinstance(value, str):
        return value
    return f"{value.year}年{value.month}月{value.day}日" if lang == "ja" else value.isoformat()


def text(value: Any) -> str:
    """Any value as text, :data:`MISSING` when missing."""
    return MISSING if missing(value) else str(value)


#: the Jinja filters of the page templates and the word catalogue
FILTERS: dict[str, Callable[..., str]] = {
    f.__name__: f
    for f in (
        integer,
        fixed,
        ratio,
        num,
        pct,
        prob,
        signed_points,
        p_value,
        interval,
        date,
        text,
    )
}
