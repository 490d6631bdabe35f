"""The scoring run's pure core: features + known cases + model → scores, shortlist, reasons.

No files are touched here (see :mod:`kizuki.pipeline.score` for the run folder).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np
import polars as pl

from kizuki.contract.schema import ISSUES
from kizuki.errors import ContractError
from kizuki.explain import ContributionModel, Explanation, ReasonTexts, explain_listed
from kizuki.pipeline.manifest import StageTimer
from kizuki.report.data import REASON_STRUCT
from kizuki.shortlist import ShortlistConfig, build_shortlist, district_capacities

#: largest allowed |base + Σ item contributions − raw output| per (household, issue)
FAITHFUL_ATOL = 1e-6

SCORES_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "as_of": pl.Date,
        "issue": pl.String,
        "score": pl.Float64,
        "rank": pl.Int64,
        "checklist_score": pl.Float64,
        "model_version": pl.String,
    }
)


class IssueScorer(ContributionModel, Protocol):
    """The part of ``kizuki.model.IssueModels`` a scoring run uses."""

    @property
    def version(self) -> str:
        """The model version written to scores.parquet and the manifest."""
        ...

    def predict_proba(self, X: pl.DataFrame) -> pl.DataFrame:
        """Calibrated probabilities: household_id, issue, score (one row per household × issue)."""
        ...


class ChecklistScorer(Protocol):
    """The part of ``kizuki.checklist.Checklist`` a scoring run uses."""

    def checklist_scores(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id, issue, checklist_score."""
        ...

    def explain(self, X: pl.DataFrame) -> pl.DataFrame:
        """household_id, issue, item, fired, weight, text_ja, text_en."""
        ...


@dataclass(frozen=True)
class ScoreResult:
    """What a scoring run computed (frames described in :func:`score_frames`)."""

    scores: pl.DataFrame
    shortlist: pl.DataFrame
    explanation: Explanation
    fired: pl.DataFrame
    capacities: pl.DataFrame
    known_cases: pl.DataFrame
    known_counts: pl.DataFrame
    cohorts: pl.DataFrame


def known_cases_on(outcomes: pl.LazyFrame | pl.DataFrame | None, as_of: date) -> pl.DataFrame:
    """Confirmed cases opened on or before ``as_of`` (contract §2: outside the cohort).

    In: canonical ``outcomes`` (household_id, issue, opened_on, confirmed, ...) or None
    when the drop has none. Out: unique (household_id, issue), issue as str, sorted.
    """
    schema = {"household_id": pl.String, "issue": pl.String}
    if outcomes is None:
        return pl.DataFrame(schema=schema)
    return (
        outcomes.lazy()
        .filter(pl.col("confirmed") & (pl.col("opened_on") <= as_of))
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .sort("household_id", "issue")
        .collect()
    )


