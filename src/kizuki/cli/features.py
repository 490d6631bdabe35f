"""``kizuki features DROP --as-of DATE --out FILE``: household features as of a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from kizuki.cli.common import guarded, info
from kizuki.errors import KizukiError


def parse_as_of(value: str) -> dt.date:
    """An ``--as-of`` value (YYYY-MM-DD) as a date, or a one-line KizukiError."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise KizukiError(f"The 'as-of' option must be a date YYYY-MM-DD; got {value!r}") from None


def register(app: typer.Typer) -> None:
    """Add the ``features`` command to ``app``."""

    @app.command("features")
    def features(
        drop: Path = typer.Argument(..., help="Data drop folder."),
        as_of: str = typer.Option(
            ..., "--as-of", help="Date T (YYYY-MM-DD): only what was known on T is used."
        ),
        out: Path = typer.Option(
            ..., "--out", help="Parquet file to write (the dictionary is written beside it)."
        ),
    ) -> None:
        """Write one row of features per household existing on T, plus the feature dictionary."""
        with guarded():
            from kizuki.checklist import load_checklist_config
            from kizuki.features.config import load_feature_config
            from kizuki.pipeline.features import run_features

            summary = run_features(
                drop,
                parse_as_of(as_of),
                out,
                feature_config=load_feature_config(),
                checklist_config=load_checklist_config(),
                progress=info,
            )
            typer.echo(str(summary.out))
