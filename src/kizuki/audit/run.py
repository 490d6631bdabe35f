"""Audit one scoring run against the case records that have arrived since.

In: a run folder (``features.parquet`` with the group columns, ``scores.parquet``,
``shortlist.parquet``, ``manifest.json``) and a drop whose ``outcomes`` hold the cases.
Out: :class:`AuditResult`: per issue × group metrics (suppressed below ``min_cell``),
recall ratios against the largest group with bootstrap intervals, whether the horizon
has matured (if not, the audit says so instead of printing zeros), and alerts.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kizuki.audit.config import AuditConfig
from kizuki.audit.metrics import bootstrap_recall_ratio, group_metrics
from kizuki.errors import KizukiError
from kizuki.model.labels import add_months


@dataclass
class AuditResult:
    """Everything the audit found (see module docstring)."""

    as_of: str
    horizon_months: int
    matured_share: float
    outcomes_through: str | None
    metrics: pl.DataFrame
    recall_ratios: pl.DataFrame
    alerts: list[str] = field(default_factory=list)


def audit_frame(run: Path, outcomes: pl.LazyFrame, horizon: int) -> tuple[pl.DataFrame, dt.date]:
    """One row per (household, issue) of the run's cohort: listed, label and group columns."""
    for name in ("features.parquet", "scores.parquet", "shortlist.parquet", "manifest.json"):
        if not (run / name).exists():
            raise KizukiError(f"audit: {run} is not a scoring run folder ({name} missing)")
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    T = dt.date.fromisoformat(str(manifest["as_of"]))
    groups = pl.read_parquet(run / "features.parquet").select(
        "household_id", "district", "hh_type", "oldest_age_band", "head_sex", "nationality"
    )
    scores = pl.read_parquet(run / "scores.parquet").select("household_id", "issue")
    listed = (
        pl.read_parquet(run / "shortlist.parquet")
        .select("household_id", "issues")
        .explode("issues")
        .rename({"issues": "issue"})
        .with_columns(listed=pl.lit(True))
    )
    end = add_months(T, horizon)
    cases = (
        outcomes.filter(
            pl.col("confirmed")
            & (pl.col("opened_on") > pl.lit(T))
            & (pl.col("opened_on") <= pl.lit(end))
        )
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .with_columns(label=pl.lit(1))
        .collect()
    )
    frame = (
        scores.join(listed, on=["household_id", "issue"], how="left")
        .join(cases, on=["household_id", "issue"], how="left")
        .join(groups, on="household_id", how="left")
        .with_columns(pl.col("listed").fill_null(False), pl.col("label").fill_null(0))
    )
    return frame, T


def run_audit(
    run: Path,
    outcomes: pl.LazyFrame,
    cfg: AuditConfig,
    horizon: int = 6,
    known_through: dt.date | None = None,
) -> AuditResult:
    """Audit ``run`` (see module docstring). ``known_through``: the date the outcomes drop
    was extracted (its newest knowledge date); default the newest outcome's date."""
    frame, T = audit_frame(run, outcomes, horizon)
    newest = known_through or outcomes.select(pl.col("known_on").max()).collect().item()
    end = add_months(T, horizon)
    total = (end - T).days
    matured = 0.0 if newest is None else max(0.0, min(1.0, (newest - T).days / total))
    tables = []
    ratios = []
    combos: list[tuple[str, ...]] = [(g,) for g in cfg.groups] + [
        tuple(x) for x in cfg.intersections
    ]
    for combo in combos:
        name = " × ".join(combo)
        f = (
            frame.with_columns(
                pl.concat_str(
                    [pl.col(c).cast(pl.String).fill_null("(unknown)") for c in combo],
                    separator=" × ",
                ).alias(name)
            )
            if len(combo) > 1
            else frame
        )
        tables.append(group_metrics(f, name, cfg.min_cell))
        for issue in f["issue"].unique(maintain_order=True).to_list():
            part = f.filter(pl.col("issue") == issue)
            sizes = (
                part.group_by(pl.col(name).cast(pl.String).fill_null("(unknown)").alias("v"))
                .len()
                .sort("len", descending=True)
            )
            if sizes.height == 0:
                continue
            reference = sizes["v"][0]
            for value in sizes["v"].to_list()[1:]:
                point, lo, hi = bootstrap_recall_ratio(
                    part,
                    name,
                    reference,
                    value,
                    draws=cfg.bootstrap_draws,
                    seed=cfg.seed,
                    min_cell=cfg.min_cell,
                )
                ratios.append(
                    {
                        "issue": issue,
                        "group": name,
                        "value": value,
                        "reference": reference,
                        "recall_ratio": point,
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
    metrics = pl.concat(tables)
    ratio_frame = pl.DataFrame(
        ratios,
        schema={
            "issue": pl.String,
            "group": pl.String,
            "value": pl.String,
            "reference": pl.String,
            "recall_ratio": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
        },
    )
    if matured < 1.0:
        # outcomes of this run are not all known yet: never show zeros for what is unknown
        unknown = ["prevalence", "precision", "recall", "fnr", "for"]
        metrics = metrics.with_columns([pl.lit(None, pl.Float64).alias(c) for c in unknown])
        ratio_frame = ratio_frame.with_columns(
            [pl.lit(None, pl.Float64).alias(c) for c in ("recall_ratio", "ci_low", "ci_high")]
        )
    alerts = []
    if matured >= 1.0:
        for r in ratio_frame.filter(pl.col("ci_high") < cfg.alert_recall_ratio).iter_rows(
            named=True
        ):
            alerts.append(
                f"{r['issue']}: recall of {r['group']}={r['value']} is below {cfg.alert_recall_ratio:.0%} of {r['reference']} "
                f"(95% interval up to {r['ci_high']:.2f})"
            )
    return AuditResult(
        as_of=str(T),
        horizon_months=horizon,
        matured_share=matured,
        outcomes_through=None if newest is None else str(newest),
        metrics=metrics,
        recall_ratios=ratio_frame,
        alerts=alerts,
    )
