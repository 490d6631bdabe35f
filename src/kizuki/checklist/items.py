"""The 気づき checklist items (``configs/checklist.yaml``), validated on load.

A rule is structured data (feature, operator, value), never code: it compiles to a
polars expression. Null values never fire a condition.

Each item has two text forms. ``ja``/``en`` state the item's condition (「65歳以上の一人暮らし」)
and are written only for a household whose rule holds (:meth:`Item.fired`), as the
checklist's fired items and as a reason; ``about`` (ja/en) names what the item looks at
without asserting anything (「高齢の世帯員・暮らし方」) and heads a reason whose rule does
not hold for the household (:meth:`Item.about_text`; the group's name when absent). Feature names depend on the
windows of ``configs/features.yaml`` (``absence_rate_3m``): :func:`load_checklist_config`
checks every name a rule uses against the features under that config, and every
feature's item against the checklist (:func:`check_feature_names`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import Field, model_validator

from kizuki.config import StrictModel, config_path, load_config
from kizuki.contract.schema import ISSUES
from kizuki.errors import ConfigError
from kizuki.features.config import FeatureConfig, load_feature_config
from kizuki.features.registry import feature_specs
from kizuki.features.spec import Feature

Op = Literal[">=", ">", "<=", "<", "==", "is_true"]


class Condition(StrictModel):
    """One condition over one feature."""

    feature: str
    op: Op
    value: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if self.op != "is_true" and self.value is None:
            raise ValueError(f"condition on '{self.feature}' needs a value")
        return self

    def expr(self) -> pl.Expr:
        """The condition as a boolean polars expression (null → False)."""
        c = pl.col(self.feature)
        e = {
            ">=": lambda: c >= self.value,
            ">": lambda: c > self.value,
            "<=": lambda: c <= self.value,
            "<": lambda: c < self.value,
            "==": lambda: c == self.value,
            "is_true": lambda: c.cast(pl.Boolean),
        }[self.op]()
        return e.fill_null(False)


class Bilingual(StrictModel):
    """A text in Japanese and English."""

    ja: str
    en: str


class Item(StrictModel):
    """One checklist item: ``ja``/``en`` assert its condition, ``about`` names its subject."""

    id: str
    group: str
    ja: str
    en: str
    about: Bilingual | None = None
    all: list[Condition] = Field(default_factory=list)
    any: list[Condition] = Field(default_factory=list)
    issues: dict[str, float]
    blind_spot: bool = False

    @model_validator(mode="after")
    def _check(self) -> Item:
        unknown = set(self.issues) - set(ISSUES)
        if unknown:
            raise ValueError(f"item '{self.id}': unknown issues {sorted(unknown)}")
        if not self.blind_spot and not (self.all or self.any):
            raise ValueError(
                f"item '{self.id}' has no rule (mark it blind_spot: true if no record shows it)"
            )
        return self

    def fired(self) -> pl.Expr:
        """True when the item's rule holds for a household (False for blind spots)."""
        if self.blind_spot:
            return pl.lit(False)
        e = pl.lit(True)
        for c in self.all:
            e = e & c.expr()
        if self.any:
            e = e & pl.any_horizontal([c.expr() for c in self.any])
        return e

    def features(self) -> list[str]:
        """Features the rule reads."""
        return [c.feature for c in (*self.all, *self.any)]

    def conditions(self) -> list[Condition]:
        """The rule's conditions in order (``all`` first, then ``any``)."""
        return [*self.all, *self.any]

    def about_text(self, groups: Mapping[str, Bilingual]) -> Bilingual:
        """The neutral form: ``about`` when given, else the name of the item's group."""
        return self.about if self.about is not None else groups[self.group]


class GroupText(Bilingual):
    """Bilingual name of an item group."""


class ChecklistConfig(StrictModel):
    """``configs/checklist.yaml``."""

    config_version: Literal[1]
    groups: dict[str, GroupText]
    items: list[Item]

    @model_validator(mode="after")
    def _check(self) -> ChecklistConfig:
        ids = [i.id for i in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("item ids must be unique")
        for i in self.items:
            if i.group not in self.groups:
                raise ValueError(f"item '{i.id}': unknown group '{i.group}'")
        return self


def check_feature_names(
    config: ChecklistConfig, features: Iterable[Feature], source: str = "<checklist>"
) -> None:
    """Every feature a rule names exists, and every feature's item is in the checklist.

    In: a validated checklist, the feature specs (under the feature config in use) and
    the file name for messages. Raises ConfigError quoting the offending key
    (``items.16.any.1.feature``) and name, with the nearest existing name.
    """
    specs = list(features)
    names = [f.name for f in specs]
    for i, item in enumerate(config.items):
        for part in ("all", "any"):
            for j, cond in enumerate(getattr(item, part)):
                if cond.feature in names:
                    continue
                near = difflib.get_close_matches(cond.feature, names, n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ""
                raise ConfigError(
                    f"{source}: field 'items.{i}.{part}.{j}.feature' (item '{item.id}'): "
                    f"unknown feature '{cond.feature}' (feature names follow the windows "
                    f"in features.yaml){hint}"
                )
    ids = {i.id for i in config.items}
    for f in specs:
        if f.item is not None and f.item not in ids:
            raise ConfigError(
                f"{source}: field 'items': feature '{f.name}' belongs to item '{f.item}', "
                "which the checklist lacks"
            )


def load_checklist_config(
    directory: Path | None = None, features: FeatureConfig | None = None
) -> ChecklistConfig:
    """Read and validate ``configs/checklist.yaml`` against the features it names.

    ``features``: the feature config whose windows name the features (when None,
    ``features.yaml`` from the same folder). Raises ConfigError (see
    :func:`check_feature_names`).
    """
    config = load_config(ChecklistConfig, "checklist", directory)
    feature_config = features if features is not None else load_feature_config(directory)
    source = str(config_path("checklist", directory))
    check_feature_names(config, feature_specs(feature_config), source)
    return config
