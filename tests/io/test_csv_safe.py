"""Spreadsheet-safe CSV cells (io.csv_safe): the OWASP quote prefix, numbers untouched."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kizuki.io.csv_safe import csv_bytes, needs_quote, safe_cell, spreadsheet_safe

PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "+SUM(1,1)",
    "-SUM(1,1)",
    "@SUM(1,1)",
    "\t=1",
    "\r=1",
    "-2+3+cmd|' /C calc'!A0",
    " =1",
    "\n=1",
    "＝SUM(1,1)",
]


@pytest.mark.parametrize("cell", PAYLOADS)
def test_payloads_get_a_quote(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell
    assert not needs_quote(safe_cell(cell))


@pytest.mark.parametrize(
    "cell", ["-7295", "-0.5", "-1,234", "-1e-3", "-3%", "7295", "北地区", "", "'=1"]
)
def test_numbers_and_plain_text_stay(cell: str) -> None:
    assert safe_cell(cell) == cell


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_frame_text_columns_and_headers_are_safe_numbers_untouched() -> None:
    frame = pl.DataFrame(
        {
            "district": [*PAYLOADS[:6], None, "中央"],
            "amount": [-7295, 1, 2, 3, 4, 5, 6, 7],
            "raw": ["-7295", "x", "y", "z", "a", "b", "c", "d"],
            "=evil": ["a"] * 8,
        }
    ).with_columns(pl.col("raw").cast(pl.Categorical))
    rows = _read(csv_bytes(frame))
    assert rows[0] == ["district", "amount", "raw", "'=evil"]
    assert [r[0] for r in rows[1:7]] == ["'" + p for p in PAYLOADS[:6]]
    assert rows[7][0] == "" and rows[8][0] == "中央"
    assert rows[1][1] == "-7295"
    assert rows[1][2] == "-7295"
    assert csv_bytes(frame).startswith(b"\xef\xbb\xbf")
    assert not csv_bytes(frame, bom=False).startswith(b"\xef\xbb\xbf")
    assert spreadsheet_safe(frame)["amount"].to_list() == frame["amount"].to_list()


@given(st.text(max_size=30))
def test_every_cell_comes_out_safe_and_vectorised_equals_scalar(text: str) -> None:
    got = spreadsheet_safe(pl.DataFrame({"c": [text]}))["c"].item()
    assert got == safe_cell(text)
    assert not needs_quote(got)
    assert got in (text, "'" + text)
