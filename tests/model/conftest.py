"""Shared fixtures: a fast model config and a small fitted IssueModels on planted data."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from kizuki.contract.schema import ISSUES
from kizuki.model.config import ModelConfig, load_model_config
from kizuki.model.lgbm import IssueModels, TrainSet

FEATURES = ["a", "b", "c"]


def fast_config(**changes: object) -> ModelConfig:
    """configs/model.yaml with few boosting rounds (tests), plus ``changes``."""
    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 60, "early_stopping_rounds": 10}
    return ModelConfig.model_validate(raw | changes)


@pytest.fixture(scope="session")
def fitted() -> tuple[IssueModels, pl.DataFrame]:
    """Models whose label depends on feature ``a`` (plus nulls in ``b``), and a frame of 500 rows."""
    rng = np.random.default_rng(0)
    n = 3000
    X = rng.normal(size=(n, 3))
    X[rng.random(n) < 0.1, 1] = np.nan
    y = (rng.random(n) < 1 / (1 + np.exp(-(2 * X[:, 0] - 3)))).astype(float)
    train = {i: TrainSet(X[:2000], y[:2000], np.ones(2000)) for i in ISSUES}
    calib = {i: TrainSet(X[2000:], y[2000:]) for i in ISSUES}
    model = IssueModels(FEATURES, fast_config()).fit(train, calib)
    frame = pl.DataFrame(
        {
            "household_id": [f"H{i:04d}" for i in range(500)],
            "a": X[:500, 0],
            "b": X[:500, 1],
            "c": X[:500, 2],
        }
    )
    return model, frame
