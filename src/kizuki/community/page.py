"""``pages/community.html`` (地域診断): the community table as a page for 保健師 and policy
staff, Japanese by default.

:func:`community_page_data` turns the suppressed table into what the template prints
(words, not probabilities); :func:`write_community_page` writes the page atomically to
``HistoryLayout(history).community_page``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from kizuki.community.config import CommunityConfig, load_community_config
from kizuki.community.suppress import suppress
from kizuki.community.table import community_table
from kizuki.contract.schema import ISSUES
from kizuki.history import HistoryLayout
from kizuki.io.atomic import write_text
from kizuki.io.drop import LoadedDrop
from kizuki.pages import Words, render_page, words
from kizuki.pages.charts import lines
from kizuki.pages.format import date, integer, pct
from kizuki.pages.words import issue_name


def _about(w: Words, expected: float) -> str:
    return w.below_one if expected < 0.5 else w("about", n=f"{round(expected):,}")


def _count(w: Words, row: dict[str, Any], col: str, min_cell: int) -> str:
    if row.get(col) is None:
        return "—"
    return integer(row[col]) if row[f"{col}_shown"] else w("small", min=min_cell)


def _district_row(
    w: Words, r: dict[str, Any], cfg: CommunityConfig, truth: bool, whole: bool
) -> list[str]:
    name = w.whole if whole else r["district"]
    if not r["cell_shown"] and not whole:
        hidden = w("suppressed", min=cfg.min_cell)
        return [name, hidden, hidden, hidden, hidden, hidden, *([hidden] if truth else [])]
    cells = [
        name,
        _count(w, r, "households", cfg.min_cell),
        f"{_about(w, r['expected'])}（{w('range', low=r['low'], high=r['high'])}）"
        if w.lang == "ja"
        else f"{_about(w, r['expected'])} ({w('range', low=r['low'], high=r['high'])})",
        _count(w, r, "signs", cfg.min_cell),
        _count(w, r, "known", cfg.min_cell),
        "—" if r["capacity"] is None else w("visits", capacity=r["capacity"], listed=r["listed"]),
    ]
    if truth:
        cells.append(
            _count(w, r, "truth_need", cfg.min_cell)
            + w("of_which", n=_count(w, r, "truth_unknown", cfg.min_cell))
        )
    return cells


def community_page_data(
    table: pl.DataFrame, cfg: CommunityConfig, w: Words, horizon: int
) -> dict[str, Any]:
    """What community.html prints, from the community table (all runs)."""
    t = suppress(table, cfg.min_cell)
    truth = t["truth_need"].is_not_null().any()
    has_outcomes = t["known"].is_not_null().any()
    latest_as_of = t["as_of"].max()
    latest = t.filter(pl.col("as_of") == latest_as_of)
    issues = []
    for issue in ISSUES:
        rows = latest.filter(pl.col("issue") == issue)
        if rows.height == 0:
            continue
        whole = rows.filter(pl.col("district").is_null()).row(0, named=True)
        body = [
            _district_row(w, r, cfg, truth, False)
            for r in rows.filter(pl.col("district").is_not_null()).iter_rows(named=True)
        ]
        body.append(_district_row(w, whole, cfg, truth, True))
        totals = t.filter((pl.col("issue") == issue) & pl.col("district").is_null()).sort("as_of")
        x = [date(d, w.lang) for d in totals["as_of"]]

        def shown(col: str, totals: pl.DataFrame = totals) -> list[Any]:
            return [
                v if s else None for v, s in zip(totals[col], totals[f"{col}_shown"], strict=True)
            ]

        # three series (the palette has three colours): the estimate, what happened, and
        # the truth when the drop is synthetic, else the known cases (all in the table below)
        series = [
            (w("col.expected"), totals["expected"].to_list(), False),
            (w("col.realised"), shown("realised"), True),
            (w("col.truth"), shown("truth_need"), False)
            if truth
            else (w("col.known"), shown("known"), False),
        ]
        trend_rows = [
            [
                date(r["as_of"], w.lang),
                _about(w, r["expected"]),
                w("range", low=r["low"], high=r["high"]),
                _count(w, r, "realised", cfg.min_cell) if r["matured"] else w.pending,
                _count(w, r, "known", cfg.min_cell),
                *([_count(w, r, "truth_need", cfg.min_cell)] if truth else []),
            ]
            for r in totals.iter_rows(named=True)
        ]
        issues.append(
            {
                "name": issue_name(issue, w.lang),
                "headline": w(
                    "headline",
                    issue=issue_name(issue, w.lang),
                    h=horizon,
                    expected=_about(w, whole["expected"]),
                    low=whole["low"],
                    high=whole["high"],
                ),
                "rows": body,
                "chart": lines(x, series, title=w("trend_chart", issue=issue_name(issue, w.lang))),
                "trend": trend_rows,
            }
        )
    matured = t.filter(
        pl.col("matured") & pl.col("district").is_not_null() & pl.col("realised").is_not_null()
    )
    inside = matured.filter(
        (pl.col("realised") >= pl.col("low")) & (pl.col("realised") <= pl.col("high"))
    )
    check = None
    if matured.height:
        per_issue = []
        for issue in ISSUES:
            m = matured.filter(pl.col("issue") == issue)
            if m.height == 0:
                continue
            e, r = float(m["expected"].sum()), int(m["realised"].sum())
            k = inside.filter(pl.col("issue") == issue).height
            per_issue.append(
                [issue_name(issue, w.lang), f"{r / e:.2f}" if e > 0 else "—", f"{k} / {m.height}"]
            )
        check = {
            "intro": w(
                "check_intro",
                h=horizon,
                cells=matured.height,
                inside=inside.height,
                share=pct(inside.height / matured.height),
            ),
            "rows": per_issue,
        }
    return {
        "meta": w(
            "meta",
            as_of=date(latest_as_of, w.lang),
            runs=t["as_of"].n_unique(),
            households=int(latest.filter(pl.col("district").is_null())["households"].max() or 0),
        ),
        "latest": w("latest", as_of=date(latest_as_of, w.lang)),
        "truth": truth,
        "has_outcomes": has_outcomes,
        "issues": issues,
        "check": check,
        "horizon": horizon,
        "min_cell": cfg.min_cell,
        "c": cfg.calibration_error,
    }


def write_community_page(
    history: Path,
    drop: Path | None = None,
    lang: str = "ja",
    config: CommunityConfig | None = None,
    loaded: LoadedDrop | None = None,
) -> Path:
    """Write ``<history>/pages/community.html``; returns its path.

    In: the history folder, the newest drop (None: the drop the newest run read), the
    language (ja unless ``en``), the config (None: configs/community.yaml), the drop
    already validated (None: loaded here). Raises
    :class:`~kizuki.community.table.NoHistory` when the history holds no run.
    """
    from kizuki.community.table import history_runs

    cfg = config or load_community_config()
    table = community_table(Path(history), drop, cfg, loaded)
    horizon = history_runs(Path(history))[-1].horizon_months
    w = words("community", lang)
    html = render_page("community.html", w, c=community_page_data(table, cfg, w, horizon))
    return write_text(HistoryLayout(Path(history)).community_page, html)
