"""The stages of a pipeline run, each a thin call into :mod:`kizuki.pipeline`.

A stage takes the run's :class:`StageContext` and returns a :class:`StageResult` (the
alerts it raised, one line saying what it did). Every stage is safe to redo: the
scoring run is "already done" when complete, and the reports of monitor, performance,
audit and pages are replaced atomically. Which stages run, and their options, come from
the pipeline file (:mod:`kizuki.runner.config`); their order is
:data:`~kizuki.runner.config.STAGE_ORDER`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from kizuki.alerts import Alert
from kizuki.calendar import add_months
from kizuki.history.layout import HistoryLayout
from kizuki.history.ledger import read_ledger
from kizuki.history.validated import ValidationCache
from kizuki.io.drop import DoorRules, LoadedDrop, load_drop, missing_table_alerts
from kizuki.pipeline.progress import Progress
from kizuki.runner.config import (
    AuditStage,
    Pipeline,
    ScoreStage,
    TrainStage,
    ValidateStage,
)
from kizuki.runner.settings import Settings
from kizuki.runs import RunLayout, read_run

if TYPE_CHECKING:
    from kizuki.runs import RunFolder


@dataclass
class StageContext:
    """What the stages of one run share.

    ``run_dir`` is the attempt's folder (``runs/<as_of>[.<n>]``, absolute); ``loaded`` the
    validated drop when this process has loaded it (None after a resume until a stage
    needs it); ``model_uri`` the exact model version the score stage uses (resolved once,
    so that a champion moved during the run does not change it).
    """

    pipeline: Pipeline
    layout: HistoryLayout
    settings: Settings
    as_of: dt.date
    run_dir: Path
    overwrite: bool
    progress: Progress
    model_uri: str | None = None
    loaded: LoadedDrop | None = None
    notes: dict[str, str] = field(default_factory=dict)
    #: this attempt's ledger row as it stands (status so far), for the history page
    pending: list[dict[str, object]] = field(default_factory=list)
    #: the history's validation cache (``validated/``): a table file validated before, by
    #: hash, is not validated again (None: every file is validated)
    cache: ValidationCache | None = None
    #: table -> sha256 of the drop's files, hashed once by the runner (its identity)
    drop_hashes: dict[str, str] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        """The pipeline's report language."""
        return self.pipeline.spec.lang

    def door(self) -> DoorRules:
        """The door's rules (validation.yaml), undeclared tables as the validate stage says."""
        opt = self.pipeline.spec.stages.validate_
        accept = bool(opt and opt.accept_undeclared)
        rules = self.settings.validation.door(accept_undeclared=accept)
        if opt is not None and opt.reject_limit is not None:
            rules = replace(rules, reject_limit=opt.reject_limit)
        return rules

    def drop(self) -> LoadedDrop:
        """The validated drop (loaded on first use)."""
        if self.loaded is None:
            self.loaded = load_drop(
                self.pipeline.drop, rules=self.door(), warn=self.progress, cache=self.cache
            )
        return self.loaded


@dataclass(frozen=True)
class StageResult:
    """What a stage did: its alerts (``fails`` set by its own policy) and one line."""

    alerts: list[Alert] = field(default_factory=list)
    summary: str = ""
    skipped: bool = False


def completed_runs(layout: HistoryLayout) -> pl.DataFrame:
    """The ledger's completed attempts (``done`` or ``alert``), the newest attempt per
    as-of date, whose folder still holds a run: columns as_of, run_dir, attempt."""
    ledger = read_ledger(layout)
    done = (
        ledger.filter(pl.col("status").is_in(["done", "alert"]))
        .sort("ended")
        .unique("as_of", keep="last", maintain_order=True)
        .sort("as_of")
        .select("as_of", "run_dir", "attempt")
    )
    keep = [RunLayout(layout.root / r).holds_run() for r in done["run_dir"]]
    return done.filter(pl.Series(keep, dtype=pl.Boolean))


def validate(ctx: StageContext) -> StageResult:
    """Validate the drop; write its report and rejects to ``validation/<run dir>/``."""
    from kizuki.pipeline.validate import check_reject_limit, write_validation

    opt = ctx.pipeline.spec.stages.validate_ or ValidateStage()
    check_reject_limit(opt.reject_limit)
    if ctx.loaded is None:
        from kizuki.io.drop import RefusedDrop

        try:
            ctx.drop()
        except RefusedDrop as refused:
            write_validation(
                ctx.layout.validation(ctx.run_dir.name), refused.report.to_json(), refused.rejects
            )
            raise
    loaded = ctx.drop()  # loaded just above, or earlier by this attempt
    write_validation(
        ctx.layout.validation(ctx.run_dir.name), loaded.report.to_json(), loaded.rejects
    )
    rows = sum(t.rows_read for t in loaded.sources.values())
    rejected = sum(t.rows_rejected for t in loaded.sources.values())
    return StageResult(
        alerts=list(loaded.alerts()),
        summary=f"{rows:,} rows read, {rejected:,} rejected; usable",
    )


