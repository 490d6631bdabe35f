"""Monitor outputs: ``monitor.json`` (for machines) and ``monitor.html`` (for people), and
the same pair for performance (``performance.json``, ``performance.html``).

The HTML is one self-contained page of the page kit (``kizuki/pages/templates/monitor.html``,
words in ``pages/words/monitor.yaml``), Japanese by default (``lang="en"`` for English):
a verdict first (what fired, in words), then data quality, drift, scores, list
stability, reasons, and the method with every threshold used. Nothing in either file
is a record's value: counts, shares, PSI, bin labels (reference percentile ranges or
codes) only. This module gathers what the templates show.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
from markupsafe import Markup

from kizuki.alerts import Alert
from kizuki.io.atomic import write_text
from kizuki.io.jsonable import jsonable
from kizuki.monitor.compare import MonitorResult
from kizuki.monitor.nulltest import MIN_EXPECTED
from kizuki.pages import Words, alert_text, render_page, words
from kizuki.pages.charts import hbars, lines, paired_bars
from kizuki.pages.format import MISSING, fixed, num, p_value, pct, text
from kizuki.pages.records import alert_records, frame_records
from kizuki.pages.words import issue_name


def feature_label(name: str, lang: str, labels: Mapping[str, tuple[str, str]]) -> str:
    """A feature's description in ``lang`` (its name when the registry has none)."""
    if name == "district":
        return words("monitor", lang).feature_district
    ja_en = labels.get(name)
    return name if ja_en is None else (ja_en[0] if lang == "ja" else ja_en[1])


def registry_labels() -> dict[str, tuple[str, str]]:
    """feature -> (description_ja, description_en) from the feature registry."""
    from kizuki.features.registry import REGISTRY

    return {f.name: (f.description_ja, f.description_en) for f in REGISTRY}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# ------------------------------------------------------------------------ JSON


def method(result: MonitorResult) -> dict[str, Any]:
    """The method and every threshold used, for JSON and HTML."""
    c = result.config.drift
    n_tested = int(result.drift["tested"].sum())
    return {
        "psi": "sum over bins of (cur_share - ref_share) * ln(cur_share / ref_share)",
        "bins": f"numeric: {c.bins} quantile bins of the reference (ties merged) + a missing bin; "
        "feature edges midway between neighbouring distinct reference values, or for counts and "
        "ratios of small integers (denominator <= "
        f"{c.lattice_max_denominator}) on the half-steps of the coarser of the two runs' lattices "
        f"(at least {c.lattice_min_steps} step(s) apart); score edges on log-odds, at least "
        f"{c.score_min_logit_width:g} wide; categorical: reference categories + missing + unseen",
        "epsilon": c.epsilon,
        "epsilon_use": "share used for a bin that is empty in one run",
        "practical_psi": c.practical_psi,
        "district_practical_psi": c.district_practical_psi,
        "practical_overrides": dict(c.practical_overrides),
        "excluded_features": list(c.exclude),
        "alpha_family": c.alpha,
        "tests": n_tested,
        "alpha_per_test": result.level,
        "null": "multinomial with the pooled bin shares at both runs' sample sizes, "
        f"{c.null_draws} draws; tail: max(scaled chi-square fit, exponential tail above the 95% "
        "quantile, simulated quantile)",
        "confirmation": f"where a bin expects fewer than {MIN_EXPECTED:g} households, a would-be alarm "
        "is confirmed by a direct Monte-Carlo test with up to ceil(2 / alpha_per_test) draws",
        "seed": c.seed,
        "alarm_rule": "PSI > practical threshold AND PSI > null critical value at alpha_per_test",
        "min_households_per_test": c.min_households,
    }


