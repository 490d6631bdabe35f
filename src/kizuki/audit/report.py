"""Audit outputs: ``audit.json`` (for machines) and ``audit.html`` (one self-contained page, ja/en).

Recall parity comes first (outreach is assistive and capacity is small: a list that
misses whole groups is the harm to watch), with a dot-and-interval chart of each
group's recall ratio to the reference group; the other metrics sit beside it. Every
number comes from :attr:`AuditResult.rows`, already suppressed: a small cell shows
"<10", a cell hidden to protect another shows "※", outcomes not yet known show
"pending" — never a zero in their place. The page is the kit's
``kizuki/pages/templates/audit.html`` with the words of ``pages/words/audit.yaml``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
from markupsafe import Markup

from kizuki.audit.core import ALL, OVERALL, AuditResult
from kizuki.audit.metrics import METRICS
from kizuki.io.atomic import write_text
from kizuki.io.jsonable import jsonable
from kizuki.pages import Words, alert_text, render_page, words
from kizuki.pages.charts import dot_whisker
from kizuki.pages.format import MISSING, integer, interval, missing, pct, ratio, signed_points, text
from kizuki.pages.records import alert_records
from kizuki.pages.words import issue_name


def method(result: AuditResult) -> dict[str, Any]:
    """The audit's definitions and settings."""
    c = result.config
    return {
        "listed": "on the run's shortlist for that issue (the list size is the districts' capacity)",
        "cohort": "scores.parquet rows of the issue: households on the as-of date without a known case of it",
        "label": f"a confirmed case of the issue opened in (as_of, as_of + {result.horizon_months} months] (contract §2)",
        "truth": "the household truly had the need in the month of the as-of date (truth/latent.parquet)",
        "metrics": {
            "selection_rate": "listed / n",
            "recall": "tp / (tp + fn)",
            "precision": "tp / (tp + fp)",
            "fnr": "fn / (tp + fn)",
            "for": "fn / (fn + tn)",
            "prevalence": "(tp + fn) / n",
        },
        "reference_group": "the dimension's largest group of households on the as-of date unless configured",
        "references": result.references,
        "bootstrap": {
            "replicates": c.bootstrap.replicates,
            "seed": c.bootstrap.seed,
            "level": c.bootstrap.level,
            "how": "households resampled with replacement (multinomial counts of identical household patterns)",
        },
        "suppression": {
            "min_cell": c.min_cell,
            "primary": "a number is shown only when every cell it derives from holds at least min_cell households "
            "(n; listed and not listed for the selection rate; tp, fp, fn and tn for the outcome metrics)",
            "secondary": "within every published total (a dimension, an intersection's rows and columns, a "
            "group's issues against its all-issues figure) the hidden groups together hold at least min_cell "
            "in every cell, else more groups are hidden",
            "intersections": f"cells under {c.intersection_min_households} households are left out",
        },
        "min_matured_share": c.min_matured_share,
        "alert": f"recall ratio interval entirely below {c.alerts.recall_ratio_below}"
        if c.alerts.recall_ratio_below
        else None,
    }


def audit_json(result: AuditResult) -> dict[str, Any]:
    """The audit as a JSON-ready dict (suppressed numbers are null with their status)."""
    return jsonable(
        {
            "kind": "kizuki-audit",
            "version": 1,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "run": result.run,
            "horizon_months": result.horizon_months,
            "outcomes_known_until": result.known_until,
            "matured_share": result.matured_share,
            "outcome_metrics": "shown" if result.labels_known else "pending",
            "truth": result.truth,
            "alerts": alert_records(result.alerts),
            "method": method(result),
            "rows": result.rows.to_dicts(),
            "timings_s": result.timings,
        }
    )


def _estimate(
    value: Any, low: Any, high: Any, fmt: Callable[[Any], str], unit: str = ""
) -> str | Markup:
    """``fmt(value)`` and ``unit``, then ``[fmt(low)–fmt(high)]`` (small) when an interval
    exists; the missing mark when there is no value."""
    if missing(value):
        return MISSING
    if low is None:
        return fmt(value) + unit
    return Markup('{}{} <span class="small">{}</span>').format(
        fmt(value), unit, interval(low, high, fmt)
    )


def _share(v: Any) -> str:
    return pct(v, fine=True)


def _suppressed(status: str, w: Words) -> Markup:
    return Markup('<span class="supp">{}</span>').format(w.get(status, status))


def _cell(r: Mapping[str, Any], w: Words, kind: str = "value") -> str | Markup:
    if r["status"] != "shown":
        return _suppressed(r["status"], w)
    if kind == "value":
        return _estimate(r["value"], r["low"], r["high"], _share)
    if r["reference"]:
        return Markup('<span class="small">{}</span>').format(w.ref)
    if kind == "diff":
        return _estimate(r["diff"], r["diff_low"], r["diff_high"], signed_points, " pt")
    return _estimate(r["ratio"], r["ratio_low"], r["ratio_high"], ratio)


def _n(r: Mapping[str, Any], w: Words) -> str | Markup:
    if r["n"] is None:
        return _suppressed(r["n_status"], w)
    return integer(r["n"])


def _group_name(group: str, w: Words) -> str:
    """A group's label in the page's language (intersections part by part; districts as they are)."""
    return " × ".join(w.get(f"groups.{p}", p) for p in group.split(" × "))


