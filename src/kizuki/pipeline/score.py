"""A scoring run (contract §5): load → features as of T → scores → shortlist → reasons → files.

:func:`run_score` writes the run folder (file names from :class:`kizuki.runs.RunLayout`),
``manifest.json`` last, and is safe to retry:

- the folder is locked while written (``<out>.lock`` beside it, an OS lock that dies
  with its process): a second writer exits 5 at once, naming the holder;
- a folder that holds a complete run of the same inputs (drop file hashes, as-of
  date, model version, config hash, language) is left untouched: "already done";
  one of other inputs needs ``overwrite``; files that are not a run are never replaced;
- the new run is built in a temporary sibling ``<out>.kizuki-incomplete-<run id>`` and
  swapped in whole only when complete (:mod:`kizuki.io.swap`): a crash at any moment
  leaves the whole old run or the whole new one under ``<out>``; the next run removes
  the temporary siblings a killed run left.

Test hook: with ``KIZUKI_TEST_PAUSE_AT=<stage>`` in the environment the run prints
``kizuki-test-pause: <stage>`` on stderr and sleeps (``KIZUKI_TEST_PAUSE_S`` seconds,
default 300) at that stage, so that a test can ``kill -9`` it at a known moment. The
stages: ``locked``, ``features``, ``written`` (the new run complete beside the old one),
``swapped`` (exchanged, the old run not yet deleted). Nothing else reads the variable.

The files:

- ``scores.parquet``     one row per (household, issue) in the cohort;
- ``shortlist.parquet``, ``shortlist.csv`` (UTF-8 with BOM), ``shortlist.xlsx``;
- ``report.html``        self-contained, Japanese by default;
- ``features.parquet``   every household on T: features and group columns (read by
  monitor and audit);
- ``rejects/<table>.parquet`` rows the loader rejected, with the rule they broke;
- ``manifest.json``      a :class:`kizuki.runs.Manifest`: run id, as-of, code version,
  config hash, model version, per input table (file hash, rows read / rejected,
  knowledge-date range, code counts), per-stage timings, counts.

The heavy parts (loader, features, model, checklist) come in through
:class:`Components` so that the pure core (:mod:`kizuki.pipeline.score_core`) can be tested
with small stand-ins; :func:`default_components` wires the real modules.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from kizuki.config import config_hash
from kizuki.contract.schema import TABLES
from kizuki.errors import FolderUnusable, KizukiError
from kizuki.explain import ReasonTexts
from kizuki.explain.text import Lang
from kizuki.io.atomic import private_dirs, write_parquet
from kizuki.io.files import file_digest
from kizuki.io.locks import folder_lock
from kizuki.io.read import sha256_of
from kizuki.io.swap import INCOMPLETE, recover, remove_stale, swap_in, temp_sibling
from kizuki.pipeline.manifest import StageTimer, code_version, code_version_text, new_run_id
from kizuki.pipeline.progress import Progress, quiet
from kizuki.pipeline.score_core import (
    ChecklistScorer,
    IssueScorer,
    ScoreResult,
    known_cases_on,
    score_frames,
)
from kizuki.report import ReportConfig, ReportData, write_reports
from kizuki.runs import (
    CODE_WINDOW_MONTHS,
    MANIFEST_VERSION,
    Manifest,
    NotARun,
    RunLayout,
    read_manifest,
    write_manifest,
)
from kizuki.runs.codes import code_count_queries, gather_code_counts
from kizuki.runs.layout import is_run_entry
from kizuki.runs.manifest import (
    CodeVersion,
    Cohort,
    DeclarationInfo,
    DistrictListing,
    DropInfo,
    FileDigest,
    InputTable,
    ModelInfo,
    ReasonsInfo,
    ShortlistInfo,
)
from kizuki.shortlist import ShortlistConfig, unknown_districts

if TYPE_CHECKING:
    from kizuki.checklist import ChecklistConfig
    from kizuki.features.config import FeatureConfig
    from kizuki.io.cache import TableCache
    from kizuki.io.drop import DoorRules, LoadedDrop
    from kizuki.io.validating import Window
    from kizuki.outreach.config import OutreachConfig
    from kizuki.outreach.loop import LoopState


class RunRefused(KizukiError):
    """A scoring run cannot start (bad date, no model, folder holds another run, ...).

    Exit 2 (a usage error, contract §6): the command line asks for something the folder
    or the dates cannot give (``--out`` holding a run of other inputs needs a new folder
    or ``--overwrite``); the drop and the configs are not at fault.
    """


class RunNotWritten(FolderUnusable, OSError):
    """The run could not be written (disk full, read-only folder); nothing was replaced
    (exit 3)."""


@dataclass(frozen=True)
class TableInput:
    """What the loader says about one input table (file, hash, rows read and rejected)."""

    file: str | None
    sha256: str | None
    rows_read: int | None
    rows_rejected: int | None
    format: str | None = None
    #: ``validated`` or ``cached`` (the file's validation was reused from the history)
    validation: str = "validated"
    #: the run (or time) a cached validation came from
    validated_in: str | None = None
    #: a windowed read: the first month read (None: the whole file)
    window_from: str | None = None


@dataclass(frozen=True)
class DropInput:
    """A loaded drop as the scoring run sees it (adapter over ``kizuki.io.drop.LoadedDrop``).

    ``tables``: the kept rows of each present table (canonical, with ``known_on``).
    """

    tables: Mapping[str, pl.LazyFrame]
    inputs: Mapping[str, TableInput]
    rejects: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    missing_tables: tuple[str, ...] = ()
    #: the drop.yaml record and the missing-table policy applied (see kizuki.io.drop)
    declaration: Mapping[str, Any] | None = None
    missing_policy: Mapping[str, str] = field(default_factory=dict)


class ModelBundle(Protocol):
    """The loaded model plus where it came from."""

    model: IssueScorer
    uri: str
    horizon_months: int


@dataclass(frozen=True)
class LoadedModel:
    """A :class:`ModelBundle`."""

    model: IssueScorer
    uri: str
    horizon_months: int = 6


@dataclass(frozen=True)
class Components:
    """The stages a scoring run calls; swap any of them in tests.

    - ``load(drop_path) -> DropInput``
    - ``features(tables, as_of) -> pl.DataFrame`` (one row per household on T)
    - ``model(uri or None) -> ModelBundle`` (None: the registered champion)
    - ``checklist() -> ChecklistScorer``
    - ``feature_items() -> feature -> checklist item``
    - ``texts() -> ReasonTexts``
    - ``configs``: validated configs whose hash goes into the manifest (besides
      shortlist and report)
    - ``resolve(uri or None) -> model version`` (optional): checks the tracking store
      and names the version a run would use, before any heavy work; with it and
      ``fingerprint``, a folder holding a run of the same inputs is "already done"
    - ``fingerprint(drop_path) -> table -> sha256`` of the drop's table files (optional)
    - ``load_window(drop_path, as_of) -> DropInput`` (optional): ``load`` reading only the
      months of the monthly tables that the features as of ``as_of`` need
    """

    load: Callable[[Path], DropInput]
    features: Callable[[Mapping[str, pl.LazyFrame], date], pl.DataFrame]
    model: Callable[[str | None], ModelBundle]
    checklist: Callable[[], ChecklistScorer]
    feature_items: Callable[[], Mapping[str, str | None]]
    texts: Callable[[], ReasonTexts]
    configs: tuple[Any, ...] = ()
    resolve: Callable[[str | None], str] | None = None
    fingerprint: Callable[[Path], Mapping[str, str]] | None = None
    #: ``load_window(drop_path, as_of) -> DropInput`` (optional): the load of a run as of
    #: ``as_of`` reading only the months its features need; used instead of ``load``
    load_window: Callable[[Path, date], DropInput] | None = None


@dataclass(frozen=True)
class RunSummary:
    """What :func:`run_score` did: the folder, its manifest, and the in-memory result
    (None when the folder already held a complete run of the same inputs:
    ``already_done``, nothing was rewritten)."""

    out: Path
    manifest: Manifest
    result: ScoreResult | None
    already_done: bool = False


def knowledge_ranges(
    tables: Mapping[str, pl.LazyFrame],
) -> dict[str, tuple[date | None, date | None]]:
    """Per table: (earliest, newest) ``known_on`` (None, None for an empty table)."""
    names = list(tables)
    if not names:
        return {}
    frames = [
        tables[n].select(
            lo=pl.col("known_on").min().cast(pl.Date), hi=pl.col("known_on").max().cast(pl.Date)
        )
        for n in names
    ]
    got = pl.collect_all(frames)
    return {n: (f["lo"].item(), f["hi"].item()) for n, f in zip(names, got, strict=True)}


#: environment variable of the kill test hook (see module docstring)
PAUSE_ENV = "KIZUKI_TEST_PAUSE_AT"


def pause_point(stage: str) -> None:
    """The test hook: sleep at ``stage`` when ``KIZUKI_TEST_PAUSE_AT`` names it."""
    if os.environ.get(PAUSE_ENV) == stage:
        print(f"kizuki-test-pause: {stage}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("KIZUKI_TEST_PAUSE_S", "300")))


def drop_fingerprint(drop: Path) -> dict[str, str]:
    """table -> sha256 of each table file of a drop folder (``<table>.csv|parquet``), the
    hashes the loader records in the manifest."""
    out: dict[str, str] = {}
    if not Path(drop).is_dir():
        return out
    for p in sorted(Path(drop).iterdir()):
        table_file = p.suffix in (".csv", ".parquet") and not p.name.startswith(".")
        if table_file and p.stem in TABLES and p.is_file():
            out[p.stem] = sha256_of(p)
    return out


def _changed_files(root: Path, manifest: Manifest) -> int:
    """How many files the manifest lists that are missing or differ from their hash."""
    bad = 0
    for name, digest in manifest.files.items():
        path = root / name
        if (
            not path.is_file()
            or path.stat().st_size != digest.bytes
            or file_digest(path)["sha256"] != digest.sha256
        ):
            bad += 1
    return bad


def _differences(
    existing: Manifest,
    *,
    drop: Path,
    as_of: date,
    version: str | None,
    cfg_hash: str,
    lang: str,
    fingerprint: Callable[[Path], Mapping[str, str]] | None,
) -> list[str]:
    """What differs between the run in a folder and the one asked for (empty: the same)."""
    diff = []
    if existing.as_of != as_of:
        diff.append("as-of date")
    if version is None or existing.model.version != version:
        diff.append("model version")
    if existing.config_hash != cfg_hash:
        diff.append("config hash")
    if existing.lang != lang:
        diff.append("language")
    recorded = {n: t.sha256 for n, t in existing.inputs.items() if t.present}
    if fingerprint is None or dict(fingerprint(drop)) != recorded:
        diff.append("drop files")
    return diff


def _check_out(final: Path) -> None:
    if final.exists() and not final.is_dir():
        raise FolderUnusable(f"score: --out {final} is a file where a folder is expected")


def _refuse_foreign(final: Path) -> None:
    """A folder without a manifest may hold an incomplete run (replaced without
    ``--overwrite``: nothing complete is lost), never someone's other files."""
    if not final.is_dir():
        return
    foreign = sorted(p.name for p in final.iterdir() if not is_run_entry(p.name))
    if foreign:
        raise FolderUnusable(
            f"score: --out {final} holds {len(foreign)} file(s) or folder(s) that are not part "
            f"of a kizuki run (e.g. '{foreign[0]}'); choose a new or empty folder"
        )


