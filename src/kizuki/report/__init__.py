"""Reports of a scoring run: report.html, shortlist.xlsx, shortlist.csv.

All three read one :class:`ReportData`; every file is written atomically.
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


def write_html(path: Path, data: ReportData, lang: Lang = "ja") -> Path:
    """Write ``report.html`` atomically; returns its path."""
    return write_text(path, render_html(data, lang))


def write_reports(out: Path, data: ReportData, lang: Lang = "ja") -> dict[str, Path]:
    """Write report.html, shortlist.xlsx and shortlist.csv into ``out``.

    Out: file name -> path.
    """
    return {
        "shortlist.csv": write_shortlist_csv(out / "shortlist.csv", data.shortlist, lang),
        "shortlist.xlsx": write_xlsx(out / "shortlist.xlsx", data, lang),
        "report.html": write_html(out / "report.html", data, lang),
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