def train(ctx: StageContext) -> StageResult:
    """Train as of the run's date, register, and let the champion rule decide."""
    from kizuki.pipeline.train import read_truth, train_and_register

    opt = ctx.pipeline.spec.stages.train or TrainStage()
    s = ctx.settings
    result = train_and_register(
        ctx.drop(),
        ctx.as_of,
        s.model,
        s.features,
        s.checklist,
        shortlist_config=s.shortlist,
        truth=read_truth(ctx.pipeline.drop),
        compare_without_pu=opt.compare_without_pu,
        progress=lambda line: ctx.progress("      " + line),
    )
    ctx.notes["model_version"] = result.uri.rsplit("/", 1)[-1]
    return StageResult(summary=f"registered {result.uri}")


def score(ctx: StageContext) -> StageResult:
    """Write the scoring run (contract §5) into the attempt's folder; the history's
    outreach loop shapes the list (hold-back, in support, follow-up marks), and
    ``followup.parquet`` is recomputed once the run is complete."""
    from kizuki import tracking
    from kizuki.outreach.followup import write_followup
    from kizuki.pipeline.score import default_components, drop_input, run_score

    opt = ctx.pipeline.spec.stages.score or ScoreStage()
    s = ctx.settings
    outreach = s.outreach
    components = default_components(s.features, s.checklist, rules=ctx.door(), warn=ctx.progress)
    components = replace(components, configs=(*components.configs, outreach))
    # score from the drop this night validated (through the history's cache; loaded again
    # from the cache after a resume), never from a windowed read of the files: every run of
    # a history then counts its input rows the same way, and the monitor compares like
    # with like
    loaded = ctx.drop()
    # the files were hashed once for the night's identity: the scoring run's own "already
    # done" check uses those hashes instead of reading the whole drop again
    hashes = dict(ctx.drop_hashes)
    components = replace(
        components,
        load=lambda _path: drop_input(loaded),
        load_window=None,
        fingerprint=(lambda _path: hashes) if hashes else components.fingerprint,
    )
    uri = ctx.model_uri or (None if opt.model == "champion" else opt.model)
    with tracking.start_run("kizuki-run", f"score-{ctx.as_of}") as run:
        summary = run_score(
            ctx.pipeline.drop,
            ctx.as_of,
            ctx.run_dir,
            components=components,
            shortlist_config=s.shortlist,
            report_config=s.report,
            model_uri=uri,
            lang="en" if ctx.lang == "en" else "ja",
            overwrite=ctx.overwrite,
            progress=ctx.progress,
            history=ctx.layout.root,
            outreach_config=outreach,
        )
        write_followup(ctx.layout, outreach)
        m = summary.manifest
        card = _card_beside_the_runs(ctx, uri, m.model.version)
        run.log_params(
            {"as_of": m.as_of, "model_version": m.model.version, "run_dir": ctx.run_dir.name}
        )
        run.log_metrics(
            {
                "households": m.households,
                "listed": m.shortlist.listed,
                "compound": m.shortlist.compound,
                "known_case": m.shortlist.known_case,
            }
        )
    word = "already done" if summary.already_done else "scored"
    if card:
        ctx.progress(f"      {card}")
    return StageResult(
        alerts=missing_table_alerts(m.drop.missing_table_policy),
        summary=(
            f"{word}: {m.households:,} households, {m.shortlist.listed:,} listed "
            f"({m.shortlist.compound:,} compound) with model {m.model.version}"
        ),
    )


def _card_beside_the_runs(ctx: StageContext, uri: str | None, version: str) -> str:
    """Write the model card, methodology page and register record of the version this run
    used into ``models/<version>/`` of the history, once per version (contract §10).
    Returns a line saying what happened ("" when the card was there already)."""
    from kizuki import tracking
    from kizuki.errors import ModelArtifactsMissing
    from kizuki.governance import read_card, write_model_card

    target = ctx.layout.model_card(version)
    if target.is_dir():
        return ""
    folder, _ = tracking.download_model(uri)
    try:
        card = read_card(folder)
    except ModelArtifactsMissing:
        return f"model {version} carries no model card (registered before cards): none written"
    write_model_card(target, card)
    return f"model card of {version} written to {target.relative_to(ctx.layout.root)}/"


