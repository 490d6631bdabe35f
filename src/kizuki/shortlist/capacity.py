"""Capacity per district: how many households each outreach team can visit per run."""

from __future__ import annotations

import math

import polars as pl

from kizuki.errors import ConfigError
from kizuki.shortlist.config import Capacity, ShortlistConfig


def capacity_of(rule: Capacity, households: int) -> int:
    """Households one district can visit, given its rule and its household count.

    ``count``: that number; ``share``: ``ceil(share * households)`` but at least
    ``minimum``. Never more than the district's households.
    """
    if rule.count is not None:
        wanted = rule.count
    elif rule.share is not None:
        # round away float noise first so that 0.01 * 1500 is 15, not 16
        wanted = max(rule.minimum, math.ceil(round(rule.share * households, 9)))
    else:
        raise ConfigError("a capacity rule needs one of 'count' or 'share'")
    return min(wanted, households)


def district_capacities(districts: pl.DataFrame, config: ShortlistConfig) -> pl.DataFrame:
    """Capacity per district.

    In: ``districts`` with one row per household on the as-of date and a ``district``
    column (other columns ignored). Out: one row per district, sorted by district:
    ``district`` (str), ``households`` (int), ``capacity`` (int), ``rule`` (str:
    "district" when an override applied, else "default").
    """
    counts = districts.group_by("district").agg(households=pl.len().cast(pl.Int64)).sort("district")
    rows = []
    # one Python step per district (a handful of values), never per household
    for name, n in counts.iter_rows():
        override = config.capacity.districts.get(name)
        rule = override or config.capacity.default
        rows.append(
            {
                "district": name,
                "households": n,
                "capacity": capacity_of(rule, n),
                "rule": "district" if override is not None else "default",
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "district": pl.String,
            "households": pl.Int64,
            "capacity": pl.Int64,
            "rule": pl.String,
        },
    )


def unknown_districts(capacities: pl.DataFrame, config: ShortlistConfig) -> list[str]:
    """District names configured in ``capacity.districts`` that no household lives in."""
    return config.unknown_districts(capacities["district"].to_list())
