"""``kizuki train``: wiring of the model stages (logic lives in :mod:`kizuki.model`).

drop → schedule of as-of dates (train / calibration / validation, see
:mod:`kizuki.model.dataset`) → features, labels, checklist scores (and latent need
for synthetic drops) per date → per-issue LightGBM with selective-label weights →
calibration on the later period → evaluation beside the checklist and the best
single feature → tracking store: params, metrics, reliability, feature dictionary,
model files → a registered version; the ``champion`` alias moves only when the new
version beats the champion re-scored on the same validation rows.

:func:`run_train` is the workflow (drop folder in, :class:`TrainResult` out);
:func:`train_and_register` and :func:`train` take an already loaded drop.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from kizuki.checklist import Checklist, ChecklistConfig
from kizuki.config import config_hash
from kizuki.contract.schema import ISSUES
from kizuki.errors import KizukiError
from kizuki.features.build import build_features
from kizuki.features.config import FeatureConfig
from kizuki.features.registry import feature_items, model_inputs
from kizuki.io.atomic import write_text
from kizuki.io.cache import TableCache
from kizuki.io.csv_safe import write_csv
from kizuki.io.drop import DoorRules, LoadedDrop, load_drop
from kizuki.io.files import read_parquet
from kizuki.model.artifact import load_models, save_models
from kizuki.model.baselines import SingleFeature, best_single_feature
from kizuki.model.config import ModelConfig
from kizuki.model.dataset import Frames, Schedule, build_frames, history_start, issue_rows, schedule
from kizuki.model.evaluation import MAIN, Evaluation, evaluate, mean_ap
from kizuki.model.fitting import fit_models
from kizuki.model.lgbm import IssueModels, check_model_inputs
from kizuki.pipeline.progress import Progress, quiet

#: the comparison model without selective-label weights
NO_PU = "model_no_pu"
EXPERIMENT = "kizuki-train"


@dataclass
class TrainResult:
    """What training produced.

    ``evaluation``: one row per (issue, scorer) (see :func:`kizuki.model.evaluation.evaluate`);
    ``reliability``: deciles per issue of the main model; ``validation``: the validation
    frames (kept to re-score the champion on the same rows); ``uri``: the registered
    version (after :func:`train_and_register`).
    """

    model: IssueModels
    evaluation: pl.DataFrame
    reliability: dict[str, pl.DataFrame]
    dates: dict[str, list[str]]
    validation: Frames
    singles: dict[str, SingleFeature]
    capacity: pl.DataFrame
    uri: str | None = None
    champion_moved: bool = False
    champion_before: str | None = None
    notes: list[str] = field(default_factory=list)
    #: per optional table absent from the drop: the missing-table policy applied
    missing_policy: dict[str, str] = field(default_factory=dict)


def drop_schedule(loaded: LoadedDrop, as_of: dt.date, config: ModelConfig) -> Schedule:
    """The as-of schedule for a loaded drop (dates from its knowledge-date ranges)."""
    newest = loaded.newest_knowledge_date()
    if newest is None:
        raise KizukiError("train: the drop holds no dated rows")
    if as_of > dt.date.fromisoformat(newest):
        # never clamped silently: a model "as of" a date the drop does not reach would
        # claim knowledge it never had (the same rule as score)
        raise KizukiError(
            "train: --as-of is after the newest knowledge date in the drop; training can "
            "only use what was known (give an --as-of on or before it: kizuki validate "
            "prints each table's knowledge dates)"
        )
    return schedule(
        as_of,
        dt.date.fromisoformat(newest),
        history_start(loaded.sources),
        horizon_months=config.horizon_months,
        step_months=config.as_of_step_months,
        min_history_months=config.min_history_months,
        max_train_dates=config.max_train_dates,
    )


def capacities(
    households: pl.DataFrame, shortlist_config: Any | None, share: float
) -> pl.DataFrame:
    """district, capacity for the households on the validation date.

    With a shortlist config (configs/shortlist.yaml), its per-district rule; without one,
    ``ceil(share * households)`` per district (configs/model.yaml ``eval_capacity_share``).
    """
    if shortlist_config is not None:
        from kizuki.shortlist import district_capacities

        shortlist_config.check_districts(households["district"].unique())
        return district_capacities(households.select("district"), shortlist_config).select(
            "district", "capacity"
        )
    counts = households.group_by("district").agg(n=pl.len()).sort("district")
    return counts.select("district", capacity=(pl.col("n") * share).round(9).ceil().cast(pl.Int64))


def train(
    loaded: LoadedDrop,
    as_of: dt.date,
    cfg: ModelConfig,
    feat_cfg: FeatureConfig,
    checklist_cfg: ChecklistConfig,
    *,
    shortlist_config: Any | None = None,
    truth: pl.DataFrame | None = None,
    compare_without_pu: bool = True,
    progress: Progress = quiet,
) -> TrainResult:
    """Train, calibrate and evaluate (no tracking; see :func:`train_and_register`).

    In: a loaded drop with outcomes, the ``--as-of`` date, configs, optionally the shortlist
    config (capacity for precision/recall@k) and the synthetic truth
    (household_id, month, issue). Out: :class:`TrainResult`.
    """
    sched = drop_schedule(loaded, as_of, cfg)
    features = model_inputs(feat_cfg)
    check_model_inputs(features)
    checklist = Checklist(checklist_cfg)
    progress(
        f"train: {len(sched.train)} training dates {sched.train[0]}…{sched.train[-1]}, "
        f"calibration {sched.calibration[0]}, validation {sched.validation[0]}, horizon {cfg.horizon_months} months"
    )
    frames = build_frames(
        loaded.tables,
        sched.all_dates(),
        cfg.horizon_months,
        lambda tables, T: build_features(tables, T, feat_cfg),
        checklist.checklist_scores,
        truth,
        progress,
    )
    tr, cal, val = (
        frames.subset(sched.train),
        frames.subset(sched.calibration),
        frames.subset(sched.validation),
    )
    positives = tr.y.group_by("issue").agg(pl.col("label").sum()).sort("issue")
    progress(
        "train: training cases per issue: "
        + ", ".join(f"{i} {n}" for i, n in positives.iter_rows())
    )
    progress("train: fitting LightGBM per issue (selective-label weights from the checklist)")
    models = {MAIN: fit_models(tr, cal, features, cfg)}
    if compare_without_pu and cfg.pu_alpha > 0:
        progress(
            "train: fitting the same models without the selective-label weights, for comparison"
        )
        models[NO_PU] = fit_models(tr, cal, features, cfg, alpha=0.0)
    singles = {i: best_single_feature(issue_rows(tr, i), features) for i in ISSUES}
    progress("train: evaluating on the validation period")
    cap = capacities(
        val.X.select("household_id", "district"), shortlist_config, cfg.eval_capacity_share
    )
    ev = evaluate(models, val, singles, cap, cfg.explore_share)
    model = models[MAIN]
    model.meta = {
        "as_of": str(as_of),
        "horizon_months": cfg.horizon_months,
        "dates": sched.as_dict(),
        "training_cases": dict(positives.iter_rows()),
        "mean_ap_cases": mean_ap(ev.table),
    }
    return TrainResult(
        model=model,
        evaluation=ev.table,
        reliability=ev.reliability[MAIN],
        dates=sched.as_dict(),
        validation=val,
        singles=singles,
        capacity=cap,
    )


def champion_decision(new: float | None, champion: float | None, min_gain: float) -> bool:
    """Whether a new version replaces the champion: it must beat the champion's mean AP
    (against case labels, on the same validation rows) by more than ``min_gain``.
    No evidence (no case in the validation period) keeps the champion."""
    if new is None:
        return False
    if champion is None:
        return True
    return new > champion + min_gain


def rescore(model: IssueModels, result: TrainResult) -> Evaluation:
    """Evaluate another model (e.g. the champion) on ``result``'s validation rows."""
    return evaluate({MAIN: model}, result.validation, result.singles, result.capacity)


