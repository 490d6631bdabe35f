"""The 気づき checklist items (``configs/checklist.yaml``), validated on load.

A rule is structured data (feature, operator, value), never code: it compiles to a
polars expression. Null values never fire a condition.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import Field, model_validator

from kizuki.config import StrictModel, load_config
from kizuki.contract.schema import ISSUES
from kizuki.features.registry import BY_NAME

Op = Literal[">=", ">", "<=", "<", "==", "is_true"]


class Condition(StrictModel):
    """One condition over one feature."""

    feature: str
    op: Op
    value: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if self.feature not in BY_NAME:
            raise ValueError(f"unknown feature '{self.feature}'")
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


class Item(StrictModel):
    """One checklist item."""

    id: str
    group: str
    ja: str
    en: str
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


class GroupText(StrictModel):
    """Bilingual name of an item group."""

    ja: str
    en: str


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
        for f in BY_NAME.values():
            if f.item is not None and f.item not in ids:
                raise ValueError(
                    f"feature '{f.name}' belongs to item '{f.item}', which the checklist lacks"
                )
        return self


def load_checklist_config(directory: Path | None = None) -> ChecklistConfig:
    """Read and validate ``configs/checklist.yaml``."""
    return load_config(ChecklistConfig, "checklist", directory)
