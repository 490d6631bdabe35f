"""Audit outputs: JSON for machines, one self-contained HTML page for people (ja/en)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import polars as pl

from kizuki.audit.run import AuditResult
from kizuki.contract.schema import ISSUE_NAMES_EN, ISSUE_NAMES_JA
from kizuki.io.atomic import write_text

T = {
    "ja": {
        "title": "気づき 公平性の監査",
        "asof": "基準日",
        "matured": "結果の判明度",
        "pending": "この実行の対象期間の支援記録はまだ出そろっていません。確認率・見逃し率などは、記録が出そろってから表示します（ゼロではありません）。",
        "intro": "訪問候補リストが特定の集団を見逃していないかを確かめます。アウトリーチは支援の入口で件数に限りがあるため、集団ごとの「見つけられた割合（再現率）」の差を最初に示します。10世帯未満のセルは表示しません（<10）。",
        "ratio": "再現率の比（最大の集団を基準、95%区間）",
        "group": "区分",
        "value": "集団",
        "n": "世帯数",
        "selection_rate": "掲載率",
        "prevalence": "新規支援の割合",
        "precision": "的中率",
        "recall": "再現率",
        "fnr": "見逃し率",
        "for": "非掲載中の支援割合",
        "alerts": "注意",
        "none": "なし",
    },
    "en": {
        "title": "kizuki fairness audit",
        "asof": "As of",
        "matured": "Outcomes known",
        "pending": "Case records for this run's horizon are not all in yet. Precision, recall and the other outcome metrics appear once they are (they are not zero).",
        "intro": "Does the shortlist pass over whole groups? Outreach is assistive and capacity is small, so the gap in recall (the share of new cases the list found) comes first. Cells under 10 households are suppressed (<10).",
        "ratio": "Recall ratio to the largest group (95% interval)",
        "group": "Group",
        "value": "Value",
        "n": "Households",
        "selection_rate": "Selection rate",
        "prevalence": "Prevalence",
        "precision": "Precision",
        "recall": "Recall",
        "fnr": "FNR",
        "for": "FOR",
        "alerts": "Alerts",
        "none": "none",
    },
}


def to_json(result: AuditResult) -> str:
    """The audit as JSON (suppressed cells are null with ``suppressed`` true)."""
    return json.dumps(
        {
            "as_of": result.as_of,
            "horizon_months": result.horizon_months,
            "matured_share": result.matured_share,
            "outcomes_through": result.outcomes_through,
            "alerts": result.alerts,
            "metrics": result.metrics.to_dicts(),
            "recall_ratios": result.recall_ratios.to_dicts(),
        },
        ensure_ascii=False,
        indent=2,
        default=str,
    )


def _fmt(v: object) -> str:
    return "<10" if v is None else f"{float(v):.1%}"


def to_html(result: AuditResult, lang: str = "ja") -> str:
    """One self-contained page: recall ratios first, then every metric by group."""
    t = T[lang]
    names = ISSUE_NAMES_JA if lang == "ja" else ISSUE_NAMES_EN
    e = html.escape
    out = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{e(t['title'])}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}th{background:#eef}td.l{text-align:left}"
        ".bar{display:inline-block;height:.8em;background:#2a6fb0}.note{background:#fff6e0;padding:.5em 1em}</style></head><body>",
        f"<h1>{e(t['title'])}</h1><p>{e(t['asof'])}: {e(result.as_of)} · {e(t['matured'])}: {result.matured_share:.0%}</p>",
        f"<p>{e(t['intro'])}</p>",
    ]
    if result.matured_share < 1:
        out.append(f"<p class='note'>{e(t['pending'])}</p>")
    out.append(
        f"<h2>{e(t['alerts'])}</h2><ul>"
        + ("".join(f"<li>{e(a)}</li>" for a in result.alerts) or f"<li>{e(t['none'])}</li>")
        + "</ul>"
    )
    for issue in result.metrics["issue"].unique(maintain_order=True).to_list():
        out.append(
            f"<h2>{e(names.get(issue, issue))}</h2><h3>{e(t['ratio'])}</h3><table><tr><th>{e(t['group'])}</th><th>{e(t['value'])}</th><th>ratio</th><th>95%</th><th></th></tr>"
        )
        for r in result.recall_ratios.filter(pl.col("issue") == issue).iter_rows(named=True):
            ratio = "<10" if r["recall_ratio"] is None else f"{r['recall_ratio']:.2f}"
            ci = "" if r["ci_low"] is None else f"{r['ci_low']:.2f}–{r['ci_high']:.2f}"
            bar = (
                ""
                if r["recall_ratio"] is None
                else f"<span class='bar' style='width:{min(r['recall_ratio'], 2) * 80:.0f}px'></span>"
            )
            out.append(
                f"<tr><td class='l'>{e(r['group'])}</td><td class='l'>{e(r['value'])} / {e(r['reference'])}</td><td>{ratio}</td><td>{ci}</td><td class='l'>{bar}</td></tr>"
            )
        out.append(
            "</table><table><tr>"
            + "".join(
                f"<th>{e(t[k])}</th>"
                for k in (
                    "group",
                    "value",
                    "n",
                    "recall",
                    "selection_rate",
                    "precision",
                    "fnr",
                    "for",
                    "prevalence",
                )
            )
            + "</tr>"
        )
        for r in result.metrics.filter(pl.col("issue") == issue).iter_rows(named=True):
            n = "<10" if r["n"] is None else f"{r['n']:,}"
            cells = "".join(
                f"<td>{_fmt(r[k]) if not (r[k] is None and not r['suppressed'] and result.matured_share < 1 and k != 'selection_rate') else '—'}</td>"
                for k in ("recall", "selection_rate", "precision", "fnr", "for", "prevalence")
            )
            out.append(
                f"<tr><td class='l'>{e(r['group'])}</td><td class='l'>{e(r['value'])}</td><td>{n}</td>{cells}</tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "".join(out)


def write_audit(out: Path, result: AuditResult, lang: str) -> list[Path]:
    """Write ``audit.json`` and ``audit.html`` into ``out``."""
    return [
        write_text(out / "audit.json", to_json(result)),
        write_text(out / "audit.html", to_html(result, lang)),
    ]
