"""The shortlist configuration (``configs/shortlist.yaml``), validated.

A capacity is either a fixed ``count`` of households per run or a ``share`` of the
district's households on the as-of date (rounded up, floored at ``minimum``). District
names can only be checked against a drop: :meth:`ShortlistConfig.check_districts` runs
at the start of scoring.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from kizuki.config import StrictModel, load_config
from kizuki.errors import ConfigError


class Capacity(StrictModel):
    """How many households one district's team can visit per run."""

    count: int | None = Field(default=None, ge=0)
    share: float | None = Field(default=None, gt=0.0, le=1.0)
    minimum: int = Field(default=0, ge=0)
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = ("share", "count")

    @model_validator(mode="after")
    def _one_of(self) -> Capacity:
        if (self.count is None) == (self.share is None):
            raise ValueError("give exactly one of 'count' or 'share'")
        return self


class CapacityConfig(StrictModel):
    """The default capacity and per-district overrides (keyed by district name)."""

    default: Capacity
    districts: dict[str, Capacity] = Field(default_factory=dict)


class ShortlistConfig(StrictModel):
    """``configs/shortlist.yaml``."""

    config_version: Literal[1]
    capacity: CapacityConfig
    priority: Literal["issue_turns", "expected_needs", "max_score"] = "issue_turns"
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = ("priority", "min_score")

    def unknown_districts(self, present: Iterable[str | None]) -> list[str]:
        """District keys of ``capacity.districts`` not among ``present``, sorted."""
        known = set(present)
        return sorted(d for d in self.capacity.districts if d not in known)

    def check_districts(self, present: Iterable[str | None]) -> None:
        """Raise ConfigError quoting a ``capacity.districts`` key that names no district of
        ``present`` (the districts of the households on the as-of date): a typo would
        otherwise leave that district on the default capacity without a word."""
        unknown = self.unknown_districts(present)
        if unknown:
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            raise ConfigError(
                f"shortlist config: capacity.districts names district '{unknown[0]}', where no "
                f"household of the drop lives on the as-of date{more}"
            )


def load_shortlist_config(directory: Path | None = None) -> ShortlistConfig:
    """Read and validate ``configs/shortlist.yaml`` (or the one in ``directory``)."""
    return load_config(ShortlistConfig, "shortlist", directory)
