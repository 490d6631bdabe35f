"""Evaluation on the validation period: the model beside its baselines.

Per issue and scorer (models, the 気づき checklist, the best single feature, and the
model with an exploration share): average precision against case labels, precision
and recall at the outreach capacity (each district's top ``capacity`` households of
the issue's cohort, configs/shortlist.yaml), Brier score (probabilities only), and —
when the drop carries synthetic truth — the same against the latent need ("need
found" beside "cases found"). Reliability deciles for every model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from kizuki.contract.schema import ISSUES
from kizuki.model.baselines import SingleFeature
from kizuki.model.dataset import Frames, column, issue_rows
from kizuki.model.lgbm import IssueModels
from kizuki.model.metrics import (
    at_capacity,
    average_precision,
    brier,
    reliability,
    top_per_district,
)
from kizuki.model.selective import explore_at_capacity

#: the model whose figures decide the champion and are shown first
MAIN = "model"
EXPLORE = "model+explore"


@dataclass(frozen=True)
class Evaluation:
    """``table``: one row per (issue, scorer) (columns in :func:`evaluate`);
    ``reliability``: per model name and issue, deciles (decile, n, mean_predicted, observed)."""

    table: pl.DataFrame
    reliability: dict[str, dict[str, pl.DataFrame]]


def _row(
    issue: str,
    scorer: str,
    y: np.ndarray,
    need: np.ndarray | None,
    visited: np.ndarray,
    score: np.ndarray | None,
    probability: bool,
) -> dict[str, object]:
    p_k, r_k = at_capacity(y, visited)
    row: dict[str, object] = {
        "issue": issue,
        "scorer": scorer,
        "cohort": len(y),
        "cases": int(y.sum()),
        "k": int(visited.sum()),
        "ap_cases": average_precision(y, score) if score is not None else None,
        "precision_at_k": p_k,
        "recall_at_k": r_k,
        "brier": brier(y, score) if probability and score is not None else None,
    }
    if need is not None:
        np_k, nr_k = at_capacity(need, visited)
        row |= {
            "need": int(need.sum()),
            "ap_need": average_precision(need, score) if score is not None else None,
            "need_precision_at_k": np_k,
            "need_recall_at_k": nr_k,
        }
    return row


def evaluate(
    models: Mapping[str, IssueModels],
    validation: Frames,
    singles: Mapping[str, SingleFeature],
    capacity: pl.DataFrame,
    explore_share: float = 0.0,
) -> Evaluation:
    """Score the validation cohort of every issue with every scorer.

    In: named fitted models (the first is the main model; ``explore_share`` > 0 adds
    the main model with that exploration share), validation frames, the single-feature
    baseline per issue, district capacities (district, capacity).
    Out: :class:`Evaluation`; table columns issue, scorer, cohort, cases, k, ap_cases,
    precision_at_k, recall_at_k, brier, and with truth need, ap_need,
    need_precision_at_k, need_recall_at_k.
    """
    rows: list[dict[str, object]] = []
    rel: dict[str, dict[str, pl.DataFrame]] = {name: {} for name in models}
    main = next(iter(models))
    for issue in ISSUES:
        r = issue_rows(validation, issue)
        y = column(r, "label")
        need = column(r, "need") if "need" in r.columns else None
        district = r["district"]
        for name, m in models.items():
            p = m.predict_issue(r, issue)
            rows.append(
                _row(issue, name, y, need, top_per_district(district, p, capacity), p, True)
            )
            rel[name][issue] = reliability(y, p)
            if name == main and explore_share > 0:
                visited = explore_at_capacity(
                    pl.DataFrame({"district": district, "score": p, "prior": r["checklist_score"]}),
                    capacity,
                    explore_share,
                ).to_numpy()
                rows.append(_row(issue, EXPLORE, y, need, visited, None, False))
        cs = column(r, "checklist_score")
        rows.append(
            _row(issue, "checklist", y, need, top_per_district(district, cs, capacity), cs, False)
        )
        single = singles[issue]
        ss = single.score(r)
        rows.append(
            _row(issue, single.name, y, need, top_per_district(district, ss, capacity), ss, False)
        )
    return Evaluation(pl.DataFrame(rows, infer_schema_length=None), rel)


def mean_ap(table: pl.DataFrame, scorer: str = MAIN) -> float | None:
    """Mean over issues (with at least one case) of AP against case labels: the champion
    criterion. None when no issue has a case in the validation period."""
    v = table.filter(pl.col("scorer") == scorer)["ap_cases"].drop_nulls()
    return float(v.mean()) if v.len() else None  # type: ignore[arg-type]
