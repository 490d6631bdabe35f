"""Operating-system locks on a lock file beside what they guard (``fcntl.flock``).

:func:`folder_lock` guards a folder a run writes: the lock is ``<folder>.lock`` beside
it, taken without waiting; a second writer gets :class:`~kizuki.errors.RunLocked`
(exit 5) naming the holder (pid, start time, command) that the holder wrote into the
lock file. :func:`wait_lock` serialises a short critical section (creating a tracking
database's schema) and waits for its turn, up to a limit.

The kernel drops a ``flock`` when its process ends, however it ends (``kill -9``
too): a lock file left behind never blocks anyone, so it is never removed (removing it
would race with a process that has just opened it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kizuki.errors import FolderUnusable, RunLocked, StoreUnavailable


def lock_path(target: Path) -> Path:
    """``<target>.lock``: the lock file of a folder or file, beside it."""
    return target.parent / f"{target.name}.lock"


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _holder(fd: int) -> dict[str, object]:
    try:
        raw = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        data = json.loads(raw) if raw.strip() else {}
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _describe(holder: dict[str, object]) -> str:
    if not holder:
        return "another process"
    return (
        f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"started {holder.get('started', '?')}"
    )


@contextlib.contextmanager
def folder_lock(target: Path, what: str = "run") -> Iterator[Path]:
    """Hold the lock of ``target`` (``<target>.lock``) while the block runs.

    In: the folder to guard, a word for messages. Out: the lock file's path. Raises
    :class:`~kizuki.errors.RunLocked` at once when another process holds it (naming
    pid, host and start time), :class:`~kizuki.errors.FolderUnusable` when the lock
    file cannot be created (read-only or missing parent).
    """
    path = lock_path(Path(target))
    with hold_lock(path, what, Path(target)):
        yield path


@dataclass(frozen=True)
class Stale:
    """The holder a lock file still names although its process is gone (killed, machine
    restarted): pid, host, start time and command as that process wrote them."""

    holder: dict[str, object]

    def describe(self) -> str:
        """``pid N on HOST, started T``: for messages and the ledger."""
        return _describe(self.holder)


@contextlib.contextmanager
def hold_lock(path: Path, what: str = "run", guarded: Path | None = None) -> Iterator[Stale | None]:
    """Hold the lock file ``path`` itself (``flock``, no waiting) while the block runs.

    In: the lock file, a word for messages, what it guards (for messages; default the
    file). Out: a :class:`Stale` when the file still named an earlier holder whose
    process is gone (a lock released by death, not by a clean end: taken over), else
    None. Raises :class:`~kizuki.errors.RunLocked` at once when a live process holds it,
    :class:`~kizuki.errors.FolderUnusable` when the file cannot be created.
    """
    target = guarded or path
    try:
        fd = _open(path)
    except OSError as exc:
        raise FolderUnusable(
            f"{what}: cannot create the lock file {path} ({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLocked(
                f"{what}: {target} is being written by another kizuki process "
                f"({_describe(_holder(fd))}); not started (the lock {path.name} is released "
                "when that process ends)"
            ) from None
        before = _holder(fd)  # a clean end empties the file: a name left is a death
        stale = Stale(before) if before else None
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(os.path.basename(a) for a in sys.argv[:2]),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode("utf-8"), 0)
        try:
            yield stale
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def wait_lock(path: Path, timeout_s: float = 120.0) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path``, waiting up to ``timeout_s`` seconds.

    Raises :class:`~kizuki.errors.StoreUnavailable` when the file cannot be created or
    the wait runs out (this lock guards the tracking store's schema creation).
    """
    try:
        fd = _open(Path(path))
    except OSError as exc:
        raise StoreUnavailable(
            f"tracking store: cannot create the lock file {path} "
            f"({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreUnavailable(
                        f"tracking store: waited {timeout_s:.0f} s for {path.name} "
                        "(another process is creating the store)"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
