"""``build_features(tables, as_of, config) -> DataFrame``: one row per household on T.

In: canonical tables (full history; they are cut at T here) and the feature config.
Out: household_id, as_of, district, every feature of the registry (nulls where an
optional table is absent or a household has no rows) — columns in registry order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from kizuki.errors import ContractError
from kizuki.features import care, household, money, school, water
from kizuki.features.asof import cut, households_on
from kizuki.features.config import FeatureConfig
from kizuki.features.context import Context
from kizuki.features.registry import KEYS, REGISTRY

_BOOL_FALSE_WHEN_MISSING = ("recent_certification",)
_ZERO_WHEN_MISSING = (
    "member_left_12m",
    "heavy_need_members",
    "max_ltc_level",
    "certified_members",
    "ltc_rise_12m",
    "tax_arrears_yen",
    "stop_notices_12m",
    "water_low_months_6m",
    "water_flat_months_6m",
)


def build_features_lazy(
    tables: Mapping[str, pl.LazyFrame], as_of: dt.date, config: FeatureConfig
) -> pl.LazyFrame:
    """The lazy query behind :func:`build_features`."""
    if "residents" not in tables:
        raise ContractError("features need the residents table")
    cut_tables = cut(tables, as_of)
    members = households_on(cut_tables["residents"], as_of).cache()
    ctx = Context(tables=cut_tables, members=members, as_of=as_of, config=config)
    frame = household.build(ctx)
    for part in (
        money.tax_features(ctx),
        money.water_payment_features(ctx),
        water.build(ctx),
        care.build(ctx),
        school.build(ctx),
    ):
        if part is not None:
            frame = frame.join(part, on="household_id", how="left")
    schema = frame.collect_schema()
    fill = []
    for f in REGISTRY:
        if f.name not in schema:
            dtype = (
                pl.Boolean
                if f.kind == "bool"
                else (pl.String if f.kind == "category" else pl.Float64)
            )
            fill.append(pl.lit(None, dtype).alias(f.name))
    frame = frame.with_columns(fill) if fill else frame
    present = set(tables)
    fixes = []
    for name in _ZERO_WHEN_MISSING:
        src = {t for t, _ in next(f for f in REGISTRY if f.name == name).sources}
        if src <= present:
            fixes.append(pl.col(name).fill_null(0))
    for name in _BOOL_FALSE_WHEN_MISSING:
        if "care" in present:
            fixes.append(pl.col(name).fill_null(False))
    if fixes:
        frame = frame.with_columns(fixes)
    frame = frame.with_columns(
        water_per_person=pl.when(pl.col("n_members") > 0).then(
            pl.col("water_recent") / pl.col("n_members")
        )
    )
    cols = [pl.col("household_id"), pl.lit(as_of).alias("as_of"), pl.col("district")]
    out = frame.select(*cols, *[pl.col(f.name) for f in REGISTRY])
    # numbers as Float64, flags as Boolean, groups as String: one stable schema
    casts = {
        f.name: (
            pl.Boolean if f.kind == "bool" else pl.String if f.kind == "category" else pl.Float64
        )
        for f in REGISTRY
    }
    return out.cast(casts).sort("household_id")


def build_features(
    tables: Mapping[str, pl.LazyFrame], as_of: dt.date, config: FeatureConfig
) -> pl.DataFrame:
    """Features as of ``as_of`` (see module docstring)."""
    return build_features_lazy(tables, as_of, config).collect()


def feature_columns(frame: pl.DataFrame) -> list[str]:
    """The feature columns of a feature frame (everything but the keys)."""
    return [c for c in frame.columns if c not in KEYS]
