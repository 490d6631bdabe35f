"""``configs/monitor.yaml`` as a validated model (see the YAML file for every field's meaning)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from kizuki.config import StrictModel, load_config

Check = Literal[
    "feature_drift",
    "district_drift",
    "score_drift",
    "table_missing",
    "row_drop",
    "reject_rise",
    "reject_rule_new",
    "code_appeared",
    "code_vanished",
    "missing_share",
    "district_no_rows",
    "list_stability",
    "reason_drift",
    "performance_shortfall",
]

#: every check the monitor can raise, in report order
CHECKS: tuple[str, ...] = Check.__args__  # type: ignore[attr-defined]


class DriftConfig(StrictModel):
    """PSI on reference-frozen bins and its sample-size-aware null test."""

    bins: int = Field(10, ge=2, le=50)
    epsilon: float = Field(1e-4, gt=0, lt=0.01)
    practical_psi: float = Field(0.25, gt=0)
    district_practical_psi: float = Field(0.25, gt=0)
    score_min_logit_width: float = Field(0.25, ge=0)
    alpha: float = Field(0.01, gt=0, lt=0.5)
    null_draws: int = Field(1000, ge=100, le=100_000)
    seed: int = 20261128
    per_district: bool = True
    min_households: int = Field(30, ge=1)
    exclude: list[str] = Field(default_factory=list)
    practical_overrides: dict[str, float] = Field(default_factory=dict)

    def practical(self, feature: str, district: bool) -> float:
        """The practical PSI threshold for ``feature`` (overall or within a district)."""
        if feature in self.practical_overrides:
            return self.practical_overrides[feature]
        return self.district_practical_psi if district else self.practical_psi


class QualityConfig(StrictModel):
    """Data-quality thresholds."""

    row_drop: float = Field(0.2, gt=0, lt=1)
    reject_share_increase: float = Field(0.002, ge=0, lt=1)
    missing_share_increase: float = Field(0.2, gt=0, le=1)
    district_min_households: int = Field(10, ge=1)
    code_min_count: int = Field(10, ge=1)


class StabilityConfig(StrictModel):
    """List-stability alarms (None: report only)."""

    min_jaccard: float | None = Field(None, ge=0, le=1)
    min_spearman: float | None = Field(0.5, ge=-1, le=1)


class ReasonsConfig(StrictModel):
    """Reason-drift threshold."""

    practical_psi: float = Field(0.25, gt=0)


class PerformanceConfig(StrictModel):
    """Performance while labels are late."""

    min_matured_share: float = Field(0.0, ge=0, le=1)
    precision_shortfall: float | None = Field(None, gt=0, le=1)


class MonitorConfig(StrictModel):
    """``configs/monitor.yaml``."""

    config_version: Literal[1]
    drift: DriftConfig = DriftConfig()
    quality: QualityConfig = QualityConfig()
    stability: StabilityConfig = StabilityConfig()
    reasons: ReasonsConfig = ReasonsConfig()
    performance: PerformanceConfig = PerformanceConfig()
    fail_on: list[Check] = Field(default_factory=lambda: list(CHECKS))


def load_monitor_config(directory: Path | None = None) -> MonitorConfig:
    """Read and validate ``configs/monitor.yaml`` (ConfigError naming the field on failure)."""
    return load_config(MonitorConfig, "monitor", directory)
