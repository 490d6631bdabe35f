"""The CLI shell: version, help, and the KizukiError → one line + exit code rule."""

from __future__ import annotations

import subprocess
import sys

import typer
from typer.testing import CliRunner

from kizuki import __version__
from kizuki.cli.common import guarded
from kizuki.cli.main import app
from kizuki.errors import DropRefused, KizukiError

runner = CliRunner()


def test_version_flag_prints_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_kizuki_error_becomes_one_line_and_exit_code() -> None:
    probe = typer.Typer()

    @probe.command()
    def boom() -> None:
        with guarded():
            raise DropRefused("residents: column 'person_id' missing\n(required)")

    result = runner.invoke(probe, [])
    assert result.exit_code == DropRefused.exit_code
    assert result.output.strip().count("\n") == 0
    assert "kizuki: error: residents: column 'person_id' missing (required)" in result.output
    assert "Traceback" not in result.output


def test_other_exceptions_keep_their_traceback() -> None:
    probe = typer.Typer()

    @probe.command()
    def bug() -> None:
        with guarded():
            raise ValueError("a bug")

    result = runner.invoke(probe, [])
    assert result.exit_code != 0
    assert isinstance(result.exception, ValueError)
    assert not isinstance(result.exception, KizukiError)


def test_importing_the_cli_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, kizuki.cli.main; "
        "heavy = [m for m in ('mlflow', 'lightgbm', 'shap', 'sklearn') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
