"""The log of one run attempt: ``logs/<run_id>.log`` in the history, one line per message.

Messages are the progress lines of the stages (they name tables, columns, rules, counts
and household counts, never a record's value). :class:`RunLog` holds its lines in memory
until :meth:`RunLog.start` names the file (a run that turns out to be "already done" is
not an attempt and leaves no log), then appends each line as it comes, flushed, so that
the log of a killed run ends at the last thing it did.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO

from kizuki.io.atomic import open_append
from kizuki.pipeline.progress import Progress


class RunLog:
    """Timestamped lines to a log file (held back until :meth:`start`) and to ``echo``."""

    def __init__(self, echo: Progress) -> None:
        self._echo = echo
        self._held: list[str] = []
        self._file: IO[str] | None = None

    def __call__(self, message: str) -> None:
        """Log one message (also passed on to the echo callback)."""
        self._echo(message)
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for line in message.splitlines() or [""]:
            self._write(f"{stamp} {line}")

    def _write(self, line: str) -> None:
        if self._file is None:
            self._held.append(line)
            return
        self._file.write(line + "\n")
        self._file.flush()

    def start(self, path: Path) -> Path:
        """Start writing to ``path`` (owner-only), the lines held so far first."""
        if self._file is not None:
            return path
        self._file = open_append(path)
        held, self._held = self._held, []
        for line in held:
            self._write(line)
        return path

    def close(self) -> None:
        """Close the file (if one was opened)."""
        if self._file is not None:
            self._file.close()
            self._file = None
