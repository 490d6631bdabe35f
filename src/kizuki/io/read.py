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
