"""``compare_runs(reference, current, config) -> MonitorResult``: the whole reference-vs-current check.

Drift (features overall and per district, scores per issue, listed reasons) with the
sample-size-aware rule, data quality, list stability, reason shares, and the alerts,
with ``fails`` set from ``fail_on``. Pure apart from reading the two run folders: the
source tables' code counts come from the manifests, never from the drops.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from kizuki.alerts import Alert, with_policy
from kizuki.monitor.bins import encode_pair
from kizuki.monitor.config import MonitorConfig
from kizuki.monitor.drift import decide, feature_tests, make_test, score_tests
from kizuki.monitor.quality import (
    CODES_SCHEMA,
    QualityResult,
    category_checks,
    code_notes,
    code_rows,
    coverage_checks,
    coverage_features,
    missing_checks,
    reject_checks,
    table_checks,
)
from kizuki.monitor.stability import StabilityResult, list_stability
from kizuki.runs import RunFolder
from kizuki.runs.folder import CodeCounts


@dataclass
class MonitorResult:
    """Everything one reference-vs-current check found (see module docstring)."""

    reference: dict[str, Any]
    current: dict[str, Any]
    drift: pl.DataFrame
    level: float
    quality: QualityResult
    stability: StabilityResult
    reasons: pl.DataFrame
    alerts: list[Alert]
    config: MonitorConfig
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failing(self) -> list[Alert]:
        """Alerts that fail the command."""
        return [a for a in self.alerts if a.fails]


def run_facts(run: RunFolder) -> dict[str, Any]:
    """What the report says about a run: id, as-of, folder, model, households."""
    return {
        "run_id": run.run_id,
        "as_of": run.as_of.isoformat(),
        "path": str(run.path),
        "model_version": run.model_version,
        "households": run.features.height,
        "listed": run.shortlist.height,
    }


def _registry() -> tuple[Any, ...]:
    try:
        from kizuki.features.registry import REGISTRY
    except ImportError:  # pragma: no cover - the registry ships with kizuki
        return ()
    return tuple(REGISTRY)


def feature_sources(registry: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """feature -> contract tables it reads."""
    return {str(f.name): tuple(sorted({t for t, _ in f.sources})) for f in registry}


def reason_shares(ref: pl.DataFrame, cur: pl.DataFrame) -> pl.DataFrame:
    """Share of each 気づき item among the listed reasons in both runs.

    In: item, label_ja, label_en rows per run. Out: item, label_ja, label_en, ref_count,
    cur_count, ref_share, cur_share (sorted by current share).
    """
    labels = pl.concat(
        [cur.select("item", "label_ja", "label_en"), ref.select("item", "label_ja", "label_en")]
    ).unique("item", keep="first", maintain_order=True)
    r = ref.group_by("item").agg(pl.len().cast(pl.Int64).alias("ref_count"))
    c = cur.group_by("item").agg(pl.len().cast(pl.Int64).alias("cur_count"))
    out = (
        labels.join(r, on="item", how="left")
        .join(c, on="item", how="left")
        .with_columns(pl.col("ref_count", "cur_count").fill_null(0))
        .with_columns(
            (pl.col("ref_count") / max(ref.height, 1)).alias("ref_share"),
            (pl.col("cur_count") / max(cur.height, 1)).alias("cur_share"),
        )
    )
    return out.sort(["cur_share", "ref_share", "item"], descending=[True, True, False])


def source_code_counts(
    reference: RunFolder, current: RunFolder
) -> tuple[CodeCounts | None, CodeCounts | None, str]:
    """Per-column code counts of the source tables for both runs, from their manifests.

    Out: (reference counts, current counts, a note saying where they came from, or why
    they are unavailable: a run written before manifests carried them).
    """
    ref, cur = reference.code_counts(), current.code_counts()
    old = [r.run_id for r, c in ((reference, ref), (current, cur)) if c is None]
    if old:
        return (
            None,
            None,
            "code counts of the source tables unavailable: the manifest of run "
            f"{', '.join(old)} does not carry them (written before manifest version 2)",
        )
    windows = sorted({reference.manifest.codes_window_months, current.manifest.codes_window_months})
    months = " / ".join(str(w) for w in windows)
    return (
        ref,
        cur,
        f"code counts from the manifests (rows kept, known in the {months} months before each "
        "as-of date)",
    )


def compare_runs(
    reference: RunFolder,
    current: RunFolder,
    config: MonitorConfig,
    *,
    registry: Iterable[Any] | None = None,
) -> MonitorResult:
    """Compare two scoring runs (see module docstring).

    In: the two runs, the monitor config, and the feature registry (default: kizuki's).
    Out: :class:`MonitorResult`.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    reg = tuple(_registry() if registry is None else registry)
    sources = feature_sources(reg)
    ref_f, cur_f = reference.features, current.features
    gone = [
        t for t in reference.inputs if reference.table_present(t) and not current.table_present(t)
    ]

    # ---- quality
    tables, a_tables = table_checks(reference, current, config.quality)
    rejects, a_rejects = reject_checks(reference.rejects(), current.rejects())
    missing, a_missing = missing_checks(ref_f, cur_f, config.quality, sources, gone)
    cat_rows, a_cats = category_checks(ref_f, cur_f, config.quality)
    notes: list[str] = []
    src_rows: list[dict[str, object]] = []
    a_src: list[Alert] = []
    ref_c, cur_c, note = source_code_counts(reference, current)
    notes.append(note)
    if ref_c is not None and cur_c is not None:
        present = [k for k in cur_c if current.table_present(k[0])]
        src_rows, a_src = code_rows(
            "drop", ref_c, cur_c, config.quality.code_min_count, present,
            config.quality.code_appeared_min_count,
        )
    notes += code_notes(cat_rows + src_rows, config.quality.code_appeared_min_count)
    codes = pl.DataFrame(cat_rows + src_rows, schema=CODES_SCHEMA)
    coverage, a_cov = coverage_checks(ref_f, cur_f, coverage_features(reg), config.quality, gone)
    timings["quality"] = time.perf_counter() - t0

    # ---- drift
    t1 = time.perf_counter()
    tests = feature_tests(ref_f, cur_f, config.drift)
    tests += score_tests(reference.scores, current.scores, config.drift)
    ref_r, cur_r = reference.reasons(), current.reasons()
    r_enc, c_enc = encode_pair(ref_r["item"], cur_r["item"])
    tests.append(
        make_test(
            "reasons", "reasons", None, r_enc, c_enc, config.drift, config.reasons.practical_psi
        )
    )
    drift, level = decide(tests, config.drift.alpha, config.drift.epsilon, config.drift.seed)
    dark = {
        (row["table"], row["district"])
        for row in coverage.filter(
            (pl.col("cur_with_rows") == 0) & (pl.col("ref_with_rows") > 0)
        ).iter_rows(named=True)
    }
    drift = drift.with_columns(
        pl.Series(
            "explained_by",
            [
                _explained(k, n, d, sources, gone, dark)
                for k, n, d in drift.select("kind", "name", "district").iter_rows()
            ],
            dtype=pl.String,
        )
    )
    a_drift = drift_alerts(drift)
    timings["drift"] = time.perf_counter() - t1

    # ---- stability and reasons
    t2 = time.perf_counter()
    stability = list_stability(
        reference.listed(), current.listed(), reference.scores, current.scores, config.stability
    )
    reasons = reason_shares(ref_r, cur_r)
    timings["stability"] = time.perf_counter() - t2

    alerts = with_policy(
        a_tables + a_rejects + a_src + a_cats + a_missing + a_cov + a_drift + stability.alerts,
        config.fail_on,
    )
    quality = QualityResult(tables, rejects, missing, codes, coverage, [], notes)
    timings["total"] = time.perf_counter() - t0
    return MonitorResult(
        reference=run_facts(reference),
        current=run_facts(current),
        drift=drift,
        level=level,
        quality=quality,
        stability=stability,
        reasons=reasons,
        alerts=alerts,
        config=config,
        timings={k: round(v, 3) for k, v in timings.items()},
    )


def _explained(
    kind: str,
    name: str,
    district: str | None,
    sources: Mapping[str, tuple[str, ...]],
    gone: Iterable[str],
    dark: set[tuple[str, str]],
) -> str | None:
    """The data-quality finding that explains a feature's drift, if any."""
    if kind != "feature":
        return None
    for t in sources.get(name, ()):
        if t in gone:
            return f"table_missing:{t}"
        if district is not None and (t, district) in dark:
            return f"district_no_rows:{t}@{district}"
    return None


def drift_alerts(drift: pl.DataFrame) -> list[Alert]:
    """Alerts for drift rows that alarm and are not explained by a data-quality finding."""
    out = []
    rows = drift.filter(pl.col("alarm") & pl.col("explained_by").is_null())
    for r in rows.iter_rows(named=True):
        stats = {k: r[k] for k in ("name", "psi", "practical", "critical", "n_ref", "n_cur")}
        if r["kind"] == "feature" and r["district"] is None:
            out.append(Alert("feature_drift", r["name"], stats))
        elif r["kind"] == "feature":
            d = r["district"]
            out.append(Alert("district_drift", f"{r['name']}@{d}", {**stats, "district": d}))
        elif r["kind"] == "score":
            out.append(Alert("score_drift", r["name"], stats))
        else:
            out.append(Alert("reason_drift", "reasons", stats))
    return out
