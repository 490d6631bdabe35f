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
            from kizuki.checklist.dictionary import dictionary_frame, dictionary_markdown
            from kizuki.features.build import build_features
            from kizuki.features.config import load_feature_config
            from kizuki.io.atomic import write_bytes, write_parquet, write_text
            from kizuki.io.drop import load_drop

            t = parse_as_of(as_of)
            loaded = load_drop(drop)
            for name in loaded.missing_tables:
                info(f"features: WARNING table '{name}' is absent: its features are null")
            frame = build_features(loaded.tables, t, load_feature_config())
            write_parquet(out, frame)
            checklist = load_checklist_config()
            stem = out.with_suffix("")
            write_text(Path(f"{stem}.dictionary.md"), dictionary_markdown(checklist))
            csv = dictionary_frame(checklist).write_csv()
            write_bytes(Path(f"{stem}.dictionary.csv"), b"\xef\xbb\xbf" + csv.encode("utf-8"))
            info(f"features: {frame.height:,} households x {frame.width - 3} features as of {t}")
            typer.echo(str(out))