def monitor_json(result: MonitorResult) -> dict[str, Any]:
    """The whole result as a JSON-ready dict."""
    q = result.quality
    return jsonable(
        {
            "kind": "kizuki-monitor",
            "version": 1,
            "generated_at": _now(),
            "reference": result.reference,
            "current": result.current,
            "alerts": alert_records(result.alerts),
            "failing": len(result.failing),
            "method": method(result),
            "quality": {
                "tables": frame_records(q.tables),
                "rejects": frame_records(q.rejects),
                "missing": frame_records(q.missing),
                "codes": frame_records(q.codes),
                "coverage": frame_records(q.coverage),
                "notes": q.notes,
            },
            "drift": frame_records(result.drift),
            "stability": {
                "lists": frame_records(result.stability.lists),
                "ranks": frame_records(result.stability.ranks),
            },
            "reasons": frame_records(result.reasons),
            "timings_s": result.timings,
        }
    )


# ------------------------------------------------------------------------ HTML

Labels = Mapping[str, tuple[str, str]]


def _named(label: str, name: str) -> Markup:
    """A cell: a description with the machine name after it, small."""
    return Markup('{} <span class="small">{}</span>').format(label, name)


def _rows(rows: list[list[Any]], classes: list[str]) -> dict[str, Any]:
    return {"rows": rows, "classes": classes}


def _quality(result: MonitorResult, w: Words, lang: str, labels: Labels) -> dict[str, Any]:
    q = result.quality

    def yes(v: bool) -> str:
        return w.yes if v else w.no

    tables = _rows(
        [
            [
                r["table"],
                f"{yes(r['ref_present'])} → {yes(r['cur_present'])}",
                num(r["ref_rows"]),
                num(r["cur_rows"]),
                num(r["ref_rejected"]),
                num(r["cur_rejected"]),
                pct(r["ref_reject_share"]),
                pct(r["cur_reject_share"]),
            ]
            for r in q.tables.iter_rows(named=True)
        ],
        [
            "alarm" if r["ref_present"] and not r["cur_present"] else ""
            for r in q.tables.iter_rows(named=True)
        ],
    )
    rejects = _rows(
        [
            [
                r["table"],
                r["column"],
                r["rule"],
                num(r["ref_rows"]),
                num(r["cur_rows"]),
                num(r["cur_distinct"]),
            ]
            for r in q.rejects.iter_rows(named=True)
        ],
        [
            "alarm" if r["ref_rows"] == 0 and r["cur_rows"] > 0 else ""
            for r in q.rejects.iter_rows(named=True)
        ],
    )
    changed = q.codes.filter(pl.col("status").is_not_null())
    codes = _rows(
        [
            [
                r["table"],
                r["column"],
                r["code"],
                num(r["ref_count"]),
                num(r["cur_count"]),
                w[r["status"]] if r["alert"] else w.appeared_note,
            ]
            for r in changed.iter_rows(named=True)
        ],
        ["alarm" if r["alert"] else "" for r in changed.iter_rows(named=True)],
    )
    cov_rows, cov_classes = [], []
    for r in q.coverage.iter_rows(named=True):
        rs = r["ref_with_rows"] / r["ref_households"] if r["ref_households"] else None
        cs = r["cur_with_rows"] / r["cur_households"] if r["cur_households"] else None
        cov_rows.append(
            [
                r["table"],
                r["district"],
                f"{num(r['ref_with_rows'])} ({pct(rs)})",
                f"{num(r['cur_with_rows'])} ({pct(cs)})",
            ]
        )
        cov_classes.append("alarm" if r["ref_with_rows"] > 0 and r["cur_with_rows"] == 0 else "")
    miss = (
        q.missing.with_columns((pl.col("cur_missing") - pl.col("ref_missing")).abs().alias("d"))
        .filter(pl.col("d") > 0.01)
        .sort("d", descending=True)
        .head(15)
    )
    return {
        "tables": tables,
        "rejects": rejects,
        "codes": codes,
        "notes": q.notes,
        "coverage": _rows(cov_rows, cov_classes),
        "missing": [
            [
                _named(feature_label(r["feature"], lang, labels), r["feature"]),
                pct(r["ref_missing"]),
                pct(r["cur_missing"]),
                r["explained_by"] or "",
            ]
            for r in miss.iter_rows(named=True)
        ],
    }


