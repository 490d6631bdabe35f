"""``kizuki monitor --reference RUN --current RUN``: drift and data quality between two runs.

:func:`run_monitor` reads two run folders (never their drops: the code counts of the
source tables come from the manifests), compares them (:func:`kizuki.monitor.compare_runs`),
writes ``monitor.html`` and ``monitor.json`` (default folder ``<current>/monitor``),
logs the figures to the tracking store when asked, and returns a
:class:`MonitorSummary`. Whether an alert fails the command is the caller's to act
on (``summary.alerts``, ``fails`` set from ``fail_on``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kizuki.alerts import Alert
from kizuki.config import config_hash
from kizuki.io.locks import folder_lock
from kizuki.io.swap import remove_stale_tmp_files
from kizuki.monitor.compare import MonitorResult, compare_runs
from kizuki.monitor.config import MonitorConfig
from kizuki.monitor.report import write_monitor_reports
from kizuki.pipeline.progress import Progress, quiet
from kizuki.runs import RunLayout, read_run


@dataclass(frozen=True)
class MonitorSummary:
    """What :func:`run_monitor` did: the report folder and files, the comparison, the
    alerts, and the tracking run id (None when not tracked)."""

    out: Path
    files: dict[str, Path]
    result: MonitorResult
    tracking_run: str | None

    @property
    def alerts(self) -> list[Alert]:
        """Every alert raised, ``fails`` set from the config's ``fail_on``."""
        return self.result.alerts


def run_monitor(
    reference: Path,
    current: Path,
    out: Path | None = None,
    *,
    config: MonitorConfig,
    lang: str = "ja",
    track: bool = True,
    progress: Progress = quiet,
) -> MonitorSummary:
    """Compare the run ``current`` against the earlier run ``reference``.

    In: two run folders, the report folder (None: ``<current>/monitor``), the validated
    monitor config, the report language (ja or en), whether to log to the tracking store,
    a progress callback. Out: :class:`MonitorSummary`. Raises
    :class:`~kizuki.runs.NotARun` for a folder that is not a complete run and, when
    tracking, :class:`~kizuki.errors.StoreUnavailable` before any work when the store
    cannot be used.
    """
    ref_run, cur_run = read_run(reference), read_run(current)
    if track:
        from kizuki import tracking

        tracking.check_store(write=True)  # before the comparison, not after it
    progress(
        f"monitor: {ref_run.as_of} ({ref_run.features.height:,} households) → "
        f"{cur_run.as_of} ({cur_run.features.height:,} households)"
    )
    result = compare_runs(ref_run, cur_run, config)
    folder = out or RunLayout(cur_run.path).monitor
    with folder_lock(folder, "monitor"):  # one writer; leftovers of a killed one removed
        remove_stale_tmp_files(folder)
        files = write_monitor_reports(result, folder, lang)
    progress(
        f"monitor: {int(result.drift['tested'].sum())} drift tests, {len(result.alerts)} "
        f"alert(s), {result.timings['total']:.1f} s"
    )
    tracked = _track(result, files) if track else None
    if tracked:
        progress(f"monitor: tracked as run {tracked}")
    return MonitorSummary(out=folder, files=files, result=result, tracking_run=tracked)


def _track(result: MonitorResult, files: dict[str, Path]) -> str:
    """Log the comparison's figures and reports to the tracking store; returns the run id."""
    import polars as pl

    from kizuki import tracking

    with tracking.start_run("kizuki-monitor", f"monitor-{result.current['as_of']}") as run:
        run.log_params(
            {
                "reference_run": result.reference["run_id"],
                "current_run": result.current["run_id"],
                "reference_as_of": result.reference["as_of"],
                "current_as_of": result.current["as_of"],
                "config_hash": config_hash(result.config),
            }
        )
        d = result.drift
        overall = d.filter((pl.col("kind") == "feature") & pl.col("district").is_null())
        metrics: dict[str, float | None] = {
            "alerts": float(len(result.alerts)),
            "alerts_failing": float(len(result.failing)),
            "drift_alarms": float(d["alarm"].sum()),
            "psi_max_feature": float(overall["psi"].max()) if overall.height else None,
            "tests": float(d["tested"].sum()),
        }
        for r in overall.iter_rows(named=True):
            metrics[f"psi.{r['name']}"] = r["psi"]
        for r in d.filter(pl.col("kind") == "score").iter_rows(named=True):
            metrics[f"score_psi.{r['name']}"] = r["psi"]
        lists = result.stability.lists
        metrics["jaccard"] = lists.row(0, named=True)["jaccard"]
        for r in result.stability.ranks.iter_rows(named=True):
            metrics[f"spearman.{r['issue']}"] = r["spearman"]
        for r in result.quality.tables.iter_rows(named=True):
            if r["cur_reject_share"] is not None:
                metrics[f"reject_share.{r['table']}"] = r["cur_reject_share"]
        run.log_metrics(metrics)
        for path in files.values():
            run.log_artifact(path, "monitor")
    return run.run_id
