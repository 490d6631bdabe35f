"""``pages/history.html``: one page over a municipality's whole run history.

:func:`history_rows` reads the ledger (one row per attempt, contract §9) and each
attempt's run folder (manifest, ``monitor/monitor.json``, ``audit/audit.json``) and
``performance/performance.json``; :func:`write_history_page` renders them and writes
``HistoryLayout(history).history_page`` atomically. Without a ledger, the run folders
alone are listed (status unknown). Nothing here reads a record's value: counts, codes
and file names only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from kizuki.history import HistoryLayout
from kizuki.io.atomic import write_text
from kizuki.io.files import read_json, read_parquet
from kizuki.pages import render_page, words
from kizuki.pages.format import date, integer, pct
from kizuki.runs import NotARun, RunLayout, read_run


def _json(path: Path) -> dict[str, Any] | None:
    try:
        data = read_json(path)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _performance(history: Path) -> dict[str, dict[str, Any]]:
    """run_id -> the pooled (issue ``all``) performance row of performance.json."""
    data = _json(HistoryLayout(history).performance / "performance.json") or {}
    return {
        r["run_id"]: r
        for r in data.get("history", [])
        if isinstance(r, dict) and r.get("issue") == "all"
    }


def _ledger(history: Path, pending: Sequence[Mapping[str, Any]] = ()) -> pl.DataFrame | None:
    path = HistoryLayout(history).ledger
    frame = read_parquet(path) if path.is_file() else None
    if pending:
        extra = pl.DataFrame(list(pending), schema=frame.schema if frame is not None else None)
        frame = extra if frame is None else pl.concat([frame, extra], how="vertical_relaxed")
    return None if frame is None else frame.sort("as_of", "attempt", "started")


def _run_facts(folder: Path) -> dict[str, Any]:
    """What one run folder says: list size, compound, rejects, alerts, pages present."""
    facts: dict[str, Any] = {"exists": folder.is_dir()}
    try:
        run = read_run(folder)
    except NotARun:
        return facts
    m = run.manifest
    facts.update(
        run_id=m.run_id,
        as_of=m.as_of,
        listed=m.shortlist.listed,
        compound=m.shortlist.compound,
        rejected={t: i.rows_rejected for t, i in m.inputs.items() if i.present and i.rows_rejected},
        missing=list(m.drop.missing_tables),
        complete=True,
    )
    layout = RunLayout(folder)
    monitor = _json(layout.monitor / "monitor.json")
    audit = _json(layout.audit / "audit.json")
    if monitor is not None:
        alerts = monitor.get("alerts") or []
        facts["monitor_alerts"] = len(alerts)
        facts["quality_alerts"] = sum(
            1 for a in alerts if not str(a.get("check", "")).endswith("_drift")
        )
    if audit is not None:
        facts["audit_alerts"] = len(audit.get("alerts") or [])
    facts["pages"] = {
        "report": layout.report,
        "monitor": layout.monitor / "monitor.html",
        "audit": layout.audit / "audit.html",
    }
    return facts


def history_rows(history: Path, pending: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """One dict per attempt (ledger order; without a ledger, per run folder): the ledger's
    fields (as_of, attempt, status, exit_status, run_dir, stage, message) and the run's
    facts (listed, compound, rejected per table, alert counts, page paths, performance).
    ``pending``: ledger rows not yet appended (the attempt writing the page)."""
    history = Path(history)
    perf = _performance(history)
    ledger = _ledger(history, pending)
    rows: list[dict[str, Any]] = []
    if ledger is not None:
        for r in ledger.iter_rows(named=True):
            facts = _run_facts(history / r["run_dir"]) if r["run_dir"] else {"exists": False}
            rows.append(
                {**r, **facts, "perf": perf.get(r["run_id"]) or perf.get(facts.get("run_id", ""))}
            )
        return rows
    runs = HistoryLayout(history).runs
    for folder in sorted(p for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []:
        facts = _run_facts(folder)
        if not facts.get("complete"):
            continue
        rows.append(
            {
                "as_of": facts["as_of"],
                "attempt": None,
                "status": None,
                "exit_status": None,
                "run_dir": folder.relative_to(history).as_posix(),
                "stage": None,
                "message": None,
                **facts,
                "perf": perf.get(facts["run_id"]),
            }
        )
    return rows


def _pair(realised: Any, expected: Any, matured: Any) -> str:
    if realised is None and expected is None:
        return "—"
    head = pct(realised) if realised is not None else "—"
    share = f" [{pct(matured, 0)}]" if matured is not None and matured < 1 else ""
    return f"{head} / {pct(expected)}{share}"


def history_page_data(
    history: Path, lang: str, pending: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """What history.html prints, from :func:`history_rows`."""
    w = words("history", lang)
    pages_dir = HistoryLayout(Path(history)).pages
    table = []
    classes = []
    for r in history_rows(history, pending):
        links = []
        for name, path in (r.get("pages") or {}).items():
            if Path(path).is_file():
                links.append((w(f"link.{name}"), Path(os.path.relpath(path, pages_dir)).as_posix()))
        status = r.get("status")
        rej = r.get("rejected") or {}
        quality = [w("rejected", table=t, n=integer(n)) for t, n in sorted(rej.items())]
        if r.get("missing"):
            quality.append(w("missing", tables=", ".join(r["missing"])))
        if r.get("quality_alerts"):
            quality.append(w("quality_alerts", n=r["quality_alerts"]))
        alerts = []
        if r.get("monitor_alerts") is not None:
            alerts.append(w("monitor_alerts", n=r["monitor_alerts"]))
        if r.get("audit_alerts") is not None:
            alerts.append(w("audit_alerts", n=r["audit_alerts"]))
        p = r.get("perf") or {}
        table.append(
            {
                "as_of": date(r.get("as_of"), lang),
                "attempt": "—" if r.get("attempt") is None else str(r["attempt"]),
                "status": w.get(f"status.{status}", status or "—") if status else "—",
                "exit": "—" if r.get("exit_status") is None else str(r["exit_status"]),
                "listed": integer(r.get("listed")),
                "compound": integer(r.get("compound")),
                "alerts": "、".join(alerts) if lang == "ja" else "; ".join(alerts),
                "quality": ("、".join(quality) if lang == "ja" else "; ".join(quality)) or w.none,
                "precision": _pair(
                    p.get("precision"), p.get("expected_precision"), p.get("matured_share")
                ),
                "recall": _pair(p.get("recall"), p.get("expected_recall"), p.get("matured_share")),
                "links": links,
                "note": r.get("message") or ("" if r.get("exists", True) else w.no_folder),
            }
        )
        classes.append(
            "alarm"
            if status in ("failed", "refused", "interrupted")
            else "warn"
            if status == "alert"
            else ""
        )
    perf = _json(HistoryLayout(Path(history)).performance / "performance.json")
    return {
        "rows": table,
        "classes": classes,
        "known_until": date(perf.get("known_until"), lang) if perf else None,
        "performance": Path(
            os.path.relpath(
                HistoryLayout(Path(history)).performance / "performance.html", pages_dir
            )
        ).as_posix()
        if (HistoryLayout(Path(history)).performance / "performance.html").is_file()
        else None,
        "community": "community.html"
        if HistoryLayout(Path(history)).community_page.is_file()
        else None,
        "attempts": len(table),
    }


def write_history_page(
    history: Path, lang: str = "ja", pending: Sequence[Mapping[str, Any]] = ()
) -> Path:
    """Write ``<history>/pages/history.html``; returns its path.

    In: the history folder, the language (ja unless ``en``), ledger rows not yet appended
    (the runner's attempt that writes the page, with its status so far). Out: the path.
    """
    w = words("history", lang)
    html = render_page("history.html", w, h=history_page_data(Path(history), lang, pending))
    return write_text(HistoryLayout(Path(history)).history_page, html)
