"""``kizuki train``: temporal training, calibration, evaluation against baselines, registry.

Time is built in. With H the horizon and step S (configs/model.yaml):
- as-of dates run back from the latest matured date (T + H ≤ the drop's newest
  knowledge date, and ≤ ``--as-of``) every S months while enough history exists;
- validation = the latest date; calibration = the latest date whose label window ends
  by the validation date; training = dates whose label windows end by the calibration
  date. No label window of an earlier split reaches into a later one.
Baselines beside the model on the validation period: the 気づき checklist and the best
single feature (chosen on the training period). Need found (synthetic truth, when the
drop has ``truth/latent.parquet``) is reported beside cases found.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from kizuki.checklist import Checklist, ChecklistConfig
from kizuki.config import config_hash
from kizuki.contract.schema import ISSUES
from kizuki.errors import KizukiError
from kizuki.features.build import build_features
from kizuki.features.config import FeatureConfig
from kizuki.features.registry import model_inputs
from kizuki.io.drop import LoadedDrop
from kizuki.model.config import ModelConfig
from kizuki.model.labels import add_months, labels
from kizuki.model.lgbm import IssueModels, matrix
from kizuki.model.metrics import at_k, average_precision, brier, reliability


@dataclass
class Split:
    """Training rows of one split: features, labels (long), checklist scores (long), latent need."""

    dates: list[dt.date]
    X: pl.DataFrame  # household_id, as_of, features
    y: pl.DataFrame  # household_id, as_of, issue, label (cohort rows only)
    checklist: pl.DataFrame  # household_id, as_of, issue, checklist_score
    need: pl.DataFrame | None = None  # household_id, as_of, issue, need


@dataclass
class TrainResult:
    """What training produced: the model, evaluation tables, the registry URI."""

    model: IssueModels
    evaluation: pl.DataFrame
    reliability: dict[str, pl.DataFrame]
    dates: dict[str, list[str]]
    uri: str | None = None
    champion_moved: bool = False
    champion_before: str | None = None
    notes: list[str] = field(default_factory=list)


def as_of_dates(loaded: LoadedDrop, as_of: dt.date, cfg: ModelConfig) -> dict[str, list[dt.date]]:
    """The training, calibration and validation as-of dates (see module docstring)."""
    newest = loaded.newest_knowledge_date()
    if newest is None:
        raise KizukiError("train: the drop holds no dated rows")
    H, S = cfg.horizon_months, cfg.as_of_step_months
    limit = min(as_of, dt.date.fromisoformat(newest))
    last = add_months(limit, -H)
    first_known = (
        min(
            dt.date.fromisoformat(t.known_from)
            for name, t in loaded.sources.items()
            if t.known_from and name in ("utility", "school", "care_usage", "tax")
        )
        if any(
            t.known_from
            for n, t in loaded.sources.items()
            if n in ("utility", "school", "care_usage", "tax")
        )
        else None
    )
    earliest = (
        add_months(first_known, cfg.min_history_months) if first_known else add_months(last, -36)
    )
    dates: list[dt.date] = []
    d = last
    while d >= earliest:
        dates.append(d)
        d = add_months(d, -S)
    dates.sort()
    if not dates:
        raise KizukiError(
            "train: no as-of date has both enough history and a matured horizon; the drop is too short"
        )
    val = dates[-1]
    cal = [x for x in dates if add_months(x, H) <= val][-1:] if dates else []
    train = [x for x in dates if cal and add_months(x, H) <= cal[0]]
    if not cal or len(train) < 2:
        raise KizukiError(
            f"train: too little history for a temporal split (need training, calibration and validation "
            f"dates {H} months apart; found {len(dates)} as-of dates)"
        )
    return {"train": train, "calibration": cal, "validation": [val]}


def _need(truth: pl.DataFrame | None, X: pl.DataFrame, T: dt.date, H: int) -> pl.DataFrame | None:
    if truth is None:
        return None
    start = dt.date(T.year, T.month, 1)
    end = add_months(T, H)
    flagged = (
        truth.filter((pl.col("month") >= start) & (pl.col("month") <= end))
        .select("household_id", pl.col("issue").cast(pl.String))
        .unique()
        .with_columns(need=pl.lit(1, pl.Int8))
    )
    grid = X.select("household_id").join(pl.DataFrame({"issue": list(ISSUES)}), how="cross")
    return grid.join(flagged, on=["household_id", "issue"], how="left").with_columns(
        pl.col("need").fill_null(0), as_of=pl.lit(T)
    )


def build_split(
    loaded: LoadedDrop,
    dates: list[dt.date],
    H: int,
    feat_cfg: FeatureConfig,
    checklist: Checklist,
    truth: pl.DataFrame | None,
    progress: Callable[[str], None],
) -> Split:
    """Features, labels, checklist scores and latent need for every date of a split."""
    outcomes = loaded.tables.get("outcomes")
    if outcomes is None:
        raise KizukiError("train: the drop has no outcomes table (case records are the labels)")
    xs, ys, cs, ns = [], [], [], []
    for T in dates:
        progress(f"train: features as of {T}")
        X = build_features(loaded.tables, T, feat_cfg)
        xs.append(X)
        ys.append(labels(outcomes, X, T, H).with_columns(as_of=pl.lit(T)))
        cs.append(checklist.predict_proba(X).with_columns(as_of=pl.lit(T)))
        n = _need(truth, X, T, H)
        if n is not None:
            ns.append(n)
    return Split(
        dates=dates,
        X=pl.concat(xs),
        y=pl.concat(ys),
        checklist=pl.concat(cs),
        need=pl.concat(ns) if ns else None,
    )


def _issue_arrays(
    split: Split, issue: str, features: list[str], pu_alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pl.DataFrame]:
    rows = (
        split.y.filter(pl.col("issue") == issue)
        .join(
            split.checklist.filter(pl.col("issue") == issue).drop("issue"),
            on=["household_id", "as_of"],
            how="left",
        )
        .join(split.X, on=["household_id", "as_of"], how="left")
    )
    y = rows["label"].to_numpy().astype(float)
    cs = rows["checklist_score"].fill_null(0).to_numpy()
    w = np.where(y > 0, 1.0, 1.0 - pu_alpha * cs)
    return matrix(rows, features), y, w, rows


def _best_single_feature(split: Split, issue: str, features: list[str]) -> tuple[str, float]:
    """The feature (and sign) with the highest training AP for an issue."""
    _, y, _, rows = _issue_arrays(split, issue, features, 0.0)
    best, sign, best_ap = features[0], 1.0, -1.0
    for f in features:
        v = rows[f].cast(pl.Float64).to_numpy()
        v = (
            np.where(np.isnan(v), np.nanmin(v) - 1 if np.isfinite(np.nanmin(v)) else 0, v)
            if np.isnan(v).any()
            else v
        )
        for s in (1.0, -1.0):
            ap = average_precision(y, s * v)
            if ap is not None and ap > best_ap:
                best, sign, best_ap = f, s, ap
    return best, sign


def evaluate(
    model: IssueModels,
    val: Split,
    features: list[str],
    cfg: ModelConfig,
    single: dict[str, tuple[str, float]],
    extra_models: dict[str, IssueModels] | None = None,
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Per issue and scorer: AP, precision@k, recall@k, Brier (cases), and AP / recall@k
    against latent need when known. Returns (table, reliability per issue)."""
    rows = []
    rel = {}
    for issue in ISSUES:
        _, y, _, r = _issue_arrays(val, issue, features, 0.0)
        k = max(1, round(cfg.eval_capacity_share * len(y)))
        need = None
        if val.need is not None:
            need = (
                r.select("household_id", "as_of")
                .join(
                    val.need.filter(pl.col("issue") == issue),
                    on=["household_id", "as_of"],
                    how="left",
                )["need"]
                .fill_null(0)
                .to_numpy()
            )
        scorers = {
            "model": model.calibrators_[issue](
                model.boosters_[issue].predict(matrix(r, model.features), raw_score=True)
            )
        }
        for name, m in (extra_models or {}).items():
            scorers[name] = m.calibrators_[issue](
                m.boosters_[issue].predict(matrix(r, m.features), raw_score=True)
            )
        scorers["checklist"] = r["checklist_score"].fill_null(0).to_numpy()
        f, s = single[issue]
        v = r[f].cast(pl.Float64).to_numpy()
        scorers[f"single:{f}"] = np.nan_to_num(s * v, nan=-1e18)
        for name, score in scorers.items():
            p_k, r_k = at_k(y, score, k)
            row = {
                "issue": issue,
                "scorer": name,
                "cohort": len(y),
                "cases": int(y.sum()),
                "k": k,
                "ap_cases": average_precision(y, score),
                "precision_at_k": p_k,
                "recall_at_k": r_k,
                "brier": brier(y, score) if name.startswith("model") else None,
            }
            if need is not None:
                row["need"] = int(need.sum())
                row["ap_need"] = average_precision(need, score)
                row["need_found_at_k"] = at_k(need, score, k)[0]
                row["need_recall_at_k"] = at_k(need, score, k)[1]
            rows.append(row)
        rel[issue] = reliability(y, scorers["model"])
    return pl.DataFrame(rows), rel


