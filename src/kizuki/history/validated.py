"""The incremental-validation cache of a history: ``validated/<key>/`` (contract §9).

``ValidationCache(folder, run=None)`` implements :class:`kizuki.io.cache.TableCache`
over a folder (the history's ``validated/``, :attr:`HistoryLayout.validated`). One entry
per table file and rule set: the key (:func:`kizuki.io.validating.cache_key`) is the
table's name, the file's sha256 and a fingerprint of everything else that decides its
validation. An entry holds the kept rows (``kept/part-*.parquet``), the rejects
(``rejects.parquet``) and ``entry.json`` (counts, violations, when and in which run it
was validated; never a record's value), all written by :mod:`kizuki.io.validating`.

Writing is atomic per entry: a validation is written into ``.work-<key>-<random>/``
and renamed into place when complete, so a killed run leaves no half entry under a
key (its ``.work-*`` folder is ignored and may be removed). Two runs storing the same
key: the first rename wins and the second's folder is removed (both are identical).

``prune(keep)`` removes entries whose key is not in ``keep`` (the caller decides
which files are still in use; nothing here removes an entry on its own).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from kizuki.io.validating import ENTRY_JSON

WORK_PREFIX = ".work-"


class ValidationCache:
    """Validated table files under ``folder``; ``run`` is recorded in the entries written."""

    def __init__(self, folder: Path, run: str | None = None) -> None:
        self.folder = Path(folder)
        self.run = run

    def entry(self, key: str) -> Path:
        """Where the entry of ``key`` lives (it may not exist)."""
        if not key or "/" in key or key.startswith("."):
            raise ValueError("a cache key is one plain file name")
        return self.folder / key

    def find(self, key: str) -> Path | None:
        """The complete entry of ``key``, or None."""
        path = self.entry(key)
        return path if (path / ENTRY_JSON).is_file() else None

    def begin(self, key: str) -> Path:
        """A new empty work folder for ``key`` inside the cache folder (created)."""
        self.entry(key)  # checks the key
        self.folder.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{key}-", dir=self.folder))

    def commit(self, key: str, work: Path) -> Path:
        """Rename the finished ``work`` folder to the entry of ``key``; returns the entry."""
        final = self.entry(key)
        try:
            os.rename(work, final)
        except OSError:
            if self.find(key) is None:
                raise
            shutil.rmtree(work, ignore_errors=True)  # another run stored it first
        return final

    def keys(self) -> list[str]:
        """The keys of the complete entries, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(
            p.name
            for p in self.folder.iterdir()
            if not p.name.startswith(".") and (p / ENTRY_JSON).is_file()
        )

    def prune(self, keep: set[str]) -> list[str]:
        """Remove the entries whose key is not in ``keep``; returns the keys removed."""
        gone = [k for k in self.keys() if k not in keep]
        for k in gone:
            shutil.rmtree(self.entry(k), ignore_errors=True)
        return gone
