"""``configs/monitor.yaml`` as a validated model (see the YAML file for every field's meaning)."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from kizuki.config import StrictModel, load_config
from kizuki.contract.schema import ISSUES
from kizuki.features.registry import BY_NAME

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

#: what feature drift tests: every registry feature, and the district column
DRIFT_FEATURES: frozenset[str] = frozenset({*BY_NAME, "district"})
#: what score drift tests: one calibrated score per issue
SCORE_SUBJECTS: frozenset[str] = frozenset(ISSUES)


def _known(names: Iterable[str], known: Collection[str], what: str) -> None:
    """Raise ValueError quoting the first name not in ``known`` (with the nearest known name)."""
    for name in names:
        if name not in known:
            near = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise ValueError(f"unknown {what} '{name}'{hint}")


class DriftConfig(StrictModel):
    """PSI on reference-frozen bins and its sample-size-aware null test."""

    bins: int = Field(10, ge=2, le=50)
    epsilon: float = Field(1e-4, gt=0, lt=0.01)
    practical_psi: float = Field(0.25, gt=0)
    district_practical_psi: float = Field(0.25, gt=0)
    score_min_logit_width: float = Field(0.25, ge=0)
    lattice_max_denominator: int = Field(1000, ge=1, le=100_000)
    lattice_min_steps: int = Field(1, ge=1, le=100)
    alpha: float = Field(0.01, gt=0, lt=0.5)
    null_draws: int = Field(1000, ge=100, le=100_000)
    seed: int = 20261128
    per_district: bool = True
    min_households: int = Field(30, ge=1)
    exclude: list[str] = Field(default_factory=list)
    practical_overrides: dict[str, float] = Field(default_factory=dict)
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = (
        "practical_psi",
        "district_practical_psi",
        "alpha",
        "min_households",
    )

    @field_validator("exclude")
    @classmethod
    def _known_features(cls, v: list[str]) -> list[str]:
        _known(v, DRIFT_FEATURES, "feature")
        return v

    @field_validator("practical_overrides")
    @classmethod
    def _known_subjects(cls, v: dict[str, float]) -> dict[str, float]:
        _known(v, DRIFT_FEATURES | SCORE_SUBJECTS, "feature or issue")
        for name, psi in v.items():
            if not psi > 0:
                raise ValueError(f"the practical PSI of '{name}' must be positive")
        return v

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
    code_appeared_min_count: int = Field(5, ge=1)


class StabilityConfig(StrictModel):
    """List-stability alarms (None: report only)."""

    min_jaccard: float | None = Field(None, ge=0, le=1)
    min_spearman: float | None = Field(0.5, ge=-1, le=1)
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = ("min_jaccard", "min_spearman")


class ReasonsConfig(StrictModel):
    """Reason-drift threshold."""

    practical_psi: float = Field(0.25, gt=0)
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = ("practical_psi",)


class PerformanceConfig(StrictModel):
    """Performance while labels are late."""

    min_matured_share: float = Field(0.0, ge=0, le=1)
    precision_shortfall: float | None = Field(None, gt=0, le=1)
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = ("precision_shortfall",)


class MonitorConfig(StrictModel):
    """``configs/monitor.yaml``."""

    config_version: Literal[1]
    drift: DriftConfig = DriftConfig()
    quality: QualityConfig = QualityConfig()
    stability: StabilityConfig = StabilityConfig()
    reasons: ReasonsConfig = ReasonsConfig()
    performance: PerformanceConfig = PerformanceConfig()
    fail_on: list[Check] = Field(default_factory=lambda: list(CHECKS))
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = ("fail_on",)


def load_monitor_config(directory: Path | None = None) -> MonitorConfig:
    """Read and validate ``configs/monitor.yaml`` (ConfigError naming the field on failure)."""
    return load_config(MonitorConfig, "monitor", directory)
