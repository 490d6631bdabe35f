"""``build_features(tables, as_of, config) -> DataFrame``: one row per household on T.

In: canonical tables (full history; they are cut at T here) and the feature config.
Out: household_id, as_of, district, every feature of
:func:`~kizuki.features.registry.feature_specs` (names follow the config's windows) in
registry order. Each family's part is checked against its declaration; then each
feature's declared :class:`~kizuki.features.spec.NullPolicy` is applied (features of a
family whose tables are absent are null), and derived features are computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from kizuki.errors import ContractError
from kizuki.features.asof import cut, households_on
from kizuki.features.config import FeatureConfig
from kizuki.features.context import Context
from kizuki.features.registry import (
    FAMILIES,
    KEYS,
    check_family_columns,
    family_specs,
    feature_specs,
)
from kizuki.features.spec import Feature, FeatureSpecError


def _policy_expr(f: Feature, present: set[str]) -> pl.Expr | None:
    """The expression applying ``f``'s null policy, given the tables in the drop (None: nothing to do)."""
    value = f.null_policy.fill_value
    if value is None:
        return None
    if f.null_policy.needs_sources and not set(f.tables) <= present:
        return pl.lit(None, f.dtype).alias(f.name)
    return pl.col(f.name).fill_null(value)


def build_features_lazy(
    tables: Mapping[str, pl.LazyFrame], as_of: dt.date, config: FeatureConfig
) -> pl.LazyFrame:
    """The lazy query behind :func:`build_features`."""
    if "residents" not in tables:
        raise ContractError("features need the residents table")
    cut_tables = cut(tables, as_of)
    members = households_on(cut_tables["residents"], as_of).cache()
    ctx = Context(tables=cut_tables, members=members, as_of=as_of, config=config)
    declared = family_specs(config)
    frame: pl.LazyFrame | None = None
    absent: list[Feature] = []
    for family in FAMILIES:
        feats = declared[family.name]
        part = family.build(ctx)
        if part is None:
            absent.extend(f for f in feats if f.derive is None)
            continue
        check_family_columns(family, part.collect_schema().names(), feats)
        frame = part if frame is None else frame.join(part, on="household_id", how="left")
    if frame is None or "district" not in frame.collect_schema():
        raise FeatureSpecError(f"feature family '{FAMILIES[0].name}' built no household frame")
    if absent:
        frame = frame.with_columns(pl.lit(None, f.dtype).alias(f.name) for f in absent)
    specs = feature_specs(config)
    present = set(tables)
    base = [f for f in specs if f.derive is None]
    derived = [f for f in specs if f.derive is not None]
    fixes = [e for f in base if (e := _policy_expr(f, present)) is not None]
    if fixes:
        frame = frame.with_columns(fixes)
    if derived:
        frame = frame.with_columns(f.derive.alias(f.name) for f in derived if f.derive is not None)
        fixes = [e for f in derived if (e := _policy_expr(f, present)) is not None]
        frame = frame.with_columns(fixes) if fixes else frame
    cols = [pl.col("household_id"), pl.lit(as_of).alias("as_of"), pl.col("district")]
    out = frame.select(*cols, *[pl.col(f.name) for f in specs])
    # numbers as Float64, flags as Boolean, groups as String: one stable schema
    return out.cast({f.name: f.dtype for f in specs}).sort("household_id")


def build_features(
    tables: Mapping[str, pl.LazyFrame], as_of: dt.date, config: FeatureConfig
) -> pl.DataFrame:
    """Features as of ``as_of`` (see module docstring)."""
    return build_features_lazy(tables, as_of, config).collect()


def feature_columns(frame: pl.DataFrame) -> list[str]:
    """The feature columns of a feature frame (everything but the keys)."""
    return [c for c in frame.columns if c not in KEYS]