def _metrics(table: pl.DataFrame) -> dict[str, float | None]:
    keys = (
        "ap_cases",
        "precision_at_k",
        "recall_at_k",
        "brier",
        "ap_need",
        "need_precision_at_k",
        "need_recall_at_k",
    )
    out: dict[str, float | None] = {}
    for r in table.iter_rows(named=True):
        tag = r["scorer"].split(":")[0].replace("+", "_")
        for key in keys:
            if r.get(key) is not None:
                out[f"{r['issue']}.{tag}.{key}"] = r[key]
    return out


def evaluation_markdown(table: pl.DataFrame) -> str:
    """The evaluation table as Markdown (figures to 3 decimals, '—' where undefined)."""
    cols = [c for c in table.columns]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in table.iter_rows():
        out.append(
            "| "
            + " | ".join(
                "—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v) for v in r
            )
            + " |"
        )
    return "\n".join(out) + "\n"


def train_and_register(
    loaded: LoadedDrop,
    as_of: dt.date,
    cfg: ModelConfig,
    feat_cfg: FeatureConfig,
    checklist_cfg: ChecklistConfig,
    *,
    shortlist_config: Any | None = None,
    truth: pl.DataFrame | None = None,
    compare_without_pu: bool = True,
    promote: bool = True,
    progress: Progress = quiet,
) -> TrainResult:
    """Train (:func:`train`), log everything to the tracking store, register a version, and
    move the ``champion`` alias only when :func:`champion_decision` says so (never with
    ``promote=False``: a version registered for a backfill, such as the demo's history).

    The store is checked (:func:`kizuki.tracking.check_store`: reachable, writable, its
    schema created once) right after the dates are validated and before any training;
    a store that cannot be used is :class:`~kizuki.errors.StoreUnavailable` (exit 3)."""
    from kizuki import tracking
    from kizuki.checklist.dictionary import dictionary_markdown
    from kizuki.explain.global_ import write_global_explanations
    from kizuki.model.plots import reliability_markdown, reliability_png

    # refuse bad dates first, then make sure the store answers (and has its schema)
    # before hours of training, not after
    drop_schedule(loaded, as_of, cfg)
    tracking.check_store(write=True)
    result = train(
        loaded,
        as_of,
        cfg,
        feat_cfg,
        checklist_cfg,
        shortlist_config=shortlist_config,
        truth=truth,
        compare_without_pu=compare_without_pu,
        progress=progress,
    )
    chash = config_hash(cfg, feat_cfg, checklist_cfg)
    inputs = {n: t.sha256 for n, t in loaded.sources.items()}
    new_ap = mean_ap(result.evaluation)
    progress("train: logging to the tracking store")
    with tracking.start_run(EXPERIMENT, f"train-{as_of}", {"kizuki.as_of": str(as_of)}) as run:
        run.log_params(
            {
                "as_of": as_of,
                "horizon_months": cfg.horizon_months,
                "config_hash": chash,
                "train_dates": ",".join(result.dates["train"]),
                "calibration_dates": ",".join(result.dates["calibration"]),
                "validation_dates": ",".join(result.dates["validation"]),
                "n_features": len(result.model.features),
                "pu_alpha": cfg.pu_alpha,
                "negative_sample": cfg.negative_sample,
                "explore_share": cfg.explore_share,
                "capacity": "configs/shortlist.yaml"
                if shortlist_config is not None
                else f"share {cfg.eval_capacity_share}",
                **{f"lgbm_{k}": v for k, v in cfg.lightgbm.model_dump().items()},
                **{f"input_{n}_sha256": h for n, h in inputs.items()},
            }
        )
        run.log_metrics({**_metrics(result.evaluation), "mean_ap_cases": new_ap})
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            save_models(
                result.model,
                folder / "model",
                meta={"config_hash": chash, "inputs": inputs, "run_id": run.run_id},
            )
            run.log_artifact_dir(folder / "model", "model")
            write_csv(folder / "evaluation.csv", result.evaluation, bom=False)
            write_text(folder / "evaluation.md", evaluation_markdown(result.evaluation))
            write_text(folder / "reliability.md", reliability_markdown(result.reliability))
            for name in ("evaluation.csv", "evaluation.md", "reliability.md"):
                run.log_artifact(folder / name)
            if reliability_png(result.reliability, folder / "reliability.png"):
                run.log_artifact(folder / "reliability.png")
            # shap's global view for evaluators: mean |contribution| per 気づき item and a
            # beeswarm plot per issue, on a seeded sample of the validation households
            explanations = write_global_explanations(
                result.model,
                result.validation.X,
                folder / "explanations",
                feature_items=feature_items(feat_cfg),
            )
            run.log_artifact_dir(explanations, "explanations")
            run.log_text(dictionary_markdown(checklist_cfg, feat_cfg), "feature_dictionary.md")
            run.log_text(json.dumps(result.dates, indent=2), "schedule.json")
        ref = tracking.register(
            run,
            tags={
                "mean_ap_cases": "none" if new_ap is None else f"{new_ap:.6f}",
                "validation_as_of": result.dates["validation"][0],
                "config_hash": chash,
            },
        )
        result.uri = ref.uri
        if promote:
            _update_champion(result, ref.version, new_ap, cfg.champion_min_gain)
        else:
            result.notes.append(f"v{ref.version} registered without the champion rule (promote=False)")
        run.log_text(
            json.dumps(
                {
                    "uri": ref.uri,
                    "champion_before": result.champion_before,
                    "champion_moved": result.champion_moved,
                    "notes": result.notes,
                },
                indent=2,
            ),
            "registry.json",
        )
        # ---- governance (issue 16): model card, methodology, register record ----------
        # logged into the version's own model folder (model/governance/), so whoever
        # downloads the version (score, `kizuki model card URI`) has its card
        _log_governance(run, result, loaded, cfg, feat_cfg, checklist_cfg, shortlist_config,
                        version=ref.version, config_hash=chash, promote=promote, progress=progress)
        # ---- end governance ---------------------------------------------------------
    return result


