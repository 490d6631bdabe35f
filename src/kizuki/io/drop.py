"""Load a data drop (contract §1) into canonical polars frames, validating it on the way.

``load_drop(path) -> LoadedDrop`` is the one door every command uses. It reads each
``<table>.parquet`` / ``<table>.csv``, maps Japanese headers, refuses direct
identifiers (§4), parses every field into the canonical schema
(:data:`kizuki.contract.schema.TABLES`, plus ``known_on``), sends rows that break a
rule of their own table to rejects, and refuses the drop (``DropRefused``, carrying
the report) when a refusal rule fires. Identical output whatever the input format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from kizuki.contract import schema
from kizuki.contract.identifiers import count_my_numbers, is_identifier_column
from kizuki.contract.report import TableReport, ValidationReport
from kizuki.contract.validate import validate_table
from kizuki.errors import DropRefused, KizukiError
from kizuki.io.read import RawFile, UnreadableFile, normalise_header, read_raw

DEFAULT_REJECT_LIMIT = 0.01


class RefusedDrop(DropRefused):
    """A drop refused by validation; ``report`` holds every violation found."""

    def __init__(self, report: ValidationReport, rejects: dict[str, pl.DataFrame]) -> None:
        super().__init__(report.summary_line())
        self.report = report
        self.rejects = rejects


@dataclass
class LoadedDrop:
    """A validated drop: canonical lazy tables, rejects, and the report.

    ``tables`` holds only the tables present; ``missing_tables`` the optional ones absent.
    """

    path: Path
    tables: dict[str, pl.LazyFrame]
    report: ValidationReport
    rejects: dict[str, pl.DataFrame] = field(default_factory=dict)
    missing_tables: list[str] = field(default_factory=list)

    @property
    def sources(self) -> dict[str, TableReport]:
        """Per table: file, format, encoding, sha256, rows read/kept/rejected, knowledge range."""
        return {k: v for k, v in self.report.tables.items() if v.present}

    def newest_knowledge_date(self) -> str | None:
        """The latest ``known_on`` over all tables (ISO date), or None for an empty drop."""
        dates = [t.known_to for t in self.sources.values() if t.known_to]
        return max(dates) if dates else None


def _table_files(drop: Path, report: ValidationReport) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for p in sorted(drop.iterdir()):
        if not p.is_file() or p.suffix not in (".csv", ".parquet") or p.name.startswith("."):
            continue
        name = p.stem
        if name not in schema.TABLES:
            report.add(name, None, "unknown_table_file", 1, "warn")
            continue
        if name in files:
            report.add(name, None, "duplicate_table_file", 1, "refuse")
            continue
        files[name] = p
    return files


def _map_headers(
    table: schema.Table, raw: RawFile, report: ValidationReport
) -> pl.DataFrame | None:
    """Rename headers to contract names; refuse identifier columns; None if refused."""
    frame = raw.frame
    renames: dict[str, str] = {}
    seen: dict[str, str] = {}
    refused = False
    for col in frame.columns:
        header = normalise_header(col)
        canonical = schema.HEADER_ALIASES.get(header, header)
        if canonical not in table.names:
            low = header.lower()
            canonical = low if low in table.names else canonical
        if is_identifier_column(header) and canonical not in table.names:
            report.add(table.name, header, "identifier_column", 1, "refuse")
            refused = True
            continue
        if canonical in seen:
            report.add(table.name, canonical, "duplicate_column", 1, "refuse")
            refused = True
            continue
        seen[canonical] = col
        if canonical in table.names:
            renames[col] = canonical
        else:
            report.add(table.name, header, "unknown_column", 1, "warn")
    for col in table.required_names:
        if col not in seen:
            report.add(table.name, col, "missing_required_column", 1, "refuse")
            refused = True
    # 個人番号 values in any text column, named or not
    for col in frame.columns:
        if frame[col].dtype in (pl.String, pl.Categorical) or isinstance(frame[col].dtype, pl.Enum):
            hits = count_my_numbers(frame[col].cast(pl.String))
            if hits:
                where = renames.get(col, normalise_header(col))
                report.add(table.name, where, "my_number_values", hits, "refuse")
                refused = True
    if refused:
        return None
    return frame.select(list(renames)).rename(renames)


def load_drop(
    path: Path | str,
    *,
    encoding: str | None = None,
    reject_limit: float | None = None,
    table_limits: dict[str, float] | None = None,
) -> LoadedDrop:
    """Load and validate the drop folder at ``path``.

    In: the folder; an optional forced CSV encoding (``utf-8``, ``utf-8-sig``, ``cp932``);
    the reject-share limit (default 1%) and per-table overrides.
    Out: :class:`LoadedDrop`. Raises :class:`RefusedDrop` (with the full report) when the
    drop is refused, ``KizukiError`` when the folder does not exist.
    """
    drop = Path(path)
    if not drop.is_dir():
        raise KizukiError(f"data drop folder not found: {drop}")
    limit = DEFAULT_REJECT_LIMIT if reject_limit is None else reject_limit
    report = ValidationReport(
        drop=str(drop), contract_version=schema.CONTRACT_VERSION, reject_limit=limit
    )
    files = _table_files(drop, report)
    tables: dict[str, pl.LazyFrame] = {}
    rejects: dict[str, pl.DataFrame] = {}
    missing: list[str] = []
    for name, table in schema.TABLES.items():
        if name not in files:
            report.tables[name] = TableReport(table=name, present=False)
            if table.required:
                report.add(name, None, "missing_required_table", 1, "refuse")
            else:
                missing.append(name)
                report.add(name, None, "optional_table_missing", 1, "warn")
            continue
        try:
            raw = read_raw(files[name], encoding)
        except UnreadableFile:
            report.tables[name] = TableReport(table=name, file=files[name].name)
            report.add(name, None, "unreadable_file", 1, "refuse")
            continue
        tr = TableReport(
            table=name,
            file=raw.path.name,
            format=raw.format,
            encoding=raw.encoding,
            sha256=raw.sha256,
            rows_read=raw.frame.height,
        )
        report.tables[name] = tr
        mapped = _map_headers(table, raw, report)
        if mapped is None:
            tr.rows_kept = 0
            tr.rows_rejected = 0
            continue
        result = validate_table(table, mapped)
        report.violations.extend(result.violations)
        kept = result.kept  # declared column defaults are filled by validation
        tr.rows_kept = kept.height
        tr.rows_rejected = result.rejects.height
        if kept.height:
            tr.known_from = str(kept["known_on"].min())
            tr.known_to = str(kept["known_on"].max())
        share_limit = (table_limits or {}).get(name, limit)
        if tr.reject_share > share_limit:
            report.add(name, None, "reject_share_over_limit", tr.rows_rejected, "refuse")
        tables[name] = kept.lazy()
        rejects[name] = result.rejects
        # let the raw frame and what was built from it go before the next file is read
        # (peak memory: the raw utility table alone is several GB at a million households)
        del raw, mapped, result, kept
    if not report.usable:
        raise RefusedDrop(report, rejects)
    return LoadedDrop(drop, tables, report, rejects, missing)
