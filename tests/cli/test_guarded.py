"""guarded() is the one place file-system faults become one line and exit 3; any other
OSError stays a bug with its traceback."""

from __future__ import annotations

import errno
import os

import pytest
import typer
from typer.testing import CliRunner

from kizuki.cli.common import guarded

runner = CliRunner()


def _probe(exc: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def boom() -> None:
        with guarded():
            raise exc

    return app


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "read-only file system"),
        (errno.ENOSPC, "no space left on the device"),
        (errno.EISDIR, "is a folder where a file is expected"),
        (errno.ENOTDIR, "a part of the path is a file"),
        (errno.EEXIST, "exists and is a file"),
    ],
)
def test_file_system_faults_are_one_line_and_exit_3(code: int, words: str) -> None:
    exc = OSError(code, os.strerror(code), "/srv/run/.scores.parquet.abcd1234.tmp")
    r = runner.invoke(_probe(exc), [])
    assert r.exit_code == 3
    # one line, naming the final file (not the writer's temporary sibling)
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith(f"kizuki: error: cannot use /srv/run/scores.parquet: {words}")
    assert "Traceback" not in r.output


def test_a_library_error_carrying_the_errno_is_recognised() -> None:
    class ComputeError(Exception):
        """Stands for polars' own error type, which reports io errors as text."""

    ComputeError.__module__ = "polars.exceptions"
    r = runner.invoke(_probe(ComputeError("No space left on device (os error 28)")), [])
    assert r.exit_code == 3 and "no space left on the device" in r.stderr


def test_other_os_errors_stay_bugs_with_their_traceback() -> None:
    r = runner.invoke(_probe(FileNotFoundError(errno.ENOENT, "missing", "/x")), [])
    assert r.exit_code == 1 and isinstance(r.exception, FileNotFoundError)
    r = runner.invoke(_probe(RuntimeError("os error 28 in a message of ours")), [])
    assert isinstance(r.exception, RuntimeError)  # not a file-system error type: a bug
