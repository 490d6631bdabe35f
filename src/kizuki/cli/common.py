"""Shared CLI plumbing: turning KizukiError into one line and an exit code.

Command modules wrap their body in :func:`guarded`; heavy libraries (lightgbm,
mlflow, shap) are imported inside command bodies so that ``kizuki validate`` never
pays for, or phones home through, a library it does not use.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import typer

from kizuki.errors import KizukiError


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Run a command body; a KizukiError becomes ``kizuki: error: <msg>`` and its exit code."""
    try:
        yield
    except KizukiError as exc:
        msg = " ".join(str(exc).split())  # one line, always
        typer.echo(f"kizuki: error: {msg}", err=True)
        raise typer.Exit(code=exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("kizuki: interrupted", err=True)
        raise typer.Exit(code=130) from None


def info(message: str) -> None:
    """Progress line on stderr (stdout stays for results a script may parse)."""
    print(message, file=sys.stderr, flush=True)
