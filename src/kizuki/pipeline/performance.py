"""``kizuki monitor --runs DIR --outcomes DROP``: past runs' precision@k and recall@k as
outcomes arrive, beside the estimate made before they did.

:func:`run_performance` reads the run folders (each a run, or a folder of runs such as
a history's ``runs/``) and the ``outcomes`` table of a newer drop, computes the history
(:func:`kizuki.monitor.performance_history`) and the estimate's error, writes
``performance.html`` and ``performance.json``, logs them to the tracking store when
asked, and returns a :class:`PerformanceSummary`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from kizuki.alerts import Alert, with_policy
from kizuki.errors import KizukiError
from kizuki.io.drop import DoorRules, LoadedDrop, load_drop
from kizuki.monitor.config import MonitorConfig
from kizuki.monitor.performance import estimate_error, performance_alerts, performance_history
from kizuki.monitor.report import write_performance_reports
from kizuki.pipeline.progress import Progress, quiet
from kizuki.runs import find_runs

#: where the reports go when no folder is given
DEFAULT_OUT = Path("kizuki-performance")


@dataclass(frozen=True)
class PerformanceSummary:
    """What :func:`run_performance` did.

    ``history``: :data:`kizuki.monitor.performance.PERF_SCHEMA` rows; ``error``: the
    estimate's error per issue; ``meta``: outcomes drop, known-until date, number of runs.
    """

    out: Path
    files: dict[str, Path]
    history: pl.DataFrame
    error: pl.DataFrame
    meta: dict[str, Any]
    alerts: list[Alert]
    tracking_run: str | None


def run_performance(
    runs: Sequence[Path],
    outcomes: Path,
    out: Path | None = None,
    *,
    config: MonitorConfig,
    lang: str = "ja",
    track: bool = True,
    accept_undeclared: bool = False,
    progress: Progress = quiet,
    loaded: LoadedDrop | None = None,
) -> PerformanceSummary:
    """Measure the realised precision@k / recall@k of past runs.

    In: run folders (or folders of runs), a drop holding the ``outcomes`` table, the
    report folder (None: ``./kizuki-performance``), the monitor config, the report
    language, whether to track, whether a drop with undeclared tables is read, a
    progress callback, that drop already validated (None: loaded here). Out:
    :class:`PerformanceSummary`. Raises KizukiError when the
    drop has no outcomes or no dated rows, and (when tracking) StoreUnavailable before
    any work when the store cannot be used.
    """
    found = find_runs(runs)
    if track:
        from kizuki import tracking

        tracking.check_store(write=True)  # before loading the outcomes drop
    drop = loaded or load_drop(  # the runner hands over the drop it has validated already
        outcomes, rules=DoorRules(accept_undeclared=accept_undeclared), warn=progress
    )
    if "outcomes" not in drop.tables:
        raise KizukiError(f"monitor: the drop {outcomes} has no outcomes table")
    newest = drop.newest_knowledge_date()
    if newest is None:
        raise KizukiError(f"monitor: the drop {outcomes} holds no dated rows")
    known_until = dt.date.fromisoformat(newest)
    history = performance_history(
        found, drop.tables["outcomes"].collect(), known_until, config.performance
    )
    error = estimate_error(history)
    alerts = with_policy(performance_alerts(history, config.performance), config.fail_on)
    meta = {"outcomes": str(outcomes), "known_until": known_until.isoformat(), "runs": len(found)}
    folder = out or DEFAULT_OUT
    files = write_performance_reports(history, error, meta, alerts, folder, lang)
    progress(f"monitor: performance of {len(found)} run(s), outcomes known until {known_until}")
    tracked = _track(history, error, files, meta) if track else None
    if tracked:
        progress(f"monitor: tracked as run {tracked}")
    return PerformanceSummary(folder, files, history, error, meta, alerts, tracked)


def _track(
    history: pl.DataFrame, error: pl.DataFrame, files: dict[str, Path], meta: dict[str, Any]
) -> str:
    """Log the performance figures and reports to the tracking store; returns the run id."""
    from kizuki import tracking

    with tracking.start_run("kizuki-monitor", f"performance-{meta['known_until']}") as run:
        run.log_params({"runs": meta["runs"], "outcomes_known_until": meta["known_until"]})
        metrics: dict[str, float | None] = {"runs": float(meta["runs"])}
        pooled = error.filter(pl.col("issue") == "all")
        if pooled.height:
            row = pooled.row(0, named=True)
            metrics.update(
                {
                    "estimate_precision_mae": row["precision_mae"],
                    "estimate_precision_bias": row["precision_bias"],
                    "estimate_recall_mae": row["recall_mae"],
                    "estimate_recall_bias": row["recall_bias"],
                    "matured_runs": float(row["runs"]),
                }
            )
        latest = history.filter((pl.col("issue") == "all") & pl.col("shown")).sort("as_of").tail(1)
        if latest.height:
            r = latest.row(0, named=True)
            metrics["latest_precision"] = r["precision"]
            metrics["latest_recall"] = r["recall"]
            metrics["latest_matured_share"] = r["matured_share"]
        run.log_metrics(metrics)
        for path in files.values():
            run.log_artifact(path, "performance")
    return run.run_id
