"""Model settings (``configs/model.yaml``), validated on load."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from kizuki.config import StrictModel, load_config


class LightGBMParams(StrictModel):
    """LightGBM hyper-parameters (regularised for rare labels)."""

    learning_rate: float = Field(0.05, gt=0, le=1)
    num_leaves: int = Field(15, ge=2, le=255)
    min_child_samples: int = Field(40, ge=1)
    lambda_l2: float = Field(5.0, ge=0)
    feature_fraction: float = Field(0.8, gt=0, le=1)
    bagging_fraction: float = Field(0.8, gt=0, le=1)
    bagging_freq: int = Field(1, ge=0)
    max_rounds: int = Field(400, ge=10)
    early_stopping_rounds: int = Field(40, ge=5)
    num_threads: int = Field(2, ge=1, le=2)
    seed: int = 0


class ModelConfig(StrictModel):
    """``configs/model.yaml``."""

    config_version: Literal[1]
    horizon_months: int = Field(6, ge=1, le=24)
    as_of_step_months: int = Field(2, ge=1, le=12)
    min_history_months: int = Field(15, ge=0, le=60)
    lightgbm: LightGBMParams
    pu_alpha: float = Field(0.8, ge=0, le=1)
    isotonic_min_positives: int = Field(60, ge=1)
    eval_capacity_share: float = Field(0.01, gt=0, lt=1)


def load_model_config(directory: Path | None = None) -> ModelConfig:
    """Read and validate ``configs/model.yaml``."""
    return load_config(ModelConfig, "model", directory)
