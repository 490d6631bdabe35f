"""The shortlist configuration (``configs/shortlist.yaml``), validated.

A capacity is either a fixed ``count`` of households per run or a ``share`` of the
district's households on the as-of date (rounded up, floored at ``minimum``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from kizuki.config import StrictModel, load_config


class Capacity(StrictModel):
    """How many households one district's team can visit per run."""

    count: int | None = Field(default=None, ge=0)
    share: float | None = Field(default=None, gt=0.0, le=1.0)
    minimum: int = Field(default=0, ge=0)

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


def load_shortlist_config(directory: Path | None = None) -> ShortlistConfig:
    """Read and validate ``configs/shortlist.yaml`` (or the one in ``directory``)."""
    return load_config(ShortlistConfig, "shortlist", directory)
