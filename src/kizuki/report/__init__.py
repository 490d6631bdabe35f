"""Reports of a scoring run: report.html, shortlist.xlsx, shortlist.csv.

All three read one :class:`ReportData`; every file is written atomically (through
:mod:`kizuki.io.atomic`) under the name :class:`kizuki.runs.RunLayout` gives it.
"""

from __future__ import annotations

from pathlib import Path

from kizuki.explain.text import Lang
from kizuki.io.atomic import write_text
from kizuki.report.config import Bands, ReportConfig, band_of, load_report_config
from kizuki.report.csv import shortlist_csv_bytes, write_shortlist_csv
from kizuki.report.data import REASON_STRUCT, ReportData, empty_fired, empty_issue_reasons, lang_of
from kizuki.report.html import render_html
from kizuki.report.xlsx import write_xlsx
from kizuki.runs import RunLayout


def write_html(path: Path, data: ReportData, lang: Lang = "ja") -> Path:
    """Write ``report.html`` atomically; returns its path."""
    return write_text(path, render_html(data, lang))


def write_reports(out: Path, data: ReportData, lang: Lang = "ja") -> dict[str, Path]:
    """Write report.html, shortlist.xlsx and shortlist.csv into the run folder ``out``.

    Out: file name -> path.
    """
    layout = RunLayout(out)
    return {
        layout.shortlist_csv.name: write_shortlist_csv(layout.shortlist_csv, data.shortlist, lang),
        layout.shortlist_xlsx.name: write_xlsx(layout.shortlist_xlsx, data, lang),
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
    "lang_of",
    "load_report_config",
    "render_html",
    "shortlist_csv_bytes",
    "write_html",
    "write_reports",
    "write_shortlist_csv",
    "write_xlsx",
]