def run_score(
    drop: Path,
    as_of: date,
    out: Path,
    *,
    components: Components,
    shortlist_config: ShortlistConfig,
    report_config: ReportConfig,
    model_uri: str | None = None,
    lang: Lang = "ja",
    overwrite: bool = False,
    progress: Progress = quiet,
    history: Path | None = None,
    outreach_config: OutreachConfig | None = None,
) -> RunSummary:
    """Write one scoring run as of ``as_of`` into ``out``; returns a :class:`RunSummary`.

    In: the drop folder, the as-of date, the run folder, the stages, validated configs,
    the model URI (None: the champion), the language of the reports, whether a run
    already in ``out`` may be replaced, and a progress callback (one line per stage);
    ``history``: the run history the run belongs to (None: none), whose outreach loop
    (lists and imported visits before T, :mod:`kizuki.outreach.loop`) holds households
    back, adds those confirmed on a visit to the known cases and marks the listed ones
    (new / again / visited), under ``outreach_config`` (None: configs/outreach.yaml).
    Returns at once, rewriting nothing (``already_done``), when the folder holds a
    complete run of the same inputs. Refuses (one line) when another process writes the
    folder (:class:`~kizuki.errors.RunLocked`, exit 5), when the tracking store cannot
    be used (:class:`~kizuki.errors.StoreUnavailable`, exit 3), when the folder holds a
    run of other inputs (:class:`RunRefused`, unless ``overwrite``) or files that are not
    a run (:class:`~kizuki.errors.FolderUnusable`), when no model is registered, when
    ``as_of`` is after the drop's newest knowledge date, or when no household exists on
    ``as_of``. A run that cannot be written (disk full) is :class:`RunNotWritten`; the
    previous run is unchanged.
    """
    timer = StageTimer()
    run_id = new_run_id()
    started = datetime.now(UTC)
    drop = Path(drop)
    final = Path(out).absolute()
    _check_out(final)
    cfg_hash = config_hash(shortlist_config, report_config, *components.configs)
    with folder_lock(final, "score"):
        pause_point("locked")
        recover(final)
        remove_stale(final)
        # the tracking store first: an unreachable or broken store is one line, before any work
        version = components.resolve(model_uri) if components.resolve else None
        if RunLayout(final).holds_run():
            try:
                existing = read_manifest(RunLayout(final).manifest)
            except NotARun as exc:
                if not overwrite:
                    raise RunRefused(
                        f"score: {final} already holds a scoring run whose manifest cannot be "
                        f"read ({exc}); choose a new folder or pass --overwrite"
                    ) from None
                existing = None
            if existing is not None:
                diff = _differences(
                    existing,
                    drop=drop,
                    as_of=as_of,
                    version=version,
                    cfg_hash=cfg_hash,
                    lang=lang,
                    fingerprint=components.fingerprint,
                )
                changed = _changed_files(final, existing)
                if not diff and not changed:
                    progress(
                        f"score: already done: {final} holds a complete run of the same "
                        f"inputs (run {existing.run_id}); nothing rewritten"
                    )
                    return RunSummary(out=final, manifest=existing, result=None, already_done=True)
                if not overwrite:
                    why = (
                        f"of other inputs (differs in: {', '.join(diff)})"
                        if diff
                        else f"whose files differ from its manifest ({changed} file(s))"
                    )
                    raise RunRefused(
                        f"score: {final} already holds a scoring run (manifest.json) {why}; "
                        "choose a new folder or pass --overwrite"
                    )
        else:
            _refuse_foreign(final)
        work = temp_sibling(final, INCOMPLETE, run_id)
        try:
            private_dirs(work)  # owner-only, like every folder kizuki creates
            summary = _score_into(
                work,
                final,
                drop=drop,
                as_of=as_of,
                run_id=run_id,
                started=started,
                timer=timer,
                cfg_hash=cfg_hash,
                components=components,
                shortlist_config=shortlist_config,
                report_config=report_config,
                model_uri=model_uri,
                lang=lang,
                progress=progress,
                history=history,
                outreach_config=outreach_config,
            )
            pause_point("written")
            try:
                swap_in(work, final, run_id, after_exchange=lambda: pause_point("swapped"))
            except OSError as exc:
                raise _not_written(final, exc) from None
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return summary


