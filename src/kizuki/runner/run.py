"""``kizuki run PIPELINE.yaml``: one run of a pipeline over a municipality's history (contract §9).

:func:`run_pipeline`:

1. takes the history's ``lock`` without waiting (a second run exits 5 at once, naming
   the holder); a lock whose holder died (killed, machine restarted) is taken over and
   the ledger says so;
2. records as ``interrupted`` the attempts a dead process left unfinished (their
   journal, :mod:`kizuki.history.journal`);
3. identifies the run: pipeline, as-of date (``--as-of``, the file's date, or the
   newest complete month-end of the drop), the drop's file hashes, the model version
   (the champion, resolved once) and the config hash;
4. decides: the same run completed before → "already done", exit 0, nothing written;
   the same run interrupted → resumed from its first unfinished stage, in the same
   folder; the same as-of with other inputs → a new attempt ``runs/<as_of>.<n>`` beside
   the old one (``--overwrite``: the newest attempt is replaced instead);
5. runs the stages in order (:mod:`kizuki.runner.stages`) under one tracking parent run,
   the stages nested in it, a journal written after each stage, progress logged to
   ``logs/<run_id>.log``;
6. appends one ledger row with status and exit status: ``done`` (0), ``alert`` (4: an
   alert the policy fails on), ``refused`` (3: the drop, a config or the pipeline file),
   ``failed`` (2 usage, 5 a folder locked by another command, 1 a bug) or
   ``interrupted`` (130, Ctrl-C).

Test hook: ``KIZUKI_TEST_PAUSE_AT=after-<stage>`` pauses after a stage has finished and
before its journal is written (see :func:`kizuki.pipeline.score.pause_point`); the
scoring run's own pause points work inside the score stage.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from kizuki.alerts import Alert, summary_line, with_policy
from kizuki.calendar import is_month_end, month_end
from kizuki.errors import DropRefused, FolderUnusable, KizukiError
from kizuki.history.journal import Identity, Journal, read_journals, remove_journal, write_journal
from kizuki.history.layout import HistoryLayout, run_dir_name
from kizuki.history.ledger import LedgerRow, append, drop_hashes, read_ledger
from kizuki.history.validated import ValidationCache
from kizuki.io.atomic import private_dirs
from kizuki.io.locks import Stale, hold_lock
from kizuki.pipeline.manifest import new_run_id
from kizuki.pipeline.progress import Progress, quiet
from kizuki.pipeline.score import drop_fingerprint, pause_point
from kizuki.runner.config import Pipeline
from kizuki.runner.log import RunLog
from kizuki.runner.settings import Settings, load_settings
from kizuki.runner.stages import STAGES, StageContext, StageResult
from kizuki.runs import RunLayout, read_manifest


@dataclass(frozen=True)
class RunOutcome:
    """What one ``kizuki run`` did.

    ``status``: the ledger status, or ``already_done`` (no ledger row, nothing written);
    ``run_dir``: the attempt's folder (None for a pipeline without a score stage);
    ``alerts``: every alert raised, ``fails`` set by the pipeline's policy.
    """

    status: str
    exit_status: int
    run_id: str
    as_of: dt.date | None
    run_dir: Path | None
    message: str
    alerts: list[Alert] = field(default_factory=list)
    resumed_from: str | None = None
    log: Path | None = None
    #: seconds per stage run by this process (the runner's own overhead is the rest)
    stage_seconds: dict[str, float] = field(default_factory=dict)


class NotFinished(KizukiError):
    """A stage ended the run (the error it raised, with the ledger row already written)."""


def complete_month_end(newest: dt.date) -> dt.date:
    """The newest month-end whose month is complete on ``newest`` (itself when it is a
    month-end, else the end of the month before)."""
    return newest if is_month_end(newest) else month_end(newest, -1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def _store(uri: str | None) -> Iterator[None]:
    if uri is None:
        yield
        return
    from kizuki import tracking

    with tracking.using_store(uri):
        yield


def _check_history(layout: HistoryLayout) -> None:
    root = layout.root
    if root.exists() and not root.is_dir():
        raise FolderUnusable(f"run: the history {root} is a file where a folder is expected")
    private_dirs(root)


def run_pipeline(
    pipeline: Pipeline,
    *,
    as_of: dt.date | None = None,
    overwrite: bool = False,
    settings: Settings | None = None,
    progress: Progress = quiet,
) -> RunOutcome:
    """Run ``pipeline`` once (see the module docstring).

    In: the validated pipeline, the as-of date (None: the file's, else the newest
    complete month-end of the drop), whether the newest attempt of that date may be
    replaced, the validated configs (None: loaded), a progress callback. Out: a
    :class:`RunOutcome`. Raises :class:`~kizuki.errors.RunLocked` (exit 5) when another
    run holds the history's lock, and the KizukiError a stage raised (after its ledger
    row is written); any other exception is a bug (its ledger row says ``failed``).
    """
    layout = HistoryLayout(pipeline.history)
    _check_history(layout)
    settings = settings or load_settings()
    run_id = new_run_id()
    log = RunLog(progress)
    with _store(pipeline.tracking), hold_lock(layout.lock, "run", layout.root) as stale:
        try:
            return _locked(pipeline, layout, settings, run_id, as_of, overwrite, stale, log)
        finally:
            log.close()


@dataclass
class _Plan:
    identity: Identity
    attempt: int
    run_dir: str
    done: tuple[str, ...] = ()
    resumed: str | None = None
    #: the run completed before with this identity (``run_dir`` is its folder)
    already_done: bool = False


def _identity_matches(row: dict[str, object], identity: Identity) -> bool:
    return (
        row["pipeline"] == identity.pipeline
        and row["as_of"] == identity.as_of
        and drop_hashes(row) == identity.drop_hashes
        # a training pipeline's identity has no model version (it makes one; the ledger
        # records the version it made)
        and (identity.model_version is None or row["model_version"] == identity.model_version)
        and row["config_hash"] == identity.config_hash
    )


def _record_interrupted(
    layout: HistoryLayout, journals: list[Journal], stale: Stale | None, log: Progress
) -> None:
    """Ledger rows for attempts a dead process left (once per attempt)."""
    ledger = read_ledger(layout)
    recorded = set(ledger.filter(pl.col("status") == "interrupted")["run_id"].to_list())
    rows = []
    for j in journals:
        if j.run_id in recorded:
            continue
        last = j.stages_done[-1] if j.stages_done else None
        took_over = f"; stale lock of {stale.describe()} taken over" if stale else ""
        message = (
            f"interrupted after stage {last or '(none)'} (process {j.pid} ended without "
            f"finishing){took_over}"
        )
        log(f"run: {j.run_dir}: attempt {j.run_id} was {message}")
        rows.append(
            LedgerRow(
                run_id=j.run_id,
                pipeline=j.identity.pipeline,
                as_of=j.identity.as_of,
                attempt=j.attempt,
                run_dir=j.run_dir,
                started=j.started,
                ended=None,
                status="interrupted",
                stage=last,
                drop_hashes=j.identity.drop_hashes,
                model_version=j.identity.model_version,
                config_hash=j.identity.config_hash,
                shortlist_hash=None,
                exit_status=None,
                message=message,
            )
        )
    append(layout, rows)


def _resolve_model(pipeline: Pipeline) -> tuple[str | None, str | None]:
    """(model version, exact URI) the score stage will use; (None, None) without one."""
    stages = pipeline.spec.stages
    if stages.score is None or stages.train is not None:
        return None, None
    wanted = stages.score.model
    if wanted != "champion" and not wanted.startswith("models:/"):
        return f"local:{Path(wanted).name}", wanted
    from kizuki.tracking import check_store, resolve_model_uri

    check_store(write=False)
    ref = resolve_model_uri(None if wanted == "champion" else wanted)
    return ref.version, ref.uri


def _plan(
    layout: HistoryLayout,
    identity: Identity,
    journals: list[Journal],
    scores: bool,
    overwrite: bool,
) -> _Plan:
    """Where this run goes (``already_done``: it completed before, in ``run_dir``)."""
    for j in journals:
        if j.identity == identity:
            return _Plan(identity, j.attempt, j.run_dir, j.stages_done, resumed=j.run_id)
    ledger = read_ledger(layout)
    rows = ledger.filter(pl.col("as_of") == identity.as_of).rows(named=True)
    for row in reversed(rows):
        if row["status"] in ("done", "alert") and _identity_matches(row, identity):
            holds = not scores or RunLayout(layout.root / row["run_dir"]).holds_run()
            if holds:
                return _Plan(identity, int(row["attempt"]), str(row["run_dir"]), already_done=True)
    if not scores:
        return _Plan(identity, 1, "")
    attempts = [int(r["attempt"]) for r in rows if r["run_dir"]]
    attempts += [j.attempt for j in journals if j.identity.as_of == identity.as_of]
    if not attempts:
        return _Plan(identity, 1, f"runs/{run_dir_name(identity.as_of)}")
    newest = max(attempts)
    folder = layout.run_dir(identity.as_of, newest)
    busy = any(j.attempt == newest and j.identity.as_of == identity.as_of for j in journals)
    attempt = newest if overwrite or not (RunLayout(folder).holds_run() or busy) else newest + 1
    return _Plan(identity, attempt, f"runs/{run_dir_name(identity.as_of, attempt)}")


def _as_of(pipeline: Pipeline, given: dt.date | None, ctx_drop: StageContext) -> dt.date:
    if given is not None:
        return given
    if isinstance(pipeline.spec.as_of, dt.date):
        return pipeline.spec.as_of
    newest = ctx_drop.drop().newest_knowledge_date()
    if newest is None:
        raise DropRefused(f"run: the drop {pipeline.drop} holds no dated rows; give --as-of")
    return complete_month_end(dt.date.fromisoformat(newest))


def _shortlist_hash(run_dir: Path | None) -> str | None:
    if run_dir is None or not RunLayout(run_dir).holds_run():
        return None
    digest = read_manifest(RunLayout(run_dir).manifest).files.get(RunLayout(run_dir).shortlist.name)
    return digest.sha256 if digest else None


def _locked(
    pipeline: Pipeline,
    layout: HistoryLayout,
    settings: Settings,
    run_id: str,
    as_of: dt.date | None,
    overwrite: bool,
    stale: Stale | None,
    log: RunLog,
) -> RunOutcome:
    from kizuki import tracking

    started = _now()
    journals = read_journals(layout)
    if stale is not None or journals:
        log.start(layout.log(run_id))
    if stale is not None:
        log(f"run: the lock was left by {stale.describe()}, whose process is gone: taken over")
    tracking.check_store(write=True)  # also marks FAILED the tracking runs of dead processes
    _record_interrupted(layout, journals, stale, log)

    hashes = drop_fingerprint(pipeline.drop)
    if not pipeline.drop.is_dir():
        raise _refused_early(
            layout,
            pipeline,
            run_id,
            started,
            log,
            hashes,
            f"the drop {pipeline.drop} is not a folder",
        )
    config = settings.hash(pipeline)
    scaffold = StageContext(
        pipeline=pipeline,
        layout=layout,
        settings=settings,
        as_of=dt.date.min,
        run_dir=layout.runs,
        overwrite=overwrite,
        progress=log,
        cache=ValidationCache(layout.validated, run=run_id),
        drop_hashes=hashes,
    )
    try:
        version, uri = _resolve_model(pipeline)
        day = _as_of(pipeline, as_of, scaffold)
    except KizukiError as exc:
        raise _refused_early(
            layout, pipeline, run_id, started, log, hashes, str(exc), exc
        ) from None
    identity = Identity(pipeline.name, day, hashes, version, config)
    scores = pipeline.spec.stages.score is not None
    plan = _plan(layout, identity, journals, scores, overwrite)
    if plan.already_done:
        message = (
            f"already done: {pipeline.name} as of {day} completed before with the same drop "
            "files, model version and configs; nothing was rewritten"
        )
        log(f"run: {message}")
        folder = layout.root / plan.run_dir if plan.run_dir else None
        return RunOutcome("already_done", 0, run_id, day, folder, message)
    log.start(layout.log(run_id))
    run_dir = layout.root / plan.run_dir if plan.run_dir else None
    if stale is not None and not journals:  # no attempt to blame: this row says so
        scaffold.notes["stale_lock"] = stale.describe()
    ctx = replace(
        scaffold,
        as_of=day,
        run_dir=run_dir or layout.runs / run_dir_name(day),
        model_uri=uri,
        overwrite=overwrite and plan.resumed is None,
    )
    journal = Journal(run_id, plan.run_dir, plan.attempt, identity, started, os.getpid(), plan.done)
    write_journal(layout, journal)
    where = plan.run_dir or "(no run folder)"
    if plan.resumed:
        log(
            f"run: resuming {where} (attempt {plan.attempt}) after stage {plan.done[-1] if plan.done else '(none)'}"
        )
    else:
        log(f"run: {pipeline.name} as of {day}: attempt {plan.attempt} into {where}")
    return _stages(ctx, journal, plan, log)


def _refused_early(
    layout: HistoryLayout,
    pipeline: Pipeline,
    run_id: str,
    started: dt.datetime,
    log: RunLog,
    hashes: dict[str, str],
    message: str,
    exc: KizukiError | None = None,
) -> KizukiError:
    """Ledger row for a run that could not be identified (no as-of, no model, no drop)."""
    log.start(layout.log(run_id))
    code = exc.exit_code if exc is not None else 3
    status = "refused" if code == 3 else "failed"
    log(f"run: {status}: {message}")
    append(
        layout,
        [
            LedgerRow(
                run_id=run_id,
                pipeline=pipeline.name,
                as_of=None,  # not known: the run was not identified
                attempt=0,
                run_dir="",
                started=started,
                ended=_now(),
                status=status,
                stage=None,
                drop_hashes=hashes,
                model_version=None,
                config_hash="",
                shortlist_hash=None,
                exit_status=code,
                message=message,
            )
        ],
    )
    return exc if exc is not None else DropRefused(f"run: {message}")


def _policy(pipeline: Pipeline, alerts: list[Alert]) -> list[Alert]:
    fail_on = pipeline.spec.alerts.fail_on
    return alerts if fail_on == "configured" else with_policy(alerts, fail_on)


def _so_far(alerts: list[Alert], names: tuple[str, ...]) -> tuple[str, int, str]:
    """(status, exit status, message) of an attempt whose stages all finished."""
    failing = [a for a in alerts if a.fails]
    if failing:
        return "alert", 4, summary_line("run", failing)
    warned = f"; {len(alerts)} warning(s)" if alerts else ""
    return "done", 0, f"{len(names)} stage(s) done{warned}"


def _row(
    ctx: StageContext, journal: Journal, plan: _Plan, status: str, code: int, message: str
) -> LedgerRow:
    """The ledger row of this attempt."""
    run_dir = ctx.layout.root / plan.run_dir if plan.run_dir else None
    if "stale_lock" in ctx.notes:
        message = f"{message}; took over the stale lock of {ctx.notes['stale_lock']}"
    version = ctx.notes.get("model_version", plan.identity.model_version)
    return LedgerRow(
        run_id=journal.run_id,
        pipeline=ctx.pipeline.name,
        as_of=ctx.as_of,
        attempt=plan.attempt,
        run_dir=plan.run_dir,
        started=journal.started,
        ended=_now(),
        status=status,
        stage=journal.stages_done[-1] if journal.stages_done else None,
        drop_hashes=plan.identity.drop_hashes,
        model_version=version,
        config_hash=plan.identity.config_hash,
        shortlist_hash=_shortlist_hash(run_dir),
        exit_status=code,
        message=message,
    )


def _stages(ctx: StageContext, journal: Journal, plan: _Plan, log: RunLog) -> RunOutcome:
    from kizuki import tracking

    pipeline, layout = ctx.pipeline, ctx.layout
    names = pipeline.spec.stages.names()
    alerts: list[Alert] = []
    timings: dict[str, float] = {}
    status, code, message = "done", 0, ""
    error: BaseException | None = None
    tags = {
        "kizuki.pipeline": pipeline.name,
        "kizuki.as_of": ctx.as_of.isoformat(),
        "kizuki.run_dir": plan.run_dir,
        "kizuki.attempt_of": plan.resumed or "",
    }
    parent = tracking.start_run("kizuki-run", f"{pipeline.name}-{ctx.as_of}", tags)
    try:
        with tracking.nested_under(parent):
            parent.log_params(
                {
                    "config_hash": plan.identity.config_hash,
                    "model_version": plan.identity.model_version,
                }
            )
            for i, name in enumerate(names, start=1):
                if name in journal.stages_done:
                    log(f"[{i}/{len(names)}] {name}: finished by an earlier attempt")
                    continue
                log(f"[{i}/{len(names)}] {name}")
                if name == "pages":  # the page shows this attempt too, with its status so far
                    ctx.pending = [_row(ctx, journal, plan, *_so_far(alerts, names)).record()]
                t0 = time.perf_counter()
                result: StageResult = STAGES[name](ctx)
                timings[name] = time.perf_counter() - t0
                seen = {(a.check, a.subject) for a in alerts}  # validate and score both
                alerts += [
                    a for a in _policy(pipeline, result.alerts) if (a.check, a.subject) not in seen
                ]
                if result.summary:
                    log(f"      {result.summary}")
                pause_point(f"after-{name}")
                journal = journal.finished(name)
                write_journal(layout, journal)
        status, code, message = _so_far(alerts, names)
    except KizukiError as exc:
        error = exc
        code = exc.exit_code
        status = "refused" if code == 3 else "failed"
        message = " ".join(str(exc).split())
    except KeyboardInterrupt as exc:
        error, status, code, message = exc, "interrupted", 130, "interrupted (Ctrl-C)"
    except Exception as exc:  # a bug: recorded, then re-raised with its traceback
        error, status, code, message = (
            exc,
            "failed",
            1,
            f"unexpected failure ({type(exc).__name__})",
        )
    parent.set_tags({"kizuki.status": status, "kizuki.exit_status": str(code)})
    parent.end("FINISHED" if status in ("done", "alert") else "FAILED")
    row = _row(ctx, journal, plan, status, code, message)
    append(layout, [row])
    if status != "interrupted":
        remove_journal(layout, journal)
    log(f"run: {status} (exit status {code}): {message}")
    if error is not None:
        raise error
    run_dir = layout.root / plan.run_dir if plan.run_dir else None
    return RunOutcome(
        status,
        code,
        journal.run_id,
        ctx.as_of,
        run_dir,
        message,
        alerts,
        resumed_from=plan.resumed,
        log=layout.log(journal.run_id),
        stage_seconds=timings,
    )
