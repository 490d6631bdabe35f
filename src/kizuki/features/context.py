"""What every feature family gets: the cut tables, the members on T, T and the config."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from kizuki.features.config import FeatureConfig


@dataclass(frozen=True)
class Context:
    """Inputs of a feature family.

    ``tables``: canonical tables cut at ``as_of`` (absent optional tables missing);
    ``members``: :func:`kizuki.features.asof.households_on` (one row per person on T).
    """

    tables: dict[str, pl.LazyFrame]
    members: pl.LazyFrame
    as_of: dt.date
    config: FeatureConfig

    def months_back(self, k: int) -> dt.date:
        """The first day of the month ``k`` months before the month of ``as_of``."""
        y, m = divmod(self.as_of.year * 12 + self.as_of.month - 1 - k, 12)
        return dt.date(y, m + 1, 1)

    def has(self, table: str) -> bool:
        """True when the drop holds ``table``."""
        return table in self.tables