# ---- the outreach loop (issue 14): the history's follow-up state as of T ----


def _outreach_loop(
    history: Path | None, config: OutreachConfig | None, as_of: date
) -> LoopState | None:
    """The loop state of the run's history as of T (None: the run is in no history)."""
    if history is None:
        return None
    from kizuki.outreach.config import load_outreach_config
    from kizuki.outreach.loop import loop_as_of

    return loop_as_of(history, config or load_outreach_config(), as_of)


def _with_in_support(known: pl.DataFrame, loop: LoopState) -> pl.DataFrame:
    """Known cases plus the pairs confirmed on a visit on or before T."""
    extra = loop.in_support.select("household_id", pl.col("issue").cast(pl.String))
    return (
        pl.concat([known.select("household_id", "issue"), extra])
        .unique()
        .sort("household_id", "issue")
    )


def _mark_loop(
    result: ScoreResult,
    features: pl.DataFrame,
    loop: LoopState | None,
    config: ShortlistConfig,
) -> tuple[ScoreResult, pl.DataFrame | None]:
    """The shortlist with its follow-up marks, and the held-back pairs of the cohort
    (None outside a history)."""
    from kizuki.shortlist import held_back_rows, mark_followup

    shortlist = mark_followup(result.shortlist, None if loop is None else loop.marks)
    held = None
    if loop is not None:
        held = held_back_rows(
            result.scores,
            features.select("household_id", "district"),
            result.capacities,
            loop.held_back,
            config,
        )
    return replace(result, shortlist=shortlist), held


