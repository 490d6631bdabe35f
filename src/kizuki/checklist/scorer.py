"""The checklist scorer: a transparent baseline behind the same interface as the models.

``Checklist(config).predict_proba(X)`` → household_id, issue, checklist_score: the
weighted share of the issue's items that fire (0–1; ties broken by nothing else).
``fit(X, y)`` optionally learns, per issue, a monotone map from that share to the
observed rate of confirmed cases (isotonic), exposed as ``probability``; the ranking
— and ``checklist_score`` — never change. ``explain(X)`` lists every item per issue
with whether it fired.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from kizuki.checklist.items import ChecklistConfig
from kizuki.contract.schema import ISSUES
from kizuki.errors import NotFittedError


class Checklist:
    """The 気づき checklist as a scorer (see module docstring)."""

    def __init__(self, config: ChecklistConfig) -> None:
        self.config = config

    # --------------------------------------------------------------- fitting
    def fit(self, X: pl.DataFrame, y: pl.DataFrame | None = None) -> Checklist:
        """Learn the per-issue calibration from labels ``y`` (household_id, issue, label)."""
        self.calibration_: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if y is not None:
            from sklearn.isotonic import IsotonicRegression

            s = self.predict_proba(X).join(y, on=["household_id", "issue"], how="inner")
            for issue in ISSUES:
                part = s.filter(pl.col("issue") == issue)
                if part.height == 0 or part["label"].sum() == 0:
                    continue
                iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
                iso.fit(part["checklist_score"].to_numpy(), part["label"].to_numpy().astype(float))
                self.calibration_[issue] = (iso.X_thresholds_, iso.y_thresholds_)
        return self

    def probability(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id, issue, probability (after :meth:`fit` with labels)."""
        if not hasattr(self, "calibration_"):
            raise NotFittedError("This Checklist instance is not fitted yet; call fit(X, y) first")
        s = self.predict_proba(X)
        parts = []
        for issue in ISSUES:
            part = s.filter(pl.col("issue") == issue)
            if issue in self.calibration_:
                xs, ys = self.calibration_[issue]
                p = np.interp(part["checklist_score"].to_numpy(), xs, ys)
            else:
                p = np.zeros(part.height)
            parts.append(part.with_columns(probability=pl.Series(p)))
        return pl.concat(parts)

    # --------------------------------------------------------------- scoring
    def fired_frame(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id plus one boolean column per item."""
        return X.select("household_id", *[i.fired().alias(i.id) for i in self.config.items])

    def predict_proba(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id, issue, checklist_score (weighted share of the issue's items fired)."""
        fired = self.fired_frame(X)
        parts = []
        for issue in ISSUES:
            items = [
                (i.id, i.issues[issue])
                for i in self.config.items
                if i.issues.get(issue, 0) > 0 and not i.blind_spot
            ]
            total = sum(w for _, w in items) or 1.0
            score = (
                pl.sum_horizontal([pl.col(i).cast(pl.Float64) * w for i, w in items]) / total
                if items
                else pl.lit(0.0)
            )
            parts.append(
                fired.select(
                    "household_id", pl.lit(issue).alias("issue"), score.alias("checklist_score")
                )
            )
        return pl.concat(parts)

    def explain(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id, issue, item, fired, weight, text_ja, text_en — every item of every issue."""
        fired = self.fired_frame(X)
        long = fired.unpivot(index="household_id", variable_name="item", value_name="fired")
        rows = [
            (i.id, issue, float(w), i.ja, i.en)
            for i in self.config.items
            for issue, w in i.issues.items()
            if w > 0
        ]
        meta = pl.DataFrame(
            rows, schema=["item", "issue", "weight", "text_ja", "text_en"], orient="row"
        )
        return long.join(meta, on="item", how="inner").select(
            "household_id", "issue", "item", "fired", "weight", "text_ja", "text_en"
        )
