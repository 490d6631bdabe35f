"""``configs/audit.yaml`` as a validated model (see the YAML file for every field's meaning)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from kizuki.config import StrictModel, load_config

Dimension = Literal["district", "nationality", "hh_type", "oldest_age_band", "head_sex"]

#: joins the two dimensions of an intersection in its name ("district × nationality")
SEP = " × "


class BootstrapConfig(StrictModel):
    """Household bootstrap: replicates, seed and interval level."""

    replicates: int = Field(1000, ge=100, le=20_000)
    seed: int = 20261128
    level: float = Field(0.95, gt=0.5, lt=1)


class AlertConfig(StrictModel):
    """When the audit fails the command."""

    recall_ratio_below: float | None = Field(0.8, gt=0, le=1)
    on_truth: bool = False
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = ("recall_ratio_below",)


class AuditConfig(StrictModel):
    """``configs/audit.yaml``."""

    config_version: Literal[1]
    dimensions: list[Dimension] = Field(min_length=1)
    intersections: list[tuple[Dimension, Dimension]] = Field(default_factory=list)
    intersection_min_households: int = Field(50, ge=10)
    reference_groups: dict[str, str] = Field(default_factory=dict)
    min_cell: int = Field(10, ge=10)
    bootstrap: BootstrapConfig = BootstrapConfig()
    min_matured_share: float = Field(1.0, gt=0, le=1)
    alerts: AlertConfig = AlertConfig()
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = (
        "min_cell",
        "intersection_min_households",
        "min_matured_share",
    )

    @model_validator(mode="after")
    def _pairs_differ(self) -> AuditConfig:
        for a, b in self.intersections:
            if a == b:
                raise ValueError(f"an intersection needs two different dimensions; got {a} × {b}")
        return self

    @model_validator(mode="after")
    def _reference_groups_name_dimensions(self) -> AuditConfig:
        names = self.dimension_names()
        for key in self.reference_groups:
            if key not in names:
                raise ValueError(
                    f"reference_groups names '{key}', which is not an audited dimension "
                    f"(expected one of: {', '.join(names)})"
                )
        return self

    def dimension_names(self) -> list[str]:
        """The audited dimensions, then the intersections' names (``a × b``)."""
        return [*self.dimensions, *(SEP.join(pair) for pair in self.intersections)]


def load_audit_config(directory: Path | None = None) -> AuditConfig:
    """Read and validate ``configs/audit.yaml`` (ConfigError naming the field on failure)."""
    return load_config(AuditConfig, "audit", directory)
