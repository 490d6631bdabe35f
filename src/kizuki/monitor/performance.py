"""Performance while labels are late: realised precision@k / recall@k as outcomes arrive,
and the estimate from calibrated probabilities before they do.

For a run as of T with horizon H and issue i: the list L = households on the shortlist
for i (k = |L|), the cohort C = households in scores.parquet for i (on T, not already a
known case). Outcomes known until D (the outcomes drop's newest knowledge date):
positives P = cohort households with a confirmed case of i opened in (T, min(T+H, D)]
(contract §2). Realised precision@k = |L ∩ P| / k, recall@k = |L ∩ P| / |P|; the share
of the horizon that has matured is (min(D, T+H) − T) / H in days. Everything is
recomputed from the runs and the newest outcomes on every call (backfilled).

Estimate (before outcomes arrive), from the calibrated probabilities s:
expected precision@k = mean of s over L; expected recall@k = Σ_L s / Σ_C s.
Assumptions: the probabilities are calibrated for this cohort (no drift since the
model was calibrated) and are probabilities of a confirmed case within the whole
horizon; a partly matured horizon is compared with ``matured_share × expected
precision`` (cases assumed to open evenly over the horizon; recall's ratio is
unaffected by that assumption).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from kizuki.alerts import Alert
from kizuki.calendar import add_months, matured_share
from kizuki.monitor.config import PerformanceConfig
from kizuki.runs import RunFolder

ALL = "all"

PERF_SCHEMA = pl.Schema(
    {
        "run_id": pl.String,
        "as_of": pl.Date,
        "issue": pl.String,  # an issue code, or "all" (pairs pooled over issues)
        "horizon_months": pl.Int64,
        "matured_share": pl.Float64,
        "cohort": pl.Int64,
        "k": pl.Int64,
        "positives": pl.Int64,
        "hits": pl.Int64,
        "precision": pl.Float64,
        "recall": pl.Float64,
        "expected_precision": pl.Float64,
        "expected_recall": pl.Float64,
        "expected_precision_to_date": pl.Float64,
        "shown": pl.Boolean,  # matured enough to show label-dependent figures
    }
)


def run_performance(
    run: RunFolder, outcomes: pl.DataFrame, known_until: dt.date, config: PerformanceConfig
) -> pl.DataFrame:
    """Realised and expected precision@k / recall@k of one run, per issue and pooled.

    In: the run; canonical outcomes (household_id, issue, opened_on, confirmed); the
    date up to which outcomes are known. Out: :data:`PERF_SCHEMA` rows.
    """
    as_of, horizon = run.as_of, run.horizon_months
    share = matured_share(as_of, horizon, known_until)
    end = min(add_months(as_of, horizon), known_until)
    scores = run.scores.select("household_id", pl.col("issue").cast(pl.String), "score")
    listed = run.listed().select("household_id", "issue").with_columns(pl.lit(True).alias("listed"))
    pos = (
        outcomes.lazy()
        .filter(
            pl.col("confirmed")
            & (pl.col("opened_on") > pl.lit(as_of))
            & (pl.col("opened_on") <= pl.lit(end))
        )
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .with_columns(pl.lit(True).alias("positive"))
        .collect()
    )
    frame = (
        scores.join(listed, on=["household_id", "issue"], how="left")
        .join(pos, on=["household_id", "issue"], how="left")
        .with_columns(pl.col("listed", "positive").fill_null(False))
    )
    aggs = [
        pl.len().cast(pl.Int64).alias("cohort"),
        pl.col("listed").sum().cast(pl.Int64).alias("k"),
        pl.col("positive").sum().cast(pl.Int64).alias("positives"),
        (pl.col("listed") & pl.col("positive")).sum().cast(pl.Int64).alias("hits"),
        pl.col("score").filter(pl.col("listed")).sum().alias("listed_score"),
        pl.col("score").sum().alias("all_score"),
    ]
    per_issue = frame.group_by("issue").agg(aggs).sort("issue")
    pooled = frame.select(aggs).with_columns(pl.lit(ALL).alias("issue"))
    out = pl.concat([per_issue, pooled.select(per_issue.columns)])
    shown = share >= config.min_matured_share and share > 0
    return out.select(
        pl.lit(run.run_id).alias("run_id"),
        pl.lit(as_of).alias("as_of"),
        "issue",
        pl.lit(horizon, pl.Int64).alias("horizon_months"),
        pl.lit(share).alias("matured_share"),
        "cohort",
        "k",
        "positives",
        "hits",
        pl.when(pl.col("k") > 0).then(pl.col("hits") / pl.col("k")).alias("precision"),
        pl.when(pl.col("positives") > 0).then(pl.col("hits") / pl.col("positives")).alias("recall"),
        pl.when(pl.col("k") > 0)
        .then(pl.col("listed_score") / pl.col("k"))
        .alias("expected_precision"),
        pl.when(pl.col("all_score") > 0)
        .then(pl.col("listed_score") / pl.col("all_score"))
        .alias("expected_recall"),
        pl.when(pl.col("k") > 0)
        .then(share * pl.col("listed_score") / pl.col("k"))
        .alias("expected_precision_to_date"),
        pl.lit(shown).alias("shown"),
    ).cast(dict(PERF_SCHEMA))


def performance_history(
    runs: Sequence[RunFolder],
    outcomes: pl.DataFrame,
    known_until: dt.date,
    config: PerformanceConfig,
) -> pl.DataFrame:
    """:func:`run_performance` of every run, oldest first (:data:`PERF_SCHEMA`)."""
    parts = [run_performance(r, outcomes, known_until, config) for r in runs]
    if not parts:
        return PERF_SCHEMA.to_frame()
    return pl.concat(parts).sort("as_of", "run_id", "issue")


def estimate_error(history: pl.DataFrame) -> pl.DataFrame:
    """How far the estimate was from what happened, on fully matured runs.

    Out: one row per issue (and ``all``): runs, mean absolute error and mean signed error
    (expected − realised) of precision@k and recall@k. Rows where a figure is undefined
    (k = 0 or no positives) are left out of that figure.
    """
    mature = history.filter(pl.col("matured_share") >= 1.0)
    return (
        mature.group_by("issue")
        .agg(
            pl.len().cast(pl.Int64).alias("runs"),
            (pl.col("expected_precision") - pl.col("precision"))
            .abs()
            .mean()
            .alias("precision_mae"),
            (pl.col("expected_precision") - pl.col("precision")).mean().alias("precision_bias"),
            (pl.col("expected_recall") - pl.col("recall")).abs().mean().alias("recall_mae"),
            (pl.col("expected_recall") - pl.col("recall")).mean().alias("recall_bias"),
            pl.col("k").sum().cast(pl.Int64).alias("listed"),
            pl.col("hits").sum().cast(pl.Int64).alias("hits"),
        )
        .sort(pl.col("issue") == ALL, "issue")
    )


def performance_alerts(history: pl.DataFrame, config: PerformanceConfig) -> list[Alert]:
    """``performance_shortfall``: a fully matured run whose realised precision@k fell short
    of the expected by more than the configured amount (per issue, pooled row excluded)."""
    if config.precision_shortfall is None:
        return []
    bad = history.filter(
        (pl.col("matured_share") >= 1.0)
        & (pl.col("issue") != ALL)
        & (pl.col("expected_precision") - pl.col("precision") > config.precision_shortfall)
    )
    return [
        Alert(
            "performance_shortfall",
            f"{r['issue']}@{r['as_of']}",
            {k: r[k] for k in ("as_of", "issue", "k", "precision", "expected_precision")},
        )
        for r in bad.iter_rows(named=True)
    ]
