"""``kizuki monitor``: drift and data quality between two runs; performance while labels are late.

Two modes, usable together in one call:

- ``kizuki monitor --reference RUN --current RUN [--out DIR]`` writes ``monitor.html`` and
  ``monitor.json`` (default folder ``<current>/monitor``);
- ``kizuki monitor --runs DIR [--runs DIR ...] --outcomes DROP [--out DIR]`` writes
  ``performance.html`` and ``performance.json`` (default folder ``./kizuki-performance``).
  Each ``--runs`` is a run folder or a folder of run folders.

Exit status 4 (errors.CheckFailed) when an alert listed under ``fail_on`` in
``configs/monitor.yaml`` fires, after the reports are written and tracked; the one-line
message names what fired.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kizuki.cli.common import guarded, info


def _lang(text: str) -> str:
    from kizuki.errors import KizukiError

    if text not in ("ja", "en"):
        raise KizukiError(f"monitor: --lang must be ja or en; got {text!r}")
    return text


def _track_monitor(result: Any, files: dict[str, Path]) -> str:
    import polars as pl

    from kizuki import tracking
    from kizuki.config import config_hash

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


def _track_performance(
    history: Any, error: Any, files: dict[str, Path], meta: dict[str, Any]
) -> str:
    import polars as pl

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


def monitor(
    reference: Annotated[
        Path | None,
        typer.Option("--reference", help="The earlier scoring-run folder to compare against."),
    ] = None,
    current: Annotated[
        Path | None, typer.Option("--current", help="The newer scoring-run folder to check.")
    ] = None,
    runs: Annotated[
        list[Path] | None,
        typer.Option(
            "--runs",
            help="Past run folders (or folders holding run folders) whose realised precision@k and "
            "recall@k to compute; repeat the option for several. Needs --outcomes.",
        ),
    ] = None,
    outcomes: Annotated[
        Path | None,
        typer.Option("--outcomes", help="A newer data drop whose outcomes table holds the labels."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the reports (default <current>/monitor, or ./kizuki-performance).",
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the HTML reports: ja or en.")
    ] = "ja",
    no_track: Annotated[
        bool, typer.Option("--no-track", help="Do not log metrics to the tracking store (MLflow).")
    ] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", help="Folder with monitor.yaml (default: configs/)."),
    ] = None,
) -> None:
    """Check a scoring run against an earlier one (drift with sample-size-aware tests, data
    quality, list stability, reason drift), and/or measure past runs' precision@k and
    recall@k as outcomes arrive. Exit 4 when a configured alert fires."""
    with guarded():
        from kizuki.alerts import Alert, raise_if_failing, with_policy
        from kizuki.errors import KizukiError
        from kizuki.monitor.config import load_monitor_config
        from kizuki.monitor.runs import find_runs, read_run
        from kizuki.pages import alert_text

        language = _lang(lang)
        if (reference is None) != (current is None):
            raise KizukiError("monitor: give both --reference and --current, or neither")
        if reference is None and not runs:
            raise KizukiError(
                "monitor: nothing to do; give --reference and --current, and/or --runs with --outcomes"
            )
        if runs and outcomes is None:
            raise KizukiError(
                "monitor: --runs needs --outcomes (a data drop holding the outcomes table)"
            )
        config = load_monitor_config(config_dir)
        alerts: list[Alert] = []
        written: list[Path] = []

        if reference is not None and current is not None:
            from kizuki.monitor.compare import compare_runs
            from kizuki.monitor.report import write_monitor_reports

            ref_run, cur_run = read_run(reference), read_run(current)
            info(
                f"monitor: {ref_run.as_of} ({ref_run.features.height:,} households) → {cur_run.as_of} ({cur_run.features.height:,} households)"
            )
            result = compare_runs(ref_run, cur_run, config)
            folder = out or (cur_run.path / "monitor")
            files = write_monitor_reports(result, folder, language)
            written.append(folder)
            info(
                f"monitor: {int(result.drift['tested'].sum())} drift tests, {len(result.alerts)} alert(s), {result.timings['total']:.1f} s"
            )
            if not no_track:
                info(f"monitor: tracked as run {_track_monitor(result, files)}")
            alerts += result.alerts

        if runs:
            from kizuki.io.drop import load_drop
            from kizuki.monitor.performance import (
                estimate_error,
                performance_alerts,
                performance_history,
            )
            from kizuki.monitor.report import write_performance_reports

            found = find_runs(runs)
            drop = load_drop(outcomes)  # type: ignore[arg-type]
            if "outcomes" not in drop.tables:
                raise KizukiError(f"monitor: the drop {outcomes} has no outcomes table")
            newest = drop.newest_knowledge_date()
            if newest is None:
                raise KizukiError(f"monitor: the drop {outcomes} holds no dated rows")
            import datetime as dt

            known_until = dt.date.fromisoformat(newest)
            history = performance_history(
                found, drop.tables["outcomes"].collect(), known_until, config.performance
            )
            error = estimate_error(history)
            p_alerts = with_policy(performance_alerts(history, config.performance), config.fail_on)
            meta = {
                "outcomes": str(outcomes),
                "known_until": known_until.isoformat(),
                "runs": len(found),
            }
            folder = out or Path("kizuki-performance")
            files = write_performance_reports(history, error, meta, p_alerts, folder, language)
            if folder not in written:
                written.append(folder)
            info(f"monitor: performance of {len(found)} run(s), outcomes known until {known_until}")
            if not no_track:
                info(f"monitor: tracked as run {_track_performance(history, error, files, meta)}")
            alerts += p_alerts

        for a in alerts:
            info(f"monitor: {'ALERT' if a.fails else 'warning'} [{a.check}] {alert_text(a, 'en')}")
        for folder in written:
            typer.echo(str(folder))
        raise_if_failing("monitor", alerts)


def register(app: typer.Typer) -> None:
    """Add the ``monitor`` command to ``app``."""
    app.command("monitor")(monitor)
