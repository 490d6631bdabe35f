"""Audit settings (``configs/audit.yaml``), validated on load."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from kizuki.config import StrictModel, load_config

GroupName = Literal["district", "nationality", "hh_type", "oldest_age_band", "head_sex"]


class AuditConfig(StrictModel):
    """``configs/audit.yaml``."""

    config_version: Literal[1]
    groups: list[GroupName]
    intersections: list[tuple[GroupName, GroupName]] = Field(default_factory=list)
    min_cell: int = Field(10, ge=10)
    bootstrap_draws: int = Field(300, ge=50, le=5000)
    seed: int = 0
    alert_recall_ratio: float = Field(0.8, gt=0, le=1)


def load_audit_config(directory: Path | None = None) -> AuditConfig:
    """Read and validate ``configs/audit.yaml``."""
    return load_config(AuditConfig, "audit", directory)
