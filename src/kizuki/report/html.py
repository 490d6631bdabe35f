"""report.html: one self-contained page for outreach leads (no network, no scripts).

Layout (``kizuki/pages/templates/report.html``): header (as-of date, model version, a
plain note on what the list is and is not) → summary per district with an inline-SVG
chart → one ``<section class="district">`` per district with its newly listed
households → the households already in support for another issue, apart → a
methodology note → footer. This module gathers what the template shows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl

from kizuki.contract.schema import TABLES
from kizuki.explain.text import Lang
from kizuki.pages import Words, render_page, words
from kizuki.pages.format import date
from kizuki.pages.words import issue_name
from kizuki.report.config import band_of
from kizuki.report.data import ReportData

PRIORITY_TEXT = {
    "issue_turns": "method_priority_turns",
    "expected_needs": "method_list",
    "max_score": "method_priority_max",
}


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


def _household(
    row: dict[str, Any],
    data: ReportData,
    lang: Lang,
    issue_reasons: dict[str, list[dict[str, Any]]],
    fired: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """One listed household as the template's ``household`` macro reads it."""
    hid = row["household_id"]
    by_issue: dict[str, list[str]] = defaultdict(list)
    for r in issue_reasons.get(hid, []):
        by_issue[r["issue"]].append(r[f"label_{lang}"])
    reasons = row["reasons"] or []
    seen: dict[str, str] = {}
    for r in fired.get(hid, []):
        seen.setdefault(r["item"], r[f"text_{lang}"])
    return {
        "id": hid,
        "priority": row["priority"],
        "band": band_of(row["score"], data.config.bands),
        "compound": row["compound"],
        "issues": [
            {
                "issue": issue,
                "band": band_of(score, data.config.bands),
                "score": score,
                "reasons": by_issue.get(issue, []),
            }
            for issue, score in zip(row["issues"], row["issue_scores"], strict=True)
        ],
        "known_case": row["known_case"],
        "known_names": [issue_name(i, lang) for i in row["known_issues"] or []],
        "reasons": [r[f"text_{lang}"] for r in reasons],
        "reason_labels": [r[f"label_{lang}"] for r in reasons],
        "contributions": [r["contribution"] for r in reasons],
        "fired": list(seen.values()),
        "followup": _followup(row, lang),
    }


def _followup(row: dict[str, Any], lang: Lang) -> dict[str, str] | None:
    """The household's follow-up mark (None outside a history)."""
    mark = row.get("followup")
    if mark is None:
        return None
    w = words("report", lang)
    if mark == "visited":
        result = w.get(f"result_{row.get('last_result')}", str(row.get("last_result")))
        text = w("followup_visited", date=date(row.get("last_visit"), lang), result=result)
    elif mark == "again":
        text = w("followup_again", n=int(row.get("times_listed_before") or 0))
    else:
        text = w.followup_new
    return {"mark": mark, "text": text}


def followup_texts(shortlist: pl.DataFrame, lang: Lang) -> dict[str, str] | None:
    """household_id -> its follow-up text (None when the shortlist carries no marks)."""
    if "followup" not in shortlist.columns:
        return None
    out = {}
    for row in shortlist.iter_rows(named=True):
        mark = _followup(row, lang)
        if mark is not None:
            out[row["household_id"]] = mark["text"]
    return out or None


