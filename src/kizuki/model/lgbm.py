"""Per-issue LightGBM models with calibrated probabilities and faithful contributions.

``IssueModels`` follows scikit-learn's habits: the constructor only stores its
arguments, ``fit`` learns boosters and calibrators (attributes ending in ``_``), and
every predictor first checks that ``fit`` ran (:func:`kizuki.model.fitted.check_is_fitted`).
``contributions`` uses LightGBM's own tree SHAP (``pred_contrib=True``) in raw margin
space: per row, the contributions plus the base value equal the raw output exactly; the
calibrated probability is a monotone map of that raw output. Saving and loading are
:mod:`kizuki.model.artifact`'s (this module does not import it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl

from kizuki.contract.schema import ISSUES
from kizuki.errors import ContractError, parameter_error
from kizuki.features.registry import PROTECTED
from kizuki.model.calibration import Calibrator, fit_calibrator
from kizuki.model.config import ModelConfig
from kizuki.model.fitted import check_is_fitted


def load_lightgbm() -> ModuleType:
    """The ``lightgbm`` module, loaded with passive OpenMP waiting.

    LightGBM's OpenMP threads spin while they wait. On a machine whose cores are busy
    with other work, two spinning threads make fitting tens of times slower (measured:
    6 s instead of 0.07 s for a small fit). Passive waiting avoids that; it must be set
    before lightgbm (and its OpenMP runtime) is loaded, so every use of LightGBM goes
    through here. An operator's own ``OMP_WAIT_POLICY`` wins. Importing kizuki sets
    nothing: this runs when a model is fitted or loaded.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import lightgbm

    return lightgbm


def check_model_inputs(features: Sequence[str]) -> None:
    """Refuse protected attributes (nationality, head_sex) as model inputs (ContractError)."""
    bad = [f for f in features if f in PROTECTED]
    if bad:
        raise ContractError(f"protected attribute '{bad[0]}' may never be a model input")


def _check_issue(issue: str) -> None:
    if issue not in ISSUES:
        raise parameter_error("issue", "one of the contract's issue codes", issue)


def matrix(X: pl.DataFrame, features: Sequence[str]) -> np.ndarray:
    """The model matrix (n × f float64, nulls as NaN) of ``X`` for ``features`` in that order."""
    missing = [f for f in features if f not in X.columns]
    if missing:
        raise ContractError(
            f"feature frame lacks {len(missing)} model features, e.g. '{missing[0]}'"
        )
    return X.select([pl.col(f).cast(pl.Float64) for f in features]).to_numpy()


@dataclass(frozen=True)
class TrainSet:
    """Rows of one issue for fitting: matrix ``X`` (n × f), labels ``y`` and weights ``w`` (n)."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None = None


def lightgbm_params(config: ModelConfig) -> dict[str, Any]:
    """LightGBM parameters from the config: log loss on [0, 1] targets (sigmoid link, so raw
    scores are log-odds), deterministic, quiet."""
    p = config.lightgbm
    return {
        "objective": "cross_entropy",  # = binary log loss for 0/1 targets; accepts soft ones
        "learning_rate": p.learning_rate,
        "num_leaves": p.num_leaves,
        "max_depth": p.max_depth,
        "min_child_samples": p.min_child_samples,
        "lambda_l2": p.lambda_l2,
        "feature_fraction": p.feature_fraction,
        "bagging_fraction": p.bagging_fraction,
        "bagging_freq": p.bagging_freq,
        "max_bin": p.max_bin,
        "num_threads": p.num_threads,
        "seed": p.seed,
        "deterministic": True,
        "force_row_wise": True,
        "verbosity": -1,
    }


class IssueModels:
    """One LightGBM booster and one calibrator per issue (see module docstring).

    ``features``: the model inputs in matrix order (protected attributes are refused by
    ``fit`` and by loading, whatever the caller passes); ``config``: the model settings;
    ``version``: the registry version written to scores; ``meta``: training metadata
    saved with the model. Learnt by ``fit``: ``boosters_`` and ``calibrators_`` (issue →).
    """

    def __init__(
        self,
        features: Sequence[str],
        config: ModelConfig,
        version: str = "unregistered",
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.features = features
        self.config = config
        self.version = version
        self.meta = meta

    # ------------------------------------------------------------------ fit
    def fit(self, train: Mapping[str, TrainSet], calib: Mapping[str, TrainSet]) -> IssueModels:
        """Fit per issue on ``train[issue]``; ``calib[issue]`` comes from a later period and
        serves early stopping (when it has a positive) and the calibrator."""
        check_model_inputs(self.features)
        lgb = load_lightgbm()
        names = list(self.features)
        p = self.config.lightgbm
        params = lightgbm_params(self.config)
        boosters: dict[str, Any] = {}
        calibrators: dict[str, Calibrator] = {}
        for issue in ISSUES:
            t, c = train[issue], calib[issue]
            if t.X.shape[1] != len(names):
                raise ContractError(
                    f"training matrix of '{issue}' has {t.X.shape[1]} columns; expected {len(names)}"
                )
            dtrain = lgb.Dataset(t.X, t.y, weight=t.w, feature_name=names)
            dvalid = lgb.Dataset(c.X, c.y, reference=dtrain)
            stop = c.y.sum() > 0 and 0 < t.y.sum() < len(t.y)
            booster = lgb.train(
                params,
                dtrain,
                num_boost_round=p.max_rounds,
                valid_sets=[dvalid] if stop else None,
                callbacks=[lgb.early_stopping(p.early_stopping_rounds, verbose=False)]
                if stop
                else None,
            )
            boosters[issue] = booster
            raw = booster.predict(c.X, raw_score=True)
            calibrators[issue] = fit_calibrator(raw, c.y, self.config.isotonic_min_positives)
        self.boosters_ = boosters
        self.calibrators_ = calibrators
        return self

    # -------------------------------------------------------------- predict
    def raw_score(self, X: pl.DataFrame, issue: str) -> np.ndarray:
        """The model's raw margin (log-odds), length n = rows of ``X``."""
        check_is_fitted(self)
        _check_issue(issue)
        return self.boosters_[issue].predict(matrix(X, self.features), raw_score=True)

    def predict_issue(self, X: pl.DataFrame, issue: str) -> np.ndarray:
        """Calibrated probability per row of ``X`` for one issue (length n)."""
        raw = self.raw_score(X, issue)
        return self.calibrators_[issue](raw)

    def predict_proba(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id, issue, score (calibrated, Float64): n × 6 rows, issue-major."""
        check_is_fitted(self)
        M = matrix(X, self.features)
        ids = X.select("household_id")
        parts = [
            ids.with_columns(
                issue=pl.lit(issue),
                score=pl.Series(
                    self.calibrators_[issue](self.boosters_[issue].predict(M, raw_score=True)),
                    dtype=pl.Float64,
                ),
            )
            for issue in ISSUES
        ]
        return pl.concat(parts)

    def contributions(
        self, X: pl.DataFrame, issue: str
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(n × f contributions, base value per row (n), feature names) from ``pred_contrib``
        in raw margin space: contributions.sum(axis=1) + base == raw_score(X, issue)."""
        check_is_fitted(self)
        _check_issue(issue)
        c = self.boosters_[issue].predict(matrix(X, self.features), pred_contrib=True)
        return c[:, :-1], c[:, -1], list(self.features)
