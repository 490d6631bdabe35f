"""The feature registry: the families' declarations, collected and checked.

Each family module (:mod:`~kizuki.features.household`, :mod:`~kizuki.features.money`,
:mod:`~kizuki.features.water`, :mod:`~kizuki.features.care`,
:mod:`~kizuki.features.school`) declares its features next to the polars code that
computes them (:class:`~kizuki.features.spec.Feature`). This module only collects them:

- :func:`feature_specs(config) <feature_specs>`: every feature under a feature config,
  in the column order of the feature frame (families in :data:`FAMILIES` order, audit
  groups last). Names and texts follow the config's windows.
- :data:`REGISTRY`, :data:`BY_NAME`: the same under the default config (which equals
  the committed ``configs/features.yaml``).
- :func:`check_family_columns`: a family produced exactly the columns it declared
  (called by the build on every run, and by the tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType

from kizuki.contract.schema import TABLES
from kizuki.errors import ConfigError
from kizuki.features import care, household, money, school, water
from kizuki.features.config import FeatureConfig, default_feature_config
from kizuki.features.spec import Family, Feature, FeatureSpecError

#: the feature families, in the order their columns appear (and are joined)
FAMILIES: tuple[Family, ...] = (
    household.FAMILY,
    money.TAX,
    money.WATER_PAYMENT,
    water.FAMILY,
    care.FAMILY,
    school.FAMILY,
)
#: columns of the feature frame that are not features
KEYS = ("household_id", "as_of", "district")
#: protected attributes: never model inputs, whatever a declaration says
PROTECTED = ("nationality", "head_sex")


@lru_cache(maxsize=16)
def family_specs(config: FeatureConfig | None = None) -> Mapping[str, tuple[Feature, ...]]:
    """family name -> its declared features under ``config`` (default config when None).

    Raises ConfigError when the config makes two features share a name, and
    FeatureSpecError when a declaration reads a column the contract lacks or derives a
    feature from an undeclared one.
    """
    cfg = config or default_feature_config()
    out = {fam.name: fam.declare(cfg) for fam in FAMILIES}
    _check(out)
    return MappingProxyType(out)


def _check(specs: dict[str, tuple[Feature, ...]]) -> None:
    seen: dict[str, str] = {}
    for fam, feats in specs.items():
        for f in feats:
            if f.name in seen or f.name in KEYS:
                other = seen.get(f.name, "the frame keys")
                raise ConfigError(
                    f"feature '{f.name}' of family '{fam}' is also declared by {other}: "
                    "check the windows in configs/features.yaml"
                )
            seen[f.name] = f"family '{fam}'"
            for table, column in f.sources:
                if table not in TABLES or column not in TABLES[table].names:
                    raise FeatureSpecError(
                        f"feature '{f.name}' of family '{fam}' reads {table}.{column}, "
                        "which the contract does not define"
                    )
    for fam, feats in specs.items():
        for f in feats:
            if f.derive is None:
                continue
            for root in f.derive.meta.root_names():
                if root not in seen or root == f.name:
                    raise FeatureSpecError(
                        f"feature '{f.name}' of family '{fam}' is derived from '{root}', "
                        "which no family declares"
                    )


def feature_specs(config: FeatureConfig | None = None) -> tuple[Feature, ...]:
    """Every feature under ``config``, in feature-frame column order (audit groups last)."""
    feats = [f for fam in family_specs(config).values() for f in fam]
    return tuple([f for f in feats if not f.audit_only] + [f for f in feats if f.audit_only])


def check_family_columns(
    family: Family, produced: Iterable[str], declared: Iterable[Feature]
) -> None:
    """Raise FeatureSpecError unless ``produced`` (a family build's columns) is exactly
    household_id, the family's keys and its declared non-derived features."""
    want = [f.name for f in declared if f.derive is None]
    got = [c for c in produced if c != "household_id" and c not in family.keys]
    extra = [c for c in got if c not in want]
    missing = [c for c in want if c not in got]
    if extra:
        raise FeatureSpecError(
            f"feature family '{family.name}' produced column '{extra[0]}', which it does not "
            f"declare ({len(extra)} undeclared)"
        )
    if missing:
        raise FeatureSpecError(
            f"feature family '{family.name}' declares feature '{missing[0]}' but did not "
            f"produce it ({len(missing)} missing)"
        )


def model_inputs(config: FeatureConfig | None = None) -> list[str]:
    """Names of the features a model may use (protected attributes excluded)."""
    return [f.name for f in feature_specs(config) if f.model_input and f.name not in PROTECTED]


def feature_items(config: FeatureConfig | None = None) -> dict[str, str | None]:
    """feature name -> 気づき checklist item id (None for audit groups)."""
    return {f.name: f.item for f in feature_specs(config)}


#: every feature under the default config (the committed configs/features.yaml)
REGISTRY: tuple[Feature, ...] = feature_specs()
BY_NAME: dict[str, Feature] = {f.name: f for f in REGISTRY}
