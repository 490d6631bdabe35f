"""Monitor outputs: ``monitor.json`` (for machines) and ``monitor.html`` (for people), and
the same pair for performance (``performance.json``, ``performance.html``).

The HTML is one self-contained page, Japanese by default (``lang="en"`` for English):
a verdict first (what fired, in words), then data quality, drift, scores, list
stability, reasons, and the method with every threshold used. Nothing in either file
is a record's value: counts, shares, PSI, bin labels (reference percentile ranges or
codes) only.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from kizuki.contract.schema import ISSUE_NAMES_EN, ISSUE_NAMES_JA
from kizuki.io.atomic import write_text
from kizuki.io.jsonable import jsonable
from kizuki.monitor.compare import MonitorResult
from kizuki.monitor.nulltest import MIN_EXPECTED
from kizuki.monitor.page import esc, hbars, lines, page, paired_bars, table

T: dict[str, dict[str, str]] = {
    "ja": {
        "title": "気づき モニタリング報告",
        "ref": "比較の基準（前回）",
        "cur": "今回",
        "as_of": "基準日",
        "run": "実行ID",
        "households": "世帯数",
        "listed": "リスト掲載世帯",
        "ok": "アラートはありません。データと結果は前回と同じ範囲に収まっています。",
        "alerts": "アラート {n} 件（うち夜間処理を止めるもの {f} 件）",
        "fails": "停止",
        "warn": "注意",
        "quality": "1. データの品質",
        "tables": "テーブルごとの行数と除外行",
        "table": "テーブル",
        "present": "有無",
        "rows": "読込行数",
        "rejected": "除外行",
        "share": "除外率",
        "yes": "あり",
        "no": "なし",
        "rejects": "除外の理由（規則ごとの行数）",
        "column": "列",
        "rule": "規則",
        "distinct": "種類数",
        "codes": "コードの出現・消失",
        "code": "コード",
        "status": "状態",
        "appeared": "新たに出現",
        "vanished": "消失",
        "coverage": "地区ごとの「データがある世帯」",
        "district": "地区",
        "with_rows": "データあり世帯",
        "missing": "欠損の割合が大きく変わった特徴量",
        "feature": "特徴量",
        "explained": "理由",
        "drift": "2. 分布の変化（ドリフト）",
        "drift_intro": "PSI（母集団安定性指標）は、前回と今回で値の分布がどれだけ変わったかを表します。0.1 未満はほぼ同じ、0.25 を超えると大きな変化とされます。アラームは、PSI が実務上の基準を超え、かつ世帯数から見て偶然では説明できない（下の「偶然の上限」を超える）場合だけ出ます。",
        "top_psi": "PSI の大きい特徴量（市町村全体）",
        "psi": "PSI",
        "critical": "偶然の上限",
        "practical": "実務基準",
        "p": "p 値",
        "verdict": "判定",
        "alarm": "アラーム",
        "none": "—",
        "untested": "世帯数不足",
        "n": "世帯数（前回／今回）",
        "district_drift": "地区ごとの分布の変化（PSI 上位）",
        "bins": "分布の比較",
        "bins_note": "横軸は各区分に入る世帯の割合。数値の区分は前回の分布のパーセンタイル範囲です（値そのものは載せていません）。",
        "scores": "3. スコアの分布（課題ごと）",
        "issue": "課題",
        "stability": "4. リストの安定性",
        "overlap": "リストの重なり（Jaccard）",
        "scope": "範囲",
        "all": "全体",
        "both": "両方に掲載",
        "jaccard": "Jaccard",
        "ranks": "スコア順位の相関（両方の対象世帯）",
        "spearman": "Spearman ρ",
        "kendall": "Kendall τ",
        "reasons": "5. リストの理由（気づき項目）の構成",
        "item": "気づき項目",
        "method": "6. 方法と基準",
        "notes": "補足",
        "generated": "作成",
    },
    "en": {
        "title": "kizuki monitoring report",
        "ref": "Reference (previous run)",
        "cur": "Current run",
        "as_of": "As of",
        "run": "Run id",
        "households": "Households",
        "listed": "Listed households",
        "ok": "No alerts. Data and results are within the range of the previous run.",
        "alerts": "{n} alert(s) ({f} stop the nightly batch)",
        "fails": "stop",
        "warn": "warning",
        "quality": "1. Data quality",
        "tables": "Rows read and rejected per table",
        "table": "Table",
        "present": "Present",
        "rows": "Rows read",
        "rejected": "Rejected",
        "share": "Reject share",
        "yes": "yes",
        "no": "no",
        "rejects": "Why rows were rejected (rows per rule)",
        "column": "Column",
        "rule": "Rule",
        "distinct": "Distinct",
        "codes": "Codes that appeared or vanished",
        "code": "Code",
        "status": "Status",
        "appeared": "appeared",
        "vanished": "vanished",
        "coverage": "Households with each table's data, per district",
        "district": "District",
        "with_rows": "with data",
        "missing": "Features whose missing share changed most",
        "feature": "Feature",
        "explained": "Explained by",
        "drift": "2. Distribution shift (drift)",
        "drift_intro": "PSI (population stability index) measures how much a distribution changed between the runs. Below 0.1 means about the same; above 0.25 is a large change. An alarm needs both: PSI above the practical threshold, and PSI beyond what chance explains at these numbers of households (the 'chance limit' below).",
        "top_psi": "Features with the largest PSI (whole municipality)",
        "psi": "PSI",
        "critical": "Chance limit",
        "practical": "Practical threshold",
        "p": "p-value",
        "verdict": "Verdict",
        "alarm": "ALARM",
        "none": "—",
        "untested": "too few households",
        "n": "Households (ref / cur)",
        "district_drift": "Shift within districts (largest PSI)",
        "bins": "Distributions compared",
        "bins_note": "Bars are shares of households per bin. Numeric bins are percentile ranges of the reference distribution (no values are shown).",
        "scores": "3. Score distributions (per issue)",
        "issue": "Issue",
        "stability": "4. List stability",
        "overlap": "Shortlist overlap (Jaccard)",
        "scope": "Scope",
        "all": "all",
        "both": "Listed in both",
        "jaccard": "Jaccard",
        "ranks": "Rank correlation of scores (households in both cohorts)",
        "spearman": "Spearman ρ",
        "kendall": "Kendall τ",
        "reasons": "5. Reasons on the list (気づき items)",
        "item": "気づき item",
        "method": "6. Method and thresholds",
        "notes": "Notes",
        "generated": "Generated",
    },
}


def _num(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, int):
        return f"{v:,}"
    return f"{v:.{digits}f}"


def _pct(v: Any) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def feature_label(name: str, lang: str, labels: Mapping[str, tuple[str, str]]) -> str:
    """A feature's description in ``lang`` (its name when the registry has none)."""
    if name == "district":
        return "地区" if lang == "ja" else "district"
    ja_en = labels.get(name)
    return name if ja_en is None else (ja_en[0] if lang == "ja" else ja_en[1])