def _not_written(final: Path, exc: OSError) -> RunNotWritten:
    return RunNotWritten(
        f"score: cannot write the run beside {final} ({exc.strerror or exc}); "
        "the previous run, if any, is unchanged"
    )


def _score_into(
    work: Path,
    final: Path,
    *,
    drop: Path,
    as_of: date,
    run_id: str,
    started: datetime,
    timer: StageTimer,
    cfg_hash: str,
    components: Components,
    shortlist_config: ShortlistConfig,
    report_config: ReportConfig,
    model_uri: str | None,
    lang: Lang,
    progress: Progress,
    history: Path | None = None,
    outreach_config: OutreachConfig | None = None,
) -> RunSummary:
    """The scoring run proper, written into the temporary folder ``work`` (its manifest
    names ``final``)."""
    layout = RunLayout(work)
    # The model (importing LightGBM and MLflow, resolving the registry) loads in a
    # thread while the drop loads: mostly Python start-up work that overlaps polars'
    # native work. "model_load" is the time left to wait for it after the drop loaded.
    progress(f"score: loading {drop} and the model")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kizuki-model") as pool:
        pending = pool.submit(components.model, model_uri)
        with timer.stage("load"):
            if components.load_window is not None:
                loaded = components.load_window(drop, as_of)
            else:
                loaded = components.load(drop)
        with timer.stage("model_load"):
            bundle = pending.result()
    with timer.stage("knowledge_dates"):
        ranges = knowledge_ranges(loaded.tables)
        newest = max((hi for _, hi in ranges.values() if hi is not None), default=None)
    if newest is None:
        raise RunRefused("score: the drop holds no dated rows")
    if as_of > newest:
        raise RunRefused(
            "score: --as-of is after the newest knowledge date in the drop; "
            "a run can only look at what was known"
        )
    progress(f"score: features, scores, shortlist and reasons as of {as_of}")
    with timer.stage("code_counts"):
        keys, queries = code_count_queries(loaded.tables, as_of, CODE_WINDOW_MONTHS)
        codes = gather_code_counts(keys, pl.collect_all(queries) if queries else [])
    with timer.stage("features"):
        features = components.features(loaded.tables, as_of)
    if features.height == 0:
        raise RunRefused("score: no household exists on the as-of date in residents")
    pause_point("features")
    known = known_cases_on(loaded.tables.get("outcomes"), as_of)
    loop = _outreach_loop(history, outreach_config, as_of)
    if loop is not None:
        known = _with_in_support(known, loop)

    result = score_frames(
        features,
        known,
        bundle.model,
        components.checklist(),
        components.feature_items(),
        components.texts(),
        shortlist_config,
        as_of,
        reasons_k=report_config.reasons_shown,
        timer=timer,
        held_back=None if loop is None else loop.held_back,
    )
    result, held_rows = _mark_loop(result, features, loop, shortlist_config)

    version = code_version()
    progress(f"score: writing {final}")
    try:
        return _write_run(
            layout,
            final,
            features=features,
            result=result,
            loaded=loaded,
            bundle=bundle,
            run_id=run_id,
            started=started,
            drop=drop,
            as_of=as_of,
            lang=lang,
            version=version,
            cfg_hash=cfg_hash,
            ranges=ranges,
            codes=codes,
            shortlist_config=shortlist_config,
            report_config=report_config,
            timer=timer,
            held_rows=held_rows,
            loop=loop,
        )
    except OSError as exc:  # disk full, folder gone read-only: one line, nothing replaced
        raise _not_written(final, exc) from None


