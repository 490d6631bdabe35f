"""``audit_run(run, positive, truth, ...) -> AuditResult``: group fairness of one run at its list size.

For every label source (``outcomes``: case records of contract §2; ``truth``: the
synthetic generator's hidden need, when present), every issue and all issues pooled
(household × issue pairs), every dimension (district, nationality, ... and the
configured intersections) and every group: selection rate, recall (TPR), precision,
FNR, FOR and prevalence, with household-bootstrap intervals and the difference and
ratio against the dimension's reference group (the largest, unless configured).

Suppression happens here, before anything leaves: :attr:`AuditResult.rows` holds no
number derived from a cell under ``min_cell`` households (see
:mod:`kizuki.audit.suppress`); hidden numbers are null with a status saying why.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from kizuki.alerts import Alert
from kizuki.audit.bootstrap import (
    bootstrap_cells,
    disparities,
    household_patterns,
    one_hot_patterns,
)
from kizuki.audit.config import SEP, AuditConfig
from kizuki.audit.labels import UNKNOWN, audit_frame
from kizuki.audit.metrics import CELLS, METRICS
from kizuki.audit.suppress import Entry, make_entries, suppress
from kizuki.calendar import matured_share
from kizuki.errors import ConfigError
from kizuki.runs import RunFolder

ALL = "all"
OVERALL = "overall"

ROW_SCHEMA = pl.Schema(
    {
        "source": pl.String,  # outcomes | truth
        "issue": pl.String,  # issue code, or "all" (household × issue pairs pooled)
        "dimension": pl.String,  # overall | district | ... | "district × nationality"
        "group": pl.String,
        "reference": pl.Boolean,  # the dimension's reference group
        "n": pl.Int64,  # households (pairs for "all"); null when suppressed
        "n_status": pl.String,
        "metric": pl.String,
        "status": pl.String,  # shown | small | protected | pending | omitted
        "value": pl.Float64,
        "low": pl.Float64,
        "high": pl.Float64,
        "diff": pl.Float64,
        "diff_low": pl.Float64,
        "diff_high": pl.Float64,
        "ratio": pl.Float64,
        "ratio_low": pl.Float64,
        "ratio_high": pl.Float64,
    }
)
NUMBERS = ("value", "low", "high", "diff", "diff_low", "diff_high", "ratio", "ratio_low", "ratio_high")


@dataclass
class AuditResult:
    """What the audit found (rows are already suppressed)."""

    run: dict[str, Any]
    horizon_months: int
    known_until: dt.date | None
    matured_share: float
    labels_known: bool
    truth: bool
    references: dict[str, str]
    rows: pl.DataFrame
    alerts: list[Alert]
    config: AuditConfig
    timings: dict[str, float] = field(default_factory=dict)


def dimension_specs(config: AuditConfig) -> list[tuple[str, tuple[str, ...]]]:
    """(name, base columns) of every audited dimension, overall first."""
    specs: list[tuple[str, tuple[str, ...]]] = [(OVERALL, ())]
    specs += [(d, (d,)) for d in config.dimensions]
    specs += [(SEP.join(pair), tuple(pair)) for pair in config.intersections]
    return specs


def _with_dimensions(frame: pl.DataFrame, specs: Sequence[tuple[str, tuple[str, ...]]]) -> pl.DataFrame:
    extra = []
    for name, cols in specs:
        if name == OVERALL:
            extra.append(pl.lit(ALL).alias(OVERALL))
        elif len(cols) > 1:
            extra.append(pl.concat_str([pl.col(c) for c in cols], separator=SEP).alias(name))
    return frame.with_columns(extra)


def _reference(name: str, groups: list[str], sizes: dict[str, int], config: AuditConfig) -> int:
    wanted = config.reference_groups.get(name)
    if wanted is not None:
        if wanted not in groups:
            raise ConfigError(
                f"audit config: reference_groups '{name}' names group '{wanted}', which no "
                f"household of the run is in ({len(groups)} groups on the as-of date)"
            )
        return groups.index(wanted)
    # the largest known group; "unknown" only when nothing else exists
    return max(range(len(groups)), key=lambda i: (groups[i] != UNKNOWN, sizes.get(groups[i], 0)))


def _rng(seed: int, *key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32("\x1f".join(key).encode("utf-8"))])


def audit_run(
    run: RunFolder,
    config: AuditConfig,
    *,
    positive: pl.DataFrame | None,
    known_until: dt.date | None,
    truth: pl.DataFrame | None = None,
) -> AuditResult:
    """Audit one run (see module docstring).

    In: the run folder; ``positive``: household_id, issue of confirmed cases opened in the
    run's horizon (None when no outcomes drop was given); ``known_until``: the outcomes
    drop's newest knowledge date; ``truth``: household_id, issue truly in need on T (or None).
    """
    t0 = time.perf_counter()
    horizon = run.horizon_months
    share = matured_share(run.as_of, horizon, known_until) if positive is not None else 0.0
    labels_known = positive is not None and share >= config.min_matured_share
    specs = dimension_specs(config)
    base_cols = sorted({c for _, cols in specs for c in cols})
    frame = _with_dimensions(audit_frame(run, base_cols, positive, truth), specs)
    issues = sorted(frame["issue"].unique().to_list())
    households = run.features.height
    sources = [("outcomes", "label", labels_known)]
    if truth is not None:
        sources.append(("truth", "truth", True))

    # household counts on T per group: the reference group is the largest one
    on_t = _with_dimensions(frame.unique("household_id").select("household_id", *base_cols), specs)
    dim_names = [name for name, _ in specs]
    scopes = [*issues, ALL]
    layout: dict[str, tuple[list[str], int, np.ndarray]] = {}
    references: dict[str, str] = {}
    for name, cols in specs:
        groups = sorted(on_t[name].unique().to_list())
        sizes = dict(on_t.group_by(name).len().iter_rows())
        ref = _reference(name, groups, sizes, config)
        if name != OVERALL:
            references[name] = groups[ref]
        omitted = np.array([len(cols) > 1 and sizes.get(g, 0) < config.intersection_min_households for g in groups])
        layout[name] = (groups, ref, omitted)

    rows: list[dict[str, Any]] = []
    for source, label, known in sources:
        case = pl.col(label).fill_null(False)
        cell_exprs = [
            (pl.col("listed") & case).sum().cast(pl.Int64).alias("tp"),
            (pl.col("listed") & ~case).sum().cast(pl.Int64).alias("fp"),
            (~pl.col("listed") & case).sum().cast(pl.Int64).alias("fn"),
            (~pl.col("listed") & ~case).sum().cast(pl.Int64).alias("tn"),
        ]
        cells: dict[tuple[str, str], np.ndarray] = {}
        entries: dict[tuple[str, str], list[Entry]] = {}
        for name, _ in specs:
            groups, _, omitted = layout[name]
            counts = frame.group_by("issue", pl.col(name).alias("group")).agg(cell_exprs)
            grid = pl.DataFrame({"issue": issues}).join(pl.DataFrame({"group": groups}), how="cross")
            full = grid.join(counts, on=["issue", "group"], how="left").fill_null(0).sort("issue", "group")
            stacked = full.select(CELLS).to_numpy().astype(np.int64).reshape(len(issues), len(groups), 4)
            for i, issue in enumerate(issues):
                cells[(name, issue)] = stacked[i]
            cells[(name, ALL)] = stacked.sum(axis=0)
            for scope in scopes:
                entries[(name, scope)] = make_entries(cells[(name, scope)], config.min_cell, known, omitted)
        suppress(_margin_list(specs, layout, entries, issues), config.min_cell)

        # each household's cells summed over its issues (for the all-issues bootstrap)
        per_household = frame.group_by("household_id").agg(cell_exprs).join(
            on_t.select("household_id", *dim_names), on="household_id", how="left"
        )
        for name, _ in specs:
            groups, ref, omitted = layout[name]
            pooled_patterns = household_patterns(per_household, name, groups)
            for scope in scopes:
                c = cells[(name, scope)]
                pats, gi, hh = pooled_patterns if scope == ALL else one_hot_patterns(c)
                boot = bootstrap_cells(
                    pats, gi, hh, len(groups), config.bootstrap.replicates,
                    _rng(config.bootstrap.seed, source, name, scope),
                )
                stats = disparities(c, boot, ref, config.bootstrap.level)
                rows += _rows(source, scope, name, groups, ref, entries[(name, scope)], known, c, stats, omitted)
    result_rows = pl.DataFrame(rows, schema=ROW_SCHEMA) if rows else ROW_SCHEMA.to_frame()
    alerts = recall_alerts(result_rows, config)
    return AuditResult(
        run={
            "run_id": run.run_id,
            "as_of": run.as_of.isoformat(),
            "path": str(run.path),
            "households": households,
            "listed": run.shortlist.height,
            "model_version": run.model_version,
        },
        horizon_months=horizon,
        known_until=known_until,
        matured_share=share,
        labels_known=labels_known,
        truth=truth is not None,
        references=references,
        rows=result_rows,
        alerts=alerts,
        config=config,
        timings={"total": round(time.perf_counter() - t0, 3)},
    )


def _margin_list(
    specs: Sequence[tuple[str, tuple[str, ...]]],
    layout: dict[str, tuple[list[str], int, np.ndarray]],
    entries: dict[tuple[str, str], list[Entry]],
    issues: Sequence[str],
) -> list[tuple[Entry, list[Entry]]]:
    """Every (published total, parts) pair: a dimension's groups against the overall row;
    an intersection's rows and columns against the marginal groups; a group's issues
    against its all-issues figure."""
    out: list[tuple[Entry, list[Entry]]] = []
    dims = {name for name, _ in specs}
    for scope in [*issues, ALL]:
        overall = entries[(OVERALL, scope)][0]
        for name, cols in specs:
            if name == OVERALL:
                continue
            parts = entries[(name, scope)]
            out.append((overall, parts))
            if len(cols) < 2:
                continue
            groups = layout[name][0]
            split = [g.split(SEP) for g in groups]
            for axis, col in enumerate(cols):
                if col not in dims:
                    continue
                col_groups = layout[col][0]
                for k, value in enumerate(col_groups):
                    members = [parts[i] for i, sp in enumerate(split) if sp[axis] == value]
                    if members:
                        out.append((entries[(col, scope)][k], members))
    for name, _ in specs:
        for g in range(len(layout[name][0])):
            out.append((entries[(name, ALL)][g], [entries[(name, i)][g] for i in issues]))
    return out


def _rows(
    source: str,
    scope: str,
    name: str,
    groups: list[str],
    ref: int,
    entries: list[Entry],
    known: bool,
    cells: np.ndarray,
    stats: dict[str, dict[str, np.ndarray]],
    omitted: np.ndarray,
) -> list[dict[str, Any]]:
    out = []
    n = cells.sum(axis=1)
    for gi, g in enumerate(groups):
        if omitted[gi]:
            continue
        e = entries[gi]
        n_status = e.status("n", known)
        for m in METRICS:
            item = "recall" if m == "fnr" else m
            status = e.status(item, known)
            row: dict[str, Any] = {
                "source": source,
                "issue": scope,
                "dimension": name,
                "group": g,
                "reference": gi == ref,
                "n": int(n[gi]) if n_status == "shown" else None,
                "n_status": n_status,
                "metric": m,
                "status": status,
            }
            if status == "shown":
                ref_shown = entries[ref].status(item, known) == "shown"
                for k in NUMBERS:
                    v = float(stats[m][k][gi])
                    if k.startswith(("diff", "ratio")) and not ref_shown:
                        v = float("nan")
                    row[k] = None if not np.isfinite(v) else v
            else:
                row.update({k: None for k in NUMBERS})
            out.append(row)
    return out


def recall_alerts(rows: pl.DataFrame, config: AuditConfig) -> list[Alert]:
    """``recall_disparity``: a shown group whose recall ratio to the reference group has
    its whole interval below ``alerts.recall_ratio_below``."""
    limit = config.alerts.recall_ratio_below
    if limit is None:
        return []
    sources = ["outcomes", "truth"] if config.alerts.on_truth else ["outcomes"]
    hit = rows.filter(
        pl.col("source").is_in(sources)
        & (pl.col("metric") == "recall")
        & (pl.col("status") == "shown")
        & ~pl.col("reference")
        & (pl.col("ratio_high") < limit)
    )
    out = []
    for r in hit.iter_rows(named=True):
        what = f"{r['dimension']}={r['group']}"
        keys = ("issue", "dimension", "group", "ratio", "ratio_low", "ratio_high", "source")
        out.append(
            Alert(
                "recall_disparity",
                f"{r['issue']}:{what}",
                {**{k: r[k] for k in keys}, "level": config.bootstrap.level, "limit": limit},
            )
        )
    return out
