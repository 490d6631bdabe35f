"""Reports of a scoring run: report.html, shortlist.xlsx, shortlist.csv, entry.csv.

All three read one :class:`ReportData`; every file is written atomically (through
:mod:`kizuki.io.atomic`) under the name :class:`kizuki.runs.RunLayout` gives it.
"""

from __future__ import annotations

from pathlib import Path

from kizuki.explain.text import Lang
from kizuki.io.atomic import write_text
from kizuki.report.config import Bands, ReportConfig, band_of, load_report_config
from kizuki.report.csv import (
    entry_csv_bytes,
    shortlist_csv_bytes,
    write_entry_csv,
    write_shortlist_csv,
)
from kizuki.report.data import REASON_STRUCT, ReportData, empty_fired, empty_issue_reasons, lang_of
from kizuki.report.html import render_html
from kizuki.report.xlsx import write_xlsx
from kizuki.runs import RunLayout


def write_html(path: Path, data: ReportData, lang: Lang = "ja") -> Path:
    """Write ``report.html`` atomically; returns its path."""
    return write_text(path, render_html(data, lang))


def write_reports(out: Path, data: ReportData, lang: Lang = "ja") -> dict[str, Path]:
    """Write report.html, shortlist.xlsx, shortlist.csv and entry.csv (the entry sheet's
    CSV template) into the run folder ``out``.

    Out: file name -> path.
    """
    layout = RunLayout(out)
    return {
        layout.shortlist_csv.name: write_shortlist_csv(layout.shortlist_csv, data.shortlist, lang),
        layout.shortlist_xlsx.name: write_xlsx(layout.shortlist_xlsx, data, lang),
        layout.entry_csv.name: write_entry_csv(layout.entry_csv, data.shortlist, data.run_id, lang),
        layout.report.name: write_html(layout.report, data, lang),
    }


__all__ = [
    "REASON_STRUCT",
    "Bands",
    "ReportConfig",
    "ReportData",
    "band_of",
    "empty_fired",
    "empty_issue_reasons",
    "entry_csv_bytes",
    "lang_of",
    "load_report_config",
    "render_html",
    "shortlist_csv_bytes",
    "write_entry_csv",
    "write_html",
    "write_reports",
    "write_shortlist_csv",
    "write_xlsx",
]
