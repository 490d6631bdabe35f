"""Audit outputs: ``audit.json`` (for machines) and ``audit.html`` (one self-contained page, ja/en).

Recall parity comes first (outreach is assistive and capacity is small: a list that
misses whole groups is the harm to watch), with a dot-and-interval chart of each
group's recall ratio to the reference group; the other metrics sit beside it. Every
number comes from :attr:`AuditResult.rows`, already suppressed: a small cell shows
"<10", a cell hidden to protect another shows "※", outcomes not yet known show
"pending" — never a zero in their place.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from kizuki.audit.core import ALL, OVERALL, AuditResult
from kizuki.audit.metrics import METRICS
from kizuki.io.atomic import write_text
from kizuki.io.jsonable import jsonable
from kizuki.monitor.page import dot_whisker, esc, page, table
from kizuki.monitor.report import issue_label

T: dict[str, dict[str, str]] = {
    "ja": {
        "title": "気づき 公平性の監査",
        "as_of": "基準日",
        "run": "実行ID",
        "households": "世帯数",
        "listed": "リスト掲載世帯",
        "horizon": "確認期間",
        "months": "{h} か月",
        "known": "支援記録の最新日",
        "matured": "期間の経過",
        "pending_box": "この実行の確認期間（基準日から {h} か月）は、支援記録の最新日 {d} の時点で {p} しか経過していません。確認率・見逃し率などは期間が {m} 経過してから表示します（「結果待ち」はゼロという意味ではありません）。",
        "no_outcomes": "支援記録（outcomes）が与えられていないため、結果に基づく指標は表示していません。掲載率のみです。",
        "intro": "訪問候補リストが特定の集団を見逃していないかを確かめます。アウトリーチは支援の入口で、訪問できる件数に限りがあるため、集団ごとの「見つけられた割合（再現率）」が基準集団と比べてどうかを最初に示し、ほかの指標をその横に示します。区間はブートストラップ（世帯の再抽出）による{level}区間です。",
        "suppress": "10世帯未満のセルは表示しません（<10）。他のセルが引き算で分からないように隠したものは ※、結果がまだ出そろっていないものは「結果待ち」と表示します。",
        "alerts": "アラート",
        "none": "なし",
        "source_outcomes": "支援記録に基づく監査（確認された新規の支援）",
        "source_truth": "合成データの真値に基づく監査（本当に支援が必要だった世帯をどれだけ見つけたか）",
        "all_issues": "全課題（世帯×課題の組）",
        "recall_parity": "再現率の公平性",
        "others": "その他の指標",
        "dimension": "区分",
        "group": "集団",
        "n": "世帯数",
        "n_pairs": "組数",
        "recall": "再現率",
        "selection_rate": "掲載率",
        "precision": "的中率",
        "fnr": "見逃し率",
        "for": "非掲載中の該当率",
        "prevalence": "該当率",
        "diff": "差（基準との）",
        "ratio": "比（基準との）",
        "ref": "基準",
        "chart": "{dim}: 再現率の比（基準 = {ref}）",
        "ref_hidden": "基準集団（{ref}）の再現率が表示できない（<10 または ※）ため、差と比は示せません。",
        "small": "<10",
        "protected": "※",
        "pending": "結果待ち",
        "method": "方法",
        "overall": "全体",
        "groups": {
            "single_65plus": "65歳以上の一人暮らし",
            "single_under65": "65歳未満の一人暮らし",
            "eight050_shape": "高齢の親と中高年の子",
            "three_generation": "三世代",
            "elderly_only": "高齢者のみ",
            "single_parent": "ひとり親と子",
            "couple_with_children": "夫婦と子",
            "other": "その他",
            "jp": "日本国籍のみ",
            "foreign": "外国籍の人がいる",
            "M": "男性",
            "F": "女性",
            "unknown": "不明",
            "all": "全体",
            "<40": "40歳未満",
            "40-64": "40〜64歳",
            "65-74": "65〜74歳",
            "75-84": "75〜84歳",
            "85+": "85歳以上",
        },
        "glossary_title": "用語",
        "glossary": [
            ["再現率", "その集団で支援が必要だった世帯のうち、リストに載った世帯の割合（見つけられた割合）"],
            ["見逃し率", "支援が必要だった世帯のうち、リストに載らなかった世帯の割合（1 − 再現率）"],
            ["掲載率", "その集団の世帯のうち、リストに載った世帯の割合"],
            ["的中率", "リストに載った世帯のうち、支援が必要だった世帯の割合"],
            ["非掲載中の該当率", "リストに載らなかった世帯のうち、支援が必要だった世帯の割合"],
            ["該当率", "その集団で支援が必要だった世帯の割合"],
            ["比（基準との）", "基準集団の値を 1 としたときの値。1 より小さいほど基準集団より見つけにくい"],
            ["区間", "世帯を再抽出して計算をくり返したときに値が入る範囲。区間が 1 をまたぐときは、差があるとは言えない"],
        ],
        "dims": {"district": "地区", "nationality": "国籍", "hh_type": "世帯の型", "oldest_age_band": "最年長者の年齢層", "head_sex": "世帯主の性別", "overall": "全体"},
    },
    "en": {
        "title": "kizuki fairness audit",
        "as_of": "As of",
        "run": "Run id",
        "households": "Households",
        "listed": "Listed households",
        "horizon": "Horizon",
        "months": "{h} months",
        "known": "Case records known until",
        "matured": "Horizon passed",
        "pending_box": "Only {p} of this run's horizon ({h} months from the as-of date) had passed by the newest case record ({d}). Precision, recall and the other outcome metrics are shown once {m} has passed (\"pending\" does not mean zero).",
        "no_outcomes": "No case records (outcomes) were given: only selection rates are shown.",
        "intro": "Does the shortlist pass over whole groups? Outreach is assistive and capacity is small, so each group's recall (the share of cases the list found) against the reference group's comes first; the other metrics sit beside it. Intervals are {level} household-bootstrap intervals.",
        "suppress": "Cells under 10 households are not shown (<10). ※ marks a number hidden so that a small cell cannot be recovered by subtraction; \"pending\" marks outcomes not yet known.",
        "alerts": "Alerts",
        "none": "none",
        "source_outcomes": "Audit against case records (new confirmed cases)",
        "source_truth": "Audit against synthetic truth (how much true need the list found)",
        "all_issues": "All issues (household × issue pairs)",
        "recall_parity": "Recall parity",
        "others": "Other metrics",
        "dimension": "Dimension",
        "group": "Group",
        "n": "Households",
        "n_pairs": "Pairs",
        "recall": "Recall",
        "selection_rate": "Selection rate",
        "precision": "Precision",
        "fnr": "FNR",
        "for": "FOR",
        "prevalence": "Prevalence",
        "diff": "Difference to reference",
        "ratio": "Ratio to reference",
        "ref": "reference",
        "chart": "{dim}: recall ratio (reference = {ref})",
        "ref_hidden": "The reference group's ({ref}) recall cannot be shown (<10 or ※), so no difference or ratio is given.",
        "small": "<10",
        "protected": "※",
        "pending": "pending",
        "method": "Method",
        "overall": "overall",
        "groups": {
            "single_65plus": "living alone, 65+",
            "single_under65": "living alone, under 65",
            "eight050_shape": "elderly parent with middle-aged child",
            "three_generation": "three generations",
            "elderly_only": "older people only",
            "single_parent": "single parent with children",
            "couple_with_children": "couple with children",
            "other": "other",
            "jp": "Japanese nationals only",
            "foreign": "a foreign national in the household",
            "M": "male",
            "F": "female",
            "unknown": "unknown",
            "all": "all",
        },
        "glossary_title": "Terms",
        "glossary": [
            ["Recall", "of the group's households that had the need, the share the list found"],
            ["FNR", "of the households that had the need, the share the list missed (1 − recall)"],
            ["Selection rate", "the share of the group's households on the list"],
            ["Precision", "of the listed households, the share that had the need"],
            ["FOR", "of the households not listed, the share that had the need"],
            ["Prevalence", "the share of the group's households that had the need"],
            ["Ratio to reference", "the value with the reference group's as 1; below 1, the list finds this group's need less often"],
            ["Interval", "where the value falls when households are resampled; an interval of the ratio that spans 1 shows no clear difference"],
        ],
        "dims": {"district": "district", "nationality": "nationality", "hh_type": "household type", "oldest_age_band": "age band of the oldest", "head_sex": "sex of the head", "overall": "overall"},
    },
}


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
        "alert": f"recall ratio interval entirely below {c.alerts.recall_ratio_below}" if c.alerts.recall_ratio_below else None,
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
            "alerts": [a.to_dict() for a in result.alerts],
            "method": method(result),
            "rows": result.rows.to_dicts(),
            "timings_s": result.timings,
        }
    )


def _pct(v: float | None) -> str:
    if v is None:
        return ""
    return f"{100 * v:.2f}%" if abs(v) < 0.01 else f"{100 * v:.1f}%"


def _estimate(
    value: float | None, low: float | None, high: float | None, fmt: Any, unit: str = ""
) -> str:
    """``fmt(value)`` and ``unit``, then ``[fmt(low)–fmt(high)]`` when an interval exists;
    — when there is no value."""
    if value is None:
        return "—"
    ci = f' <span class="small">[{fmt(low)}–{fmt(high)}]</span>' if low is not None else ""
    return f"{fmt(value)}{unit}{ci}"


def _cell(r: Mapping[str, Any], t: Mapping[str, str], kind: str = "value") -> str:
    status = r["status"]
    if status != "shown":
        return f'<span class="supp">{esc(t.get(status, status))}</span>'
    if kind == "value":
        return _estimate(r["value"], r["low"], r["high"], _pct)
    if r["reference"]:
        return f'<span class="small">{esc(t["ref"])}</span>'
    if kind == "diff":
        return _estimate(r["diff"], r["diff_low"], r["diff_high"], lambda v: f"{100 * v:+.1f}", " pt")
    return _estimate(r["ratio"], r["ratio_low"], r["ratio_high"], lambda v: f"{v:.2f}")


def _n(r: Mapping[str, Any], t: Mapping[str, str]) -> str:
    if r["n"] is None:
        return f'<span class="supp">{esc(t.get(r["n_status"], r["n_status"]))}</span>'
    return f"{r['n']:,}"


def _group_name(group: str, t: Mapping[str, Any]) -> str:
    """A group's label in the page's language (intersections part by part; districts as they are)."""
    names = t["groups"]
    return " × ".join(names.get(p, p) for p in group.split(" × "))


def _dim_name(name: str, t: Mapping[str, Any]) -> str:
    dims = t["dims"]
    return " × ".join(dims.get(p, p) for p in name.split(" × "))


def _block(rows: pl.DataFrame, dim: str, t: Mapping[str, Any], pairs: bool) -> str:
    """Recall parity (chart + table) then the other metrics for one dimension."""
    sub = rows.filter(pl.col("dimension") == dim)
    if sub.height == 0:
        return ""
    by_metric = {m: sub.filter(pl.col("metric") == m).sort("group") for m in METRICS}
    recall = by_metric["recall"]
    groups = recall["group"].to_list()
    ref = next((g for g, is_ref in zip(groups, recall["reference"].to_list(), strict=True) if is_ref), "")
    ref = _group_name(ref, t) if ref else ref
    out = [f"<h4>{esc(_dim_name(dim, t))}</h4>"]
    if dim != OVERALL:
        pts, los, his = [], [], []
        for r in recall.iter_rows(named=True):
            ok = r["status"] == "shown" and r["ratio"] is not None
            pts.append(r["ratio"] if ok else None)
            los.append(r["ratio_low"] if ok else None)
            his.append(r["ratio_high"] if ok else None)
        finite = [v for v in (*pts, *his) if v is not None]
        out.append(
            dot_whisker(
                [_group_name(g, t) for g in groups],
                pts,
                los,
                his,
                title=t["chart"].format(dim=_dim_name(dim, t), ref=ref),
                reference=1.0,
                reference_label=f"1.0 = {ref}",
                missing_text="<10 / ※",
                hi_limit=max(2.0, *(finite or [0.0])) if finite else 2.0,
            )
        )
    ref_row = recall.filter(pl.col("reference"))
    if dim != OVERALL and ref_row.height and ref_row["status"][0] != "shown":
        out.append(f'<p class="note">{esc(t["ref_hidden"].format(ref=ref))}</p>')
    n_head = t["n_pairs"] if pairs else t["n"]
    rec_rows = [
        [esc(_group_name(r["group"], t)) + (f' <span class="small">({esc(t["ref"])})</span>' if r["reference"] else ""), _n(r, t), _cell(r, t), _cell(r, t, "diff"), _cell(r, t, "ratio")]
        for r in recall.iter_rows(named=True)
    ]
    out.append(table([t["group"], n_head, t["recall"], t["diff"], t["ratio"]], rec_rows))
    other = [m for m in METRICS if m != "recall"]
    rows_o = []
    for i, g in enumerate(groups):
        cells = [esc(_group_name(g, t))]
        for m in other:
            r = by_metric[m].row(i, named=True)
            val = _cell(r, t)
            if r["status"] == "shown" and not r["reference"] and r["ratio"] is not None:
                val += f' <span class="small">×{r["ratio"]:.2f}</span>'
            cells.append(val)
        rows_o.append(cells)
    out.append(f"<p class=\"small\">{esc(t['others'])}</p>")
    out.append(table([t["group"], *[t[m] for m in other]], rows_o))
    return "".join(out)


def render_audit_html(result: AuditResult, lang: str = "ja") -> str:
    """The audit as one self-contained HTML page in ``lang`` (ja or en)."""
    t = T["en" if lang == "en" else "ja"]
    level = f"{result.config.bootstrap.level:.0%}"
    run = result.run
    facts = [
        [esc(t["as_of"]), esc(run["as_of"])],
        [esc(t["run"]), esc(run["run_id"])],
        [esc(t["households"]), f"{run['households']:,}"],
        [esc(t["listed"]), f"{run['listed']:,}"],
        [esc(t["horizon"]), esc(t["months"].format(h=result.horizon_months))],
        [esc(t["known"]), esc(result.known_until or "—")],
        [esc(t["matured"]), f"{result.matured_share:.0%}"],
    ]
    out = [f"<h1>{esc(t['title'])}</h1>", table(["", ""], facts, left=2)]
    if result.known_until is None:
        out.append(f'<div class="box bad">{esc(t["no_outcomes"])}</div>')
    elif not result.labels_known:
        out.append(
            '<div class="box bad">'
            + esc(t["pending_box"].format(h=result.horizon_months, d=result.known_until, p=f"{result.matured_share:.0%}", m=f"{result.config.min_matured_share:.0%}"))
            + "</div>"
        )
    out.append(f"<p>{esc(t['intro'].format(level=level))}</p><p class=\"note\">{esc(t['suppress'])}</p>")
    if result.alerts:
        items = "".join(f"<li>{esc(a.message(lang))}</li>" for a in result.alerts)
        out.append(f'<div class="box bad"><b>{esc(t["alerts"])}</b><ul>{items}</ul></div>')
    else:
        out.append(f'<div class="box ok">{esc(t["alerts"])}: {esc(t["none"])}</div>')
    dims = list(dict.fromkeys(result.rows["dimension"].to_list()))
    for source in ("outcomes", "truth"):
        rows = result.rows.filter(pl.col("source") == source)
        if rows.height == 0:
            continue
        out.append(f"<h2>{esc(t['source_' + source])}</h2>")
        issues = [ALL, *sorted(set(rows["issue"].to_list()) - {ALL})]
        for k, issue in enumerate(issues):
            title = t["all_issues"] if issue == ALL else issue_label(issue, lang)
            body = f"<h3>{esc(t['recall_parity'])}</h3>" + "".join(_block(rows.filter(pl.col("issue") == issue), d, t, issue == ALL) for d in dims)
            open_attr = " open" if k == 0 else ""
            out.append(f"<details{open_attr}><summary><b>{esc(title)}</b></summary>{body}</details>")
    out.append(f"<h2>{esc(t['glossary_title'])}</h2>")
    out.append(table(["", ""], [[esc(k), esc(v)] for k, v in t["glossary"]], left=2))
    m = method(result)
    out.append(f"<h2>{esc(t['method'])}</h2>")
    out.append(table(["", ""], [[esc(k), esc(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))] for k, v in m.items()], left=2))
    return page(t["title"], lang, "".join(out))


def write_audit_reports(result: AuditResult, out: Path, lang: str = "ja") -> dict[str, Path]:
    """Write ``audit.json`` and ``audit.html`` into ``out`` atomically; returns the paths."""
    out = Path(out)
    return {
        "audit.json": write_text(out / "audit.json", json.dumps(audit_json(result), ensure_ascii=False, indent=2) + "\n"),
        "audit.html": write_text(out / "audit.html", render_audit_html(result, lang)),
    }
