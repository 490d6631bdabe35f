"""Reading raw table files of a data drop: parquet, or CSV in UTF-8 / UTF-8-BOM / CP932.

In: a file path (and optionally a forced encoding). Out: a raw polars DataFrame
with the file's own headers (CSV: every column as text, nothing inferred) plus
facts about the file (format, encoding, sha256). Raises :class:`UnreadableFile`
with the file name only, never its content.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kizuki.errors import KizukiError

ENCODINGS = ("utf-8", "utf-8-sig", "cp932")


class UnreadableFile(KizukiError):
    """A table file cannot be read as its format."""


@dataclass(frozen=True)
class RawFile:
    """A table file as read: raw frame plus where it came from."""

    frame: pl.DataFrame
    path: Path
    format: str
    encoding: str | None
    sha256: str


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def detect_encoding(data: bytes) -> str:
    """``utf-8-sig`` when a BOM is present, else ``utf-8`` when the bytes decode strictly,
    else ``cp932`` (never the plain ``shift_jis`` codec, which mis-maps ①, ～, －, 髙, 﨑)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp932"


def normalise_header(name: str) -> str:
    """Header as compared with contract names and aliases: NFKC, stripped, BOM removed."""
    return unicodedata.normalize("NFKC", name.replace("\ufeff", "")).strip()


@dataclass(frozen=True)
class RawSource:
    """A table file to be read in chunks: its headers, rows and facts (not its rows yet).

    Parquet is read one slice of rows at a time (:meth:`chunks`); a CSV file is decoded
    whole (its encoding is judged over all its bytes) and handed out in slices.
    """

    path: Path
    format: str
    encoding: str | None
    sha256: str
    columns: tuple[str, ...]
    rows: int
    frame: pl.DataFrame | None = None  # the decoded CSV; None for parquet

    def offsets(self, size: int) -> range:
        """The first row of each slice of at most ``size`` rows (one slice for an empty file)."""
        return range(0, max(self.rows, 1), size)

    def chunks(
        self, size: int, columns: list[str] | None = None
    ) -> Iterator[tuple[int, pl.DataFrame]]:
        """(offset, raw rows) of consecutive slices of at most ``size`` rows, in file order
        (``columns``: only those). An empty file gives one empty slice (with its headers)."""
        for offset in self.offsets(size):
            yield offset, self.slice(offset, size, columns)

    def slice(self, offset: int, size: int, columns: list[str] | None = None) -> pl.DataFrame:
        """Rows ``offset`` to ``offset + size`` of the file (``columns``: only those)."""
        if self.frame is not None:
            part = self.frame.slice(offset, size)
            return part if columns is None else part.select(columns)
        try:
            lazy = pl.scan_parquet(self.path)
            if columns is not None:
                lazy = lazy.select(columns)
            return lazy.slice(offset, size).collect()
        except Exception as exc:  # polars raises several error types for bad files
            raise UnreadableFile(
                f"{self.path.name}: not a readable parquet file ({type(exc).__name__})"
            ) from None


def open_raw(path: Path, encoding: str | None = None, sha256: str | None = None) -> RawSource:
    """Open one table file for reading in chunks (parquet: only its metadata is read now).

    ``sha256``: the file's hash when the caller has it already. Raises
    :class:`UnreadableFile` (file name only)."""
    if path.suffix != ".parquet":
        raw = read_raw(path, encoding)
        return RawSource(
            raw.path,
            raw.format,
            raw.encoding,
            raw.sha256,
            tuple(raw.frame.columns),
            raw.frame.height,
            raw.frame,
        )
    try:
        lazy = pl.scan_parquet(path)
        names = tuple(lazy.collect_schema().names())
        rows = int(lazy.select(pl.len()).collect().item())
    except Exception as exc:  # polars raises several error types for bad files
        raise UnreadableFile(
            f"{path.name}: not a readable parquet file ({type(exc).__name__})"
        ) from None
    return RawSource(path, "parquet", None, sha256 or sha256_of(path), names, rows)


def read_raw(path: Path, encoding: str | None = None) -> RawFile:
    """Read one table file (see module docstring)."""
    if path.suffix == ".parquet":
        # the file's hash is computed on a second thread while polars reads it (hashlib
        # releases the GIL on large buffers)
        with ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(sha256_of, path)
            try:
                frame = pl.read_parquet(path)
            except Exception as exc:  # polars raises several error types for bad files
                raise UnreadableFile(
                    f"{path.name}: not a readable parquet file ({type(exc).__name__})"
                ) from None
            return RawFile(frame, path, "parquet", None, digest.result())
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    enc = encoding or detect_encoding(data)
    if enc not in ENCODINGS:
        raise UnreadableFile(f"{path.name}: encoding must be one of {', '.join(ENCODINGS)}")
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        raise UnreadableFile(f"{path.name}: bytes are not valid {enc}") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise UnreadableFile(f"{path.name}: file is empty (a CSV needs at least a header row)")
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            infer_schema=False,
        )
    except Exception as exc:
        raise UnreadableFile(f"{path.name}: not a well-formed CSV ({type(exc).__name__})") from None
    return RawFile(frame, path, "csv", enc, digest)
