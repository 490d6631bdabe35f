"""``kizuki audit --run RUN``: group fairness of a run's list.

:func:`run_audit` reads the run folder; outcomes (labels, contract §2) come from the
``outcomes`` table of ``outcomes`` (a newer drop), else from the drop the run read
(its manifest's ``drop.path``) when that folder still exists. When the run's horizon
has not passed by the drop's newest knowledge date, the outcome metrics are reported as
pending. Synthetic truth (``truth/latent.parquet`` in either drop) adds a "need found"
audit. Writes ``audit.html`` and ``audit.json`` (default folder ``<run>/audit``), logs
the shown figures to the tracking store when asked, and returns an :class:`AuditSummary`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from kizuki.alerts import Alert, with_policy
from kizuki.audit.config import AuditConfig
from kizuki.audit.core import AuditResult, audit_run
from kizuki.audit.labels import find_truth, positives, truth_in_need
from kizuki.audit.report import write_audit_reports
from kizuki.config import config_hash
from kizuki.errors import KizukiError
from kizuki.io.drop import DoorRules, LoadedDrop, load_drop
from kizuki.io.files import scan_parquet
from kizuki.io.locks import folder_lock
from kizuki.io.swap import remove_stale_tmp_files
from kizuki.pipeline.progress import Progress, quiet
from kizuki.runs import RunLayout, read_run

#: the audit checks that fail the command when they fire
FAIL_ON = ("recall_disparity",)


@dataclass(frozen=True)
class AuditSummary:
    """What :func:`run_audit` did: the report folder and files, the (suppressed) result,
    whether synthetic truth was found, and the tracking run id (None when not tracked)."""

    out: Path
    files: dict[str, Path]
    result: AuditResult
    truth_found: bool
    tracking_run: str | None

    @property
    def alerts(self) -> list[Alert]:
        """The audit's alerts, ``fails`` set for :data:`FAIL_ON`."""
        return self.result.alerts


def run_audit(
    run: Path,
    out: Path | None = None,
    *,
    config: AuditConfig,
    outcomes: Path | None = None,
    lang: str = "ja",
    track: bool = True,
    accept_undeclared: bool = False,
    progress: Progress = quiet,
    loaded: LoadedDrop | None = None,
) -> AuditSummary:
    """Audit one scoring run at its list size.

    In: the run folder, the report folder (None: ``<run>/audit``), the validated audit
    config, a newer drop with outcomes (None: the run's own drop if it still exists),
    the report language, whether to track, whether a drop with undeclared tables is
    read (the run's own drop also when the run accepted it), a progress callback, the
    outcomes drop already validated (None: loaded here). Out:
    :class:`AuditSummary`. Raises KizukiError when the outcomes drop has no outcomes,
    and (when tracking) StoreUnavailable before any work when the store cannot be used.
    """
    folder = read_run(run)
    if track:
        from kizuki import tracking

        tracking.check_store(write=True)  # before loading drops and bootstrapping
    drop = outcomes
    if drop is None and folder.drop_path is not None and folder.drop_path.is_dir():
        drop = folder.drop_path
    positive, known_until = None, None
    if drop is not None:
        declared = folder.manifest.drop.declaration
        own = outcomes is None and declared is not None and declared.accepted_undeclared
        rules = DoorRules(accept_undeclared=accept_undeclared or own)
        if loaded is None:  # the runner hands over the drop it has validated already
            loaded = load_drop(drop, rules=rules, warn=progress)
        if "outcomes" not in loaded.tables:
            raise KizukiError(f"audit: the drop {drop} has no outcomes table")
        newest = loaded.newest_knowledge_date()
        known_until = dt.date.fromisoformat(newest) if newest else None
        positive = positives(loaded.tables["outcomes"], folder.as_of, folder.horizon_months)
    else:
        progress(
            "audit: no outcomes drop (give --outcomes); outcome metrics are reported as not known"
        )
    truth_path = find_truth(outcomes, folder.drop_path)
    truth = truth_in_need(scan_parquet(truth_path), folder.as_of) if truth_path else None
    result = audit_run(folder, config, positive=positive, known_until=known_until, truth=truth)
    result.alerts = with_policy(result.alerts, FAIL_ON)
    target = out or RunLayout(folder.path).audit
    with folder_lock(target, "audit"):  # one writer; leftovers of a killed one removed
        remove_stale_tmp_files(target)
        files = write_audit_reports(result, target, lang)
    status = "known" if result.labels_known else "pending"
    progress(
        f"audit: as of {result.run['as_of']}; outcomes {status} ({result.matured_share:.0%} of the "
        f"{result.horizon_months}-month horizon passed)"
        f"{'; synthetic truth found' if truth is not None else ''}"
    )
    tracked = _track(result, files) if track else None
    if tracked:
        progress(f"audit: tracked as run {tracked}")
    return AuditSummary(target, files, result, truth is not None, tracked)


def metric_key(*parts: str) -> str:
    """An MLflow metric name from parts (characters MLflow refuses become ``_``)."""
    return ".".join(re.sub(r"[^\w.\- :/]", "_", p) for p in parts)


def _track(result: AuditResult, files: dict[str, Path]) -> str:
    """Log the shown figures and the reports to the tracking store; returns the run id."""
    import polars as pl

    from kizuki import tracking

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
            key = metric_key(r["source"], r["metric"], r["issue"], r["dimension"], r["group"])
            metrics[key] = r["value"]
            if not r["reference"] and r["ratio"] is not None:
                metrics[key + ".ratio"] = r["ratio"]
        run.log_metrics(metrics)
        for path in files.values():
            run.log_artifact(path, "audit")
    return run.run_id
