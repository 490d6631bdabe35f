"""shortlist.csv and entry.csv: UTF-8 with a BOM (so Excel opens it as UTF-8),
spreadsheet-safe (:mod:`kizuki.io.csv_safe`: no cell runs as a formula), written
atomically. entry.csv is the CSV template of the entry sheet (記入用, contract §8): the
same columns, kizuki's filled in, the team's empty."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kizuki.explain.text import Lang
from kizuki.io.atomic import write_bytes
from kizuki.io.csv_safe import csv_bytes
from kizuki.outreach.entry import entry_frame, headers
from kizuki.report.html import followup_texts
from kizuki.report.table import csv_table


def shortlist_csv_bytes(shortlist: pl.DataFrame, lang: Lang) -> bytes:
    """The CSV file's bytes: BOM, header row, one row per listed household (cells that a
    spreadsheet would evaluate begin with ``'``)."""
    return csv_bytes(csv_table(shortlist, lang))


def write_shortlist_csv(path: Path, shortlist: pl.DataFrame, lang: Lang) -> Path:
    """Write ``shortlist.csv`` atomically; returns its path."""
    return write_bytes(path, shortlist_csv_bytes(shortlist, lang))


def entry_csv_bytes(shortlist: pl.DataFrame, run_id: str, lang: Lang) -> bytes:
    """entry.csv's bytes: BOM, the entry sheet's headers in ``lang``, one row per listed
    household (run id, household id, district, priority, listed issues; inputs empty)."""
    frame = entry_frame(shortlist, run_id, lang, followup_texts(shortlist, lang))
    names = headers(lang)
    return csv_bytes(
        frame.with_columns(pl.col("priority").cast(pl.String)).rename(
            {c: names[c] for c in frame.columns}
        )
    )


def write_entry_csv(path: Path, shortlist: pl.DataFrame, run_id: str, lang: Lang) -> Path:
    """Write ``entry.csv`` atomically; returns its path."""
    return write_bytes(path, entry_csv_bytes(shortlist, run_id, lang))
