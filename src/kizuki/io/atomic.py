"""Atomic, owner-only file writes: a crash never leaves a half-written file under its
final name, and no one but the file's owner can read what kizuki wrote.

Every writer takes the final path, writes to a temporary sibling in the same folder
and renames it into place (``os.replace`` is atomic on one file system). The temporary
file is created with mode ``0600`` (:data:`FILE_MODE`, ``tempfile.mkstemp``) and set to
it again before the rename, whatever the umask and whatever the writer did with it, so
the final file is readable by its owner only from the moment it has its name. Missing
folders on the way are created with mode ``0700`` (:data:`DIR_MODE`, see
:func:`private_dirs`); folders that already exist keep their mode (the operator chose it).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

#: mode of every file kizuki writes: read and write for its owner only
FILE_MODE = 0o600
#: mode of every folder kizuki creates: its owner only
DIR_MODE = 0o700


def private_dirs(folder: Path | str) -> Path:
    """Create ``folder`` and its missing parents with mode ``0700`` (umask-independent).

    In: a folder path. Out: the path. Folders that exist already are left as they are;
    an existing non-folder raises the operating system's ``FileExistsError`` /
    ``NotADirectoryError``.
    """
    folder = Path(folder)
    missing: list[Path] = []
    p = folder
    while not p.is_dir():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, DIR_MODE)
        except FileExistsError:
            if not d.is_dir():
                raise
            continue  # made by a concurrent writer: its mode is its own
        os.chmod(d, DIR_MODE)  # the umask may have taken bits away
    return folder


def private_file(path: Path | str) -> Path:
    """Make sure ``path`` exists as a file readable by its owner only (mode ``0600``).

    In: a file path (its folder is created with :func:`private_dirs`). Out: the path.
    An existing file keeps its content and gets mode ``0600``; a missing one is created
    empty (e.g. a SQLite database file before the library that fills it opens it: SQLite
    gives its journal and WAL files the database file's mode).
    """
    path = Path(path)
    private_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)
    return path


@contextlib.contextmanager
def atomic_path(final: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``final``; on success rename it to ``final``.

    In: the final path. Out: a temporary path to write to. On success the file gets mode
    ``0600`` and is renamed to ``final``; missing folders are created with ``0700``. On an
    exception the temporary file is removed and ``final`` is left as it was.
    """
    final = Path(final)
    private_dirs(final.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, FILE_MODE)  # the writer may have replaced the file
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


def open_append(path: Path | str) -> IO[str]:
    """``path`` opened for appending UTF-8 text, created owner-only (0600) when new: for a
    log whose lines must survive the process that writes them (each write is appended
    whole; the caller flushes after each line)."""
    path = Path(path)
    private_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8")
