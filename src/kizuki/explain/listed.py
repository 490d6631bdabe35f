"""Reasons for the listed households: contributions → items → top reasons → texts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import polars as pl

from kizuki.explain.contributions import (
    BASE_SCHEMA,
    FEATURE_CONTRIB_SCHEMA,
    faithfulness_error,
    feature_contributions,
    item_contributions,
)
from kizuki.explain.reasons import top_reasons_by_household, top_reasons_by_issue
from kizuki.explain.text import ReasonTexts, reason_features, write_reasons


class ContributionModel(Protocol):
    """The part of ``kizuki.model.IssueModels`` that reasons need."""

    def contributions(
        self, X: pl.DataFrame, issue: str
    ) -> tuple[np.ndarray, float | np.ndarray, Sequence[str]]:
        """(n × f contributions, base value, f feature names), raw margin space."""
        ...

    def raw_score(self, X: pl.DataFrame, issue: str) -> np.ndarray:
        """The model's raw margin (log-odds) per row of X."""
        ...


@dataclass(frozen=True)
class Explanation:
    """Everything the outputs need about why each listed household is listed.

    - ``items``: household_id, issue, item, contribution — every item, every listed
      (household, issue): base + Σ items = the model's raw output;
    - ``totals``: household_id, issue, base_value, raw_score (from the contributions)
      and ``raw`` (from the model itself);
    - ``by_issue``: top reasons per (household, issue) with texts;
    - ``by_household``: top reasons per household over its listed issues, with texts;
    - ``max_abs_error``: the largest |base + Σ items − raw| seen.
    """

    items: pl.DataFrame
    totals: pl.DataFrame
    by_issue: pl.DataFrame
    by_household: pl.DataFrame
    max_abs_error: float


def explain_listed(
    model: ContributionModel,
    features: pl.DataFrame,
    listed: pl.DataFrame,
    feature_items: Mapping[str, str | None],
    texts: ReasonTexts,
    k: int = 3,
) -> Explanation:
    """Explain the listed (household, issue) pairs only.

    In: the model; ``features`` (household_id + the model's features; may hold more
    households than listed); ``listed``: one row per (household_id, issue) to explain;
    the feature → checklist item map; the texts. Out: :class:`Explanation`.
    """
    feats, totals, raws = [], [], []
    pairs = listed.select("household_id", pl.col("issue").cast(pl.String)).unique()
    for issue in sorted(pairs["issue"].unique().to_list()):  # at most six issues
        ids = pairs.filter(pl.col("issue") == issue).select("household_id").sort("household_id")
        X = features.join(ids, on="household_id", how="semi").sort("household_id")
        contrib, base, names = model.contributions(X, issue)
        f, t = feature_contributions(X["household_id"], issue, contrib, base, names, feature_items)
        feats.append(f)
        totals.append(t)
        raws.append(
            pl.DataFrame(
                {
                    "household_id": X["household_id"],
                    "issue": pl.repeat(issue, X.height, dtype=pl.String, eager=True),
                    "raw": np.asarray(model.raw_score(X, issue), dtype=np.float64),
                }
            )
        )
    feature_contrib = pl.concat(feats) if feats else pl.DataFrame(schema=FEATURE_CONTRIB_SCHEMA)
    total = pl.concat(totals) if totals else pl.DataFrame(schema=BASE_SCHEMA)
    raw = (
        pl.concat(raws)
        if raws
        else pl.DataFrame(schema={"household_id": pl.String, "issue": pl.String, "raw": pl.Float64})
    )
    items = item_contributions(feature_contrib)
    err = faithfulness_error(items, total, raw)

    by_issue = top_reasons_by_issue(items, k)
    by_issue = write_reasons(reason_features(by_issue, feature_contrib), features, texts)
    by_household = top_reasons_by_household(items, k)
    by_household = write_reasons(reason_features(by_household, feature_contrib), features, texts)
    return Explanation(
        items=items,
        totals=total.join(raw, on=["household_id", "issue"], how="left"),
        by_issue=by_issue,
        by_household=by_household,
        max_abs_error=err,
    )
