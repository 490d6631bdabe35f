"""The incremental-validation cache as the loader sees it: a small Protocol.

In: a key (one table file's sha256 combined with everything that affects how it is
validated, :func:`kizuki.io.validating.cache_key`). Out: the folder holding an earlier
validation of that key (``kept/`` parquet parts, ``rejects.parquet``, ``entry.json``,
all written by :mod:`kizuki.io.validating`), or None.

``kizuki.history.validated.ValidationCache`` implements it over the history's
``validated/`` folder; io defines only the shape so that it never imports history
(history sits above io in the import layers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class TableCache(Protocol):
    """Where validated table files are kept between runs (see module docstring)."""

    #: a label of the run that fills the cache (recorded in each entry it writes), or None
    run: str | None

    def find(self, key: str) -> Path | None:
        """The folder of a complete earlier validation of ``key``, or None."""
        ...

    def begin(self, key: str) -> Path:
        """A new, empty folder (on the cache's file system) to write a validation into."""
        ...

    def commit(self, key: str, work: Path) -> Path:
        """Make the finished folder ``work`` the entry of ``key``; returns its final place."""
        ...