def _verdict_cell(r: Mapping[str, Any], w: Words) -> str | Markup:
    if not r["tested"]:
        return w.untested
    if r["alarm"] and r.get("explained_by"):
        return f"{w.alarm} ({r['explained_by']})"
    return Markup("<b>{}</b>").format(w.alarm) if r["alarm"] else ""


def _label(r: Mapping[str, Any], lang: str, labels: Labels) -> str:
    if r["kind"] == "score":
        return issue_name(r["name"], lang)
    return feature_label(r["name"], lang, labels)


def _drift_rows(
    frame: pl.DataFrame, w: Words, lang: str, labels: Labels, with_district: bool
) -> dict[str, Any]:
    rows, classes = [], []
    for r in frame.iter_rows(named=True):
        first: list[Any] = [_named(_label(r, lang, labels), r["name"])]
        if with_district:
            first.append(r["district"])
        rows.append(
            [
                *first,
                f"{num(r['n_ref'])} / {num(r['n_cur'])}",
                num(r["psi"]),
                num(r["practical"], 2),
                num(r["critical"]),
                p_value(r["p_value"]),
                _verdict_cell(r, w),
            ]
        )
        classes.append("alarm" if r["alarm"] else "")
    return _rows(rows, classes)


def _drift(result: MonitorResult, w: Words, lang: str, labels: Labels) -> dict[str, Any]:
    d = result.drift
    feats = d.filter((pl.col("kind") == "feature") & pl.col("district").is_null()).sort(
        "psi", descending=True
    )
    top = feats.head(15)
    practical = result.config.drift.practical_psi
    out: dict[str, Any] = {
        "top_chart": hbars(
            [feature_label(n, lang, labels) for n in top["name"]],
            top["psi"].to_list(),
            title=w.top_psi,
            value_text=[fixed(v, 3) for v in top["psi"]],
            threshold=practical,
            threshold_label=f"{w.practical} {practical:g}",
            highlight=top["alarm"].to_list(),
        ),
        "features": _drift_rows(feats, w, lang, labels, False),
        "districts": None,
        "scores": None,
    }
    local = d.filter((pl.col("kind") == "feature") & pl.col("district").is_not_null())
    if local.height:
        show = pl.concat(
            [
                local.filter("alarm"),
                local.filter(~pl.col("alarm")).sort("psi", descending=True).head(15),
            ]
        )
        out["districts"] = _drift_rows(show, w, lang, labels, True)
    charted = d.filter(pl.col("alarm") & (pl.col("kind") != "reasons")).head(12)
    if charted.height == 0:
        charted = feats.head(3)
    bins = []
    for r in charted.iter_rows(named=True):
        where = f" — {r['district']}" if r["district"] else ""
        title = f"{_label(r, lang, labels)}{where} (PSI {r['psi']:.3f})"
        chart = paired_bars(
            r["labels"],
            r["ref_share"],
            r["cur_share"],
            title=title,
            ref_name=w.ref,
            cur_name=w.cur,
            value_text=([pct(v) for v in r["ref_share"]], [pct(v) for v in r["cur_share"]]),
        )
        bins.append({"title": title, "chart": chart})
    out["bins"] = bins
    scores = d.filter(pl.col("kind") == "score").sort("name")
    if scores.height:
        out["scores"] = _drift_rows(scores, w, lang, labels, False)
    return out


