"""Shared CLI plumbing: turning KizukiError into one line and an exit code.

Command modules wrap their body in :func:`guarded`; heavy libraries (lightgbm,
mlflow, shap) are imported inside command bodies so that ``kizuki validate`` never
pays for, or phones home through, a library it does not use. A fault of the file
system (read-only or full disk, no permission, a file where a folder is expected or
the reverse) is not a bug either: :func:`guarded` turns it into one line and exit 3
through :func:`kizuki.io.faults.path_fault`, the one place those kinds are named.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping

import typer

from kizuki.errors import KizukiError
from kizuki.io.faults import path_fault


def _fault_of(exc: Exception) -> KizukiError | None:
    """The one-line error of a file-system fault (OSError, or polars' I/O errors)."""
    if isinstance(exc, OSError) or type(exc).__module__.split(".")[0] == "polars":
        return path_fault(exc)
    return None


def _fail(exc: KizukiError) -> typer.Exit:
    msg = " ".join(str(exc).split())  # one line, always
    typer.echo(f"kizuki: error: {msg}", err=True)
    return typer.Exit(code=exc.exit_code)


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Run a command body; a KizukiError (or a file-system fault) becomes
    ``kizuki: error: <msg>`` and its exit code. Any other exception keeps its traceback."""
    try:
        yield
    except KizukiError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        typer.echo("kizuki: interrupted", err=True)
        raise typer.Exit(code=130) from None
    except Exception as exc:
        fault = _fault_of(exc)
        if fault is None:
            raise
        raise _fail(fault) from None


def missing_table_lines(command: str, policy: Mapping[str, str]) -> list[str]:
    """One loud line per absent table whose missing-table policy is ``alert``."""
    return [
        f"{command}: ALERT table '{table}' is absent from the drop (configs/validation.yaml "
        "missing_tables: alert): its features are null; recorded; exit status 4"
        for table, action in policy.items()
        if action == "alert"
    ]


def info(message: str) -> None:
    """Progress line on stderr (stdout stays for results a script may parse)."""
    print(message, file=sys.stderr, flush=True)
