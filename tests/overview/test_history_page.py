"""history.html over the synthetic history: every attempt, failed ones as such, links
that resolve to files."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import polars as pl

from kizuki.history import HistoryLayout
from kizuki.overview import history_rows, write_history_page


def test_every_ledger_attempt_is_a_row(synthetic_history: tuple[Path, Path]) -> None:
    history, _ = synthetic_history
    ledger = pl.read_parquet(HistoryLayout(history).ledger)
    rows = history_rows(history)
    assert len(rows) == ledger.height
    done = [r for r in rows if r["status"] in ("done", "alert")]
    assert all(r["listed"] > 0 and r["perf"] is not None for r in done)
    assert [r["status"] for r in rows if r["status"] == "failed"] == ["failed"]


def test_the_page_renders_and_its_links_resolve(
    synthetic_history: tuple[Path, Path], browser
) -> None:
    history, _ = synthetic_history
    page = write_history_page(history)
    dom, _ = browser.dom(page)
    assert (
        "実行の履歴" in dom
        and "失敗" in dom
        and "実行フォルダなし" not in dom.split("失敗")[0][-10:]
    )
    hrefs = re.findall(r'href="([^"]+)"', dom)
    reports = [h for h in hrefs if h.endswith("report.html")]
    assert len(reports) == 6 and any(h.endswith("monitor.html") for h in hrefs)
    for h in hrefs:
        target = (
            (page.parent / unquote(h)).resolve()
            if not h.startswith("file:")
            else Path(unquote(h[7:]))
        )
        assert target.is_file(), h


def test_the_page_in_english(synthetic_history: tuple[Path, Path]) -> None:
    history, _ = synthetic_history
    text = write_history_page(history, lang="en").read_text(encoding="utf-8")
    assert "Run history" in text and "failed" in text


def test_without_a_ledger_the_run_folders_are_listed(
    synthetic_history: tuple[Path, Path], tmp_path: Path
) -> None:
    history, _ = synthetic_history
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "runs").symlink_to(HistoryLayout(history).runs, target_is_directory=True)
    rows = history_rows(bare)
    assert len(rows) == 6 and all(r["status"] is None and r["listed"] > 0 for r in rows)
    text = write_history_page(bare).read_text(encoding="utf-8")
    assert text.count("report.html") == 6
