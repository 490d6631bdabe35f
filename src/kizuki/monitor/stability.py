"""List stability between two runs: who stays on the list, and whether the order holds.

- Overlap of the shortlists (Jaccard = |both| / |either|): overall, per district, per issue
  (listed for that issue).
- Rank correlation of the calibrated scores per issue (Spearman ρ and Kendall τ-b) over
  the households in both runs' cohorts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import stats

from kizuki.alerts import Alert
from kizuki.monitor.config import StabilityConfig

LISTS_SCHEMA = {
    "scope": pl.String,  # all | district | issue
    "key": pl.String,  # district or issue (null for all)
    "ref_listed": pl.Int64,
    "cur_listed": pl.Int64,
    "both": pl.Int64,
    "jaccard": pl.Float64,
}
RANKS_SCHEMA = {
    "issue": pl.String,
    "households": pl.Int64,
    "spearman": pl.Float64,
    "kendall": pl.Float64,
}


@dataclass
class StabilityResult:
    """``lists``: :data:`LISTS_SCHEMA`; ``ranks``: :data:`RANKS_SCHEMA`; alerts raised."""

    lists: pl.DataFrame
    ranks: pl.DataFrame
    alerts: list[Alert] = field(default_factory=list)


def _overlap(a: pl.DataFrame, b: pl.DataFrame, scope: str, key: str | None) -> dict[str, object]:
    ids_a, ids_b = a["household_id"].unique(), b["household_id"].unique()
    both = int(ids_a.is_in(ids_b.implode()).sum())
    union = ids_a.len() + ids_b.len() - both
    return {
        "scope": scope,
        "key": key,
        "ref_listed": ids_a.len(),
        "cur_listed": ids_b.len(),
        "both": both,
        "jaccard": both / union if union else None,
    }


def list_overlap(ref_listed: pl.DataFrame, cur_listed: pl.DataFrame) -> pl.DataFrame:
    """Jaccard overlaps. In: household_id, district, issue (one row per listed pair) per run.
    Out: :data:`LISTS_SCHEMA` rows for all, each district, each issue."""
    rows = [_overlap(ref_listed, cur_listed, "all", None)]
    for scope in ("district", "issue"):
        keys = sorted(
            set(ref_listed[scope].drop_nulls().to_list())
            | set(cur_listed[scope].drop_nulls().to_list())
        )
        for k in keys:
            rows.append(
                _overlap(
                    ref_listed.filter(pl.col(scope) == k),
                    cur_listed.filter(pl.col(scope) == k),
                    scope,
                    str(k),
                )
            )
    return pl.DataFrame(rows, schema=LISTS_SCHEMA)


def rank_correlations(ref_scores: pl.DataFrame, cur_scores: pl.DataFrame) -> pl.DataFrame:
    """Spearman and Kendall τ-b of scores per issue over households in both cohorts.

    In: scores frames (household_id, issue, score). Out: :data:`RANKS_SCHEMA`.
    """
    joined = ref_scores.select("household_id", "issue", pl.col("score").alias("r")).join(
        cur_scores.select("household_id", "issue", pl.col("score").alias("c")),
        on=["household_id", "issue"],
        how="inner",
    )
    rows = []
    for (issue,), part in sorted(joined.partition_by("issue", as_dict=True).items()):
        r, c = part["r"].to_numpy(), part["c"].to_numpy()
        if part.height < 3 or np.ptp(r) == 0 or np.ptp(c) == 0:
            rho = tau = None
        else:
            rho = float(stats.spearmanr(r, c).statistic)
            tau = float(stats.kendalltau(r, c).statistic)
        rows.append(
            {"issue": str(issue), "households": part.height, "spearman": rho, "kendall": tau}
        )
    return pl.DataFrame(rows, schema=RANKS_SCHEMA)


def list_stability(
    ref_listed: pl.DataFrame,
    cur_listed: pl.DataFrame,
    ref_scores: pl.DataFrame,
    cur_scores: pl.DataFrame,
    config: StabilityConfig,
) -> StabilityResult:
    """Overlaps, rank correlations, and ``list_stability`` alerts (overall Jaccard below
    ``min_jaccard``; an issue's Spearman below ``min_spearman``)."""
    lists = list_overlap(ref_listed, cur_listed)
    ranks = rank_correlations(ref_scores, cur_scores)
    alerts = []
    overall = lists.row(0, named=True)
    if (
        config.min_jaccard is not None
        and overall["jaccard"] is not None
        and overall["jaccard"] < config.min_jaccard
    ):
        alerts.append(
            Alert(
                "list_stability",
                "shortlist",
                {"jaccard": overall["jaccard"], "min_jaccard": config.min_jaccard},
                text="list_overlap",
            )
        )
    if config.min_spearman is not None:
        for r in ranks.filter(pl.col("spearman") < config.min_spearman).iter_rows(named=True):
            alerts.append(
                Alert(
                    "list_stability",
                    f"rank:{r['issue']}",
                    {"issue": r["issue"], "spearman": r["spearman"], "min_spearman": config.min_spearman},
                    text="list_ranks",
                )
            )
    return StabilityResult(lists, ranks, alerts)
