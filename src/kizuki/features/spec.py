"""What a feature family declares: each feature's spec, its null policy, and the family.

A :class:`Feature` is one column of the feature frame: its name (which may carry a
configured window, e.g. ``absence_rate_3m``), the contract columns it reads, its
window in words, what it means (Japanese and English), its 気づき checklist item,
how nulls are treated (:class:`NullPolicy`), whether a model may use it or it is an
audit-only group, and how a household's own value is written in a reason
(``phrase(value, lang)``).

A :class:`Family` is one module's declaration: ``declare(config)`` gives its features
(names and texts follow the configured windows) and ``build(context)`` the polars
query that computes them. A feature with ``derive`` set is computed by the registry
from other features once every family has been joined (``water_per_person``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import polars as pl

from kizuki.errors import KizukiError

if TYPE_CHECKING:
    from kizuki.features.config import FeatureConfig
    from kizuki.features.context import Context

Lang = Literal["ja", "en"]
Kind = Literal["number", "bool", "category"]
Phrase = Callable[[object, Lang], str | None]

#: the one table every drop holds (contract §2): "null without its rows" never applies to it
REQUIRED_TABLE = "residents"


def no_phrase(value: object, lang: Lang) -> str | None:
    """The phrase of a feature that is never quoted in a reason (always None)."""
    return None


class FeatureSpecError(KizukiError):
    """A feature family's declaration and what it computes disagree (a bug in kizuki)."""


class NullPolicy(StrEnum):
    """How a feature's nulls are treated; the build applies it, the dictionary and monitor read it.

    - ``never_null``: every household on T has a value (computed from the residents on T).
    - ``zero_when_missing``: a household without rows of the source gets 0, also when the
      source table is absent from the drop (no certificate on record reads as none).
    - ``zero_when_source_present``: a household without rows gets 0 while every source
      table is in the drop; the feature is null when one is absent.
    - ``false_when_source_present``: the same with False, for flags.
    - ``keep_null``: null stays null (no rows of the source, or the value is undefined,
      e.g. a ratio over no days); never filled.
    """

    NEVER_NULL = "never_null"
    ZERO_WHEN_MISSING = "zero_when_missing"
    ZERO_WHEN_SOURCE_PRESENT = "zero_when_source_present"
    FALSE_WHEN_SOURCE_PRESENT = "false_when_source_present"
    KEEP_NULL = "keep_null"

    @property
    def null_without_rows(self) -> bool:
        """True when a household without rows of the source table is null (coverage reads it)."""
        return self is NullPolicy.KEEP_NULL

    @property
    def fill_value(self) -> int | bool | None:
        """The value a null is filled with (when the policy's condition holds), else None."""
        return {
            NullPolicy.ZERO_WHEN_MISSING: 0,
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT: 0,
            NullPolicy.FALSE_WHEN_SOURCE_PRESENT: False,
        }.get(self)

    @property
    def needs_sources(self) -> bool:
        """True when the fill only applies while every source table is in the drop."""
        return self in (
            NullPolicy.ZERO_WHEN_SOURCE_PRESENT,
            NullPolicy.FALSE_WHEN_SOURCE_PRESENT,
        )

    def describe(self, tables: tuple[str, ...]) -> str:
        """The policy in words for the feature dictionary, naming the optional source tables."""
        optional = [t for t in tables if t != REQUIRED_TABLE]
        named = " or ".join(optional)
        if self is NullPolicy.NEVER_NULL:
            return "never_null: a value for every household"
        if self is NullPolicy.ZERO_WHEN_MISSING:
            without = f", also without the {named} table" if optional else ""
            return f"zero_when_missing: 0 for a household without rows{without}"
        if self.needs_sources:
            v = "0" if self is NullPolicy.ZERO_WHEN_SOURCE_PRESENT else "false"
            absent = f"; null without the {named} table" if optional else ""
            return f"{self.value}: {v} for a household without rows{absent}"
        rows = f"{named} rows" if optional else "a recorded value"
        return f"keep_null: null without {rows} or when undefined"


@dataclass(frozen=True)
class Feature:
    """Spec of one feature column (see module docstring)."""

    name: str
    sources: tuple[tuple[str, str], ...]  # (table, column) pairs read
    window: str
    description_ja: str
    description_en: str
    item: str | None  # 気づき checklist item id; None for audit groups
    null_policy: NullPolicy
    model_input: bool = True
    kind: Kind = "number"
    phrase: Phrase = field(default=no_phrase, compare=False)
    #: computed from other features after the families are joined (None: the family builds it)
    derive: pl.Expr | None = field(default=None, compare=False)

    @property
    def tables(self) -> tuple[str, ...]:
        """The contract tables the feature reads, in first-use order."""
        return tuple(dict.fromkeys(t for t, _ in self.sources))

    @property
    def audit_only(self) -> bool:
        """True for audit groups (never model inputs)."""
        return not self.model_input

    @property
    def dtype(self) -> pl.DataType:
        """The column's type in the feature frame (numbers Float64, flags Boolean, groups String)."""
        if self.kind == "bool":
            return pl.Boolean()
        if self.kind == "category":
            return pl.String()
        return pl.Float64()

    @property
    def nulls(self) -> str:
        """The null policy in words (generated from :attr:`null_policy`)."""
        return self.null_policy.describe(self.tables)


@dataclass(frozen=True)
class Family:
    """One family module's declaration.

    ``declare(config)``: the family's features, in column order. ``build(context)``: a
    LazyFrame keyed by household_id with exactly the family's non-derived features
    (plus ``keys``), or None when its tables are absent from the drop.
    """

    name: str
    declare: Callable[[FeatureConfig], tuple[Feature, ...]]
    build: Callable[[Context], pl.LazyFrame | None]
    #: key columns of the feature frame the family also produces (household: district)
    keys: tuple[str, ...] = ()
