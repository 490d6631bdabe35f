"""report.html: one self-contained page for outreach leads (no network, no scripts).

Layout: header (as-of date, model version, a plain note on what the list is and is
not) → summary per district with an inline-SVG chart → one ``<section
class="district">`` per district with its newly listed households → the households
already in support for another issue, apart → a methodology note → footer.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

import polars as pl

from kizuki.contract.schema import TABLES
from kizuki.explain.text import Lang
from kizuki.report.config import band_of
from kizuki.report.data import ReportData
from kizuki.report.i18n import band_name, fmt_date, fmt_prob, issue_name, join_list, t
from kizuki.report.svg import hbar_chart

CSS = """
:root { --ink:#1d2733; --muted:#5b6878; --line:#d5dbe3; --high:#b3261e; --medium:#b86e00; --low:#4f6f52; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo",
       system-ui, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1000px; padding: 1.5rem;
       line-height: 1.6; font-size: 15px; }
header h1 { margin: 0 0 .3rem; font-size: 1.6rem; }
.meta { color: var(--muted); margin: 0; }
.meta span { margin-right: 1.2rem; }
.note { border: 2px solid #2f6f9f; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0;
        background: #f3f8fc; }
.note h2 { margin: .2rem 0; font-size: 1.1rem; }
.note p { margin: .35rem 0; }
.warn { border-color: var(--medium); background: #fff7ea; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.num { text-align: right; }
.hh { border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; margin: .8rem 0;
      break-inside: avoid; page-break-inside: avoid; }
.hh h3 { margin: 0 0 .3rem; font-size: 1.05rem; }
.hh h3 .id { font-family: ui-monospace, monospace; font-weight: normal; color: var(--muted); }
.band { display: inline-block; min-width: 2.2em; text-align: center; border-radius: 3px; color: #fff;
        padding: 0 .4em; font-weight: bold; }
.band.high { background: var(--high); } .band.medium { background: var(--medium); }
.band.low { background: var(--low); }
.tag { display: inline-block; border: 1px solid var(--ink); border-radius: 3px; padding: 0 .4em;
       font-size: .85em; margin-left: .4em; }
.reasons ol { margin: .3rem 0 .3rem 1.4rem; padding: 0; }
.fired ul { margin: .2rem 0 .2rem 1.4rem; padding: 0; color: var(--muted); }
.chart text { fill: var(--ink); font-family: inherit; }
.sub { font-weight: bold; margin: .4rem 0 0; }
footer { color: var(--muted); font-size: .85rem; margin-top: 2rem; border-top: 1px solid var(--line); }
@media print { body { max-width: none; padding: 0; } section.district, section.known { break-before: page; } }
"""


def _table_name(name: str, lang: Lang) -> str:
    table = TABLES.get(name)
    if table is None or lang != "ja":
        return name
    return f"{table.title_ja}（{name}）"


def _rows_by_household(frame: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in frame.iter_rows(named=True):
        out[row["household_id"]].append(row)
    return out


def _band_html(score: float, data: ReportData, lang: Lang) -> str:
    band = band_of(score, data.config.bands)
    return f'<span class="band {band}">{escape(band_name(band, lang))}</span>'


def _household(
    row: dict[str, Any],
    data: ReportData,
    lang: Lang,
    issue_reasons: dict[str, list[dict[str, Any]]],
    fired: dict[str, list[dict[str, Any]]],
) -> str:
    hid = row["household_id"]
    tag = f'<span class="tag">{escape(t(lang, "compound_mark"))}</span>' if row["compound"] else ""
    parts = [
        f'<article class="hh" data-household="{escape(hid)}">',
        f"<h3>{escape(t(lang, 'priority'))} {row['priority']} {_band_html(row['score'], data, lang)}"
        f'{tag} <span class="id">{escape(t(lang, "household_id"))}: {escape(hid)}</span></h3>',
    ]
    # issues with band and probability, and each issue's top reason labels
    by_issue: dict[str, list[str]] = defaultdict(list)
    for r in issue_reasons.get(hid, []):
        by_issue[r["issue"]].append(r[f"label_{lang}"])
    parts.append(
        f"<table><tr><th>{escape(t(lang, 'issues'))}</th><th>{escape(t(lang, 'band'))}</th>"
        f"<th>{escape(t(lang, 'probability'))}</th><th>{escape(t(lang, 'reasons'))}</th></tr>"
    )
    for issue, score in zip(row["issues"], row["issue_scores"], strict=True):
        parts.append(
            f"<tr><td>{escape(issue_name(issue, lang))}</td><td>{_band_html(score, data, lang)}</td>"
            f'<td class="num">{fmt_prob(score)}</td>'
            f"<td>{escape(join_list(by_issue.get(issue, []), lang))}</td></tr>"
        )
    parts.append("</table>")
    if row["known_case"]:
        known = join_list([issue_name(i, lang) for i in row["known_issues"]], lang)
        parts.append(f'<p class="sub">{escape(t(lang, "known_for"))}: {escape(known)}</p>')
    reasons = row["reasons"] or []
    if reasons:
        parts.append(f'<div class="reasons"><p class="sub">{escape(t(lang, "reasons"))}</p><ol>')
        parts.extend(f"<li>{escape(r[f'text_{lang}'])}</li>" for r in reasons)
        parts.append("</ol>")
        parts.append(
            hbar_chart(
                [r[f"label_{lang}"] for r in reasons],
                [r["contribution"] for r in reasons],
                title=t(lang, "reasons_chart"),
                width=520,
            )
        )
        parts.append("</div>")
    items = fired.get(hid, [])
    seen: dict[str, str] = {}
    for r in items:
        seen.setdefault(r["item"], r[f"text_{lang}"])
    parts.append(f'<div class="fired"><p class="sub">{escape(t(lang, "fired"))}</p>')
    if seen:
        parts.append("<ul>" + "".join(f"<li>{escape(v)}</li>" for v in seen.values()) + "</ul>")
    else:
        parts.append(f"<p>{escape(t(lang, 'none_fired'))}</p>")
    parts.append("</div></article>")
    return "".join(parts)


def _summary(data: ReportData, lang: Lang, anchors: dict[str, str]) -> str:
    sl = data.shortlist
    per = sl.group_by("district").agg(
        listed=pl.len(),
        compound=pl.col("compound").sum(),
        known=pl.col("known_case").sum(),
    )
    table = data.capacities.join(per, on="district", how="left").fill_null(0).sort("district")
    head = "".join(
        f"<th>{escape(t(lang, k))}</th>"
        for k in ("district", "households", "capacity", "listed", "compound", "known")
    )
    rows = "".join(
        f'<tr><td><a href="#{anchors.get(r["district"], "")}">{escape(r["district"])}</a></td>'
        + "".join(
            f'<td class="num">{r[k]:,}</td>'
            for k in ("households", "capacity", "listed", "compound", "known")
        )
        + "</tr>"
        for r in table.iter_rows(named=True)
    )
    pairs = sl.select(issue=pl.col("issues")).explode("issue").group_by("issue").len()
    counts = dict(pairs.iter_rows())
    issues_sorted = sorted(counts, key=lambda i: (-counts[i], i))
    chart = hbar_chart(
        [issue_name(i, lang) for i in issues_sorted],
        [float(counts[i]) for i in issues_sorted],
        title=t(lang, "listed_by_issue"),
        value_labels=[f"{counts[i]:,}" for i in issues_sorted],
        width=560,
        label_width=200,
    )
    out = [
        f'<section class="summary"><h2>{escape(t(lang, "summary_heading"))}</h2>',
        f"<table><tr>{head}</tr>{rows}</table>",
        f'<p class="sub">{escape(t(lang, "listed_by_issue"))}</p>{chart}',
    ]
    kc = data.known_counts
    if kc.height:
        issues = sorted(kc["issue"].unique().to_list())
        wide = {(d, i): n for d, i, n in kc.select("district", "issue", "households").iter_rows()}
        out.append(f'<p class="sub">{escape(t(lang, "excluded_known"))}</p><table><tr>')
        out.append(f"<th>{escape(t(lang, 'district'))}</th>")
        out.extend(f"<th>{escape(issue_name(i, lang))}</th>" for i in issues)
        out.append("</tr>")
        for d in sorted(kc["district"].unique().to_list()):
            out.append(f"<tr><td>{escape(d)}</td>")
            out.extend(f'<td class="num">{wide.get((d, i), 0):,}</td>' for i in issues)
            out.append("</tr>")
        out.append("</table>")
    b = data.config.bands
    out.append(
        f"<p>{escape(t(lang, 'legend_bands', high=fmt_prob(b.high), medium=fmt_prob(b.medium)))}</p>"
    )
    out.append("</section>")
    return "".join(out)


def render_html(data: ReportData, lang: Lang = "ja") -> str:
    """The whole report as one HTML string (UTF-8, self-contained)."""
    issue_reasons = _rows_by_household(data.issue_reasons)
    fired = _rows_by_household(data.fired)
    sl = data.shortlist.sort("district", "priority")
    new = sl.filter(~pl.col("known_case"))
    known = sl.filter(pl.col("known_case"))
    districts = data.capacities.sort("district")["district"].to_list()

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(t(lang, 'title'))} {escape(fmt_date(data.as_of, lang))}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<header><h1>{escape(t(lang, "title"))}</h1><p class="meta">'
        f"<span>{escape(t(lang, 'as_of'))}: <strong>{escape(fmt_date(data.as_of, lang))}</strong></span>"
        f"<span>{escape(t(lang, 'model_version'))}: {escape(data.model_version)}</span>"
        f"<span>{escape(t(lang, 'run_id'))}: {escape(data.run_id)}</span></p></header>",
        f'<section class="note"><h2>{escape(t(lang, "note_heading"))}</h2>',
        *(
            f"<p>{escape(t(lang, k))}</p>"
            for k in ("note_what", "note_not", "note_person", "note_blind")
        ),
        "</section>",
    ]
    if data.missing_tables:
        parts.append(
            f'<section class="note warn"><p>{escape(t(lang, "missing_tables"))}: '
            f"{escape(join_list([_table_name(n, lang) for n in data.missing_tables], lang))}"
            "</p></section>"
        )
    by_district_new: dict[str, list[dict[str, Any]]] = {d: [] for d in districts}
    for row in new.iter_rows(named=True):
        by_district_new.setdefault(row["district"], []).append(row)
    anchors = {d: f"district-{i}" for i, d in enumerate(by_district_new, start=1)}
    parts.append(_summary(data, lang, anchors))

    for i, d in enumerate(by_district_new, start=1):
        rows = by_district_new[d]
        parts.append(
            f'<section class="district" id="district-{i}" data-district="{escape(d)}">'
            f"<h2>{escape(t(lang, 'district_heading'))}: {escape(d)}</h2>"
        )
        if rows:
            parts.extend(_household(r, data, lang, issue_reasons, fired) for r in rows)
        else:
            parts.append(f"<p>{escape(t(lang, 'no_households'))}</p>")
        parts.append("</section>")

    parts.append(
        f'<section class="known" id="known"><h2>{escape(t(lang, "known_heading"))}</h2>'
        f"<p>{escape(t(lang, 'known_intro'))}</p>"
    )
    if known.height:
        for d in sorted(known["district"].unique().to_list()):
            parts.append(f"<h3>{escape(t(lang, 'district_heading'))}: {escape(d)}</h3>")
            parts.extend(
                _household(r, data, lang, issue_reasons, fired)
                for r in known.filter(pl.col("district") == d).iter_rows(named=True)
            )
    else:
        parts.append(f"<p>{escape(t(lang, 'no_known'))}</p>")
    parts.append("</section>")

    order_key = {
        "issue_turns": "method_priority_turns",
        "expected_needs": "method_list",
        "max_score": "method_priority_max",
    }[data.priority_rule]
    parts.append(
        f'<section class="method"><h2>{escape(t(lang, "method_heading"))}</h2>'
        f"<p>{escape(t(lang, 'method_score', horizon=data.horizon_months))}</p>"
        f"<p>{escape(t(lang, 'method_reasons', k=data.config.reasons_shown))}</p>"
        f"<p>{escape(t(lang, order_key))}</p>"
        f"<p>{escape(t(lang, 'method_known'))}</p></section>"
    )
    parts.append(
        f"<footer><p>{escape(t(lang, 'footer', version=data.code_version, config_hash=data.config_hash))}</p></footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)
