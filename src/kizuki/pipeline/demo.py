"""``kizuki demo``: the whole job on an embedded synthetic municipality (contract §6).

:func:`run_demo` runs synth (a preset) → validate → train → score into one folder:
``drop/`` (with ``truth/``), ``validation/``, ``run/`` (a scoring run, contract §5) and
``tracking/`` (its own tracking store, ``tracking/mlflow.db``). The demo always uses that
store, whatever ``KIZUKI_TRACKING_URI`` says: a model trained on synthetic data must never
reach an operator's registry or move its ``champion`` alias.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kizuki import tracking
from kizuki.checklist import ChecklistConfig
from kizuki.explain.text import Lang
from kizuki.features.config import FeatureConfig
from kizuki.io.drop import load_drop
from kizuki.io.locks import folder_lock, hold_lock
from kizuki.model.config import ModelConfig
from kizuki.pipeline.progress import Progress, quiet
from kizuki.pipeline.score import RunSummary, default_components, run_score
from kizuki.pipeline.train import read_truth, train_and_register
from kizuki.pipeline.validate import write_validation
from kizuki.report import ReportConfig
from kizuki.runs import RunLayout
from kizuki.shortlist import ShortlistConfig
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`run_demo` wrote: the drop, the scoring run, its report, its summary."""

    drop: Path
    run: Path
    report: Path
    score: RunSummary


def demo_store(out: Path) -> str:
    """The demo's own tracking store: ``sqlite:////<out>/tracking/mlflow.db``."""
    return f"sqlite:///{Path(out).absolute() / 'tracking' / 'mlflow.db'}"


def run_demo(
    out: Path,
    preset: str,
    *,
    model_config: ModelConfig,
    feature_config: FeatureConfig,
    checklist_config: ChecklistConfig,
    shortlist_config: ShortlistConfig,
    report_config: ReportConfig,
    lang: Lang = "ja",
    progress: Progress = quiet,
    then: Callable[[], None] | None = None,
) -> DemoSummary:
    """Make the ``preset`` municipality in ``out/drop``, validate it, train and register a
    model on its history, and score its newest date into ``out/run``; then call ``then``
    (the CLI's history of nights), all under the demo's lock.

    In: the folder, the synth preset, validated configs, the report language, a progress
    callback (the steps), what to do after scoring. Out: :class:`DemoSummary`. The
    tracking store is :func:`demo_store` (checked before anything is made); then the demo
    takes ``<out>/demo.lock`` and makes sure no other process writes ``<out>/run``: a
    second demo into the same folder exits 5 at once, before any work.
    """
    with tracking.using_store(demo_store(out)):
        tracking.check_store(write=True)
        with hold_lock(out / "demo.lock", "demo", out):
            with folder_lock(out / "run", "demo"):
                pass  # held by another writer: RunLocked (exit 5) before any work
            summary = _demo(
                out,
                preset,
                model_config=model_config,
                feature_config=feature_config,
                checklist_config=checklist_config,
                shortlist_config=shortlist_config,
                report_config=report_config,
                lang=lang,
                progress=progress,
            )
            if then is not None:
                then()
            return summary


def _demo(
    out: Path,
    preset: str,
    *,
    model_config: ModelConfig,
    feature_config: FeatureConfig,
    checklist_config: ChecklistConfig,
    shortlist_config: ShortlistConfig,
    report_config: ReportConfig,
    lang: Lang,
    progress: Progress,
) -> DemoSummary:
    drop_dir, run_dir = out / "drop", out / "run"
    spec = make_spec(preset, None, None, None)
    progress(
        f"[1/6] synth: {spec.name} ({spec.households:,} households, {spec.months} months of history)"
    )
    write_drop(generate(spec), drop_dir, "parquet")

    progress("[2/6] validate: checking the drop against the data contract")
    loaded = load_drop(drop_dir)
    write_validation(out / "validation", loaded.report.to_json(), loaded.rejects)
    rows = sum(t.rows_read for t in loaded.sources.values())
    rejected = sum(t.rows_rejected for t in loaded.sources.values())
    progress(f"      {rows:,} rows read, {rejected:,} rejected; usable")

    as_of = dt.date.fromisoformat(loaded.newest_knowledge_date() or "")
    progress(f"[3/6] train: per-issue models on the history before {as_of}")
    result = train_and_register(
        loaded,
        as_of,
        model_config,
        feature_config,
        checklist_config,
        truth=read_truth(drop_dir),
        compare_without_pu=False,
        progress=lambda s: progress("      " + s),
    )
    ev = result.evaluation
    for issue in ev["issue"].unique(maintain_order=True):
        part = ev.filter(pl.col("issue") == issue)
        m = part.filter(pl.col("scorer") == "model")["ap_need"].item()
        c = part.filter(pl.col("scorer") == "checklist")["ap_need"].item()
        progress(f"      {issue:<19} AP vs latent need: model {m:.3f}, checklist {c:.3f}")
    progress(f"      registered {result.uri}")

    progress(f"[4/6] score: as of {as_of}, shortlist per district within capacity")
    summary = run_score(
        drop_dir,
        as_of,
        run_dir,
        components=default_components(feature_config, checklist_config),
        shortlist_config=shortlist_config,
        report_config=report_config,
        model_uri=result.uri,
        lang=lang,
        overwrite=True,
    )
    s = summary.manifest.shortlist
    progress(f"[5/6] report: {s.listed:,} households listed ({s.compound:,} with compound needs)")
    return DemoSummary(drop_dir, run_dir, RunLayout(run_dir).report, summary)