def _log_governance(
    run: Any,
    result: TrainResult,
    loaded: LoadedDrop,
    cfg: ModelConfig,
    feat_cfg: FeatureConfig,
    checklist_cfg: ChecklistConfig,
    shortlist_config: Any | None,
    *,
    version: str,
    config_hash: str,
    promote: bool,
    progress: Progress,
) -> None:
    """Write the version's governance files (:func:`kizuki.governance.write_version_record`)
    and log them as ``model/governance/``; the previous champion's configs (for "what
    changed") are read from its own model folder."""
    from kizuki import tracking
    from kizuki.governance import previous_snapshot, write_version_record

    progress("train: writing the model card, methodology page and register record")
    before = result.champion_before if promote else tracking.champion_version()
    previous = None
    if before is not None and before != version:
        try:
            folder, _ = tracking.download_model(f"models:/{tracking.MODEL_NAME}/{before}")
            previous = previous_snapshot(folder)
        except KizukiError as exc:
            result.notes.append(f"previous champion v{before}: configs not read ({exc})")
    with tempfile.TemporaryDirectory() as tmp:
        gov = write_version_record(
            Path(tmp) / "governance",
            model=result.model,
            validation_X=result.validation.X,
            evaluation=result.evaluation,
            reliability=result.reliability,
            dates=result.dates,
            as_of=str(result.model.meta.get("as_of")) if result.model.meta else "",
            horizon_months=cfg.horizon_months,
            loaded=loaded,
            configs={"model": cfg, "features": feat_cfg, "checklist": checklist_cfg,
                     "shortlist": shortlist_config},
            feature_config=feat_cfg,
            checklist_config=checklist_cfg,
            version=version,
            uri=result.uri,
            run_id=run.run_id,
            config_hash=config_hash,
            previous=previous,
            previous_version=before if previous is not None else None,
            champion={"moved": result.champion_moved, "before": result.champion_before},
            notes=result.notes,
        )
        run.log_artifact_dir(gov, "model/governance")


