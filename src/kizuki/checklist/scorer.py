"""The checklist scorer: a transparent rule score, the baseline the models must beat.

``Checklist(config).checklist_scores(X)`` → household_id, issue, checklist_score: the
weighted share of the issue's items that fire (0–1). It is a score, not a
probability (nothing is learnt, so there is no ``fit`` and no ``predict_proba``).
``explain(X)`` lists every item per issue with whether it fired.
"""

from __future__ import annotations

import polars as pl

from kizuki.checklist.items import ChecklistConfig
from kizuki.contract.schema import ISSUES


class Checklist:
    """The 気づき checklist as a scorer (see module docstring)."""

    def __init__(self, config: ChecklistConfig) -> None:
        self.config = config

    # --------------------------------------------------------------- scoring
    def fired_frame(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id plus one boolean column per item."""
        return X.select("household_id", *[i.fired().alias(i.id) for i in self.config.items])

    def checklist_scores(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id, issue, checklist_score (Float64, 0–1: the weighted share of the
        issue's items that fired); one row per household of ``X`` and issue, issue-major."""
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
