"""shortlist.csv: UTF-8 with a BOM (so Excel opens it as UTF-8), spreadsheet-safe
(:mod:`kizuki.io.csv_safe`: no cell runs as a formula), written atomically."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kizuki.explain.text import Lang
from kizuki.io.atomic import write_bytes
from kizuki.io.csv_safe import csv_bytes
from kizuki.report.table import csv_table


def shortlist_csv_bytes(shortlist: pl.DataFrame, lang: Lang) -> bytes:
    """The CSV file's bytes: BOM, header row, one row per listed household (cells that a
    spreadsheet would evaluate begin with ``'``)."""
    return csv_bytes(csv_table(shortlist, lang))


def write_shortlist_csv(path: Path, shortlist: pl.DataFrame, lang: Lang) -> Path:
    """Write ``shortlist.csv`` atomically; returns its path."""
    return write_bytes(path, shortlist_csv_bytes(shortlist, lang))
