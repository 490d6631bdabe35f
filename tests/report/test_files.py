"""shortlist.csv and shortlist.xlsx: encoding, columns, print layout; atomic writes."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from kizuki.report import shortlist_csv_bytes, write_reports, write_xlsx


def test_csv_is_utf8_with_bom_and_round_trips(report_data) -> None:
    raw = shortlist_csv_bytes(report_data.shortlist, "ja")
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(raw[3:]), infer_schema=False)
    assert back.columns == [
        "household_id",
        "district",
        "priority",
        "issues",
        "score",
        "reasons",
        "known_case",
        "compound",
        "known_issues",
    ]
    assert back["household_id"].to_list() == ["H0001", "H0002", "H0003", "H0101"]
    first = back.row(0, named=True)
    assert first["issues"] == "eight050;financial_hardship"
    assert first["reasons"].startswith(
        "中高年の子に所得の申告がない（52歳の子に2年続けて申告なし） / 住民税の滞納がある"
    )
    assert back["known_case"].to_list() == ["false", "false", "true", "false"]
    assert back["known_issues"].to_list()[2] == "financial_hardship"
    en = shortlist_csv_bytes(report_data.shortlist, "en").decode("utf-8-sig")
    assert "Resident-tax arrears (¥45,000 unpaid)" in en


def test_xlsx_is_formatted_for_printing(report_data, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = write_xlsx(tmp_path / "shortlist.xlsx", report_data, "ja")
    wb = openpyxl.load_workbook(path)
    ws = wb["訪問候補"]
    headers = [c.value for c in ws[1]]
    assert headers == [
        "地区",
        "優先順位",
        "世帯ID",
        "課題",
        "複合課題",
        "確率（最高）",
        "目安",
        "主な理由（気づきのポイント）",
        "既に支援中の課題",
    ]
    assert ws.max_row == 1 + report_data.shortlist.height
    assert ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # OOXML default for fitToWidth is 1 (xlsxwriter omits it); fitToHeight 0 = as many as needed
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert ws.column_dimensions["H"].width > 60  # reasons column is wide
    row2 = [c.value for c in ws[2]]
    assert row2[:5] == ["中央圏域", 1, "H0001", "8050問題、生活困窮", "○"]
    assert row2[5] == pytest.approx(0.42) and ws["F2"].number_format == "0.0%"
    assert row2[6] == "高"
    assert row2[7].split("\n")[0] == "中高年の子に所得の申告がない（52歳の子に2年続けて申告なし）"
    assert ws["I4"].value == "生活困窮"  # H0003, known case
    # a page break before the second district
    assert [b.id for b in ws.row_breaks.brk] == [4]
    assert "このリストについて" in wb.sheetnames


def test_xlsx_english_headers(report_data, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(write_xlsx(tmp_path / "s.xlsx", report_data, "en"))
    ws = wb["Shortlist"]
    assert ws["A1"].value == "District" and ws["G2"].value == "high"


def test_a_failing_writer_leaves_no_file_under_the_final_name(
    report_data, tmp_path: Path, monkeypatch
) -> None:
    import kizuki.report.html as html_mod

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("kizuki.report.render_html", boom)
    monkeypatch.setattr(html_mod, "render_html", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        write_reports(tmp_path, report_data, "ja")
    assert not (tmp_path / "report.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left behind

    # an xlsx writer failing half-way through
    import kizuki.report.xlsx as xlsx_mod

    def half(wb, data, lang):
        wb.add_worksheet("x")
        raise RuntimeError("crash mid-write")

    monkeypatch.setattr(xlsx_mod, "_note_sheet", half)
    with pytest.raises(RuntimeError, match="crash mid-write"):
        write_xlsx(tmp_path / "new.xlsx", report_data, "ja")
    assert not (tmp_path / "new.xlsx").exists()
