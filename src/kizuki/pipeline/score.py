"""A scoring run (contract §5): load → features as of T → scores → shortlist → reasons → files.

:func:`run_score` writes the run folder (file names from :class:`kizuki.runs.RunLayout`),
every file atomically, ``manifest.json`` last:

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

import shutil
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from kizuki.config import config_hash
from kizuki.contract.schema import TABLES
from kizuki.errors import KizukiError
from kizuki.explain import ReasonTexts
from kizuki.explain.text import Lang
from kizuki.io.atomic import private_dirs, write_parquet
from kizuki.io.files import file_digest
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
from kizuki.runs import CODE_WINDOW_MONTHS, MANIFEST_VERSION, Manifest, RunLayout, write_manifest
from kizuki.runs.codes import code_count_queries, gather_code_counts
from kizuki.runs.manifest import (
    CodeVersion,
    Cohort,
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


class RunRefused(KizukiError):
    """A scoring run cannot start (bad date, no model, folder holds another run, ...)."""


@dataclass(frozen=True)
class TableInput:
    """What the loader says about one input table (file, hash, rows read and rejected)."""

    file: str | None
    sha256: str | None
    rows_read: int | None
    rows_rejected: int | None
    format: str | None = None


@dataclass(frozen=True)
class DropInput:
    """A loaded drop as the scoring run sees it (adapter over ``kizuki.io.drop.LoadedDrop``).

    ``tables``: the kept rows of each present table (canonical, with ``known_on``).
    """

    tables: Mapping[str, pl.LazyFrame]
    inputs: Mapping[str, TableInput]
    rejects: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    missing_tables: tuple[str, ...] = ()


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
    """

    load: Callable[[Path], DropInput]
    features: Callable[[Mapping[str, pl.LazyFrame], date], pl.DataFrame]
    model: Callable[[str | None], ModelBundle]
    checklist: Callable[[], ChecklistScorer]
    feature_items: Callable[[], Mapping[str, str | None]]
    texts: Callable[[], ReasonTexts]
    configs: tuple[Any, ...] = ()


@dataclass(frozen=True)
class RunSummary:
    """What :func:`run_score` did: the folder, its manifest, and the in-memory result."""

    out: Path
    manifest: Manifest
    result: ScoreResult


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


def _prepare_out(layout: RunLayout, overwrite: bool) -> None:
    out = layout.root
    if out.exists() and not out.is_dir():
        raise RunRefused(f"score: --out {out} exists and is not a folder")
    if layout.holds_run():
        if not overwrite:
            raise RunRefused(
                f"score: {out} already holds a scoring run (manifest.json); "
                "choose a new folder or pass --overwrite"
            )
        # leave no file of the previous run that this run would not rewrite
        layout.manifest.unlink()
        if layout.rejects.is_dir():
            shutil.rmtree(layout.rejects)
    private_dirs(out)


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
) -> RunSummary:
    """Write one scoring run as of ``as_of`` into ``out``; returns a :class:`RunSummary`.

    In: the drop folder, the as-of date, the run folder, the stages, validated configs,
    the model URI (None: the champion), the language of the reports, whether a run
    already in ``out`` may be replaced, and a progress callback (one line per stage).
    Refuses (:class:`RunRefused` / other KizukiError, one line) when the folder already
    holds a run (unless ``overwrite``), when no model is registered, when ``as_of`` is
    after the drop's newest knowledge date, or when no household exists on ``as_of``.
    """
    timer = StageTimer()
    run_id = new_run_id()
    started = datetime.now(UTC)
    drop = Path(drop)
    layout = RunLayout(Path(out))
    _prepare_out(layout, overwrite)

    # The model (importing LightGBM and MLflow, resolving the registry) loads in a
    # thread while the drop loads: mostly Python start-up work that overlaps polars'
    # native work. "model_load" is the time left to wait for it after the drop loaded.
    progress(f"score: loading {drop} and the model")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kizuki-model") as pool:
        pending = pool.submit(components.model, model_uri)
        with timer.stage("load"):
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
    known = known_cases_on(loaded.tables.get("outcomes"), as_of)

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
    )

    cfg_hash = config_hash(shortlist_config, report_config, *components.configs)
    version = code_version()
    progress(f"score: writing {layout.root}")
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
        out=layout.root,
    )
    write_manifest(layout.manifest, manifest)
    return RunSummary(out=layout.root, manifest=manifest, result=result)


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


def load_drop_input(path: Path) -> DropInput:
    """Load and validate a drop with :func:`kizuki.io.drop.load_drop`, as a :class:`DropInput`."""
    from kizuki.io.drop import load_drop

    loaded = load_drop(path)
    inputs = {
        name: TableInput(
            file=t.file,
            sha256=t.sha256,
            rows_read=t.rows_read,
            rows_rejected=t.rows_rejected,
            format=t.format,
        )
        for name, t in loaded.report.tables.items()
        if t.present
    }
    return DropInput(
        tables=loaded.tables,
        inputs=inputs,
        rejects=loaded.rejects,
        missing_tables=tuple(loaded.missing_tables),
    )


def default_components(feat_cfg: FeatureConfig, ck_cfg: ChecklistConfig) -> Components:
    """The real stages: the contract loader, the feature registry, the 気づき checklist,
    the registered LightGBM models and the bilingual item texts.

    In: the validated feature and checklist configs. Out: :class:`Components`.
    """
    from kizuki.checklist import Checklist
    from kizuki.explain import CatalogTexts, ItemText
    from kizuki.features.build import build_features
    from kizuki.features.registry import feature_items, feature_specs

    def features(tables: Mapping[str, pl.LazyFrame], as_of: date) -> pl.DataFrame:
        return build_features(tables, as_of, feat_cfg)

    def model(uri: str | None) -> ModelBundle:
        from kizuki.tracking import load_model

        m = load_model(uri)
        return LoadedModel(
            model=m, uri=uri or "models:/kizuki@champion", horizon_months=m.config.horizon_months
        )

    def checklist() -> ChecklistScorer:
        return Checklist(ck_cfg)

    def texts() -> ReasonTexts:
        groups = ck_cfg.groups
        items = {
            i.id: ItemText(i.ja, i.en, groups[i.group].ja, groups[i.group].en) for i in ck_cfg.items
        }
        formatters = {
            f.name: {
                "ja": (lambda v, f=f: f.phrase(v, "ja")),
                "en": (lambda v, f=f: f.phrase(v, "en")),
            }
            for f in feature_specs(feat_cfg)
        }
        return CatalogTexts(items=items, formatters=formatters)

    return Components(
        load=load_drop_input,
        features=features,
        model=model,
        checklist=checklist,
        feature_items=lambda: feature_items(feat_cfg),
        texts=texts,
        configs=(feat_cfg, ck_cfg),
    )