def issue_label(issue: str, lang: str) -> str:
    """An issue's name in ``lang``."""
    names = ISSUE_NAMES_JA if lang == "ja" else ISSUE_NAMES_EN
    return names.get(issue, issue)


def registry_labels() -> dict[str, tuple[str, str]]:
    """feature -> (description_ja, description_en) from the feature registry."""
    from kizuki.features.registry import REGISTRY

    return {f.name: (f.description_ja, f.description_en) for f in REGISTRY}


# ------------------------------------------------------------------------ JSON


def frame_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready records (NaN → null, dates → ISO)."""
    return [jsonable(r) for r in frame.to_dicts()]


def method(result: MonitorResult) -> dict[str, Any]:
    """The method and every threshold used, for JSON and HTML."""
    c = result.config.drift
    n_tested = int(result.drift["tested"].sum())
    return {
        "psi": "sum over bins of (cur_share - ref_share) * ln(cur_share / ref_share)",
        "bins": f"numeric: {c.bins} quantile bins of the reference (ties merged) + a missing bin; "
        "categorical: reference categories + missing + unseen",
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
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "reference": result.reference,
            "current": result.current,
            "alerts": [a.to_dict() for a in result.alerts],
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


def _verdict(result: MonitorResult, t: Mapping[str, str], lang: str) -> str:
    if not result.alerts:
        return f'<div class="box ok">{esc(t["ok"])}</div>'
    items = "".join(
        f"<li><b>[{esc(t['fails'] if a.fails else t['warn'])}] {esc(a.check)}</b> — {esc(a.message(lang))}</li>"
        for a in result.alerts
    )
    head = t["alerts"].format(n=len(result.alerts), f=len(result.failing))
    return f'<div class="box bad"><b>{esc(head)}</b><ul>{items}</ul></div>'


def _runs(result: MonitorResult, t: Mapping[str, str]) -> str:
    rows = []
    for key in ("ref", "cur"):
        r = result.reference if key == "ref" else result.current
        rows.append(
            [
                esc(t[key]),
                esc(r["as_of"]),
                esc(r["run_id"]),
                _num(r["households"]),
                _num(r["listed"]),
            ]
        )
    return table(["", t["as_of"], t["run"], t["households"], t["listed"]], rows, left=3)


def _quality(
    result: MonitorResult, t: Mapping[str, str], lang: str, labels: Mapping[str, tuple[str, str]]
) -> str:
    q = result.quality
    out = [f"<h2>{esc(t['quality'])}</h2>", f"<h3>{esc(t['tables'])}</h3>"]
    rows, classes = [], []
    for r in q.tables.iter_rows(named=True):
        bad = r["ref_present"] and not r["cur_present"]
        rows.append(
            [
                esc(r["table"]),
                esc(t["yes"] if r["ref_present"] else t["no"])
                + " → "
                + esc(t["yes"] if r["cur_present"] else t["no"]),
                _num(r["ref_rows"]),
                _num(r["cur_rows"]),
                _num(r["ref_rejected"]),
                _num(r["cur_rejected"]),
                _pct(r["ref_reject_share"]),
                _pct(r["cur_reject_share"]),
            ]
        )
        classes.append("alarm" if bad else "")
    out.append(
        table(
            [
                t["table"],
                t["present"],
                f"{t['rows']} ({t['ref']})",
                f"{t['rows']} ({t['cur']})",
                f"{t['rejected']} ({t['ref']})",
                f"{t['rejected']} ({t['cur']})",
                f"{t['share']} ({t['ref']})",
                f"{t['share']} ({t['cur']})",
            ],
            rows,
            left=2,
            row_classes=classes,
        )
    )
    if q.rejects.height:
        out.append(f"<h3>{esc(t['rejects'])}</h3>")
        out.append(
            table(
                [t["table"], t["column"], t["rule"], t["ref"], t["cur"], t["distinct"]],
                [
                    [
                        esc(r["table"]),
                        esc(r["column"]),
                        esc(r["rule"]),
                        _num(r["ref_rows"]),
                        _num(r["cur_rows"]),
                        _num(r["cur_distinct"]),
                    ]
                    for r in q.rejects.iter_rows(named=True)
                ],
                left=3,
                row_classes=[
                    "alarm" if r["ref_rows"] == 0 and r["cur_rows"] > 0 else ""
                    for r in q.rejects.iter_rows(named=True)
                ],
            )
        )
    changed = q.codes.filter(pl.col("status").is_not_null())
    out.append(f"<h3>{esc(t['codes'])}</h3>")
    if changed.height:
        out.append(
            table(
                [t["table"], t["column"], t["code"], t["ref"], t["cur"], t["status"]],
                [
                    [
                        esc(r["table"]),
                        esc(r["column"]),
                        esc(r["code"]),
                        _num(r["ref_count"]),
                        _num(r["cur_count"]),
                        esc(t[r["status"]]),
                    ]
                    for r in changed.iter_rows(named=True)
                ],
                left=3,
                row_classes=["alarm"] * changed.height,
            )
        )
    else:
        out.append(f"<p>{esc(t['none'])}</p>")
    for note in q.notes:
        out.append(f'<p class="note">{esc(note)}</p>')
    cov = q.coverage
    if cov.height:
        out.append(f"<h3>{esc(t['coverage'])}</h3>")
        rows, classes = [], []
        for r in cov.iter_rows(named=True):
            rs = r["ref_with_rows"] / r["ref_households"] if r["ref_households"] else None
            cs = r["cur_with_rows"] / r["cur_households"] if r["cur_households"] else None
            rows.append(
                [
                    esc(r["table"]),
                    esc(r["district"]),
                    f"{_num(r['ref_with_rows'])} ({_pct(rs)})",
                    f"{_num(r['cur_with_rows'])} ({_pct(cs)})",
                ]
            )
            classes.append("alarm" if r["ref_with_rows"] > 0 and r["cur_with_rows"] == 0 else "")
        out.append(
            table(
                [
                    t["table"],
                    t["district"],
                    f"{t['with_rows']} ({t['ref']})",
                    f"{t['with_rows']} ({t['cur']})",
                ],
                rows,
                left=2,
                row_classes=classes,
            )
        )
    miss = (
        q.missing.with_columns((pl.col("cur_missing") - pl.col("ref_missing")).abs().alias("d"))
        .filter(pl.col("d") > 0.01)
        .sort("d", descending=True)
        .head(15)
    )
    if miss.height:
        out.append(f"<h3>{esc(t['missing'])}</h3>")
        out.append(
            table(
                [t["feature"], t["ref"], t["cur"], t["explained"]],
                [
                    [
                        esc(feature_label(r["feature"], lang, labels))
                        + f' <span class="small">{esc(r["feature"])}</span>',
                        _pct(r["ref_missing"]),
                        _pct(r["cur_missing"]),
                        esc(r["explained_by"] or ""),
                    ]
                    for r in miss.iter_rows(named=True)
                ],
            )
        )
    return "".join(out)


def _verdict_cell(r: Mapping[str, Any], t: Mapping[str, str]) -> str:
    if not r["tested"]:
        return esc(t["untested"])
    if r["alarm"] and r.get("explained_by"):
        return f"{esc(t['alarm'])} ({esc(r['explained_by'])})"
    return f"<b>{esc(t['alarm'])}</b>" if r["alarm"] else ""


def _drift_rows(
    frame: pl.DataFrame,
    t: Mapping[str, str],
    lang: str,
    labels: Mapping[str, tuple[str, str]],
    with_district: bool,
) -> tuple[list[list[str]], list[str]]:
    rows, classes = [], []
    for r in frame.iter_rows(named=True):
        name = r["name"]
        label = (
            issue_label(name, lang) if r["kind"] == "score" else feature_label(name, lang, labels)
        )
        first = [esc(label) + f' <span class="small">{esc(name)}</span>']
        if with_district:
            first.append(esc(r["district"]))
        rows.append(
            [
                *first,
                f"{_num(r['n_ref'])} / {_num(r['n_cur'])}",
                _num(r["psi"]),
                _num(r["practical"], 2),
                _num(r["critical"]),
                _num(r["p_value"], 4)
                if r["p_value"] is None or r["p_value"] >= 1e-4
                else f"{r['p_value']:.1e}",
                _verdict_cell(r, t),
            ]
        )
        classes.append("alarm" if r["alarm"] else "")
    return rows, classes


def _drift(
    result: MonitorResult, t: Mapping[str, str], lang: str, labels: Mapping[str, tuple[str, str]]
) -> str:
    d = result.drift
    feats = d.filter((pl.col("kind") == "feature") & pl.col("district").is_null()).sort(
        "psi", descending=True
    )
    out = [f"<h2>{esc(t['drift'])}</h2>", f"<p>{esc(t['drift_intro'])}</p>"]
    top = feats.head(15)
    out.append(
        hbars(
            [feature_label(n, lang, labels) for n in top["name"]],
            top["psi"].to_list(),
            title=t["top_psi"],
            value_text=[f"{v:.3f}" for v in top["psi"]],
            threshold=result.config.drift.practical_psi,
            threshold_label=f"{t['practical']} {result.config.drift.practical_psi:g}",
            highlight=top["alarm"].to_list(),
        )
    )
    heads = [t["feature"], t["n"], t["psi"], t["practical"], t["critical"], t["p"], t["verdict"]]
    rows, classes = _drift_rows(feats, t, lang, labels, False)
    out.append(table(heads, rows, row_classes=classes))
    local = d.filter((pl.col("kind") == "feature") & pl.col("district").is_not_null())
    if local.height:
        show = pl.concat(
            [
                local.filter("alarm"),
                local.filter(~pl.col("alarm")).sort("psi", descending=True).head(15),
            ]
        )
        out.append(f"<h3>{esc(t['district_drift'])}</h3>")
        rows, classes = _drift_rows(show, t, lang, labels, True)
        out.append(
            table([t["feature"], t["district"], *heads[1:]], rows, left=2, row_classes=classes)
        )
    charted = d.filter(pl.col("alarm") & (pl.col("kind") != "reasons")).head(12)
    if charted.height == 0:
        charted = feats.head(3)
    out.append(f'<h3>{esc(t["bins"])}</h3><p class="note">{esc(t["bins_note"])}</p>')
    for r in charted.iter_rows(named=True):
        name = (
            issue_label(r["name"], lang)
            if r["kind"] == "score"
            else feature_label(r["name"], lang, labels)
        )
        where = f" — {r['district']}" if r["district"] else ""
        title = f"{name}{where} (PSI {r['psi']:.3f})"
        out.append(f"<h4>{esc(title)}</h4>")
        out.append(
            paired_bars(
                r["labels"],
                r["ref_share"],
                r["cur_share"],
                title=title,
                ref_name=t["ref"],
                cur_name=t["cur"],
            )
        )
    scores = d.filter(pl.col("kind") == "score").sort("name")
    if scores.height:
        out.append(f"<h2>{esc(t['scores'])}</h2>")
        rows, classes = _drift_rows(scores, t, lang, labels, False)
        out.append(table([t["issue"], *heads[1:]], rows, row_classes=classes))
    return "".join(out)


def _stability(result: MonitorResult, t: Mapping[str, str], lang: str) -> str:
    s = result.stability
    out = [f"<h2>{esc(t['stability'])}</h2>", f"<h3>{esc(t['overlap'])}</h3>"]
    rows = []
    for r in s.lists.iter_rows(named=True):
        scope = (
            t["all"]
            if r["scope"] == "all"
            else (t["district"] if r["scope"] == "district" else t["issue"])
        )
        key = issue_label(r["key"], lang) if r["scope"] == "issue" else (r["key"] or "")
        rows.append(
            [
                esc(scope),
                esc(key),
                _num(r["ref_listed"]),
                _num(r["cur_listed"]),
                _num(r["both"]),
                _num(r["jaccard"], 2),
            ]
        )
    out.append(table([t["scope"], "", t["ref"], t["cur"], t["both"], t["jaccard"]], rows, left=2))
    out.append(f"<h3>{esc(t['ranks'])}</h3>")
    out.append(
        table(
            [t["issue"], t["households"], t["spearman"], t["kendall"]],
            [
                [
                    esc(issue_label(r["issue"], lang)),
                    _num(r["households"]),
                    _num(r["spearman"], 3),
                    _num(r["kendall"], 3),
                ]
                for r in s.ranks.iter_rows(named=True)
            ],
        )
    )
    return "".join(out)


def _reasons(result: MonitorResult, t: Mapping[str, str], lang: str) -> str:
    r = result.reasons
    out = [f"<h2>{esc(t['reasons'])}</h2>"]
    if r.height == 0:
        return out[0] + f"<p>{esc(t['none'])}</p>"
    lab = "label_ja" if lang == "ja" else "label_en"
    out.append(
        paired_bars(
            r[lab].to_list(),
            r["ref_share"].to_list(),
            r["cur_share"].to_list(),
            title=t["reasons"],
            ref_name=t["ref"],
            cur_name=t["cur"],
            label_width=300,
        )
    )
    test = result.drift.filter(pl.col("kind") == "reasons")
    if test.height:
        row = test.row(0, named=True)
        out.append(
            f'<p class="note">PSI {row["psi"]:.3f}; {esc(t["critical"])} {_num(row["critical"])}; {esc(t["verdict"])}: {_verdict_cell(row, t) or "—"}</p>'
        )
    out.append(
        table(
            [t["item"], t["ref"], t["cur"]],
            [
                [
                    esc(x[lab]),
                    f"{_num(x['ref_count'])} ({_pct(x['ref_share'])})",
                    f"{_num(x['cur_count'])} ({_pct(x['cur_share'])})",
                ]
                for x in r.iter_rows(named=True)
            ],
        )
    )
    return "".join(out)


def _method(result: MonitorResult, t: Mapping[str, str]) -> str:
    m = method(result)
    q, s = result.config.quality, result.config.stability
    rows = [
        [esc(k), esc(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)]
        for k, v in m.items()
    ]
    rows += [
        ["quality.row_drop", esc(q.row_drop)],
        ["quality.reject_share_increase", esc(q.reject_share_increase)],
        ["quality.missing_share_increase", esc(q.missing_share_increase)],
        ["quality.district_min_households", esc(q.district_min_households)],
        ["quality.code_min_count", esc(q.code_min_count)],
        ["stability.min_jaccard", esc(s.min_jaccard)],
        ["stability.min_spearman", esc(s.min_spearman)],
        ["reasons.practical_psi", esc(result.config.reasons.practical_psi)],
        ["fail_on", esc(", ".join(result.config.fail_on))],
    ]
    return f"<h2>{esc(t['method'])}</h2>" + table(["", ""], rows, left=2)


def render_monitor_html(
    result: MonitorResult, lang: str = "ja", labels: Mapping[str, tuple[str, str]] | None = None
) -> str:
    """The monitor report as one self-contained HTML page in ``lang`` (ja or en)."""
    t = T["en" if lang == "en" else "ja"]
    labels = registry_labels() if labels is None else labels
    body = [
        f"<h1>{esc(t['title'])}</h1>",
        _runs(result, t),
        _verdict(result, t, lang),
        _quality(result, t, lang, labels),
        _drift(result, t, lang, labels),
        _stability(result, t, lang),
        _reasons(result, t, lang),
        _method(result, t),
        f'<p class="small">{esc(t["generated"])}: {esc(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))}</p>',
    ]
    return page(t["title"], lang, "".join(body))


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

PT: dict[str, dict[str, str]] = {
    "ja": {
        "title": "気づき 実績モニタリング（結果が出そろう前後）",
        "intro": "過去の各実行について、リストに載せた世帯のうち、その後の期間（基準日から {h} か月）に支援の必要が確認された割合（適合率@k）と、確認された世帯のうちリストに載っていた割合（再現率@k）を、結果が届いた分だけ計算します。結果が出そろう前は、較正済みの確率から見込みを示します。",
        "assump": "見込みの前提: スコアがこの対象集団で較正されている（モデルの較正後にデータの分布が変わっていない）こと、スコアは期間全体で確認される確率であること。期間の途中では、確認が期間内に均等に起きると仮定して「経過分の見込み」と比べます。",
        "pooled": "全課題（世帯×課題の組）",
        "as_of": "基準日",
        "matured": "経過",
        "k": "k（掲載）",
        "hits": "確認",
        "positives": "確認された世帯",
        "precision": "適合率@k",
        "recall": "再現率@k",
        "expected": "見込み",
        "exp_to_date": "経過分の見込み",
        "not_yet": "結果はまだ届いていません",
        "issue": "課題",
        "error": "見込みの誤差（期間が終わった実行）",
        "runs": "実行数",
        "mae_p": "適合率 平均絶対誤差",
        "bias_p": "適合率 偏り（見込み−実績）",
        "mae_r": "再現率 平均絶対誤差",
        "bias_r": "再現率 偏り",
        "chart": "適合率@k：実績と見込み（全課題）",
        "realised": "実績",
        "outcomes": "結果の出所",
        "known_until": "結果の最新日",
        "alerts": "アラート",
    },
    "en": {
        "title": "kizuki performance monitoring (while labels are late)",
        "intro": "For every past run: of the households listed, the share later confirmed to have the need within the horizon ({h} months from the as-of date) (precision@k), and of the confirmed households, the share that was listed (recall@k), computed from the outcomes that have arrived. Before outcomes arrive, the estimate from the calibrated probabilities is shown.",
        "assump": "Assumptions of the estimate: the scores are calibrated for this cohort (no drift since the model was calibrated) and are probabilities of a confirmed case within the whole horizon. Part-way through a horizon, realised precision is compared with the expected precision scaled by the matured share (cases assumed to open evenly over the horizon).",
        "pooled": "all issues (household × issue pairs)",
        "as_of": "As of",
        "matured": "Matured",
        "k": "k (listed)",
        "hits": "Confirmed",
        "positives": "Confirmed households",
        "precision": "Precision@k",
        "recall": "Recall@k",
        "expected": "expected",
        "exp_to_date": "expected to date",
        "not_yet": "no outcomes yet",
        "issue": "Issue",
        "error": "Error of the estimate (runs whose horizon has passed)",
        "runs": "Runs",
        "mae_p": "Precision MAE",
        "bias_p": "Precision bias (expected − realised)",
        "mae_r": "Recall MAE",
        "bias_r": "Recall bias",
        "chart": "Precision@k: realised and expected (all issues)",
        "realised": "realised",
        "outcomes": "Outcomes from",
        "known_until": "Outcomes known until",
        "alerts": "Alerts",
    },
}


def performance_json(
    history: pl.DataFrame, error: pl.DataFrame, meta: Mapping[str, Any], alerts: list[Any]
) -> dict[str, Any]:
    """Performance history, estimate error and metadata as a JSON-ready dict."""
    return jsonable(
        {
            "kind": "kizuki-performance",
            "version": 1,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **dict(meta),
            "assumptions": PT["en"]["assump"],
            "alerts": [a.to_dict() for a in alerts],
            "history": frame_records(history),
            "estimate_error": frame_records(error),
        }
    )


def render_performance_html(
    history: pl.DataFrame,
    error: pl.DataFrame,
    meta: Mapping[str, Any],
    alerts: list[Any],
    lang: str = "ja",
) -> str:
    """The performance report as one self-contained HTML page."""
    t = PT["en" if lang == "en" else "ja"]
    horizon = int(history["horizon_months"].max() or 6) if history.height else 6
    out = [
        f"<h1>{esc(t['title'])}</h1>",
        f"<p>{esc(t['intro'].format(h=horizon))}</p>",
        f'<p class="note">{esc(t["assump"])}</p>',
    ]
    out.append(
        table(
            ["", ""],
            [
                [esc(t["outcomes"]), esc(meta.get("outcomes"))],
                [esc(t["known_until"]), esc(meta.get("known_until"))],
            ],
            left=2,
        )
    )
    if alerts:
        items = "".join(f"<li>{esc(a.message(lang))}</li>" for a in alerts)
        out.append(f'<div class="box bad"><b>{esc(t["alerts"])}</b><ul>{items}</ul></div>')
    pooled = history.filter(pl.col("issue") == "all").sort("as_of")
    if pooled.height:
        xs = [str(d) for d in pooled["as_of"]]
        shown = pooled["shown"].to_list()
        real = [p if s else None for p, s in zip(pooled["precision"].to_list(), shown, strict=True)]
        out.append(
            lines(
                xs,
                [
                    (t["realised"], "#2f6f9f", real, False),
                    (t["expected"], "#9aa7b4", pooled["expected_precision"].to_list(), True),
                    (
                        t["exp_to_date"],
                        "#e69f00",
                        pooled["expected_precision_to_date"].to_list(),
                        True,
                    ),
                ],
                title=t["chart"],
            )
        )

    def rows_of(frame: pl.DataFrame) -> list[list[str]]:
        rows = []
        for r in frame.iter_rows(named=True):
            known = r["shown"]
            prec = _pct(r["precision"]) if known else esc(t["not_yet"])
            rec = _pct(r["recall"]) if known else esc(t["not_yet"])
            rows.append(
                [
                    esc(r["as_of"]),
                    _pct(r["matured_share"]),
                    _num(r["k"]),
                    _num(r["hits"]) if known else "—",
                    prec,
                    _pct(r["expected_precision_to_date"]),
                    _pct(r["expected_precision"]),
                    rec,
                    _pct(r["expected_recall"]),
                ]
            )
        return rows

    heads = [
        t["as_of"],
        t["matured"],
        t["k"],
        t["hits"],
        t["precision"],
        f"{t['precision']} {t['exp_to_date']}",
        f"{t['precision']} {t['expected']}",
        t["recall"],
        f"{t['recall']} {t['expected']}",
    ]
    out.append(f"<h2>{esc(t['pooled'])}</h2>")
    out.append(table(heads, rows_of(pooled)))
    for issue in sorted(set(history["issue"].to_list()) - {"all"}):
        out.append(f"<h2>{esc(issue_label(issue, lang))}</h2>")
        out.append(table(heads, rows_of(history.filter(pl.col("issue") == issue).sort("as_of"))))
    if error.height:
        out.append(f"<h2>{esc(t['error'])}</h2>")
        out.append(
            table(
                [t["issue"], t["runs"], t["mae_p"], t["bias_p"], t["mae_r"], t["bias_r"]],
                [
                    [
                        esc(t["pooled"] if r["issue"] == "all" else issue_label(r["issue"], lang)),
                        _num(r["runs"]),
                        _num(r["precision_mae"]),
                        _num(r["precision_bias"]),
                        _num(r["recall_mae"]),
                        _num(r["recall_bias"]),
                    ]
                    for r in error.iter_rows(named=True)
                ],
            )
        )
    return page(t["title"], lang, "".join(out))


def write_performance_reports(
    history: pl.DataFrame,
    error: pl.DataFrame,
    meta: Mapping[str, Any],
    alerts: list[Any],
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
