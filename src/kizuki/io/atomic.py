"""Atomic file writes: a crash never leaves a half-written file under its final name.

Every writer takes the final path, writes to a temporary sibling in the same folder
and renames it into place (``os.replace`` is atomic on one file system).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl


@contextlib.contextmanager
def atomic_path(final: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``final``; on success rename it to ``final``.

    In: the final path. Out: a temporary path to write to. On an exception the
    temporary file is removed and ``final`` is left as it was.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def write_bytes(final: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``final`` atomically; returns the final path."""
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)
    return Path(final)


def write_text(final: Path | str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``final`` atomically; returns the final path."""
    return write_bytes(final, text.encode(encoding))


def write_json(final: Path | str, value: Any) -> Path:
    """Write ``value`` as UTF-8 JSON (indented, non-ASCII kept, a final newline) atomically.

    In: a JSON-ready value (see :func:`kizuki.io.jsonable.jsonable`; other objects are
    written with ``str``). Out: the final path.
    """
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return write_text(final, text + "\n")


def write_parquet(final: Path | str, frame: pl.DataFrame) -> Path:
    """Write a polars frame to parquet atomically; returns the final path."""
    with atomic_path(final) as tmp:
        frame.write_parquet(tmp)
    return Path(final)


def write_with(final: Path | str, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result to ``final`` atomically."""
    with atomic_path(final) as tmp:
        writer(tmp)
    return Path(final)