def train(
    loaded: LoadedDrop,
    as_of: dt.date,
    cfg: ModelConfig,
    feat_cfg: FeatureConfig,
    checklist_cfg: ChecklistConfig,
    *,
    truth: pl.DataFrame | None = None,
    compare_without_pu: bool = True,
    progress: Callable[[str], None] = lambda s: None,
) -> TrainResult:
    """Train, calibrate and evaluate (no tracking; see :func:`train_and_register`)."""
    dates = as_of_dates(loaded, as_of, cfg)
    features = model_inputs()
    checklist = Checklist(checklist_cfg)
    H = cfg.horizon_months
    splits = {
        name: build_split(loaded, d, H, feat_cfg, checklist, truth, progress)
        for name, d in dates.items()
    }

    def fit(alpha: float) -> IssueModels:
        train_arrays = {i: _issue_arrays(splits["train"], i, features, alpha)[:3] for i in ISSUES}
        cal_arrays = {i: _issue_arrays(splits["calibration"], i, features, 0.0)[:2] for i in ISSUES}
        return IssueModels(features, cfg).fit(train_arrays, cal_arrays)

    progress("train: fitting LightGBM per issue (positive-unlabelled weights from the checklist)")
    model = fit(cfg.pu_alpha)
    extra = {}
    if compare_without_pu and cfg.pu_alpha > 0:
        progress(
            "train: fitting the same models without the selective-label weights, for comparison"
        )
        extra["model_no_pu"] = fit(0.0)
    single = {i: _best_single_feature(splits["train"], i, features) for i in ISSUES}
    progress("train: evaluating on the validation period")
    table, rel = evaluate(model, splits["validation"], features, cfg, single, extra)
    return TrainResult(
        model=model,
        evaluation=table,
        reliability=rel,
        dates={k: [str(x) for x in v] for k, v in dates.items()},
    )


