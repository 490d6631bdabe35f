"""The report configuration (``configs/report.yaml``), validated."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from kizuki.config import StrictModel, load_config


class Bands(StrictModel):
    """Probability thresholds of the 高/中/低 bands (``high`` > ``medium``)."""

    high: float = Field(gt=0.0, le=1.0)
    medium: float = Field(gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.medium >= self.high:
            raise ValueError("'medium' must be below 'high'")
        return self


class ReportConfig(StrictModel):
    """``configs/report.yaml``."""

    config_version: Literal[1]
    bands: Bands
    reasons_shown: int = Field(default=3, ge=1, le=10)
    default_lang: Literal["ja", "en"] = "ja"


def load_report_config(directory: Path | None = None) -> ReportConfig:
    """Read and validate ``configs/report.yaml`` (or the one in ``directory``)."""
    return load_config(ReportConfig, "report", directory)


def band_of(score: float, bands: Bands) -> Literal["high", "medium", "low"]:
    """The band of one calibrated probability."""
    if score >= bands.high:
        return "high"
    if score >= bands.medium:
        return "medium"
    return "low"