def _write_run(
    layout: RunLayout,
    final: Path,
    *,
    features: pl.DataFrame,
    result: ScoreResult,
    loaded: DropInput,
    bundle: ModelBundle,
    run_id: str,
    started: datetime,
    drop: Path,
    as_of: date,
    lang: Lang,
    version: dict[str, Any],
    cfg_hash: str,
    ranges: Mapping[str, tuple[date | None, date | None]],
    codes: Mapping[str, Mapping[str, Mapping[str, int]]],
    shortlist_config: ShortlistConfig,
    report_config: ReportConfig,
    timer: StageTimer,
    held_rows: pl.DataFrame | None = None,
    loop: LoopState | None = None,
) -> RunSummary:
    """Write the run's files into ``layout`` (the temporary folder), the manifest last."""
    with timer.stage("write"):
        written = [
            write_parquet(layout.features, features),
            write_parquet(layout.scores, result.scores),
            write_parquet(layout.shortlist, result.shortlist),
        ]
        for table, rejected in sorted(loaded.rejects.items()):
            if rejected.height:
                written.append(write_parquet(layout.reject(table), rejected))
        data = ReportData(
            as_of=as_of,
            run_id=run_id,
            model_version=str(bundle.model.version),
            code_version=code_version_text(version),
            config_hash=cfg_hash,
            horizon_months=bundle.horizon_months,
            shortlist=result.shortlist,
            issue_reasons=result.explanation.by_issue,
            fired=result.fired,
            capacities=result.capacities,
            known_counts=result.known_counts,
            config=report_config,
            priority_rule=shortlist_config.priority,
            missing_tables=tuple(loaded.missing_tables),
            held_back=held_rows,
            loop=None if loop is None else loop.summary,
        )
        written += write_reports(layout.root, data, lang).values()

    manifest = _manifest(
        run_id=run_id,
        started=started,
        drop=drop,
        as_of=as_of,
        lang=lang,
        version=version,
        cfg_hash=cfg_hash,
        bundle=bundle,
        loaded=loaded,
        ranges=ranges,
        codes=codes,
        result=result,
        shortlist_config=shortlist_config,
        timer=timer,
        files={layout.name_of(p): p for p in written},
        out=final,
    )
    write_manifest(layout.manifest, manifest)
    return RunSummary(out=final, manifest=manifest, result=result)


