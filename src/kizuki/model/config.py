"""Model settings (``configs/model.yaml``), validated on load."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from kizuki.config import StrictModel, load_config, validate_config


class LightGBMParams(StrictModel):
    """LightGBM hyper-parameters (regularised for rare labels)."""

    learning_rate: float = Field(0.05, gt=0, le=1)
    num_leaves: int = Field(15, ge=2, le=255)
    max_depth: int = Field(-1, ge=-1, le=64)
    min_child_samples: int = Field(40, ge=1)
    lambda_l2: float = Field(5.0, ge=0)
    feature_fraction: float = Field(0.8, gt=0, le=1)
    bagging_fraction: float = Field(0.8, gt=0, le=1)
    bagging_freq: int = Field(1, ge=0)
    max_bin: int = Field(63, ge=7, le=1023)
    max_rounds: int = Field(400, ge=1)
    early_stopping_rounds: int = Field(40, ge=1)
    num_threads: int = Field(2, ge=1, le=2)
    seed: int = Field(0, ge=0)


class ModelConfig(StrictModel):
    """``configs/model.yaml`` (see the comments there)."""

    config_version: Literal[1]
    horizon_months: int = Field(6, ge=1, le=24)
    as_of_step_months: int = Field(2, ge=1, le=12)
    min_history_months: int = Field(15, ge=0, le=60)
    max_train_dates: int = Field(8, ge=2, le=60)
    negative_sample: float = Field(0.3, gt=0, le=1)
    lightgbm: LightGBMParams
    pu_alpha: float = Field(0.8, ge=0, le=1)
    prior_cases: float = Field(0.0, ge=0)
    explore_share: float = Field(0.1, ge=0, lt=1)
    isotonic_min_positives: int = Field(60, ge=1)
    eval_capacity_share: float = Field(0.01, gt=0, lt=1)
    champion_min_gain: float = Field(0.0, ge=0)
    why: dict[str, str] = Field(default_factory=dict)

    _why_required: ClassVar[tuple[str, ...]] = (
        "horizon_months",
        "pu_alpha",
        "explore_share",
        "isotonic_min_positives",
        "eval_capacity_share",
        "champion_min_gain",
    )


def load_model_config(directory: Path | None = None) -> ModelConfig:
    """Read and validate ``configs/model.yaml``."""
    return load_config(ModelConfig, "model", directory)


def with_horizon(config: ModelConfig, horizon_months: int) -> ModelConfig:
    """``config`` with another horizon, validated like the file (one-line ConfigError)."""
    raw = config.model_dump(mode="json") | {"horizon_months": horizon_months}
    return validate_config(ModelConfig, raw, "--horizon")
