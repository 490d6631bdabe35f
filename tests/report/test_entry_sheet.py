"""The entry sheet 記入用 of shortlist.xlsx and its CSV template entry.csv (issue 14 item 1):
ids filled and locked, drop-downs and date validation on the inputs, printable; opened
by LibreOffice headless and surviving an openpyxl round trip."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from kizuki.outreach.entry import ENTRY_COLUMNS, MARK, MARK_COLUMNS, headers, result_choices
from kizuki.report import entry_csv_bytes, write_reports, write_xlsx
from kizuki.runs import RunLayout

JA = headers("ja")


def _col(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(JA[name]) + 1


def _validations(ws) -> dict[str, tuple[str, str]]:
    """sqref -> (type, formula1) of every data validation of a sheet."""
    return {str(d.sqref): (d.type, d.formula1) for d in ws.data_validations.dataValidation}


def test_entry_sheet_fills_and_locks_the_ids_and_offers_drop_downs(report_data, tmp_path):
    wb = openpyxl.load_workbook(write_xlsx(tmp_path / "s.xlsx", report_data, "ja"))
    assert wb.sheetnames == ["訪問候補", "記入用", "このリストについて"]
    ws = wb["記入用"]
    assert [c.value for c in ws[1]] == [JA[c] for c in ENTRY_COLUMNS]
    sl = report_data.shortlist.sort("district", "priority")
    n = sl.height
    assert ws.max_row == 1 + n
    assert [ws.cell(r, _col(ws, "household_id")).value for r in range(2, n + 2)] == sl[
        "household_id"
    ].to_list()
    assert {ws.cell(r, 1).value for r in range(2, n + 2)} == {report_data.run_id}
    # protection on; the filled cells locked, every input cell unlocked
    assert ws.protection.sheet
    for r in range(2, n + 2):
        for name in ("run_id", "household_id", "district", "priority", "listed_issues"):
            assert ws.cell(r, _col(ws, name)).protection.locked, (r, name)
        for name in ("visited_on", "result", *MARK_COLUMNS, "team"):
            assert not ws.cell(r, _col(ws, name)).protection.locked, (r, name)
    dv = _validations(ws)
    letter = openpyxl.utils.get_column_letter
    res, vis = letter(_col(ws, "result")), letter(_col(ws, "visited_on"))
    first, last = letter(_col(ws, MARK_COLUMNS[0])), letter(_col(ws, MARK_COLUMNS[-1]))
    assert dv[f"{res}2:{res}{n + 1}"] == ("list", '"' + ",".join(result_choices("ja")) + '"')
    assert dv[f"{first}2:{last}{n + 1}"] == ("list", f'"{MARK}"')
    kind, lowest = dv[f"{vis}2:{vis}{n + 1}"]
    assert kind == "date"
    # the lowest date accepted is the run's as-of date (an Excel serial day)
    assert dt.date(1899, 12, 30) + dt.timedelta(days=int(lowest)) == report_data.as_of
    # printable: A4 landscape, one page wide, the header row repeated
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.fitToHeight == 0
    districts = sl["district"].to_list()
    starts = [i + 1 for i in range(1, n) if districts[i] != districts[i - 1]]
    assert [b.id for b in ws.row_breaks.brk] == starts and starts  # a page per district


def test_drop_downs_and_protection_survive_an_openpyxl_round_trip(report_data, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", report_data, "ja")
    before = _validations(openpyxl.load_workbook(path)["記入用"])
    wb = openpyxl.load_workbook(path)
    ws = wb["記入用"]
    ws.cell(2, _col(ws, "result")).value = "課題なし"  # the team fills one row
    wb.save(tmp_path / "filled.xlsx")
    again = openpyxl.load_workbook(tmp_path / "filled.xlsx")["記入用"]
    assert _validations(again) == before and len(before) == 4
    assert again.protection.sheet
    assert not again.cell(3, _col(again, "result")).protection.locked
    assert again.cell(2, _col(again, "household_id")).protection.locked
    assert again.cell(2, _col(again, "result")).value == "課題なし"


def test_english_entry_sheet_offers_the_codes(report_data, tmp_path):
    ws = openpyxl.load_workbook(write_xlsx(tmp_path / "s.xlsx", report_data, "en"))["Entry"]
    assert ws["A1"].value == "Run ID"
    assert ("list", '"need_confirmed,no_need,declined,not_reached,moved"') in _validations(
        ws
    ).values()


def test_entry_csv_has_the_sheet_columns_with_a_bom(report_data, tmp_path):
    raw = entry_csv_bytes(report_data.shortlist, report_data.run_id, "ja")
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(raw[3:]), infer_schema=False)
    assert back.columns == [JA[c] for c in ENTRY_COLUMNS]
    sl = report_data.shortlist.sort("district", "priority")
    assert back["世帯ID"].to_list() == sl["household_id"].to_list()
    assert back["訪問日"].null_count() == back.height  # inputs empty
    written = write_reports(tmp_path / "run", report_data, "ja")
    assert RunLayout(tmp_path / "run").entry_csv.name in written
    assert RunLayout(tmp_path / "run").entry_csv.read_bytes() == raw


def _soffice(tmp_path: Path, convert: str, src: Path, out: Path) -> subprocess.CompletedProcess:
    profile = (tmp_path / "lo-profile").as_uri()
    return subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            convert,
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_renders_the_workbook_and_reads_the_entry_sheet(report_data, tmp_path):
    path = write_xlsx(tmp_path / "shortlist.xlsx", report_data, "ja")
    done = _soffice(tmp_path, "pdf", path, tmp_path / "pdf")
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "pdf" / "shortlist.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 3  # a page at least per sheet
    # the entry sheet as LibreOffice reads it (sheet 2 exported as CSV)
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2"
    done = _soffice(tmp_path, csv_filter, path, tmp_path / "csv")
    assert done.returncode == 0, done.stderr
    (sheet,) = (tmp_path / "csv").glob("*.csv")
    seen = pl.read_csv(sheet, infer_schema=False)
    assert seen.columns == [JA[c] for c in ENTRY_COLUMNS]
    sl = report_data.shortlist.sort("district", "priority")
    assert seen["世帯ID"].to_list() == sl["household_id"].to_list()
