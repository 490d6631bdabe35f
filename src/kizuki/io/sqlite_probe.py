"""Looking at a SQLite tracking database before MLflow touches it.

MLflow retries a database it cannot open for about 100 s (ten attempts with
exponential back-off in ``mlflow.store.db.utils.create_sqlalchemy_engine_with_retry``)
and then raises a traceback; these checks answer in milliseconds. In: the database
file's path. Out: None when usable, else one sentence saying what is wrong (the caller
raises it as :class:`~kizuki.errors.StoreUnavailable`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path


def _can_create_in(folder: Path) -> str | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"the database folder {folder} cannot be created ({exc.strerror or type(exc).__name__})"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    try:
        fd, name = tempfile.mkstemp(prefix=".kizuki-probe-", dir=folder)
    except OSError as exc:
        return f"the database folder {folder} is not writable ({exc.strerror or type(exc).__name__})"
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return None


def sqlite_problem(path: Path, write: bool = True) -> str | None:
    """What keeps ``path`` from serving as a SQLite tracking store, or None.

    ``write``: whether the command writes to the store (train, monitor, audit, demo)
    or only reads it (score): a read-only database file then is fine.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        return f"{path} is not a file"
    folder_problem = _can_create_in(path.parent) if write or not path.exists() else None
    if folder_problem:
        return folder_problem
    if not path.exists() or path.stat().st_size == 0:
        return None
    mode = "rw" if write else "ro"
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=2)
    except sqlite3.Error as exc:
        return f"{path} cannot be opened ({exc})"
    try:
        row = con.execute("PRAGMA quick_check(1)").fetchone()
        if not row or row[0] != "ok":
            return f"{path} is a damaged SQLite database (quick_check failed)"
        if write:
            con.execute("BEGIN IMMEDIATE")
            con.rollback()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # another process is writing: usable, just busy
        return f"{path} cannot be used ({exc})"
    except sqlite3.DatabaseError as exc:
        return f"{path} is not a SQLite database or is damaged ({exc})"
    finally:
        con.close()
    return None
