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
    Month windows are counted with :mod:`kizuki.calendar` from ``as_of``.
    """

    tables: dict[str, pl.LazyFrame]
    members: pl.LazyFrame
    as_of: dt.date
    config: FeatureConfig

    def has(self, table: str) -> bool:
        """True when the drop holds ``table``."""
        return table in self.tables