def mean_ap(table: pl.DataFrame, scorer: str = "model") -> float:
    """Mean over issues of AP against case labels (the champion criterion)."""
    v = table.filter(pl.col("scorer") == scorer)["ap_cases"].drop_nulls()
    return float(v.mean()) if v.len() else 0.0


def train_and_register(
    loaded: LoadedDrop,
    as_of: dt.date,
    cfg: ModelConfig,
    feat_cfg: FeatureConfig,
    checklist_cfg: ChecklistConfig,
    *,
    truth: pl.DataFrame | None = None,
    compare_without_pu: bool = True,
    progress: Callable[[str], None] = lambda s: None,
) -> TrainResult:
    """Train, log everything to the tracking store, register a version, move the champion
    alias only when the new version beats the current champion on the same validation period."""
    from kizuki import tracking
    from kizuki.features.dictionary import dictionary_markdown

    result = train(
        loaded,
        as_of,
        cfg,
        feat_cfg,
        checklist_cfg,
        truth=truth,
        compare_without_pu=compare_without_pu,
        progress=progress,
    )
    chash = config_hash(cfg, feat_cfg, checklist_cfg)
    run = tracking.Run("kizuki-train", f"train-{as_of}")
    try:
        run.params(
            {
                "as_of": as_of,
                "horizon_months": cfg.horizon_months,
                "config_hash": chash,
                "train_dates": ",".join(result.dates["train"]),
                "calibration_dates": ",".join(result.dates["calibration"]),
                "validation_dates": ",".join(result.dates["validation"]),
                **{f"lgbm_{k}": v for k, v in cfg.lightgbm.model_dump().items()},
                "pu_alpha": cfg.pu_alpha,
                **{f"input_{n}_sha256": t.sha256 for n, t in loaded.sources.items()},
            }
        )
        metrics = {}
        for r in result.evaluation.iter_rows(named=True):
            tag = r["scorer"].split(":")[0]
            for key in (
                "ap_cases",
                "precision_at_k",
                "recall_at_k",
                "brier",
                "ap_need",
                "need_recall_at_k",
            ):
                if r.get(key) is not None:
                    metrics[f"{r['issue']}.{tag}.{key}"] = r[key]
        metrics["mean_ap_cases"] = mean_ap(result.evaluation)
        run.metrics(metrics)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            result.model.save(
                folder / "model",
                meta={"as_of": str(as_of), "dates": result.dates, "config_hash": chash},
            )
            run.artifacts(folder / "model", "model")
            result.evaluation.write_csv(folder / "evaluation.csv")
            run.artifact(folder / "evaluation.csv")
            for issue, rel in result.reliability.items():
                rel.write_csv(folder / f"reliability_{issue}.csv")
                run.artifact(folder / f"reliability_{issue}.csv", "reliability")
            run.text(dictionary_markdown(checklist_cfg), "feature_dictionary.md")
        uri = tracking.register(run)
        version = uri.rsplit("/", 1)[1]
        tracking.set_version_tag(version, "mean_ap_cases", f"{metrics['mean_ap_cases']:.6f}")
        tracking.set_version_tag(version, "validation_as_of", result.dates["validation"][0])
        result.uri = uri
        champ = tracking.champion_version()
        result.champion_before = champ
        if champ is None:
            tracking.set_champion(version)
            result.champion_moved = True
        else:
            folder, _ = tracking.download_model(f"models:/{tracking.MODEL_NAME}/{champ}")
            old = IssueModels.load(folder, version=champ)
            old_table, _ = evaluate(
                old,
                _validation_again(loaded, result, feat_cfg, checklist_cfg, truth, cfg),
                model_inputs(),
                cfg,
                {i: (model_inputs()[0], 1.0) for i in ISSUES},
            )
            if metrics["mean_ap_cases"] > mean_ap(old_table):
                tracking.set_champion(version)
                result.champion_moved = True
            result.notes.append(
                f"champion v{champ} mean AP {mean_ap(old_table):.4f} vs new {metrics['mean_ap_cases']:.4f}"
            )
        run.text(json.dumps({"uri": uri, "champion_moved": result.champion_moved}), "registry.json")
    except BaseException:
        run.end("FAILED")
        raise
    run.end()
    return result


def _validation_again(
    loaded: LoadedDrop,
    result: TrainResult,
    feat_cfg: FeatureConfig,
    checklist_cfg: ChecklistConfig,
    truth: pl.DataFrame | None,
    cfg: ModelConfig,
) -> Split:
    dates = [dt.date.fromisoformat(d) for d in result.dates["validation"]]
    return build_split(
        loaded, dates, cfg.horizon_months, feat_cfg, Checklist(checklist_cfg), truth, lambda s: None
    )
