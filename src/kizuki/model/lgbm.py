"""Per-issue LightGBM models with calibrated probabilities and faithful contributions.

``IssueModels`` follows the scikit-learn habit: the constructor stores settings,
``fit`` learns boosters and calibrators (attributes ending in ``_``), ``predict_proba``
checks that ``fit`` ran. ``contributions`` uses LightGBM's own tree SHAP
(``pred_contrib=True``) in raw margin space: per row, the contributions plus the base
value equal the raw output exactly. Saved as plain files (LightGBM text models + JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from kizuki.contract.schema import ISSUES
from kizuki.errors import ContractError, NotFittedError
from kizuki.features.registry import PROTECTED
from kizuki.model.calibration import Calibrator, fit_calibrator
from kizuki.model.config import ModelConfig


def matrix(X: pl.DataFrame, features: Sequence[str]) -> np.ndarray:
    """The model matrix (float64, nulls as NaN) for ``features`` in that order."""
    missing = [f for f in features if f not in X.columns]
    if missing:
        raise ContractError(
            f"feature frame lacks {len(missing)} model features, e.g. '{missing[0]}'"
        )
    return X.select([pl.col(f).cast(pl.Float64) for f in features]).to_numpy()


class IssueModels:
    """One LightGBM booster and one calibrator per issue (see module docstring)."""

    def __init__(
        self, features: Sequence[str], config: ModelConfig, version: str = "unregistered"
    ) -> None:
        bad = [f for f in features if f in PROTECTED]
        if bad:
            raise ContractError(f"protected attribute '{bad[0]}' may never be a model input")
        self.features = list(features)
        self.config = config
        self.version = version

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        train: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
        calib: dict[str, tuple[np.ndarray, np.ndarray]],
    ) -> IssueModels:
        """Fit per issue. ``train[issue] = (X, y, weight)``; ``calib[issue] = (X, y)`` from a
        later period: used for early stopping and to fit the calibrator."""
        import lightgbm as lgb

        p = self.config.lightgbm
        params = {
            "objective": "binary",
            "learning_rate": p.learning_rate,
            "num_leaves": p.num_leaves,
            "min_child_samples": p.min_child_samples,
            "lambda_l2": p.lambda_l2,
            "feature_fraction": p.feature_fraction,
            "bagging_fraction": p.bagging_fraction,
            "bagging_freq": p.bagging_freq,
            "num_threads": p.num_threads,
            "seed": p.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }
        self.boosters_: dict[str, lgb.Booster] = {}
        self.calibrators_: dict[str, Calibrator] = {}
        for issue in ISSUES:
            X, y, w = train[issue]
            Xc, yc = calib[issue]
            dtrain = lgb.Dataset(X, y, weight=w, feature_name=self.features, free_raw_data=False)
            dvalid = lgb.Dataset(Xc, yc, reference=dtrain)
            callbacks = (
                [lgb.early_stopping(p.early_stopping_rounds, verbose=False)] if yc.sum() > 0 else []
            )
            booster = lgb.train(
                params,
                dtrain,
                num_boost_round=p.max_rounds,
                valid_sets=[dvalid],
                callbacks=callbacks,
            )
            self.boosters_[issue] = booster
            raw = booster.predict(Xc, raw_score=True)
            self.calibrators_[issue] = fit_calibrator(raw, yc, self.config.isotonic_min_positives)
        return self

    def _check(self) -> None:
        if not hasattr(self, "boosters_"):
            raise NotFittedError("This IssueModels instance is not fitted yet; call fit first")

    # -------------------------------------------------------------- predict
    def raw_score(self, X: pl.DataFrame, issue: str) -> np.ndarray:
        """The model's raw margin (log-odds) per row of ``X``."""
        self._check()
        return self.boosters_[issue].predict(matrix(X, self.features), raw_score=True)

    def predict_issue(self, X: pl.DataFrame, issue: str) -> np.ndarray:
        """Calibrated probability per row of ``X`` for one issue."""
        return self.calibrators_[issue](self.raw_score(X, issue))

    def predict_proba(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id, issue, score (calibrated) for every row of ``X`` and every issue."""
        self._check()
        M = matrix(X, self.features)
        parts = []
        for issue in ISSUES:
            p = self.calibrators_[issue](self.boosters_[issue].predict(M, raw_score=True))
            parts.append(
                X.select("household_id").with_columns(
                    issue=pl.lit(issue), score=pl.Series(p, dtype=pl.Float64)
                )
            )
        return pl.concat(parts)

    def contributions(
        self, X: pl.DataFrame, issue: str
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(n × f contributions, base value per row, feature names) from ``pred_contrib``:
        contributions.sum(axis=1) + base == raw_score(X, issue)."""
        self._check()
        c = self.boosters_[issue].predict(matrix(X, self.features), pred_contrib=True)
        return c[:, :-1], c[:, -1], list(self.features)

    # ------------------------------------------------------------ save/load
    def save(self, folder: Path, meta: dict[str, object] | None = None) -> Path:
        """Write ``model_<issue>.txt`` and ``model.json`` into ``folder``."""
        self._check()
        folder.mkdir(parents=True, exist_ok=True)
        for issue, booster in self.boosters_.items():
            booster.save_model(str(folder / f"model_{issue}.txt"))
        doc = {
            "kind": "kizuki.IssueModels",
            "features": self.features,
            "calibrators": {i: c.to_dict() for i, c in self.calibrators_.items()},
            "config": self.config.model_dump(mode="json"),
            "meta": meta or {},
        }
        (folder / "model.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return folder

    @classmethod
    def load(cls, folder: Path, version: str = "local") -> IssueModels:
        """Inverse of :meth:`save`."""
        import lightgbm as lgb

        doc = json.loads((Path(folder) / "model.json").read_text(encoding="utf-8"))
        cfg = ModelConfig.model_validate(doc["config"])
        m = cls(doc["features"], cfg, version=version)
        m.boosters_ = {
            i: lgb.Booster(model_file=str(Path(folder) / f"model_{i}.txt")) for i in ISSUES
        }
        m.calibrators_ = {i: Calibrator.from_dict(d) for i, d in doc["calibrators"].items()}
        m.meta = doc.get("meta", {})
        return m
