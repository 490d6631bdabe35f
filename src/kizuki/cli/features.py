"""``kizuki features DROP --as-of DATE --out FILE``: household features as of a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog
from kizuki.errors import KizukiError


def parse_as_of(value: str) -> dt.date:
    """An ``--as-of`` value (YYYY-MM-DD) as a date, or a one-line KizukiError."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise KizukiError(f"The 'as-of' option must be a date YYYY-MM-DD; got {value!r}") from None


def register(app: typer.Typer) -> None:
    """Add the ``features`` command to ``app``."""

    @app.command("features", epilog=help_epilog())
    def features(
        drop: Path = typer.Argument(..., help="Data drop folder."),
        as_of: str = typer.Option(
            ..., "--as-of", help="Date T (YYYY-MM-DD): only what was known on T is used."
        ),
        out: Path = typer.Option(
            ..., "--out", help="Parquet file to write (the dictionary is written beside it)."
        ),
        accept_undeclared: bool = typer.Option(
            False,
            "--accept-undeclared",
            help="Use tables that drop.yaml does not declare (or a drop without drop.yaml) "
            "instead of refusing it; said loudly on stderr.",
        ),
    ) -> None:
        """Write one row of features per household existing on T, plus the feature dictionary.
        Exit 4 when a table whose missing-table policy is `alert` is absent."""
        with guarded():
            from kizuki.alerts import raise_if_failing
            from kizuki.checklist import load_checklist_config
            from kizuki.cli.common import missing_table_lines
            from kizuki.config.validation import load_validation_config
            from kizuki.features.config import load_feature_config
            from kizuki.io.drop import missing_table_alerts
            from kizuki.pipeline.features import run_features

            day = parse_as_of(as_of)
            door = load_validation_config().door(accept_undeclared=accept_undeclared)
            summary = run_features(
                drop,
                day,
                out,
                feature_config=load_feature_config(),
                checklist_config=load_checklist_config(),
                rules=door,
                progress=info,
            )
            typer.echo(str(summary.out))
            for line in missing_table_lines("features", summary.missing_policy):
                info(line)
            raise_if_failing("features", missing_table_alerts(summary.missing_policy))
