"""Validation settings (``configs/validation.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from kizuki.config import StrictModel, load_config
from kizuki.contract.schema import TABLES


class ValidationConfig(StrictModel):
    """How strict the door is: the reject-share limit, overall and per table."""

    config_version: Literal[1]
    reject_limit: float = Field(0.01, ge=0.0, le=1.0)
    table_limits: dict[str, float] = Field(default_factory=dict)

    @field_validator("table_limits")
    @classmethod
    def _known_tables(cls, v: dict[str, float]) -> dict[str, float]:
        for name, limit in v.items():
            if name not in TABLES:
                raise ValueError(f"unknown table '{name}' (expected one of {', '.join(TABLES)})")
            if not 0.0 <= limit <= 1.0:
                raise ValueError(f"limit for '{name}' must be between 0 and 1")
        return v


def load_validation_config(directory: Path | None = None) -> ValidationConfig:
    """Read and validate ``configs/validation.yaml``."""
    return load_config(ValidationConfig, "validation", directory)