def _stability(result: MonitorResult, w: Words, lang: str) -> dict[str, Any]:
    s = result.stability
    scope = {"all": w.all, "district": w.district}
    lists = []
    for r in s.lists.iter_rows(named=True):
        key = issue_name(r["key"], lang) if r["scope"] == "issue" else (r["key"] or "")
        lists.append(
            [
                scope.get(r["scope"], w.issue),
                key,
                num(r["ref_listed"]),
                num(r["cur_listed"]),
                num(r["both"]),
                num(r["jaccard"], 2),
            ]
        )
    ranks = [
        [issue_name(r["issue"], lang), num(r["households"]), num(r["spearman"]), num(r["kendall"])]
        for r in s.ranks.iter_rows(named=True)
    ]
    return {"lists": lists, "ranks": ranks}


def _reasons(result: MonitorResult, w: Words, lang: str) -> dict[str, Any] | None:
    r = result.reasons
    if r.height == 0:
        return None
    lab = "label_ja" if lang == "ja" else "label_en"
    test = result.drift.filter(pl.col("kind") == "reasons")
    row = test.row(0, named=True) if test.height else None
    return {
        "chart": paired_bars(
            r[lab].to_list(),
            r["ref_share"].to_list(),
            r["cur_share"].to_list(),
            title=w.reasons,
            ref_name=w.ref,
            cur_name=w.cur,
            value_text=([pct(v) for v in r["ref_share"]], [pct(v) for v in r["cur_share"]]),
            label_width=300,
        ),
        "test": None
        if row is None
        else {
            "psi": row["psi"],
            "critical": row["critical"],
            "verdict": _verdict_cell(row, w) or MISSING,
        },
        "rows": [
            [
                x[lab],
                f"{num(x['ref_count'])} ({pct(x['ref_share'])})",
                f"{num(x['cur_count'])} ({pct(x['cur_share'])})",
            ]
            for x in r.iter_rows(named=True)
        ],
    }


def _method_rows(result: MonitorResult) -> list[list[str]]:
    q, s = result.config.quality, result.config.stability
    rows = [
        [k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)]
        for k, v in method(result).items()
    ]
    return rows + [
        [k, text(v)]
        for k, v in (
            ("quality.row_drop", q.row_drop),
            ("quality.reject_share_increase", q.reject_share_increase),
            ("quality.missing_share_increase", q.missing_share_increase),
            ("quality.district_min_households", q.district_min_households),
            ("quality.code_min_count", q.code_min_count),
            ("quality.code_appeared_min_count", q.code_appeared_min_count),
            ("stability.min_jaccard", s.min_jaccard),
            ("stability.min_spearman", s.min_spearman),
            ("reasons.practical_psi", result.config.reasons.practical_psi),
            ("fail_on", ", ".join(result.config.fail_on)),
        )
    ]


def _alerts(alerts: list[Alert], lang: str) -> list[dict[str, Any]]:
    return [{"check": a.check, "fails": a.fails, "text": alert_text(a, lang)} for a in alerts]


def render_monitor_html(
    result: MonitorResult, lang: str = "ja", labels: Mapping[str, tuple[str, str]] | None = None
) -> str:
    """The monitor report as one self-contained HTML page in ``lang`` (ja or en)."""
    w = words("monitor", lang)
    labels = registry_labels() if labels is None else labels
    runs = [
        [w[key], r["as_of"], r["run_id"], num(r["households"]), num(r["listed"])]
        for key, r in (("ref", result.reference), ("cur", result.current))
    ]
    page = {
        "runs": runs,
        "alerts": _alerts(result.alerts, w.lang),
        "failing": len(result.failing),
        **_quality(result, w, w.lang, labels),
        **_drift(result, w, w.lang, labels),
        **_stability(result, w, w.lang),
        "reasons": _reasons(result, w, w.lang),
        "method": _method_rows(result),
        "generated": _now(),
    }
    return render_page("monitor.html", w, title=w.title, m=page)


