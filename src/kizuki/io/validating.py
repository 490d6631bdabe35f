"""Validate one table file in bounded memory, or take its validation from the cache.

In: the table's :class:`~kizuki.contract.schema.Table`, the file opened as a
:class:`~kizuki.io.read.RawSource`, an optional :class:`~kizuki.io.cache.TableCache`.
Out: :class:`TableOutcome`: the report counts, the violations (header rules first,
then row rules by (column, rule), then the key), the kept rows as a LazyFrame and the
rejects.

How memory stays bounded: the file is read in slices of :data:`CHUNK_ROWS` rows; each
slice is validated on its own (every column and row-wise rule looks at one row), its
kept rows are written to a parquet part (in the cache entry, or in a spill folder
removed when the process ends) and its rejects kept (they are few: past the reject
limit the drop is refused). The rules over the whole table are bounded so:

- keys unique across the file: a 64-bit hash of each kept row's key goes into one
  preallocated ``uint64`` array (8 bytes a row), sorted in place; only when two hashes
  are equal are the key columns (alone) read back and grouped for the exact count;
- periods not overlapping (``no_overlap``, the residents table): a table with such a
  rule is validated as one slice; its size grows with people, not with months.

A table small enough for one slice and no cache stays in memory exactly as before.
The kept rows, rejects and violations are identical to validating the whole file at
once (``tests/perf/test_chunked.py``), and identical from the cache.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from kizuki.contract import schema
from kizuki.contract.identifiers import count_my_numbers, is_identifier_column
from kizuki.contract.report import TableReport, Violation
from kizuki.contract.validate import duplicate_key_rows, key_hashes, validate_table
from kizuki.io.cache import TableCache
from kizuki.io.read import RawSource, normalise_header

#: rows validated at a time (a slice of a million-household utility table: ~0.4 GB at work)
CHUNK_ROWS = 2_000_000
#: raise when what a cache entry holds, or how it is validated, changes
ENTRY_FORMAT = 1
ENTRY_JSON = "entry.json"
KEPT_DIR = "kept"
REJECTS_FILE = "rejects.parquet"

_SPILL_ROOT: Path | None = None


def _spill_root() -> Path:
    """This process's spill folder (created on first use, removed at exit)."""
    global _SPILL_ROOT
    if _SPILL_ROOT is None or not _SPILL_ROOT.exists():
        _SPILL_ROOT = Path(tempfile.mkdtemp(prefix="kizuki-drop-"))
        atexit.register(shutil.rmtree, _SPILL_ROOT, True)
    return _SPILL_ROOT


@dataclass
class TableOutcome:
    """One table file validated (see module docstring).

    ``kept`` is None when a header rule refused the table (nothing was validated);
    ``cached_from``: the run (or time) of the cache entry used, None when validated now.
    """

    report: TableReport
    violations: list[Violation] = field(default_factory=list)
    kept: pl.LazyFrame | None = None
    rejects: pl.DataFrame | None = None
    cached_from: str | None = None


