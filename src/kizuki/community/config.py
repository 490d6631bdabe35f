"""``configs/community.yaml`` as a validated model (see the YAML file for every field)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from kizuki.config import StrictModel, load_config


class CommunityConfig(StrictModel):
    """``configs/community.yaml``: interval level, calibration error, small-cell size."""

    config_version: Literal[1]
    level: float = Field(0.90, gt=0.5, lt=1)
    calibration_error: float = Field(0.25, ge=0, le=2)
    min_cell: int = Field(10, ge=10)
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = ("calibration_error", "min_cell")


def load_community_config(directory: Path | None = None) -> CommunityConfig:
    """Read and validate ``configs/community.yaml`` (ConfigError naming the field)."""
    return load_config(CommunityConfig, "community", directory)
