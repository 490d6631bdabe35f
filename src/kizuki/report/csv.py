"""shortlist.csv: UTF-8 with a BOM (so Excel opens it as UTF-8), written atomically."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from kizuki.explain.text import Lang
from kizuki.io.atomic import write_bytes
from kizuki.report.table import csv_table


def shortlist_csv_bytes(shortlist: pl.DataFrame, lang: Lang) -> bytes:
    """The CSV file's bytes: BOM, header row, one row per listed household."""
    buf = io.BytesIO()
    csv_table(shortlist, lang).write_csv(buf, include_bom=True)
    return buf.getvalue()


def write_shortlist_csv(path: Path, shortlist: pl.DataFrame, lang: Lang) -> Path:
    """Write ``shortlist.csv`` atomically; returns its path."""
    return write_bytes(path, shortlist_csv_bytes(shortlist, lang))
