"""A tiny LightGBM per issue, trained in the fixture, behind the IssueModels interface."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import pytest

from kizuki.model.lgbm import load_lightgbm

FEATURES = ["water_change_3m", "water_flat_months", "unpaid_growth", "tax_arrears", "absent_rate"]
ITEMS = {
    "water_change_3m": "water_drop",
    "water_flat_months": "water_drop",
    "unpaid_growth": "unpaid_bills",
    "tax_arrears": "tax_arrears",
    "absent_rate": "child_absence",
}
ISSUES = ("financial_hardship", "self_neglect")


class TinyModels:
    """IssueModels stand-in: LightGBM boosters, raw margins and pred_contrib."""

    version = "tiny-1"

    def __init__(self, boosters: dict[str, object], features: Sequence[str]) -> None:
        self.boosters = boosters
        self.features = list(features)

    def _x(self, X: pl.DataFrame) -> np.ndarray:
        return X.select(self.features).to_numpy().astype(np.float64)

    def raw_score(self, X: pl.DataFrame, issue: str) -> np.ndarray:
        return self.boosters[issue].predict(self._x(X), raw_score=True)  # type: ignore[attr-defined]

    def contributions(self, X: pl.DataFrame, issue: str):
        c = self.boosters[issue].predict(self._x(X), pred_contrib=True)  # type: ignore[attr-defined]
        return c[:, :-1], c[:, -1], list(self.features)


def make_features(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pl.DataFrame(
        {
            "household_id": [f"H{i:05d}" for i in range(n)],
            "water_change_3m": rng.normal(0, 0.3, n),
            "water_flat_months": rng.integers(0, 6, n).astype(float),
            "unpaid_growth": rng.exponential(3000, n),
            "tax_arrears": rng.exponential(10000, n),
            "absent_rate": rng.beta(1, 10, n),
        }
    )
    # a few missing values, as when a table is absent for some households
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 17 == 0)
        .then(None)
        .otherwise(pl.col("absent_rate"))
        .alias("absent_rate")
    )


@pytest.fixture(scope="session")
def tiny_models() -> TinyModels:
    lgb = load_lightgbm()

    X = make_features(600, seed=1)
    x = X.select(FEATURES).to_numpy()
    rng = np.random.default_rng(2)
    logits = {
        "financial_hardship": 2.0 * (x[:, 2] > 4000) + 1.5 * (x[:, 3] > 15000) - 2.0,
        "self_neglect": -3.0 * x[:, 0] + 0.5 * x[:, 1] - 2.5,
    }
    boosters = {}
    for issue, lg in logits.items():
        y = rng.random(len(x)) < 1 / (1 + np.exp(-lg))
        params = {
            "objective": "binary",
            "num_leaves": 7,
            "min_data_in_leaf": 10,
            "learning_rate": 0.2,
            "num_threads": 1,
            "deterministic": True,
            "seed": 0,
            "verbose": -1,
        }
        boosters[issue] = lgb.train(params, lgb.Dataset(x, label=y.astype(int)), num_boost_round=25)
    return TinyModels(boosters, FEATURES)


@pytest.fixture(scope="session")
def kit():
    """The constants and helpers above, for test modules (importlib mode: no conftest import)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        FEATURES=FEATURES, ITEMS=ITEMS, ISSUES=ISSUES, make_features=make_features
    )
