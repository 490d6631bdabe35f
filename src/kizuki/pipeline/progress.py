"""The progress callback every workflow takes: one line of text per step."""

from __future__ import annotations

from collections.abc import Callable

#: called with one line of progress (the CLI prints it on stderr)
Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """The default progress callback: say nothing."""
