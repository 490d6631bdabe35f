"""Spreadsheet-safe CSV files: no cell that a spreadsheet would evaluate as a formula.

Every CSV kizuki writes for people to open (``shortlist.csv``, validate's
``rejects/<table>.csv``, the feature dictionary, ``evaluation.csv``,
``item_importance.csv``) goes through :func:`write_csv` / :func:`csv_bytes`, which pass the
frame through :func:`spreadsheet_safe` first. Text in those files can come from a drop
(district names, household ids, the raw values of rejected rows), so a hostile or merely
unlucky value such as ``=HYPERLINK("http://x","click")`` must never run as a formula when
an outreach lead opens the file in Excel, LibreOffice Calc or Google Sheets ("CSV
injection", also "formula injection").

The rule (OWASP, "CSV Injection": prepend a single quote to a cell that begins with a
formula character, so the spreadsheet shows it as text; fields holding the separator,
a quote or a line break are quoted, double quotes doubled — polars' CSV writer does that):

- a text cell whose first character is a tab (U+0009) or a carriage return (U+000D), or
  whose first character after any leading white space is ``=``, ``+``, ``@``, ``-`` or a
  full-width ``＝``, ``＋``, ``＠``, ``－`` (Japanese Excel turns full-width operators
  typed into a cell into a formula), is written with a leading ``'``;
- except a ``-`` cell that is a plain number as a whole (``-7295``, ``-0.5``,
  ``-1,234``, ``-1e-3``, ``-3%``; white space around allowed): negative numbers stay
  numbers. ``-SUM(1,1)`` and ``-2+3+cmd|' /C calc'!A0`` (a digit after the minus, an
  operator later) are neutralised;
- every other cell is written unchanged (a cell that already begins with ``'`` too).
  Numeric, boolean and date columns are written as they are: polars writes them as
  numbers and dates, which no spreadsheet evaluates. Column headers follow the same rule.

The quote stays in the file: these CSVs are outputs for people and are never read back
by kizuki. Files that are *drops* (``kizuki synth --format csv-jp``, ``kizuki
pseudonymize``) are not treated: they are input data in the contract's format whose
cells must be the values themselves, and they hold nothing a municipality's own export
did not hold already.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl

from kizuki.io.atomic import write_bytes

#: a cell a spreadsheet may evaluate: tab/CR first, or a formula character after white space
TRIGGER = r"^(?:[\t\r]|\s*[-=+@＝＋＠－])"
#: a ``-`` cell that is a plain number (kept as it is)
PLAIN_NEGATIVE_NUMBER = r"^\s*-[0-9][0-9,]*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?%?\s*$"
#: what a neutralised cell starts with
PREFIX = "'"

_TRIGGER_RE = re.compile(TRIGGER)
_NUMBER_RE = re.compile(PLAIN_NEGATIVE_NUMBER)


def needs_quote(text: str) -> bool:
    """True when a spreadsheet could evaluate ``text`` as a formula (module rule)."""
    return bool(_TRIGGER_RE.match(text)) and not _NUMBER_RE.match(text)


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it literally: ``'`` prepended when :func:`needs_quote`."""
    return PREFIX + text if needs_quote(text) else text


def safe_text(expr: pl.Expr) -> pl.Expr:
    """The polars form of :func:`safe_cell` for a String expression (nulls stay null)."""
    hit = expr.str.contains(TRIGGER) & ~expr.str.contains(PLAIN_NEGATIVE_NUMBER)
    return pl.when(hit).then(pl.lit(PREFIX) + expr).otherwise(expr)


def _is_text(dtype: pl.DataType) -> bool:
    return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text column (String, Categorical, Enum) and every header made
    safe by the module rule; other columns untouched. In and out: a polars frame of the
    same shape (text columns come out as String)."""
    exprs = [
        safe_text(pl.col(name).cast(pl.String)).alias(name) if _is_text(dtype) else pl.col(name)
        for name, dtype in frame.schema.items()
    ]
    safe = frame.select(exprs) if exprs else frame
    renames = {name: safe_cell(name) for name in safe.columns if needs_quote(name)}
    return safe.rename(renames) if renames else safe


def csv_bytes(frame: pl.DataFrame, *, bom: bool = True) -> bytes:
    """The bytes of ``frame`` as a spreadsheet-safe UTF-8 CSV (header row, comma-separated,
    fields quoted where needed), with a byte-order mark unless ``bom`` is False."""
    buf = io.BytesIO()
    spreadsheet_safe(frame).write_csv(buf, include_bom=bom)
    return buf.getvalue()


def write_csv(final: Path | str, frame: pl.DataFrame, *, bom: bool = True) -> Path:
    """Write ``frame`` to ``final`` as a spreadsheet-safe CSV (see :func:`csv_bytes`),
    atomically and readable by its owner only; returns the final path."""
    return write_bytes(final, csv_bytes(frame, bom=bom))
