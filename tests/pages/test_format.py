"""One way to print a number: every format prints the same mark for a missing value."""

from __future__ import annotations

import datetime as dt

import pytest

from kizuki.pages.format import (
    FILTERS,
    MISSING,
    date,
    integer,
    num,
    p_value,
    pct,
    prob,
    signed_points,
)


@pytest.mark.parametrize("name", sorted(set(FILTERS) - {"interval"}))
@pytest.mark.parametrize("value", [None, float("nan")])
def test_every_format_prints_one_mark_for_a_missing_value(name: str, value: object) -> None:
    assert FILTERS[name](value) == MISSING == "—"


def test_numbers_shares_and_dates() -> None:
    assert integer(12345) == "12,345" and num(12345) == "12,345" and num(0.12345) == "0.123"
    assert pct(0.0215) == "2.1%" and pct(0.5, 0) == "50%"
    assert pct(0.0015, fine=True) == "0.15%" and pct(0.015, fine=True) == "1.5%"
    assert prob(0.0004) == "<0.1%" and prob(0.042) == "4.2%" and prob(0.42) == "42%"
    assert (
        signed_points(0.012) == "+1.2" and p_value(0.5) == "0.5000" and p_value(1e-6) == "1.0e-06"
    )
    assert FILTERS["interval"](0.1, 0.25) == "[0.100–0.250]"
    assert date(dt.date(2026, 3, 31), "ja") == "2026年3月31日"
    assert date(dt.date(2026, 3, 31), "en") == "2026-03-31"