def _update_champion(
    result: TrainResult, version: str, new_ap: float | None, min_gain: float
) -> None:
    from kizuki import tracking

    champ = tracking.champion_version()
    result.champion_before = champ
    champ_ap: float | None = None
    if champ is not None:
        try:
            folder, _ = tracking.download_model(f"models:/{tracking.MODEL_NAME}/{champ}")
            champ_ap = mean_ap(rescore(load_models(folder, version=champ), result).table)
        except KizukiError as exc:
            # the champion cannot score today's features (e.g. the registry changed): replace it
            result.notes.append(f"champion v{champ} cannot be re-scored ({exc}); replacing it")
            champ, champ_ap = None, None
    moved = True if champ is None else champion_decision(new_ap, champ_ap, min_gain)
    fmt = lambda v: "none" if v is None else f"{v:.4f}"  # noqa: E731
    if champ is not None:
        result.notes.append(
            f"champion v{champ} mean AP (cases, validation {result.dates['validation'][0]}) "
            f"{fmt(champ_ap)} vs new v{version} {fmt(new_ap)}"
        )
    if moved:
        tracking.set_champion(version)
    result.champion_moved = moved


#: where a synthetic drop keeps the generator's hidden need (contract §7)
TRUTH = ("truth", "latent.parquet")


def read_truth(drop: Path) -> pl.DataFrame | None:
    """``truth/latent.parquet`` of a synthetic drop (household_id, month, issue), or None."""
    path = Path(drop).joinpath(*TRUTH)
    return read_parquet(path) if path.is_file() else None


def run_train(
    drop: Path,
    as_of: dt.date,
    *,
    model_config: ModelConfig,
    feature_config: FeatureConfig,
    checklist_config: ChecklistConfig,
    shortlist_config: Any | None = None,
    compare_without_pu: bool = True,
    rules: DoorRules | None = None,
    progress: Progress = quiet,
    cache: TableCache | None = None,
) -> TrainResult:
    """Train on the drop's history before ``as_of``, evaluate, register, move the champion.

    ``cache``: validations of table files kept between runs (None: validate every file).

    In: the drop folder, the as-of date, validated configs (the shortlist config, when
    given, sets the capacity k of precision/recall@k), whether to fit the comparison
    model without selective-label weights, the door's rules (None: the defaults of
    :class:`~kizuki.io.drop.DoorRules`), a progress callback. Synthetic truth in the
    drop adds "need found" metrics. Out: :class:`TrainResult` with the registered URI.
    """
    progress(f"train: loading {drop}")
    loaded = load_drop(drop, rules=rules, warn=progress, cache=cache)
    truth = read_truth(drop)
    if truth is not None:
        progress("train: synthetic truth found: need found is reported beside cases found")
    result = train_and_register(
        loaded,
        as_of,
        model_config,
        feature_config,
        checklist_config,
        shortlist_config=shortlist_config,
        truth=truth,
        compare_without_pu=compare_without_pu,
        progress=progress,
    )
    result.missing_policy = loaded.missing_policy
    return result
