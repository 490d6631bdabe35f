"""shortlist.xlsx: the shortlist formatted for printing (xlsxwriter).

A4 landscape, fit to one page wide, header row frozen and repeated on every printed
page, a page break before each district, column widths set, reasons wrapped one per
line, cells written as text (a value is never turned into a formula or a link).
A second sheet, 記入用 (entry), is the form the outreach team fills and hands back to
``kizuki feedback import`` (contract §8; columns from :mod:`kizuki.outreach.entry`): the
run id, household id, district, priority and listed issues filled in and locked (sheet
protection, no password: it guards against slips, not people), the input cells unlocked
with drop-down lists (result, one mark column per issue) and a date validation on the
visit date; printable like the first sheet. A third sheet holds the note on what the
list is and is not.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

from kizuki.explain.text import Lang
from kizuki.io.atomic import write_bytes
from kizuki.outreach.entry import (
    ENTRY_COLUMNS,
    FILLED,
    MARK,
    MARK_COLUMNS,
    entry_frame,
    headers,
    result_choices,
)
from kizuki.pages.format import date as fmt_date
from kizuki.pages.words import words
from kizuki.report.config import band_of
from kizuki.report.data import ReportData
from kizuki.report.html import followup_texts
from kizuki.report.table import print_table

#: (column, width in characters) in print order
COLUMNS: tuple[tuple[str, float], ...] = (
    ("district", 14),
    ("priority", 9),
    ("household_id", 22),
    ("issues", 26),
    ("compound", 9),
    ("score", 12),
    ("band", 7),
    ("reasons", 72),
    ("known_issues", 20),
)


def _lines(text: str, width: float) -> int:
    # a full-width character takes about two columns of width
    cols = sum(2 if ord(c) > 0x2E7F else 1 for c in text)
    return max(1, math.ceil(cols / max(width * 1.05, 1)))


def xlsx_bytes(data: ReportData, lang: Lang = "ja") -> bytes:
    """The bytes of ``shortlist.xlsx`` (built in memory).

    In: the report data (its ``shortlist``) and the language of headers and texts.
    """
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    _shortlist_sheet(wb, data, lang)
    _entry_sheet(wb, data, lang)
    _note_sheet(wb, data, lang)
    wb.close()
    return buf.getvalue()


def write_xlsx(path: Path, data: ReportData, lang: Lang = "ja") -> Path:
    """Write ``shortlist.xlsx`` atomically; returns its path."""
    return write_bytes(path, xlsx_bytes(data, lang))


def _shortlist_sheet(wb: Any, data: ReportData, lang: Lang) -> None:
    w = words("report", lang)
    ws = wb.add_worksheet(words("xlsx", lang).sheet)
    head = wb.add_format(
        {"bold": True, "bg_color": "#DDE6EE", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    cell = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    num = wb.add_format({"border": 1, "valign": "top", "align": "right"})
    pct = wb.add_format({"border": 1, "valign": "top", "num_format": "0.0%"})
    center = wb.add_format({"border": 1, "valign": "top", "align": "center"})

    headers = words("xlsx", lang).section("columns")
    for c, (name, width) in enumerate(COLUMNS):
        ws.set_column(c, c, width)
        ws.write_string(0, c, headers[name], head)
    ws.set_row(0, 30)

    table = print_table(data.shortlist, lang)
    breaks: list[int] = []
    previous = None
    reasons_width = dict(COLUMNS)["reasons"]
    for r, row in enumerate(table.iter_rows(named=True), start=1):
        if previous is not None and row["district"] != previous:
            breaks.append(r)
        previous = row["district"]
        values = {
            **row,
            "compound": "○" if row["compound"] else "",
            "band": w["band_" + band_of(row["score"], data.config.bands)],
        }
        for c, (name, _) in enumerate(COLUMNS):
            v = values[name]
            if name == "priority":
                ws.write_number(r, c, v, num)
            elif name == "score":
                ws.write_number(r, c, v, pct)
            elif name in ("compound", "band"):
                ws.write_string(r, c, v, center)
            else:
                ws.write_string(r, c, v or "", cell)
        lines = sum(_lines(x, reasons_width) for x in (row["reasons"] or "").split("\n"))
        ws.set_row(r, max(1, lines) * 15 + 3)

    last = max(table.height, 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(COLUMNS) - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    if breaks:
        ws.set_h_pagebreaks(breaks[:1023])  # Excel's limit
    title = f"{w.title}  {w.as_of}: {fmt_date(data.as_of, lang)}"
    ws.set_header(
        f"&L{_escape_hf(title)}&R{_escape_hf(w.model_version)}: {_escape_hf(data.model_version)}"
    )
    ws.set_footer("&C&P / &N")


#: entry-sheet column widths (characters); mark columns share one width
ENTRY_WIDTHS = {
    "run_id": 12,  # the same id on every row: shrunk to fit on paper
    "household_id": 19,
    "district": 10,
    "priority": 6,
    "listed_issues": 22,
    "followup": 18,
    "visited_on": 11,
    "result": 14,
    "team": 7,
}
MARK_WIDTH = 6
#: the latest visit date the sheet accepts (the import checks the real bound: the day
#: of import)
LAST_DATE = dt.date(2099, 12, 31)


def _entry_sheet(wb: Any, data: ReportData, lang: Lang) -> None:
    """The 記入用 sheet (see the module docstring)."""
    xw = words("xlsx", lang)
    ws = wb.add_worksheet(xw.entry_sheet)
    head = wb.add_format(
        {
            "bold": True,
            "bg_color": "#DDE6EE",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
            "locked": True,
        }
    )
    filled = wb.add_format(
        {"border": 1, "valign": "top", "bg_color": "#F2F2F2", "locked": True, "text_wrap": True}
    )
    shrunk = wb.add_format(
        {"border": 1, "valign": "top", "bg_color": "#F2F2F2", "locked": True, "shrink": True}
    )
    filled_num = wb.add_format(
        {"border": 1, "valign": "top", "align": "right", "bg_color": "#F2F2F2", "locked": True}
    )
    free = wb.add_format({"border": 1, "valign": "top", "locked": False})
    free_date = wb.add_format(
        {"border": 1, "valign": "top", "locked": False, "num_format": "yyyy-mm-dd"}
    )
    free_mark = wb.add_format({"border": 1, "valign": "top", "align": "center", "locked": False})

    names = headers(lang)
    frame = entry_frame(data.shortlist, data.run_id, lang, followup_texts(data.shortlist, lang))
    col = {name: c for c, name in enumerate(ENTRY_COLUMNS)}
    for name, c in col.items():
        ws.set_column(c, c, ENTRY_WIDTHS.get(name, MARK_WIDTH))
        ws.write_string(0, c, names[name], head)
    ws.set_row(0, 45)

    n = frame.height
    breaks: list[int] = []
    previous = None
    for r, row in enumerate(frame.iter_rows(named=True), start=1):
        if previous is not None and row["district"] != previous:
            breaks.append(r)  # each district's team gets its own pages
        previous = row["district"]
        for name in FILLED:
            v = row[name]
            if name == "priority":
                ws.write_number(r, col[name], v, filled_num)
            else:
                fmt = shrunk if name in ("run_id", "household_id") else filled
                ws.write_string(r, col[name], v or "", fmt)
        ws.write_blank(r, col["visited_on"], None, free_date)
        ws.write_blank(r, col["result"], None, free)
        ws.write_blank(r, col["team"], None, free)
        for m in MARK_COLUMNS:
            ws.write_blank(r, col[m], None, free_mark)
    last = max(n, 1)
    if n:
        ws.data_validation(
            1,
            col["visited_on"],
            last,
            col["visited_on"],
            {
                "validate": "date",
                "criteria": "between",
                "minimum": data.as_of,
                "maximum": LAST_DATE,
                "input_title": xw.entry_date_title,
                "input_message": xw.entry_date_help,
                "error_title": xw.entry_date_title,
                "error_message": xw.entry_date_error,
            },
        )
        ws.data_validation(
            1,
            col["result"],
            last,
            col["result"],
            {
                "validate": "list",
                "source": result_choices(lang),
                "input_title": xw.entry_result_title,
                "input_message": xw.entry_result_help,
                "error_title": xw.entry_result_title,
                "error_message": xw.entry_list_error,
            },
        )
        first_mark, last_mark = col[MARK_COLUMNS[0]], col[MARK_COLUMNS[-1]]
        ws.data_validation(
            1,
            first_mark,
            last,
            last_mark,
            {
                "validate": "list",
                "source": [MARK],
                "input_title": xw.entry_mark_title,
                "input_message": xw.entry_mark_help,
                "error_title": xw.entry_mark_title,
                "error_message": xw.entry_list_error,
            },
        )
        ws.data_validation(
            1,
            col["team"],
            last,
            col["team"],
            {
                "validate": "length",
                "criteria": "<=",
                "value": 16,
                "input_title": xw.entry_team_title,
                "input_message": xw.entry_team_help,
                "error_title": xw.entry_team_title,
                "error_message": xw.entry_team_help,
            },
        )
    ws.freeze_panes(1, 2)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    if breaks:
        ws.set_h_pagebreaks(breaks[:1023])  # Excel's limit
    w = words("report", lang)
    title = f"{xw.entry_sheet}  {w.as_of}: {fmt_date(data.as_of, lang)}"
    ws.set_header(f"&L{_escape_hf(title)}&R{_escape_hf(w.run_id)}: {_escape_hf(data.run_id)}")
    ws.set_footer("&C&P / &N")


def _note_sheet(wb: Any, data: ReportData, lang: Lang) -> None:
    w = words("report", lang)
    ws = wb.add_worksheet(w.note_heading)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bold = wb.add_format({"bold": True})
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 100)
    rows = [
        (w.as_of, fmt_date(data.as_of, lang)),
        (w.model_version, data.model_version),
        (w.run_id, data.run_id),
    ]
    for r, (k, v) in enumerate(rows):
        ws.write_string(r, 0, k, bold)
        ws.write_string(r, 1, v, wrap)
    r = len(rows) + 1
    ws.write_string(r, 0, w.note_heading, bold)
    for key in ("note_what", "note_not", "note_reasons", "note_person", "note_blind"):
        ws.write_string(r, 1, w[key], wrap)
        ws.set_row(r, 36)
        r += 1
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _escape_hf(text: str) -> str:
    """Escape '&' in Excel header/footer text (it starts a control code)."""
    return text.replace("&", "&&")
