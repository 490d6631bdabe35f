"""Feature windows and thresholds (``configs/features.yaml``), validated on load."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from kizuki.config import StrictModel, load_config
from kizuki.contract.schema import LTC_LEVELS


class Ages(StrictModel):
    """Age limits (years) behind the household-shape signs."""

    older: int = Field(65, ge=50, le=90)
    old_old: int = Field(75, ge=60, le=100)
    middle_from: int = Field(40, ge=18, le=70)
    middle_to: int = Field(64, ge=30, le=80)
    preschool_to: int = Field(5, ge=0, le=7)
    carer_child_from: int = Field(10, ge=5, le=17)


class FeatureConfig(StrictModel):
    """``configs/features.yaml``."""

    config_version: Literal[1]
    age: Ages
    generation_gap_years: int = Field(25, ge=10, le=50)
    nontaxable_income_yen: int = Field(450_000, ge=0)
    heavy_ltc_level: Literal[LTC_LEVELS] = "care3"  # type: ignore[valid-type]
    no_service_months: int = Field(3, ge=1, le=12)
    recent_certification_months: int = Field(6, ge=1, le=36)
    care_rise_window_months: int = Field(12, ge=3, le=36)
    school_windows_months: tuple[int, int, int] = (1, 3, 12)
    long_absence_days: int = Field(30, ge=1)
    water_recent_months: int = Field(3, ge=1, le=6)
    water_history_months: int = Field(12, ge=6, le=24)
    water_low_share: float = Field(0.3, gt=0, lt=1)
    water_flat_m3: float = Field(0.05, ge=0)
    recent_move_months: int = Field(12, ge=1, le=60)

    @model_validator(mode="after")
    def _check(self) -> FeatureConfig:
        w = self.school_windows_months
        if not (0 < w[0] < w[1] < w[2]):
            raise ValueError(
                "school_windows_months must be three increasing month counts "
                "(short, recent, year), e.g. [1, 3, 12]"
            )
        return self


def default_feature_config() -> FeatureConfig:
    """The feature config with every default (equal to the committed ``configs/features.yaml``).

    The registry's module-level names (``REGISTRY``, ``BY_NAME``) are the features under it.
    """
    return FeatureConfig(config_version=1, age=Ages())


def load_feature_config(directory: Path | None = None) -> FeatureConfig:
    """Read and validate ``configs/features.yaml``."""
    return load_config(FeatureConfig, "features", directory)