def _loop(data: ReportData, lang: Lang) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]]]:
    """The per-district loop summary with the held-back counts, and the held-back
    households that would have been listed (None, []: the run is in no history)."""
    if data.loop is None:
        return None, []
    held = data.held_back
    if held is None:
        held = pl.DataFrame(
            schema={"district": pl.String, "household_id": pl.String, "would_list": pl.Boolean}
        )
    counts = held.group_by("district").agg(
        held=pl.col("household_id").n_unique(),
        would=pl.col("household_id").filter(pl.col("would_list")).n_unique(),
    )
    districts = pl.DataFrame(
        {"district": data.capacities["district"].cast(pl.String).unique().sort()}
    )
    table = (
        districts.join(data.loop, on="district", how="left")
        .join(counts, on="district", how="left")
        .fill_null(0)
        .sort("district")
    )
    shown = (
        held.filter(pl.col("would_list"))
        .sort("district", "household_id", "score", descending=[False, False, True])
        .group_by("district", "household_id", maintain_order=True)
        .agg(
            issues=pl.col("issue"),
            score=pl.col("score").max(),
            held_back_until=pl.col("held_back_until").max(),
        )
    )
    rows = [
        {**x, "issue_names": [issue_name(i, lang) for i in x["issues"]]}
        for x in shown.iter_rows(named=True)
    ]
    return list(table.iter_rows(named=True)), rows


def _summary(data: ReportData, lang: Lang, anchors: dict[str, str]) -> dict[str, Any]:
    sl = data.shortlist
    per = sl.group_by("district").agg(
        listed=pl.len(),
        compound=pl.col("compound").sum(),
        known=pl.col("known_case").sum(),
    )
    table = data.capacities.join(per, on="district", how="left").fill_null(0).sort("district")
    pairs = sl.select(issue=pl.col("issues")).explode("issue").group_by("issue").len()
    counts = dict(pairs.iter_rows())
    issues_sorted = sorted(counts, key=lambda i: (-counts[i], i))
    kc = data.known_counts
    known_issues = sorted(kc["issue"].unique().to_list()) if kc.height else []
    wide = {(d, i): n for d, i, n in kc.select("district", "issue", "households").iter_rows()}
    return {
        "summary": [
            {**r, "anchor": anchors.get(r["district"], "")} for r in table.iter_rows(named=True)
        ],
        "issue_names": [issue_name(i, lang) for i in issues_sorted],
        "issue_counts": [counts[i] for i in issues_sorted],
        "known_issues": known_issues,
        "known_rows": [
            (d, [wide.get((d, i), 0) for i in known_issues])
            for d in (sorted(kc["district"].unique().to_list()) if kc.height else [])
        ],
    }


def render_html(data: ReportData, lang: Lang = "ja") -> str:
    """The whole report as one HTML string (UTF-8, self-contained)."""
    w: Words = words("report", lang)
    issue_reasons = _rows_by_household(data.issue_reasons)
    fired = _rows_by_household(data.fired)
    sl = data.shortlist.sort("district", "priority")
    new = sl.filter(~pl.col("known_case"))
    known = sl.filter(pl.col("known_case"))

    by_district: dict[str, list[dict[str, Any]]] = {
        d: [] for d in data.capacities.sort("district")["district"].to_list()
    }
    for row in new.iter_rows(named=True):
        by_district.setdefault(row["district"], []).append(row)
    anchors = {d: f"district-{i}" for i, d in enumerate(by_district, start=1)}

    def households(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [_household(r, data, lang, issue_reasons, fired) for r in rows]

    report = {
        "as_of": data.as_of,
        "model_version": data.model_version,
        "run_id": data.run_id,
        "missing_tables": [_table_name(n, lang) for n in data.missing_tables],
        **_summary(data, lang, anchors),
        "bands": data.config.bands,
        "districts": [
            {"name": d, "anchor": anchors[d], "households": households(rows)}
            for d, rows in by_district.items()
        ],
        "known": [
            {
                "name": d,
                "households": households(
                    list(known.filter(pl.col("district") == d).iter_rows(named=True))
                ),
            }
            for d in sorted(known["district"].unique().to_list())
        ],
        "horizon_months": data.horizon_months,
        "reasons_shown": data.config.reasons_shown,
        "priority_key": PRIORITY_TEXT[data.priority_rule],
        "code_version": data.code_version,
        "config_hash": data.config_hash,
    }
    report["loop"], report["held"] = _loop(data, lang)
    return render_page("report.html", w, title=f"{w.title} {date(data.as_of, lang)}", r=report)
