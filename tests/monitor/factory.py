"""Scoring-run folders fabricated for monitor and audit tests (contract §5 layout).

``fabricate_run`` writes manifest.json, features.parquet, scores.parquet,
shortlist.parquet and rejects/ the way ``kizuki score`` does (file names from
:class:`kizuki.runs.RunLayout`, the manifest a validated :class:`kizuki.runs.Manifest`),
with simple, transparent scores: a logistic function of a few real features per issue
(no model needed). ``run_from_drop`` builds one from a real data drop through the real
loader, feature builder and code counts. Synthetic data only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from kizuki.contract.schema import ISSUES
from kizuki.runs import CODE_WINDOW_MONTHS, MANIFEST_VERSION, Manifest, RunLayout, write_manifest
from kizuki.runs.manifest import parse_manifest

#: issue -> (feature, weight) terms of the stand-in score, and the 気づき item named as reason
TERMS: dict[str, tuple[list[tuple[str, float]], str]] = {
    "eight050": ([("pair_8050", 3.0), ("middle_member_no_income", 1.5)], "pair_8050"),
    "double_care": ([("preschool_with_care_need", 3.5)], "double_care_shape"),
    "young_carer": ([("child_with_dependent", 3.0), ("absence_rate_3m", 4.0)], "absence"),
    "elderly_isolation": ([("alone_65plus", 2.0), ("water_low_months_6m", 0.5)], "alone_65"),
    "financial_hardship": (
        [("all_adults_nontaxable", 1.5), ("stop_notices_12m", 0.8)],
        "nontaxable",
    ),
    "self_neglect": ([("water_cv_12m", 2.0), ("certified_no_service_months", 0.4)], "water_drop"),
}
LABELS = {
    "pair_8050": ("高齢の親と中高年の子", "An elderly parent with a middle-aged child"),
    "double_care_shape": (
        "未就学児と介護の必要な家族",
        "A preschool child and a relative needing care",
    ),
    "absence": ("欠席が増えている", "Absence is increasing"),
    "alone_65": ("65歳以上の一人暮らし", "A person aged 65 or over living alone"),
    "nontaxable": ("世帯全員が住民税非課税", "Every adult is non-taxable"),
    "water_drop": ("水道の使用量が大きく減っている", "Water use has fallen sharply"),
}
REASON = pl.Struct(
    {
        "rank": pl.Int64,
        "item": pl.String,
        "label_ja": pl.String,
        "label_en": pl.String,
        "text_ja": pl.String,
        "text_en": pl.String,
        "contribution": pl.Float64,
        "issues": pl.List(pl.String),
    }
)


def stand_in_scores(
    features: pl.DataFrame, as_of: dt.date, known: pl.DataFrame | None = None
) -> pl.DataFrame:
    """household_id, as_of, issue, score, rank, checklist_score, model_version for every
    household × issue (minus ``known`` (household_id, issue) pairs)."""
    parts = []
    for issue, (terms, _) in TERMS.items():
        z = pl.lit(-5.0)
        for name, w in terms:
            if name in features.columns:
                z = z + w * pl.col(name).cast(pl.Float64).fill_null(0.0).fill_nan(0.0)
        parts.append(
            features.select(
                "household_id",
                pl.lit(as_of).alias("as_of"),
                pl.lit(issue).alias("issue"),
                (1 / (1 + (-z).exp())).alias("score"),
            )
        )
    scores = pl.concat(parts)
    if known is not None and known.height:
        scores = scores.join(
            known.select("household_id", "issue"), on=["household_id", "issue"], how="anti"
        )
    return scores.with_columns(
        pl.col("score").rank("ordinal", descending=True).over("issue").cast(pl.Int64).alias("rank"),
        (pl.col("score") * 0.9).alias("checklist_score"),
        pl.lit("stand-in/1").alias("model_version"),
    ).sort("issue", "rank")


def stand_in_shortlist(scores: pl.DataFrame, features: pl.DataFrame, capacity: int) -> pl.DataFrame:
    """Per district and issue, the ``capacity`` highest scores are listed; one row per
    listed household with all its listed issues and one reason per issue."""
    ranked = scores.join(
        features.select("household_id", "district"), on="household_id"
    ).with_columns(
        pl.col("score").rank("ordinal", descending=True).over("district", "issue").alias("r")
    )
    listed = ranked.filter(pl.col("r") <= capacity)
    items = pl.DataFrame(
        {
            "issue": list(TERMS),
            "item": [TERMS[i][1] for i in TERMS],
            "label_ja": [LABELS[TERMS[i][1]][0] for i in TERMS],
            "label_en": [LABELS[TERMS[i][1]][1] for i in TERMS],
        }
    )
    listed = listed.join(items, on="issue").with_columns(
        pl.struct(
            pl.lit(1, pl.Int64).alias("rank"),
            "item",
            "label_ja",
            "label_en",
            pl.col("label_ja").alias("text_ja"),
            pl.col("label_en").alias("text_en"),
            pl.col("score").alias("contribution"),
            pl.concat_list(pl.col("issue")).alias("issues"),
        ).alias("reason")
    )
    out = (
        listed.sort("household_id", "issue")
        .group_by("household_id", "district", maintain_order=True)
        .agg(
            pl.col("issue").alias("issues"),
            pl.col("score").max().alias("score"),
            pl.col("reason").alias("reasons"),
            pl.col("score").alias("issue_scores"),
            pl.col("score").sum().alias("expected_needs"),
        )
        .with_columns(
            pl.col("expected_needs")
            .rank("ordinal", descending=True)
            .over("district")
            .cast(pl.Int64)
            .alias("priority"),
            pl.lit(False).alias("known_case"),
            (pl.col("issues").list.len() > 1).alias("compound"),
            pl.lit([], dtype=pl.List(pl.String)).alias("known_issues"),
        )
    )
    return out.select(
        "household_id",
        "district",
        "priority",
        "issues",
        "score",
        pl.col("reasons").cast(pl.List(REASON)),
        "known_case",
        "compound",
        "issue_scores",
        "expected_needs",
        "known_issues",
    ).sort("district", "priority")


def fabricate_run(
    out: Path,
    features: pl.DataFrame,
    *,
    as_of: dt.date,
    inputs: Mapping[str, Mapping[str, Any]] | None = None,
    missing_tables: tuple[str, ...] = (),
    rejects: Mapping[str, pl.DataFrame] | None = None,
    drop_path: Path | None = None,
    capacity: int = 5,
    known: pl.DataFrame | None = None,
    horizon_months: int = 6,
    codes_window_months: int | None = None,
) -> Path:
    """Write a complete run folder into ``out`` (manifest last); returns ``out``.

    ``inputs``: per table, manifest fields (``present``, ``rows_read``, ``codes``, ...);
    ``codes_window_months``: set when the inputs carry code counts (manifest version 2).
    """
    layout = RunLayout(out)
    out.mkdir(parents=True, exist_ok=True)
    scores = stand_in_scores(features, as_of, known)
    shortlist = stand_in_shortlist(scores, features, capacity)
    features.write_parquet(layout.features)
    scores.write_parquet(layout.scores)
    shortlist.write_parquet(layout.shortlist)
    for table, frame in (rejects or {}).items():
        if frame.height:
            layout.rejects.mkdir(exist_ok=True)
            frame.write_parquet(layout.reject(table))
    if inputs is None:
        inputs = {"residents": {"present": True, "rows_read": features.height, "rows_rejected": 0}}
    districts = features.group_by("district").agg(households=pl.len()).sort("district").to_dicts()
    listed = dict(shortlist.group_by("district").len().iter_rows())
    raw = {
        "manifest_version": MANIFEST_VERSION if codes_window_months else 1,
        "run_id": f"test-{as_of.isoformat()}-{out.name}",
        "started_at": "2026-10-01T02:00:00+00:00",
        "finished_at": "2026-10-01T02:01:00+00:00",
        "as_of": as_of.isoformat(),
        "lang": "ja",
        "code_version": {"kizuki": "test"},
        "config_hash": "0" * 16,
        "model": {"uri": "stand-in", "version": "stand-in/1", "horizon_months": horizon_months},
        "drop": {
            "path": str(drop_path) if drop_path else None,
            "missing_tables": list(missing_tables),
        },
        "inputs": {k: dict(v) for k, v in inputs.items()},
        "codes_window_months": codes_window_months,
        "households": features.height,
        "cohorts": {
            i: {"households": n, "known_cases": features.height - n}
            for i, n in scores.group_by("issue").len().iter_rows()
        },
        "shortlist": {
            "priority": "issue_turns",
            "min_score": 0.0,
            "listed": shortlist.height,
            "compound": int(shortlist["compound"].sum()),
            "known_case": 0,
            "districts": [
                {
                    "district": d["district"],
                    "households": d["households"],
                    "capacity": capacity,
                    "rule": "default",
                    "listed": listed.get(d["district"], 0),
                    "compound": 0,
                    "known_case": 0,
                }
                for d in districts
            ],
        },
        "reasons": {"pairs_explained": 0},
        "timings_s": {"total": 0.0},
        "files": {},
        "out": str(out),
    }
    manifest: Manifest = parse_manifest(raw, "fabricated manifest")
    write_manifest(layout.manifest, manifest)
    return out


def run_from_drop(drop: Path, as_of: dt.date, out: Path, capacity: int = 5) -> Path:
    """A run folder from a real drop: the real loader and features, stand-in scores."""
    from kizuki.features.build import build_features
    from kizuki.features.config import load_feature_config
    from kizuki.io.drop import load_drop
    from kizuki.runs import code_counts

    loaded = load_drop(drop)
    features = build_features(loaded.tables, as_of, load_feature_config())
    codes = code_counts(loaded.tables, as_of)
    inputs: dict[str, dict[str, Any]] = {}
    for name, t in loaded.report.tables.items():
        if not t.present:
            inputs[name] = {"present": False}
        else:
            inputs[name] = {
                "present": True,
                "file": t.file,
                "sha256": t.sha256,
                "rows_read": t.rows_read,
                "rows_rejected": t.rows_rejected,
                "codes": codes.get(name, {}),
            }
    known = None
    if "outcomes" in loaded.tables:
        known = (
            loaded.tables["outcomes"]
            .filter(pl.col("confirmed") & (pl.col("opened_on") <= as_of))
            .select("household_id", pl.col("issue").cast(pl.String))
            .unique()
            .collect()
        )
    return fabricate_run(
        out,
        features,
        as_of=as_of,
        inputs=inputs,
        missing_tables=tuple(loaded.missing_tables),
        rejects=loaded.rejects,
        drop_path=Path(drop),
        capacity=capacity,
        known=known,
        codes_window_months=CODE_WINDOW_MONTHS,
    )


def frame_generator(
    n: int, seed: int, districts: tuple[str, ...] = ("北", "南", "東")
) -> pl.DataFrame:
    """A hand-made feature frame with realistic shapes: district shares fixed, skewed
    amounts with many zeros, counts, flags, rates with nulls, categories. Two seeds are
    two independent samples of one distribution."""
    rng = np.random.default_rng(seed)
    d = rng.choice(
        len(districts),
        n,
        p=np.linspace(1, 2, len(districts)) / np.linspace(1, 2, len(districts)).sum(),
    )
    water = rng.lognormal(2.5, 0.6, n) * np.where(d == 0, 1.1, 1.0)
    school = rng.random(n) < 0.2
    arrears = np.where(rng.random(n) < 0.06, rng.lognormal(10, 1, n), 0.0)
    return pl.DataFrame(
        {
            "household_id": [f"H{seed:04d}{i:07d}" for i in range(n)],
            "as_of": [dt.date(2026, 9, 30)] * n,
            "district": np.asarray(districts)[d],
            "n_members": rng.choice([1, 2, 3, 4, 5], n, p=[0.35, 0.3, 0.15, 0.15, 0.05]).astype(
                float
            ),
            "oldest_age": np.clip(rng.normal(62, 17, n), 18, 104).round(),
            "alone_65plus": rng.random(n) < 0.18,
            "tax_arrears_yen": arrears,
            "water_recent": np.where(rng.random(n) < 0.01, np.nan, water),
            "water_change_yoy": rng.normal(0, 0.15, n),
            "absence_rate_3m": np.where(school, rng.beta(1, 15, n), np.nan),
            "max_ltc_level": rng.choice(
                9, n, p=[0.8, 0.02, 0.04, 0.04, 0.03, 0.03, 0.02, 0.01, 0.01]
            ).astype(float),
            "hh_type": rng.choice(
                ["single_65plus", "elderly_only", "couple_with_children", "other"],
                n,
                p=[0.18, 0.2, 0.3, 0.32],
            ),
            "nationality": rng.choice(["jp", "foreign", "?"], n, p=[0.96, 0.03, 0.01]),
        }
    ).with_columns(
        pl.col("water_recent", "absence_rate_3m").fill_nan(None),
        pl.when(pl.col("nationality") != "?").then(pl.col("nationality")).alias("nationality"),
    )


def issue_list() -> list[str]:
    """The contract's issue codes."""
    return list(ISSUES)