def write_monitor_reports(result: MonitorResult, out: Path, lang: str = "ja") -> dict[str, Path]:
    """Write ``monitor.json`` and ``monitor.html`` into ``out`` atomically; returns the paths."""
    out = Path(out)
    data = monitor_json(result)
    return {
        "monitor.json": write_text(
            out / "monitor.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        ),
        "monitor.html": write_text(out / "monitor.html", render_monitor_html(result, lang)),
    }


# ------------------------------------------------------------------------ performance


def performance_json(
    history: pl.DataFrame, error: pl.DataFrame, meta: Mapping[str, Any], alerts: list[Alert]
) -> dict[str, Any]:
    """Performance history, estimate error and metadata as a JSON-ready dict."""
    return jsonable(
        {
            "kind": "kizuki-performance",
            "version": 1,
            "generated_at": _now(),
            **dict(meta),
            "assumptions": words("performance", "en").assump,
            "alerts": alert_records(alerts),
            "history": frame_records(history),
            "estimate_error": frame_records(error),
        }
    )


def _performance_rows(frame: pl.DataFrame, w: Words) -> list[list[str]]:
    rows = []
    for r in frame.iter_rows(named=True):
        known = r["shown"]
        rows.append(
            [
                text(r["as_of"]),
                pct(r["matured_share"]),
                num(r["k"]),
                num(r["hits"]) if known else MISSING,
                pct(r["precision"]) if known else w.not_yet,
                pct(r["expected_precision_to_date"]),
                pct(r["expected_precision"]),
                pct(r["recall"]) if known else w.not_yet,
                pct(r["expected_recall"]),
            ]
        )
    return rows


def render_performance_html(
    history: pl.DataFrame,
    error: pl.DataFrame,
    meta: Mapping[str, Any],
    alerts: list[Alert],
    lang: str = "ja",
) -> str:
    """The performance report as one self-contained HTML page."""
    w = words("performance", lang)
    horizon = int(history["horizon_months"].max() or 6) if history.height else 6
    pooled = history.filter(pl.col("issue") == "all").sort("as_of")
    chart = Markup("")
    if pooled.height:
        shown = pooled["shown"].to_list()
        real = [p if s else None for p, s in zip(pooled["precision"].to_list(), shown, strict=True)]
        chart = lines(
            [str(d) for d in pooled["as_of"]],
            [
                (w.realised, real, False),
                (w.expected, pooled["expected_precision"].to_list(), True),
                (w.exp_to_date, pooled["expected_precision_to_date"].to_list(), True),
            ],
            title=w.chart,
        )
    issues = sorted(set(history["issue"].to_list()) - {"all"})
    page = {
        "horizon": horizon,
        "facts": [
            [w.outcomes, text(meta.get("outcomes"))],
            [w.known_until, text(meta.get("known_until"))],
        ],
        "alerts": [alert_text(a, w.lang) for a in alerts],
        "chart": chart,
        "groups": [(w.pooled, _performance_rows(pooled, w))]
        + [
            (
                issue_name(i, w.lang),
                _performance_rows(history.filter(pl.col("issue") == i).sort("as_of"), w),
            )
            for i in issues
        ],
        "error": [
            [
                w.pooled if r["issue"] == "all" else issue_name(r["issue"], w.lang),
                num(r["runs"]),
                num(r["precision_mae"]),
                num(r["precision_bias"]),
                num(r["recall_mae"]),
                num(r["recall_bias"]),
            ]
            for r in error.iter_rows(named=True)
        ],
    }
    return render_page("performance.html", w, title=w.title, p=page)


def write_performance_reports(
    history: pl.DataFrame,
    error: pl.DataFrame,
    meta: Mapping[str, Any],
    alerts: list[Alert],
    out: Path,
    lang: str = "ja",
) -> dict[str, Path]:
    """Write ``performance.json`` and ``performance.html`` into ``out`` atomically."""
    out = Path(out)
    data = performance_json(history, error, meta, alerts)
    return {
        "performance.json": write_text(
            out / "performance.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        ),
        "performance.html": write_text(
            out / "performance.html", render_performance_html(history, error, meta, alerts, lang)
        ),
    }
