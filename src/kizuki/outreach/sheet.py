"""Reading a returned feedback file: the filled entry sheet (xlsx) or a CSV of its columns.

:func:`read_feedback` gives every sheet of the file as a frame of text cells (nothing
inferred: a typed date becomes ``YYYY-MM-DD``, a number its digits), the sheet to
import, the file's format and its sha256. CSV goes through :func:`kizuki.io.read.read_raw`
(UTF-8 with or without BOM, or CP932), as every table of a drop does. Errors name the
file, never its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kizuki.errors import KizukiError
from kizuki.io.files import read_bytes
from kizuki.io.read import UnreadableFile, read_raw

#: the entry sheet's names (ja, en): the sheet imported from an xlsx holding it
ENTRY_SHEETS = ("記入用", "Entry")
FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".txt": "csv"}


class FeedbackRefused(KizukiError):
    """A feedback file that cannot be imported at all (contract §6: exit 3): unreadable,
    a direct identifier in it, a required column missing."""

    exit_code = 3


@dataclass(frozen=True)
class FeedbackFile:
    """A feedback file as read.

    ``frame``: the imported sheet, every column text (null for an empty cell), headers
    as written; ``sheets``: every sheet of the file by name (a CSV: one, named after
    the file), for the identifier checks; ``sheet``: the imported sheet's name.
    """

    path: Path
    format: str
    sha256: str
    frame: pl.DataFrame
    sheet: str
    sheets: dict[str, pl.DataFrame]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _frame(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    """A sheet's rows (first = headers) as a frame of text; fully empty rows and columns
    without a header and without values are dropped."""
    if not rows:
        return pl.DataFrame()
    width = max(len(r) for r in rows)
    head = [_text(v) for v in rows[0]] + [None] * (width - len(rows[0]))
    body = [
        [_text(v) for v in r] + [None] * (width - len(r))
        for r in rows[1:]
        if any(_text(v) is not None for v in r)
    ]
    columns: dict[str, list[str | None]] = {}
    for c, name in enumerate(head):
        values = [r[c] for r in body]
        if name is None:
            if any(v is not None for v in values):
                name = f"(column {c + 1})"  # a value under no header: still scanned
            else:
                continue
        key, n = name, 2
        while key in columns:  # a repeated header keeps its values apart
            key, n = f"{name} ({n})", n + 1
        columns[key] = values
    return pl.DataFrame(
        {k: pl.Series(v, dtype=pl.String) for k, v in columns.items()},
        schema={k: pl.String for k in columns},
    )


def _read_xlsx(path: Path) -> tuple[str, dict[str, pl.DataFrame], str]:
    import openpyxl

    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FeedbackRefused(
            f"feedback: {path.name} is not a readable xlsx workbook ({type(exc).__name__})"
        ) from None
    try:
        sheets = {ws.title: _frame(list(ws.iter_rows(values_only=True))) for ws in wb.worksheets}
    finally:
        wb.close()
    names = list(sheets)
    chosen = next((n for n in ENTRY_SHEETS if n in sheets), names[0] if names else None)
    if chosen is None:
        raise FeedbackRefused(f"feedback: {path.name} holds no sheet")
    return digest, sheets, chosen


def read_feedback(path: Path) -> FeedbackFile:
    """Read a feedback file (see the module docstring).

    In: the file (``.xlsx`` or ``.csv``). Out: :class:`FeedbackFile`. Raises
    :class:`FeedbackRefused` for another format or a file that cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise FeedbackRefused(f"feedback: file not found: {path}")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FeedbackRefused(
            f"feedback: {path.name}: a feedback file is the entry sheet (.xlsx) or a CSV (.csv)"
        )
    if fmt == "xlsx":
        digest, sheets, chosen = _read_xlsx(path)
    else:
        try:
            raw = read_raw(path)
        except UnreadableFile as exc:
            raise FeedbackRefused(f"feedback: {exc}") from None
        frame = raw.frame.with_columns(
            pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
            for c in raw.frame.columns
        )
        digest, sheets, chosen = raw.sha256, {path.name: frame}, path.name
    return FeedbackFile(
        path=path,
        format=fmt,
        sha256=digest,
        frame=sheets[chosen],
        sheet=chosen,
        sheets=sheets,
    )