def _require(frame: pl.DataFrame, what: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ContractError(f"{what}: missing column(s) {', '.join(missing)}")


def align_by_issue(
    frame: pl.DataFrame, value: str, ids: pl.Series, what: str
) -> dict[str, np.ndarray]:
    """One array per issue of ``frame[value]`` in the order of ``ids``.

    In: a long frame (household_id, issue, ``value``) with one row per household and
    issue; ``ids``: every household on T, sorted. Out: issue -> float64 array aligned
    with ``ids``. When the frame already lists an issue's rows in ``ids`` order (the
    usual case) no join is needed. Raises ContractError when a household lacks a value
    row or a value is NaN.
    """
    out: dict[str, np.ndarray] = {}
    parts = frame.select("household_id", pl.col("issue").cast(pl.String), value).partition_by(
        "issue", as_dict=True, maintain_order=True
    )
    for (issue,), part in parts.items():
        if part.height == ids.len() and part["household_id"].equals(ids, check_names=False):
            col = part[value]
        else:
            col = ids.to_frame("household_id").join(
                part, on="household_id", how="left", maintain_order="left"
            )[value]
        missing = col.null_count() + (col.is_nan().sum() if col.dtype.is_float() else 0)
        if missing or part.height != ids.len():
            raise ContractError(
                f"{what}: issue {issue} has {part.height} row(s) for {ids.len()} household(s) "
                f"and {missing} missing value(s); expected exactly one value per household"
            )
        out[str(issue)] = col.cast(pl.Float64).to_numpy()
    return out


def rank_scores(
    ids: pl.Series,
    scores: Mapping[str, np.ndarray],
    checklist: Mapping[str, np.ndarray],
    known: pl.DataFrame,
    as_of: date,
    version: str,
) -> pl.DataFrame:
    """Cohort rows only, ranked within each issue (1 = highest; ties: household_id order).

    In: ``ids`` (every household on T, sorted); per issue, score and checklist_score
    arrays aligned with ``ids``; ``known`` (household_id, issue) to leave out of that
    issue's cohort. Out: :data:`SCORES_SCHEMA`, issues in contract order, each in
    household_id order.
    """
    parts = []
    for issue in sorted(scores, key=_issue_order):  # at most six issues
        known_ids = known.filter(pl.col("issue") == issue)["household_id"]
        keep = ~ids.is_in(known_ids.implode()).to_numpy() if known_ids.len() else None
        s = scores[issue]
        cl = checklist.get(issue)
        sel = np.flatnonzero(keep) if keep is not None else np.arange(len(s))
        order = np.argsort(-s[sel], kind="stable")  # stable: ties keep household_id order
        rank = np.empty(len(sel), dtype=np.int64)
        rank[order] = np.arange(1, len(sel) + 1)
        parts.append(
            pl.DataFrame(
                {
                    "household_id": ids.gather(sel) if keep is not None else ids,
                    "issue": pl.repeat(issue, len(sel), dtype=pl.String, eager=True),
                    "score": s[sel],
                    "rank": rank,
                    "checklist_score": cl[sel] if cl is not None else np.full(len(sel), np.nan),
                }
            )
        )
    if not parts:
        return pl.DataFrame(schema=SCORES_SCHEMA)
    return (
        pl.concat(parts)
        .with_columns(
            pl.col("checklist_score").fill_nan(None),
            as_of=pl.lit(as_of, dtype=pl.Date),
            model_version=pl.lit(version, dtype=pl.String),
        )
        .select(list(SCORES_SCHEMA.names()))
        .cast(dict(SCORES_SCHEMA))
    )


def score_frames(
    features: pl.DataFrame,
    known_cases: pl.DataFrame,
    model: IssueScorer,
    checklist: ChecklistScorer,
    feature_items: Mapping[str, str | None],
    texts: ReasonTexts,
    shortlist_config: ShortlistConfig,
    as_of: date,
    reasons_k: int = 3,
    timer: StageTimer | None = None,
    held_back: pl.DataFrame | None = None,
) -> ScoreResult:
    """Score every household on the date, list within capacity, explain the listed.

    In: ``features`` (one row per household on T: household_id, district, the model's
    features, ...); ``known_cases`` (household_id, issue: confirmed on or before T);
    the model, the checklist, the feature → item map, the reason texts, the shortlist
    config; ``held_back`` (optional: household_id, issue pairs the outreach loop holds
    back, not listed for that issue, see :func:`kizuki.shortlist.build_shortlist`).
    Out: :class:`ScoreResult` with
    - ``scores``: :data:`SCORES_SCHEMA`, one row per (household, issue) in the cohort;
    - ``shortlist``: :data:`kizuki.shortlist.SHORTLIST_SCHEMA` plus ``reasons``
      (list of :data:`kizuki.report.REASON_STRUCT`, strongest first) and ``as_of``;
    - ``explanation``: the reasons (:class:`kizuki.explain.Explanation`);
    - ``fired``: household_id, issue, item, text_ja, text_en: checklist items that
      fired for listed households on their listed issues;
    - ``capacities``, ``known_cases``, ``known_counts`` (district, issue, households),
      ``cohorts`` (issue, households, known_cases).
    """
    timer = timer or StageTimer()
    _require(features, "features", ("household_id", "district"))
    if features["household_id"].is_duplicated().any():
        n = int(features["household_id"].is_duplicated().sum())
        raise ContractError(f"features: column household_id has {n} duplicated row(s)")
    features = features.sort("household_id")
    on_t = features.select("household_id", "district")
    shortlist_config.check_districts(on_t["district"].unique())
    known = known_cases.select("household_id", pl.col("issue").cast(pl.String)).join(
        on_t, on="household_id", how="semi"
    )

    with timer.stage("model"):
        probs = model.predict_proba(features)
        _require(probs, "model predictions", ("household_id", "issue", "score"))
    with timer.stage("checklist"):
        cl = checklist.checklist_scores(features)
        _require(cl, "checklist scores", ("household_id", "issue", "checklist_score"))
    with timer.stage("rank"):
        ids = on_t["household_id"]
        score_by_issue = align_by_issue(probs, "score", ids, "model predictions")
        checklist_by_issue = align_by_issue(cl, "checklist_score", ids, "checklist scores")
        scores = rank_scores(
            ids, score_by_issue, checklist_by_issue, known, as_of, str(model.version)
        )

    with timer.stage("shortlist"):
        capacities = district_capacities(on_t, shortlist_config)
        shortlist = build_shortlist(
            scores, on_t, known, capacities, shortlist_config, held_back=held_back
        )
        listed = shortlist.select("household_id", issue="issues").explode("issue")

    with timer.stage("reasons"):
        explanation = explain_listed(model, features, listed, feature_items, texts, k=reasons_k)
        if explanation.max_abs_error > FAITHFUL_ATOL:
            raise ContractError(
                "reasons: item contributions + base value differ from the model's raw output "
                f"by up to {explanation.max_abs_error:.2e} (limit {FAITHFUL_ATOL:.0e})"
            )
        listed_x = features.join(shortlist.select("household_id"), on="household_id", how="semi")
        fired = (
            checklist.explain(listed_x)
            .lazy()
            .filter(pl.col("fired"))
            .with_columns(pl.col("issue").cast(pl.String))
            .join(listed.lazy(), on=["household_id", "issue"], how="semi")
            .select("household_id", "issue", "item", "text_ja", "text_en")
            .sort("household_id", "issue", "item")
            .collect()
        )
        reasons = (
            explanation.by_household.sort("household_id", "rank")
            .group_by("household_id", maintain_order=True)
            .agg(reasons=pl.struct(*REASON_STRUCT.to_schema().keys()))
        )
        shortlist = (
            shortlist.join(reasons, on="household_id", how="left", maintain_order="left")
            .with_columns(
                pl.col("reasons").fill_null(pl.lit([], dtype=pl.List(REASON_STRUCT))),
                as_of=pl.lit(as_of, dtype=pl.Date),
            )
            .select(
                "household_id",
                "district",
                "priority",
                "issues",
                "score",
                pl.col("reasons").cast(pl.List(REASON_STRUCT)),
                "known_case",
                "compound",
                "issue_scores",
                "expected_needs",
                "known_issues",
                "as_of",
            )
        )

    known_counts = (
        known.join(on_t, on="household_id", how="inner")
        .group_by("district", "issue")
        .agg(households=pl.len().cast(pl.Int64))
        .sort("district", "issue")
    )
    issues_scored = sorted(score_by_issue, key=_issue_order)
    cohorts = (
        pl.DataFrame({"issue": issues_scored}, schema={"issue": pl.String})
        .join(scores.group_by("issue").agg(households=pl.len()), on="issue", how="left")
        .join(known.group_by("issue").agg(known_cases=pl.len()), on="issue", how="left")
        .with_columns(pl.col("households", "known_cases").fill_null(0).cast(pl.Int64))
    )
    return ScoreResult(
        scores=scores,
        shortlist=shortlist,
        explanation=explanation,
        fired=fired,
        capacities=capacities,
        known_cases=known,
        known_counts=known_counts,
        cohorts=cohorts,
    )


def _issue_order(issue: str) -> tuple[int, str]:
    return (ISSUES.index(issue) if issue in ISSUES else len(ISSUES), issue)
