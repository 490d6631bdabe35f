"""Building a folder beside its final name and swapping it in whole.

A run is written into a temporary sibling ``<name>.kizuki-incomplete-<id>`` and put
in place by :func:`swap_in` only when complete:

- no folder under the final name: one ``rename``;
- a folder there (the run being replaced): the two are exchanged in one atomic step
  (Linux ``renameat2(RENAME_EXCHANGE)``), then the old one, now under the temporary
  name, is removed. Where the exchange is not available (another OS or file system)
  the old folder is first renamed to ``<name>.kizuki-replaced-<id>``, then the new one
  renamed in; :func:`recover` puts a ``replaced`` folder back when a crash fell between
  the two renames.

So after a crash at any moment the final name holds the whole old folder or the whole
new one (or, in the fallback only, nothing until :func:`recover` runs), plus at most
the temporary siblings, which :func:`remove_stale` deletes on the next run (call both
under the folder's lock, :func:`kizuki.io.locks.folder_lock`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

#: marks the temporary siblings of a folder (a reader of runs skips these names)
TEMP_MARK = ".kizuki-"
INCOMPLETE = "incomplete"
REPLACED = "replaced"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def temp_sibling(final: Path, kind: str, tag: str) -> Path:
    """``<parent>/<name>.kizuki-<kind>-<tag>``: a temporary sibling of ``final``."""
    return final.parent / f"{final.name}{TEMP_MARK}{kind}-{tag}"


def is_temp_sibling(path: Path) -> bool:
    """Whether ``path`` is named like a temporary sibling (:func:`temp_sibling`)."""
    return TEMP_MARK + INCOMPLETE in path.name or TEMP_MARK + REPLACED in path.name


def _siblings(final: Path, kind: str) -> list[Path]:
    if not final.parent.is_dir():
        return []
    return sorted(final.parent.glob(f"{final.name}{TEMP_MARK}{kind}-*"))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one atomic step; False when the platform or
    file system cannot (nothing changed then). Other errors are raised as OSError."""
    name = ctypes.util.find_library("c")
    if os.name != "posix" or name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def swap_in(
    new: Path, final: Path, tag: str, after_exchange: Callable[[], None] | None = None
) -> None:
    """Put the complete folder ``new`` under ``final``, replacing what is there.

    In: the finished temporary folder, the final path, a tag for the fallback's
    ``replaced`` sibling, and a callback run once the new folder is in place but before
    the replaced one is deleted (a test hook). The replaced folder is then deleted.
    """
    if not final.exists():
        os.rename(new, final)
        _fsync_dir(final.parent)
        if after_exchange:
            after_exchange()
        return
    if exchange(new, final):
        _fsync_dir(final.parent)
        if after_exchange:
            after_exchange()
        shutil.rmtree(new)  # ``new`` now holds the replaced folder
        return
    old = temp_sibling(final, REPLACED, tag)
    os.rename(final, old)
    os.rename(new, final)
    _fsync_dir(final.parent)
    if after_exchange:
        after_exchange()
    shutil.rmtree(old)


def recover(final: Path) -> Path | None:
    """After a crash between the fallback's two renames: put the ``replaced`` folder back
    under ``final`` when nothing is there (the old run, whole). Out: the folder restored,
    or None."""
    if final.exists():
        return None
    old = _siblings(final, REPLACED)
    if not old:
        return None
    os.rename(old[-1], final)
    _fsync_dir(final.parent)
    return old[-1]


def remove_stale(final: Path) -> list[Path]:
    """Delete the temporary siblings of ``final`` left by killed runs (call under the
    folder's lock, after :func:`recover`). Out: what was removed."""
    gone = []
    for p in _siblings(final, INCOMPLETE) + _siblings(final, REPLACED):
        shutil.rmtree(p, ignore_errors=True)
        gone.append(p)
    return gone


def remove_stale_tmp_files(folder: Path) -> list[Path]:
    """Delete ``.<name>.<random>.tmp`` files (left by :mod:`kizuki.io.atomic` writers
    that were killed) anywhere in ``folder``. Call only while holding the folder's lock."""
    if not folder.is_dir():
        return []
    gone = []
    for p in folder.rglob(".*.tmp"):
        if p.is_file():
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                gone.append(p)
    return gone
