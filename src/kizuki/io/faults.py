"""Faults of the file system as one-line errors: the one place OSError kinds are named.

A read-only or full disk, a folder kizuki may not write, a file where a folder was
expected or the reverse are not bugs: the CLI (:func:`kizuki.cli.common.guarded`)
turns them, through :func:`path_fault`, into a :class:`PathFault` with one line that
names the path and what is wrong, and exit status 3 (contract §6: the command was
refused because something it was given cannot be used, like a refused input or an
unusable tracking store). Writers never leave a half-written file under its final name
(:mod:`kizuki.io.atomic`), so nothing else needs cleaning.

Every other OSError (a missing file kizuki itself should have made, say) stays a bug
with its traceback.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

from kizuki.errors import KizukiError

#: errno -> what it means for the operator
_KINDS: dict[int, str] = {
    errno.EACCES: "permission denied (not writable or readable by this user)",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device; nothing was left half-written",
    errno.EDQUOT: "disk quota exceeded; nothing was left half-written",
    errno.EISDIR: "is a folder where a file is expected",
    errno.ENOTDIR: "a part of the path is a file where a folder is expected",
    errno.EEXIST: "exists and is a file where a folder is expected",
    errno.ENAMETOOLONG: "the path is too long",
    errno.EMFILE: "too many open files",
}

#: "(os error 28)" as Rust libraries (polars) write the errno into their message
_OS_ERROR = re.compile(r"os error (\d+)")
#: the temporary sibling :func:`kizuki.io.atomic.atomic_path` writes (``.<name>.<random>.tmp``)
_TMP = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp$")


class PathFault(KizukiError):
    """A path kizuki must read or write cannot be used (exit 3, one line)."""

    exit_code = 3


def _errno(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno in _KINDS:
        return exc.errno
    m = _OS_ERROR.search(str(exc))
    if m and int(m.group(1)) in _KINDS:
        return int(m.group(1))
    return None


def _shown(name: str | bytes | os.PathLike[str]) -> str:
    """An absolute path, with an atomic writer's temporary name shown as the final name."""
    path = os.path.abspath(os.fsdecode(name))
    head, tail = os.path.split(path)
    m = _TMP.match(tail)
    return os.path.join(head, m.group("name")) if m else path


def path_fault(exc: BaseException, path: Path | str | None = None) -> PathFault | None:
    """The one-line :class:`PathFault` for a file-system fault, or None for anything else.

    In: an exception (an ``OSError``, or a library's error whose message carries
    ``os error N``) and, optionally, the path being written when the exception does not
    name one. Out: the error naming the path (made absolute) and the kind, e.g.
    ``cannot use /srv/run/scores.parquet: read-only file system``; None when the
    exception is not one of the faults listed in this module.
    """
    code = _errno(exc)
    if code is None:
        return None
    name = getattr(exc, "filename", None) or path
    where = f" {_shown(name)}" if name else ""
    other = getattr(exc, "filename2", None)
    if other:
        where += f" -> {_shown(other)}"
    return PathFault(f"cannot use{where}: {_KINDS[code]}")


def check_writable(folder: Path) -> Path:
    """Make sure files can be created in ``folder`` (created with its parents when absent)
    before any long work; raises :class:`PathFault` (one line) when they cannot.
    A folder this call creates stays (it is empty). Out: the folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".kizuki-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        fault = path_fault(OSError(exc.errno, exc.strerror, str(folder)))  # the folder, not the probe
        if fault is None:
            raise
        raise fault from None
    return folder
