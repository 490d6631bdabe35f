"""Stand-ins for the stages around a scoring run: a feature frame, a tiny LightGBM per
issue behind the IssueModels interface, a rule checklist, a fake loaded drop."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from kizuki.contract.schema import ISSUES
from kizuki.explain import CatalogTexts, ItemText
from kizuki.model.lgbm import load_lightgbm

FEATURES = [
    "water_change_3m",
    "unpaid_growth",
    "tax_arrears",
    "absent_rate",
    "oldest_age",
    "members",
]
ITEMS = {
    "water_change_3m": "water_drop",
    "unpaid_growth": "unpaid_bills",
    "tax_arrears": "tax_arrears",
    "absent_rate": "child_absence",
    "oldest_age": "older_alone",
    "members": "older_alone",
}
DISTRICTS = ["北地区", "南地区", "東地区"]


def make_features(n: int, seed: int, as_of: date = date(2026, 3, 31)) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "household_id": [f"H{i:06d}" for i in range(n)],
            "as_of": [as_of] * n,
            "district": rng.choice(DISTRICTS, n, p=[0.5, 0.3, 0.2]),
            "water_change_3m": rng.normal(0, 0.3, n),
            "unpaid_growth": rng.exponential(3000, n),
            "tax_arrears": rng.exponential(10000, n),
            "absent_rate": np.where(rng.random(n) < 0.3, rng.beta(1, 8, n), np.nan),
            "oldest_age": rng.integers(20, 95, n).astype(float),
            "members": rng.integers(1, 6, n).astype(float),
            "hh_type": rng.choice(["single_65plus", "other"], n),
            "nationality": rng.choice(["jp", "foreign"], n, p=[0.97, 0.03]),
        }
    ).with_columns(pl.col("absent_rate").fill_nan(None))


class TinyIssueModels:
    """IssueModels stand-in: one small LightGBM per issue; sigmoid then a monotone map."""

    version = "tiny/1"

    def __init__(self, boosters, features) -> None:
        self.boosters = boosters
        self.features = list(features)

    def _x(self, X: pl.DataFrame) -> np.ndarray:
        return X.select(self.features).to_numpy().astype(np.float64)

    def raw_score(self, X: pl.DataFrame, issue: str) -> np.ndarray:
        return self.boosters[issue].predict(self._x(X), raw_score=True)

    def contributions(self, X: pl.DataFrame, issue: str):
        c = self.boosters[issue].predict(self._x(X), pred_contrib=True)
        return c[:, :-1], c[:, -1], list(self.features)

    def predict_proba(self, X: pl.DataFrame) -> pl.DataFrame:
        parts = []
        for issue in self.boosters:
            p = 1 / (1 + np.exp(-self.raw_score(X, issue)))
            parts.append(
                pl.DataFrame({"household_id": X["household_id"], "issue": issue, "score": p**1.1})
            )
        return pl.concat(parts)


RULES = {  # item -> (feature, threshold, direction, issues)
    "water_drop": ("water_change_3m", -0.3, "lt", ("elderly_isolation", "self_neglect")),
    "unpaid_bills": ("unpaid_growth", 6000, "gt", ("financial_hardship", "self_neglect")),
    "tax_arrears": ("tax_arrears", 20000, "gt", ("financial_hardship", "eight050")),
    "child_absence": ("absent_rate", 0.2, "gt", ("young_carer",)),
}
ITEM_TEXT = {
    "water_drop": ItemText(
        "水道の使用量が大きく減っている",
        "Water use has fallen sharply",
        "暮らしの変化",
        "Daily life",
    ),
    "unpaid_bills": ItemText(
        "水道料金の未納が増えている", "Unpaid water bills are growing", "お金・支払い", "Money"
    ),
    "tax_arrears": ItemText("住民税の滞納がある", "Resident-tax arrears", "お金・支払い", "Money"),
    "child_absence": ItemText(
        "子どもの欠席が多い", "A child is often absent", "子ども", "Children"
    ),
    "older_alone": ItemText(
        "高齢の方の一人暮らし", "An older person living alone", "家族の形", "Household shape"
    ),
}


class RuleChecklist:
    """Checklist stand-in: fixed rules over features, weight 1 each."""

    def explain(self, X: pl.DataFrame) -> pl.DataFrame:
        parts = []
        for item, (feat, thr, op, issues) in RULES.items():
            cond = (pl.col(feat) < thr) if op == "lt" else (pl.col(feat) > thr)
            for issue in issues:
                parts.append(
                    X.select(
                        "household_id",
                        issue=pl.lit(issue),
                        item=pl.lit(item),
                        fired=cond.fill_null(False),
                        weight=pl.lit(1.0),
                        text_ja=pl.lit(ITEM_TEXT[item].text_ja),
                        text_en=pl.lit(ITEM_TEXT[item].text_en),
                    )
                )
        return pl.concat(parts)

    def checklist_scores(self, X: pl.DataFrame) -> pl.DataFrame:
        ex = self.explain(X)
        grid = X.select("household_id").join(pl.DataFrame({"issue": list(ISSUES)}), how="cross")
        sums = ex.group_by("household_id", "issue").agg(s=pl.col("fired").cast(pl.Float64).sum())
        return grid.join(sums, on=["household_id", "issue"], how="left").select(
            "household_id", "issue", checklist_score=(pl.col("s").fill_null(0) / 3).clip(0, 1)
        )


TEXTS = CatalogTexts(
    items=ITEM_TEXT,
    formatters={
        "water_change_3m": {
            "ja": lambda v: (
                f"水道使用量が直近3か月で前年同期比{abs(v) * 100:.0f}%{'減' if v < 0 else '増'}"
            ),
            "en": lambda v: (
                f"water use {'down' if v < 0 else 'up'} {abs(v) * 100:.0f}% on the same 3 months last year"
            ),
        },
        "tax_arrears": {
            "ja": lambda v: f"滞納額 {v:,.0f}円",
            "en": lambda v: f"¥{v:,.0f} in arrears",
        },
        "oldest_age": {
            "ja": lambda v: f"最年長 {v:.0f}歳",
            "en": lambda v: f"oldest member aged {v:.0f}",
        },
    },
)


@pytest.fixture(scope="session")
def tiny_models() -> TinyIssueModels:
    lgb = load_lightgbm()

    X = make_features(800, seed=11)
    x = X.select(FEATURES).to_numpy()
    rng = np.random.default_rng(3)
    logit = {
        "eight050": 0.05 * (x[:, 4] - 70) + 1.0 * (x[:, 2] > 15000) - 3,
        "double_care": 0.3 * x[:, 5] - 3.5,
        "young_carer": np.nan_to_num(x[:, 3], nan=0) * 8 - 3,
        "elderly_isolation": -3 * x[:, 0] + 0.04 * (x[:, 4] - 60) - 3 * (x[:, 5] > 1) - 1,
        "financial_hardship": 2 * (x[:, 1] > 4000) + 1.5 * (x[:, 2] > 15000) - 2.5,
        "self_neglect": -2 * x[:, 0] + 1 * (x[:, 1] > 6000) - 3,
    }
    params = {
        "objective": "binary",
        "num_leaves": 7,
        "min_data_in_leaf": 15,
        "learning_rate": 0.2,
        "num_threads": 1,
        "deterministic": True,
        "seed": 0,
        "verbose": -1,
    }
    boosters = {}
    for issue in ISSUES:
        y = rng.random(len(x)) < 1 / (1 + np.exp(-logit[issue]))
        boosters[issue] = lgb.train(params, lgb.Dataset(x, label=y.astype(int)), num_boost_round=20)
    return TinyIssueModels(boosters, FEATURES)


@pytest.fixture(scope="session")
def kit():
    """Constants and helpers of this conftest for the test modules."""
    return SimpleNamespace(
        FEATURES=FEATURES,
        ITEMS=ITEMS,
        DISTRICTS=DISTRICTS,
        TEXTS=TEXTS,
        RuleChecklist=RuleChecklist,
        make_features=make_features,
    )