def _manifest(
    *,
    run_id: str,
    started: datetime,
    drop: Path,
    as_of: date,
    lang: Lang,
    version: dict[str, Any],
    cfg_hash: str,
    bundle: ModelBundle,
    loaded: DropInput,
    ranges: Mapping[str, tuple[date | None, date | None]],
    codes: Mapping[str, Mapping[str, Mapping[str, int]]],
    result: ScoreResult,
    shortlist_config: ShortlistConfig,
    timer: StageTimer,
    files: Mapping[str, Path],
    out: Path,
) -> Manifest:
    inputs: dict[str, InputTable] = {}
    for name in TABLES:
        if name in loaded.missing_tables and name not in loaded.tables:
            inputs[name] = InputTable(present=False)
            continue
        if name not in loaded.tables:
            continue
        info = loaded.inputs.get(name)
        lo, hi = ranges.get(name, (None, None))
        inputs[name] = InputTable(
            present=True,
            file=info.file if info else None,
            format=info.format if info else None,
            sha256=info.sha256 if info else None,
            rows_read=info.rows_read if info else None,
            rows_rejected=info.rows_rejected if info else None,
            knowledge_date_min=lo,
            knowledge_date_max=hi,
            codes={c: dict(n) for c, n in codes.get(name, {}).items()},
            validation=info.validation if info else None,
            validated_in=info.validated_in if info else None,
            window_from=info.window_from if info else None,
        )
    sl = result.shortlist
    per_district = (
        result.capacities.join(
            sl.group_by("district").agg(
                listed=pl.len(),
                compound=pl.col("compound").sum(),
                known_case=pl.col("known_case").sum(),
            ),
            on="district",
            how="left",
        )
        .with_columns(pl.col("listed", "compound", "known_case").fill_null(0).cast(pl.Int64))
        .sort("district")
    )
    return Manifest(
        manifest_version=MANIFEST_VERSION,
        run_id=run_id,
        started_at=started.isoformat(timespec="seconds"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        as_of=as_of,
        lang=lang,
        code_version=CodeVersion(**version),
        config_hash=cfg_hash,
        model=ModelInfo(
            uri=bundle.uri,
            version=str(bundle.model.version),
            horizon_months=bundle.horizon_months,
        ),
        drop=DropInfo(
            path=str(drop.resolve()),
            missing_tables=sorted(loaded.missing_tables),
            newest_knowledge_date=max(hi for _, hi in ranges.values() if hi is not None),
            declaration=(
                DeclarationInfo.model_validate(loaded.declaration) if loaded.declaration else None
            ),
            missing_table_policy=dict(loaded.missing_policy),
        ),
        inputs=inputs,
        codes_window_months=CODE_WINDOW_MONTHS,
        households=int(result.capacities["households"].sum()),
        cohorts={
            r["issue"]: Cohort(households=r["households"], known_cases=r["known_cases"])
            for r in result.cohorts.iter_rows(named=True)
        },
        shortlist=ShortlistInfo(
            priority=shortlist_config.priority,
            min_score=shortlist_config.min_score,
            listed=sl.height,
            compound=int(sl["compound"].sum()),
            known_case=int(sl["known_case"].sum()),
            districts=[DistrictListing(**d) for d in per_district.to_dicts()],
            configured_districts_not_in_drop=unknown_districts(result.capacities, shortlist_config),
        ),
        reasons=ReasonsInfo(
            pairs_explained=result.explanation.totals.height,
            max_abs_error_vs_raw_output=result.explanation.max_abs_error,
        ),
        timings_s=timer.as_dict(),
        files={name: FileDigest(**file_digest(path)) for name, path in sorted(files.items())},
        out=str(out.resolve()),
    )


def load_drop_input(
    path: Path,
    rules: DoorRules | None = None,
    warn: Progress | None = None,
    *,
    windows: Mapping[str, Window] | None = None,
    cache: TableCache | None = None,
) -> DropInput:
    """Load and validate a drop with :func:`kizuki.io.drop.load_drop` (under the door's
    ``rules``; ``warn`` hears about undeclared tables; ``windows``: per monthly table the
    rows a run needs; ``cache``: validations kept between runs), as a :class:`DropInput`."""
    from kizuki.io.drop import load_drop

    return drop_input(load_drop(path, rules=rules, warn=warn, windows=windows, cache=cache))


def drop_input(loaded: LoadedDrop) -> DropInput:
    """A drop already loaded by :func:`kizuki.io.drop.load_drop`, as a :class:`DropInput`
    (the runner validates once and scores from the same load)."""
    inputs = {
        name: TableInput(
            file=t.file,
            sha256=t.sha256,
            rows_read=t.rows_read,
            rows_rejected=t.rows_rejected,
            format=t.format,
            validation=t.validation,
            validated_in=t.validated_in,
            window_from=t.window_from,
        )
        for name, t in loaded.report.tables.items()
        if t.present
    }
    return DropInput(
        tables=loaded.tables,
        inputs=inputs,
        rejects=loaded.rejects,
        missing_tables=tuple(loaded.missing_tables),
        declaration=loaded.declaration,
        missing_policy=loaded.missing_policy,
    )


def run_windows(feat_cfg: FeatureConfig, as_of: date) -> dict[str, Window]:
    """Per monthly table, the rows a scoring run as of ``as_of`` reads: the months its
    features need and those known in the manifest's code-count window."""
    from kizuki.features.window import windows_for

    return windows_for(feat_cfg, as_of, CODE_WINDOW_MONTHS)


def default_components(
    feat_cfg: FeatureConfig,
    ck_cfg: ChecklistConfig,
    *,
    rules: DoorRules | None = None,
    warn: Progress | None = None,
    cache: TableCache | None = None,
) -> Components:
    """The real stages: the contract loader, the feature registry, the 気づき checklist,
    the registered LightGBM models and the bilingual item texts.

    In: the validated feature and checklist configs, the door's rules (None: the
    defaults of :class:`kizuki.io.drop.DoorRules`), where its loud warnings go and the
    validation cache (None: every file is validated). Out: :class:`Components`; its
    ``load_window`` reads only the months the features as of the run's date need
    (:func:`run_windows`).
    """
    from kizuki.checklist import Checklist
    from kizuki.explain import checklist_texts
    from kizuki.features.build import build_features
    from kizuki.features.registry import feature_items

    def features(tables: Mapping[str, pl.LazyFrame], as_of: date) -> pl.DataFrame:
        return build_features(tables, as_of, feat_cfg)

    def model(uri: str | None) -> ModelBundle:
        from kizuki.tracking import load_model

        m = load_model(uri)
        return LoadedModel(
            model=m, uri=uri or "models:/kizuki@champion", horizon_months=m.config.horizon_months
        )

    def resolve(uri: str | None) -> str:
        from kizuki.tracking import check_store, resolve_model_uri

        if uri is not None and not uri.startswith("models:/"):
            return f"local:{Path(uri).name}"  # a local model folder: no store needed
        check_store(write=False)
        return resolve_model_uri(uri).version

    def checklist() -> ChecklistScorer:
        return Checklist(ck_cfg)

    def texts() -> ReasonTexts:
        # item texts, neutral forms and the checklist's own rules: a reason asserts an item
        # only for a household whose rule holds
        return checklist_texts(feat_cfg, ck_cfg)

    return Components(
        load=lambda path: load_drop_input(path, rules, warn, cache=cache),
        load_window=lambda path, as_of: load_drop_input(
            path, rules, warn, windows=run_windows(feat_cfg, as_of), cache=cache
        ),
        features=features,
        model=model,
        checklist=checklist,
        feature_items=lambda: feature_items(feat_cfg),
        texts=texts,
        configs=(feat_cfg, ck_cfg),
        resolve=resolve,
        fingerprint=drop_fingerprint,
    )