def rules_fingerprint(table: schema.Table, encoding: str | None) -> str:
    """Hex sha256 of everything besides the file's bytes that decides its validation:
    the table's declaration, the header aliases, the identifier words, the forced
    encoding, the contract version and :data:`ENTRY_FORMAT`."""
    from kizuki import __version__

    text = repr(
        (
            ENTRY_FORMAT,
            __version__,
            schema.CONTRACT_VERSION,
            table,
            sorted(schema.HEADER_ALIASES.items()),
            schema.IDENTIFIER_COLUMN_WORDS,
            encoding,
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(table: schema.Table, sha256: str, encoding: str | None) -> str:
    """The cache key of one table file: ``<table>-<file sha256>-<rules fingerprint[:16]>``."""
    return f"{table.name}-{sha256}-{rules_fingerprint(table, encoding)[:16]}"


def header_plan(
    table: schema.Table, columns: tuple[str, ...]
) -> tuple[dict[str, str] | None, list[Violation]]:
    """Renames (file header -> contract name) and the header rules broken.

    Renames are None when a header rule refuses the table (identifier column, duplicate
    column, missing required column)."""
    found: list[Violation] = []

    def add(column: str | None, rule: str, severity: str) -> None:
        found.append(Violation(table.name, column, rule, 1, severity))  # type: ignore[arg-type]

    renames: dict[str, str] = {}
    seen: dict[str, str] = {}
    refused = False
    for col in columns:
        header = normalise_header(col)
        canonical = schema.HEADER_ALIASES.get(header, header)
        if canonical not in table.names:
            low = header.lower()
            canonical = low if low in table.names else canonical
        if is_identifier_column(header) and canonical not in table.names:
            add(header, "identifier_column", "refuse")
            refused = True
            continue
        if canonical in seen:
            add(canonical, "duplicate_column", "refuse")
            refused = True
            continue
        seen[canonical] = col
        if canonical in table.names:
            renames[col] = canonical
        else:
            add(header, "unknown_column", "warn")
    for col in table.required_names:
        if col not in seen:
            add(col, "missing_required_column", "refuse")
            refused = True
    return (None if refused else renames), found


def my_number_hits(frame: pl.DataFrame) -> dict[str, int]:
    """Per text column of a raw slice (named or not): values holding a valid 個人番号."""
    hits: dict[str, int] = {}
    for col in frame.columns:
        dtype = frame[col].dtype
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
            n = count_my_numbers(frame[col].cast(pl.String))
            if n:
                hits[col] = n
    return hits


def _null_first(key: tuple[str | None, str]) -> tuple[bool, str, str]:
    return (key[0] is not None, key[0] or "", key[1])


@dataclass(frozen=True)
class Window:
    """The rows of a monthly table a run needs: months from ``since`` (a month's first day)
    on, for a run as of ``as_of``.

    Read: every row whose month is ``since`` or later, or whose ``recorded_on`` is (a
    late record is known inside the window), every row whose month or ``recorded_on`` is
    not in canonical form (the validation judges it), and per entity (the key's first
    column: household or person) its newest row before ``since`` (the carry: what a
    feature taking "the newest row ever" needs). When a carry row is rejected or known
    after ``as_of`` the older rows would matter: the table is then read whole.
    """

    since: dt.date
    as_of: dt.date
    #: False: no feature needs the newest row before the window (no carry is read)
    carry: bool = True


def _fast_month(s: pl.Series) -> pl.Series:
    """Months of raw values in canonical form (a date, ``YYYY-MM``, ``YYYY-MM-DD``), else null."""
    if s.dtype in (pl.Date, pl.Datetime):
        return s.cast(pl.Date).dt.truncate("1mo")
    if s.dtype != pl.String:
        return pl.repeat(None, s.len(), dtype=pl.Date, eager=True)
    first = s.str.to_date("%Y-%m", strict=False)
    if first.null_count() == s.null_count():
        return first
    second = s.str.to_date("%Y-%m-%d", strict=False).dt.truncate("1mo")
    return first.fill_null(second)


def _fast_day(s: pl.Series) -> pl.Series:
    """Dates of raw values in canonical form (a date, ``YYYY-MM-DD``), else null."""
    if s.dtype in (pl.Date, pl.Datetime):
        return s.cast(pl.Date)
    if s.dtype != pl.String:
        return pl.repeat(None, s.len(), dtype=pl.Date, eager=True)
    return s.str.to_date("%Y-%m-%d", strict=False)


_M = "__month"
_POS = "__pos"


def _raw_names(renames: dict[str, str]) -> dict[str, str]:
    return {canonical: raw for raw, canonical in renames.items()}


def _window_mask(
    table: schema.Table, source: RawSource, renames: dict[str, str], window: Window, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of the file a windowed read reads (one bool a row), and the carry rows.

    One pass over the entity, month and ``recorded_on`` columns only. The carry (each
    entity's newest rows before ``since``) is found on two 64-bit hashes of the entity
    (independent seeds) instead of its text: a running frame of one row per entity."""
    names = _raw_names(renames)
    entity, month = names[table.key[0]], names["month"]
    rec = names.get("recorded_on")
    cols = [entity, month, *([rec] if rec is not None else [])]
    mask = np.zeros(source.rows, dtype=bool)
    best: pl.DataFrame | None = None
    if not window.carry:
        cols = [month, *([rec] if rec is not None else [])]
    for offset, raw in source.chunks(size, columns=cols):
        m = _fast_month(raw[month])
        keep = m.is_null() | (m >= window.since)
        if rec is not None:
            r = raw[rec]
            keep = keep | (_fast_day(r) >= window.since).fill_null(r.is_not_null())
        mask[offset : offset + raw.height] = keep.fill_null(True).to_numpy()
        if not window.carry:
            continue
        ent = raw[entity].cast(pl.String)
        frame = pl.DataFrame(
            [
                ent.hash(seed=1).alias("__h1"),
                ent.hash(seed=2).alias("__h2"),
                m.alias(_M),
                pl.int_range(offset, offset + raw.height, dtype=pl.Int64, eager=True).alias(_POS),
            ]
        ).filter(pl.col(_M) < window.since)
        if best is not None:
            frame = pl.concat([best, frame])
        best = frame.filter(pl.col(_M) == pl.col(_M).max().over("__h1", "__h2"))
    carry = np.sort(best[_POS].to_numpy()) if best is not None else np.empty(0, np.int64)
    mask[carry] = True
    return mask, carry


def validate_source(
    table: schema.Table,
    source: RawSource,
    *,
    cache: TableCache | None = None,
    chunk_rows: int = CHUNK_ROWS,
    window: Window | None = None,
) -> TableOutcome:
    """Validate one opened table file (see module docstring).

    With ``cache``: an entry for this file and these rules is used instead of validating
    (``cached_from`` says which), and a new validation is stored in it. With ``window``
    (monthly tables only) and no cache entry: only the rows the window needs are read
    and validated (:class:`Window`); the report's ``window_from`` says so, and nothing
    is stored in the cache."""
    tr = TableReport(
        table=table.name,
        file=source.path.name,
        format=source.format,
        encoding=source.encoding,
        sha256=source.sha256,
        rows_read=source.rows,
    )
    key = cache_key(table, source.sha256, source.encoding)
    if cache is not None and (entry := cache.find(key)) is not None:
        cached = _from_entry(entry, tr)
        if cached is not None:
            return cached
    renames, found = header_plan(table, source.columns)
    if renames is None:
        tr.rows_kept = tr.rows_rejected = 0
        return TableOutcome(tr, found)
    if window is not None and "month" in table.names and "month" in renames.values():
        windowed = _validate_window(table, source, renames, found, tr, chunk_rows, window)
        if windowed is not None:
            return windowed
        tr = TableReport(
            table=table.name,
            file=source.path.name,
            format=source.format,
            encoding=source.encoding,
            sha256=source.sha256,
            rows_read=source.rows,
        )
        found = header_plan(table, source.columns)[1]
    whole = any(not c.row_wise for c in table.checks)
    size = max(source.rows, 1) if whole else chunk_rows
    small = source.rows <= size
    work: Path | None = None
    if cache is not None:
        work = cache.begin(key)
    elif not small:
        work = Path(tempfile.mkdtemp(prefix=f"{table.name}-", dir=_spill_root()))
    outcome = _validate_chunks(table, source, renames, found, tr, size, work)
    if work is None:
        return outcome
    if outcome.kept is None:  # refused (個人番号 values): nothing to keep
        shutil.rmtree(work, ignore_errors=True)
        return outcome
    if cache is not None:
        _write_entry(work, outcome, cache.run)
        final = cache.commit(key, work)
        outcome.kept = _scan_kept(final)
    return outcome


def _validate_window(
    table: schema.Table,
    source: RawSource,
    renames: dict[str, str],
    found: list[Violation],
    tr: TableReport,
    size: int,
    window: Window,
) -> TableOutcome | None:
    """A windowed read (:class:`Window`); None when a carry row makes it inexact (a
    carry row rejected, or a row before the window known after the as-of date)."""
    mask, carry = _window_mask(table, source, renames, window, size)
    tr.window_from = str(window.since)
    # the window's rows go to a spill folder too (kept in memory they would add ~1.5 GB
    # at a million households, for ~3 s saved)
    work = Path(tempfile.mkdtemp(prefix=f"{table.name}-", dir=_spill_root()))
    outcome = _validate_chunks(table, source, renames, found, tr, size, work, mask)
    if outcome.kept is None or outcome.rejects is None:
        return outcome
    rejected = outcome.rejects["row_number"].cast(pl.Int64).to_numpy() - 1
    late = (
        outcome.kept.filter((pl.col("month") < window.since) & (pl.col("known_on") > window.as_of))
        .select(pl.len())
        .collect()
        .item()
    )
    if late or bool(np.isin(carry, rejected).any()):
        shutil.rmtree(work, ignore_errors=True)
        return None
    return outcome


def _validate_chunks(
    table: schema.Table,
    source: RawSource,
    renames: dict[str, str],
    found: list[Violation],
    tr: TableReport,
    size: int,
    work: Path | None,
    keep: np.ndarray | None = None,
) -> TableOutcome:
    """Validate ``source`` slice by slice; kept parts go to ``work/kept`` when given.

    ``keep``: one bool per row of the file, the rows to read (a windowed read); the
    others are neither read, checked nor counted (a slice without any is not read at
    all), and reject row numbers still name rows of the file."""
    counts: dict[tuple[str | None, str], int] = {}
    hits: dict[str, int] = {}
    rejects: list[pl.DataFrame] = []
    in_memory: list[pl.DataFrame] = []
    key = list(table.key)
    hashes = np.empty(source.rows, dtype=np.uint64)
    rows_read = 0
    filled = 0
    known: list[tuple[dt.date, dt.date]] = []
    kept_rows = rejected_rows = 0
    if work is not None:
        (work / KEPT_DIR).mkdir(parents=True, exist_ok=True)
    for part, offset in enumerate(source.offsets(size)):
        positions: pl.Series | None = None
        if keep is not None:
            mask = pl.Series(keep[offset : offset + size])
            if part and not mask.any():
                continue
            positions = mask.arg_true()
            raw = source.slice(offset, size).filter(mask)
        else:
            raw = source.slice(offset, size)
        for col, n in my_number_hits(raw).items():
            hits[col] = hits.get(col, 0) + n
        if hits:  # refused: the rest is not validated
            continue
        rows_read += raw.height
        mapped = raw.select(list(renames)).rename(renames)
        result = validate_table(table, mapped, check_key=False)
        del mapped
        for v in result.violations:
            counts[(v.column, v.rule)] = counts.get((v.column, v.rule), 0) + v.count
        kept = result.kept
        if kept.height:
            h = key_hashes(kept, key).to_numpy()
            hashes[filled : filled + h.size] = h
            filled += h.size
            lo, hi = kept.select(lo=pl.col("known_on").min(), hi=pl.col("known_on").max()).row(0)
            known.append((lo, hi))
        if result.rejects.height:
            number = result.rejects["row_number"]
            if positions is not None:
                number = positions.gather(number - 1) + 1
            rejects.append(result.rejects.with_columns((number + offset).alias("row_number")))
        kept_rows += kept.height
        rejected_rows += result.rejects.height
        if work is None:
            in_memory.append(kept)
        else:
            kept.write_parquet(
                work / KEPT_DIR / f"part-{part:05d}.parquet", compression="lz4", statistics=True
            )
        del raw, result, kept
    if hits:
        for col, n in hits.items():
            where = renames.get(col, normalise_header(col))
            found.append(Violation(table.name, where, "my_number_values", n, "refuse"))
        tr.rows_kept = tr.rows_rejected = 0
        return TableOutcome(tr, found)
    violations = found + [
        Violation(table.name, column, rule, count, "reject")
        for (column, rule), count in sorted(counts.items(), key=lambda kv: _null_first(kv[0]))
    ]
    if work is None:
        kept_lazy = (pl.concat(in_memory) if len(in_memory) > 1 else in_memory[0]).lazy()
    else:
        kept_lazy = _scan_kept(work)
    view = hashes[:filled]
    view.sort()
    if filled > 1 and bool((view[1:] == view[:-1]).any()):
        dups = duplicate_key_rows(kept_lazy, key)
        if dups:
            violations.append(
                Violation(table.name, ",".join(key), "duplicate_key", int(dups), "refuse")
            )
    del hashes, view
    tr.rows_read, tr.rows_kept, tr.rows_rejected = rows_read, kept_rows, rejected_rows
    if known:
        tr.known_from = str(min(lo for lo, _ in known))
        tr.known_to = str(max(hi for _, hi in known))
    all_rejects = pl.concat(rejects) if rejects else _empty_rejects(source.columns)
    return TableOutcome(tr, violations, kept_lazy, all_rejects)


def _empty_rejects(columns: tuple[str, ...]) -> pl.DataFrame:
    head = ["row_number", "rule", "column"]
    return pl.DataFrame(
        schema={
            "row_number": pl.UInt32,
            "rule": pl.String,
            "column": pl.String,
            **{c: pl.String for c in columns if c not in head},
        }
    )


def _scan_kept(folder: Path | None) -> pl.LazyFrame:
    if folder is None:
        raise ValueError("no kept folder")
    kept = folder if folder.name == KEPT_DIR else folder / KEPT_DIR
    return pl.scan_parquet(sorted(kept.glob("part-*.parquet")))


def _write_entry(work: Path, outcome: TableOutcome, run: str | None) -> None:
    """Write the rejects and ``entry.json`` (counts, violations; never a record's value)."""
    tr = outcome.report
    if outcome.rejects is not None:
        outcome.rejects.write_parquet(work / REJECTS_FILE)
    record = {
        "entry_format": ENTRY_FORMAT,
        "table": tr.table,
        "sha256": tr.sha256,
        "format": tr.format,
        "encoding": tr.encoding,
        "rows_read": tr.rows_read,
        "rows_kept": tr.rows_kept,
        "rows_rejected": tr.rows_rejected,
        "known_from": tr.known_from,
        "known_to": tr.known_to,
        "violations": [asdict(v) for v in outcome.violations],
        "validated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "run": run,
    }
    (work / ENTRY_JSON).write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")


def _from_entry(entry: Path, tr: TableReport) -> TableOutcome | None:
    """The outcome recorded in a cache entry (None when the entry is not usable)."""
    try:
        record = json.loads((entry / ENTRY_JSON).read_text("utf-8"))
        if record.get("entry_format") != ENTRY_FORMAT or record.get("sha256") != tr.sha256:
            return None
        parts = sorted((entry / KEPT_DIR).glob("part-*.parquet"))
        rejects = pl.read_parquet(entry / REJECTS_FILE)
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return None
    if not parts:
        return None
    tr.rows_kept = int(record["rows_kept"])
    tr.rows_rejected = int(record["rows_rejected"])
    tr.known_from, tr.known_to = record["known_from"], record["known_to"]
    tr.validation = "cached"
    tr.validated_in = record.get("run") or record.get("validated_at")
    violations = [Violation(**v) for v in record["violations"]]
    return TableOutcome(tr, violations, pl.scan_parquet(parts), rejects, tr.validated_in)


def iter_parts(entry: Path) -> Iterator[Path]:
    """The kept parquet parts of an entry folder, in order."""
    yield from sorted((entry / KEPT_DIR).glob("part-*.parquet"))