def _dim_name(name: str, w: Words) -> str:
    return " × ".join(w.get(f"dims.{p}", p) for p in name.split(" × "))


def _block(rows: pl.DataFrame, dim: str, w: Words) -> dict[str, Any] | None:
    """Recall parity (chart + table) then the other metrics for one dimension."""
    sub = rows.filter(pl.col("dimension") == dim)
    if sub.height == 0:
        return None
    by_metric = {m: sub.filter(pl.col("metric") == m).sort("group") for m in METRICS}
    recall = by_metric["recall"]
    groups = recall["group"].to_list()
    ref = next(
        (g for g, is_ref in zip(groups, recall["reference"].to_list(), strict=True) if is_ref), ""
    )
    ref = _group_name(ref, w) if ref else ref
    chart = Markup("")
    if dim != OVERALL:
        pts, los, his = [], [], []
        for r in recall.iter_rows(named=True):
            ok = r["status"] == "shown" and r["ratio"] is not None
            pts.append(r["ratio"] if ok else None)
            los.append(r["ratio_low"] if ok else None)
            his.append(r["ratio_high"] if ok else None)
        finite = [v for v in (*pts, *his) if v is not None]
        chart = dot_whisker(
            [_group_name(g, w) for g in groups],
            pts,
            los,
            his,
            title=w("chart", dim=_dim_name(dim, w), ref=ref),
            reference=1.0,
            reference_label=f"1.0 = {ref}",
            missing_text=f"{w.small} / {w.protected}",
            hi_limit=max(2.0, *(finite or [0.0])) if finite else 2.0,
        )
    ref_row = recall.filter(pl.col("reference"))
    other = [m for m in METRICS if m != "recall"]
    others = []
    for i, g in enumerate(groups):
        cells: list[Any] = [_group_name(g, w)]
        for m in other:
            r = by_metric[m].row(i, named=True)
            val = _cell(r, w)
            if r["status"] == "shown" and not r["reference"] and r["ratio"] is not None:
                val = Markup('{} <span class="small">×{}</span>').format(val, ratio(r["ratio"]))
            cells.append(val)
        others.append(cells)
    return {
        "dimension": _dim_name(dim, w),
        "chart": chart,
        "ref": ref,
        "ref_hidden": dim != OVERALL and ref_row.height > 0 and ref_row["status"][0] != "shown",
        "recall": [
            [
                Markup('{} <span class="small">({})</span>').format(
                    _group_name(r["group"], w), w.ref
                )
                if r["reference"]
                else _group_name(r["group"], w),
                _n(r, w),
                _cell(r, w),
                _cell(r, w, "diff"),
                _cell(r, w, "ratio"),
            ]
            for r in recall.iter_rows(named=True)
        ],
        "other_heads": [w[m] for m in other],
        "others": others,
    }


def render_audit_html(result: AuditResult, lang: str = "ja") -> str:
    """The audit as one self-contained HTML page in ``lang`` (ja or en)."""
    w = words("audit", lang)
    run = result.run
    facts = [
        [w.as_of, text(run["as_of"])],
        [w.run, text(run["run_id"])],
        [w.households, integer(run["households"])],
        [w.listed, integer(run["listed"])],
        [w.horizon, w("months", h=result.horizon_months)],
        [w.known, text(result.known_until)],
        [w.matured, pct(result.matured_share, 0)],
    ]
    box = None
    if result.known_until is None:
        box = w.no_outcomes
    elif not result.labels_known:
        box = w(
            "pending_box",
            h=result.horizon_months,
            d=result.known_until,
            p=pct(result.matured_share, 0),
            m=pct(result.config.min_matured_share, 0),
        )
    dims = list(dict.fromkeys(result.rows["dimension"].to_list()))
    sources = []
    for source in ("outcomes", "truth"):
        rows = result.rows.filter(pl.col("source") == source)
        if rows.height == 0:
            continue
        issues = []
        for issue in [ALL, *sorted(set(rows["issue"].to_list()) - {ALL})]:
            of_issue = rows.filter(pl.col("issue") == issue)
            blocks = [b for d in dims if (b := _block(of_issue, d, w)) is not None]
            issues.append(
                {
                    "title": w.all_issues if issue == ALL else issue_name(issue, w.lang),
                    "pairs": issue == ALL,
                    "blocks": blocks,
                }
            )
        sources.append({"title": w["source_" + source], "issues": issues})
    page = {
        "facts": facts,
        "outcomes_box": box,
        "level": pct(result.config.bootstrap.level, 0),
        "alerts": [alert_text(a, w.lang) for a in result.alerts],
        "sources": sources,
        "glossary": [[w[k], v] for k, v in w.section("glossary").items()],
        "method": [
            [k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)]
            for k, v in method(result).items()
        ],
    }
    return render_page("audit.html", w, title=w.title, a=page)


def write_audit_reports(result: AuditResult, out: Path, lang: str = "ja") -> dict[str, Path]:
    """Write ``audit.json`` and ``audit.html`` into ``out`` atomically; returns the paths."""
    out = Path(out)
    return {
        "audit.json": write_text(
            out / "audit.json", json.dumps(audit_json(result), ensure_ascii=False, indent=2) + "\n"
        ),
        "audit.html": write_text(out / "audit.html", render_audit_html(result, lang)),
    }
