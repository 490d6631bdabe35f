"""``kizuki audit --run RUN [--outcomes DROP] [--out DIR] [--lang ja|en]``: group fairness of a run's list.

Outcomes (labels, contract §2) come from the ``outcomes`` table of ``--outcomes`` (a
newer drop), else from the drop the run read (its manifest's ``drop.path``) when that
folder still exists. When the run's horizon has not passed by the drop's newest
knowledge date, the outcome metrics are reported as pending. Synthetic truth
(``truth/latent.parquet`` in either drop) adds a "need found" audit. Exit status 4
(errors.CheckFailed) when a configured alert fires, after the reports are written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from kizuki.cli.common import guarded, info


def _metric_key(*parts: str) -> str:
    """An MLflow metric name from parts (characters MLflow refuses become ``_``)."""
    return ".".join(re.sub(r"[^\w.\- :/]", "_", p) for p in parts)


def _track(result: Any, files: dict[str, Path]) -> str:
    import polars as pl

    from kizuki import tracking
    from kizuki.config import config_hash

    with tracking.start_run("kizuki-audit", f"audit-{result.run['as_of']}") as run:
        run.log_params(
            {
                "run": result.run["run_id"],
                "as_of": result.run["as_of"],
                "outcomes_known_until": result.known_until,
                "matured_share": f"{result.matured_share:.3f}",
                "config_hash": config_hash(result.config),
            }
        )
        metrics: dict[str, float | None] = {"alerts": float(len(result.alerts))}
        # only numbers the report shows: suppressed cells are null and never logged
        shown = result.rows.filter(
            (pl.col("status") == "shown") & pl.col("metric").is_in(["recall", "selection_rate"])
        )
        for r in shown.iter_rows(named=True):
            key = _metric_key(r["source"], r["metric"], r["issue"], r["dimension"], r["group"])
            metrics[key] = r["value"]
            if not r["reference"] and r["ratio"] is not None:
                metrics[key + ".ratio"] = r["ratio"]
        run.log_metrics(metrics)
        for path in files.values():
            run.log_artifact(path, "audit")
    return run.run_id


def audit(
    run: Annotated[Path, typer.Option("--run", help="A scoring-run folder (kizuki score --out).")],
    outcomes: Annotated[
        Path | None,
        typer.Option("--outcomes", help="A newer data drop whose outcomes hold the cases [default: the run's own drop]."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for audit.html and audit.json [default: RUN/audit].")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of audit.html: ja or en.")] = "ja",
    no_track: Annotated[bool, typer.Option("--no-track", help="Do not log metrics to the tracking store (MLflow).")] = False,
    config_dir: Annotated[Path | None, typer.Option("--config-dir", help="Folder with audit.yaml (default: configs/).")] = None,
) -> None:
    """Per group (district, nationality, household type, age band, sex of the head, and
    intersections): selection rate, recall, precision, FNR, FOR and prevalence at the list
    size, with bootstrap intervals and differences and ratios to a reference group; recall
    parity first; cells under 10 households suppressed. Exit 4 when a configured alert fires."""
    with guarded():
        import datetime as dt

        import polars as pl

        from kizuki.alerts import raise_if_failing, with_policy
        from kizuki.audit.config import load_audit_config
        from kizuki.audit.core import audit_run
        from kizuki.audit.labels import find_truth, positives, truth_in_need
        from kizuki.audit.report import write_audit_reports
        from kizuki.errors import KizukiError
        from kizuki.monitor.runs import read_run
        from kizuki.pages import alert_text

        if lang not in ("ja", "en"):
            raise KizukiError(f"audit: --lang must be ja or en; got {lang!r}")
        config = load_audit_config(config_dir)
        folder = read_run(run)
        drop = outcomes
        if drop is None and folder.drop_path is not None and folder.drop_path.is_dir():
            drop = folder.drop_path
        positive, known_until = None, None
        if drop is not None:
            from kizuki.io.drop import load_drop

            loaded = load_drop(drop)
            if "outcomes" not in loaded.tables:
                raise KizukiError(f"audit: the drop {drop} has no outcomes table")
            newest = loaded.newest_knowledge_date()
            known_until = dt.date.fromisoformat(newest) if newest else None
            positive = positives(loaded.tables["outcomes"], folder.as_of, folder.horizon_months)
        else:
            info("audit: no outcomes drop (give --outcomes); outcome metrics are reported as not known")
        truth_path = find_truth(outcomes, folder.drop_path)
        truth = truth_in_need(pl.scan_parquet(truth_path), folder.as_of) if truth_path else None
        result = audit_run(folder, config, positive=positive, known_until=known_until, truth=truth)
        result.alerts = with_policy(result.alerts, ["recall_disparity"])
        target = out or folder.path / "audit"
        files = write_audit_reports(result, target, lang)
        status = "known" if result.labels_known else "pending"
        info(
            f"audit: as of {result.run['as_of']}; outcomes {status} ({result.matured_share:.0%} of the "
            f"{result.horizon_months}-month horizon passed){'; synthetic truth found' if truth is not None else ''}"
        )
        if not no_track:
            info(f"audit: tracked as run {_track(result, files)}")
        for a in result.alerts:
            info(f"audit: ALERT [{a.check}] {alert_text(a, 'en')}")
        typer.echo(str(target))
        raise_if_failing("audit", result.alerts)


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to ``app``."""
    app.command("audit")(audit)