def history_runs(ctx: StageContext) -> list[Path]:
    """The folders of the history's completed runs (newest attempt per date), plus this
    attempt's run once it is written (it has no ledger row yet)."""
    runs = [ctx.layout.root / r for r in completed_runs(ctx.layout)["run_dir"]]
    if RunLayout(ctx.run_dir).holds_run() and ctx.run_dir not in runs:
        runs.append(ctx.run_dir)
    return runs


def previous_run(ctx: StageContext) -> Path | None:
    """The history's newest completed run as of a date before this run's (None: none)."""
    done = completed_runs(ctx.layout).filter(pl.col("as_of") < ctx.as_of)
    return None if done.is_empty() else ctx.layout.root / done["run_dir"][-1]


def monitor(ctx: StageContext) -> StageResult:
    """Drift and data quality of this run against the previous run of the history."""
    from kizuki.pipeline.monitor import run_monitor

    reference = previous_run(ctx)
    if reference is None:
        return StageResult(
            summary="first run of the history: nothing to compare with", skipped=True
        )
    result = run_monitor(
        reference,
        ctx.run_dir,
        None,
        config=ctx.settings.monitor,
        lang=ctx.lang,
        progress=ctx.progress,
    )
    return StageResult(
        alerts=result.alerts,
        summary=f"against {reference.name}: {len(result.alerts)} alert(s)",
    )


def _has_outcomes(ctx: StageContext) -> bool:
    return "outcomes" in ctx.drop().tables


def performance(ctx: StageContext) -> StageResult:
    """Realised and estimated precision and recall of every completed run of the history."""
    from kizuki.pipeline.performance import run_performance

    if not _has_outcomes(ctx):
        return StageResult(
            summary="the drop has no outcomes table: nothing to measure", skipped=True
        )
    runs = history_runs(ctx)
    result = run_performance(
        runs,
        ctx.pipeline.drop,
        ctx.layout.performance,
        config=ctx.settings.monitor,
        lang=ctx.lang,
        accept_undeclared=ctx.door().accept_undeclared,
        progress=ctx.progress,
        loaded=ctx.drop(),
    )
    return StageResult(alerts=result.alerts, summary=f"{len(runs)} run(s) measured")


def matured_run(ctx: StageContext) -> RunFolder | None:
    """The newest completed run whose whole horizon lies before the drop's newest
    knowledge date (None: none has matured yet)."""
    newest = ctx.drop().newest_knowledge_date()
    if newest is None:
        return None
    known_until = dt.date.fromisoformat(newest)
    best = None
    for path in history_runs(ctx):
        folder = read_run(path)
        if add_months(folder.as_of, folder.horizon_months) <= known_until and (
            best is None or folder.as_of > best.as_of
        ):
            best = folder
    return best


def audit(ctx: StageContext) -> StageResult:
    """The fairness audit of the newest run whose horizon has matured."""
    from kizuki.pipeline.audit import run_audit

    _ = ctx.pipeline.spec.stages.audit or AuditStage()
    if not _has_outcomes(ctx):
        return StageResult(summary="the drop has no outcomes table: nothing to audit", skipped=True)
    folder = matured_run(ctx)
    if folder is None:
        return StageResult(summary="no run's horizon has matured yet", skipped=True)
    result = run_audit(
        folder.path,
        None,
        config=ctx.settings.audit,
        outcomes=ctx.pipeline.drop,
        lang=ctx.lang,
        accept_undeclared=ctx.door().accept_undeclared,
        progress=ctx.progress,
        loaded=ctx.drop(),
    )
    return StageResult(alerts=result.alerts, summary=f"audited the run as of {folder.as_of}")


def pages(ctx: StageContext) -> StageResult:
    """``pages/history.html`` (every attempt of the ledger) and ``pages/community.html``
    (地域診断: expected new cases per district and issue over the history)."""
    from kizuki.community import NoHistory, write_community_page
    from kizuki.overview import write_history_page

    written = [write_history_page(ctx.layout.root, ctx.lang, ctx.pending)]
    try:
        written.append(
            write_community_page(
                ctx.layout.root,
                ctx.pipeline.drop,
                ctx.lang,
                config=ctx.settings.community,
                loaded=ctx.drop(),
            )
        )
    except NoHistory:
        ctx.progress("      community view: the history holds no run yet")
    return StageResult(summary="wrote " + ", ".join(p.name for p in written))


#: the stage functions by name
STAGES: dict[str, Callable[[StageContext], StageResult]] = {
    "validate": validate,
    "train": train,
    "score": score,
    "monitor": monitor,
    "performance": performance,
    "audit": audit,
    "pages": pages,
}
