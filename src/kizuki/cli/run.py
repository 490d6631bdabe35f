"""``kizuki run PIPELINE.yaml [--as-of DATE] [--overwrite]`` (contract §6, §9)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog
from kizuki.cli.score import parse_as_of


def run(
    pipeline_file: Annotated[
        Path,
        typer.Argument(
            help="The pipeline file (e.g. pipelines/nightly.yaml).", metavar="PIPELINE.yaml"
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Run as of this date, YYYY-MM-DD (default: the pipeline file's as_of; "
            "'newest' there means the newest complete month-end of the drop).",
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace the newest attempt of this as-of date when the inputs differ "
            "(default: a new attempt runs/<as_of>.<n> beside it; the old one is kept).",
        ),
    ] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", help="Folder with the *.yaml configs (default: configs/)."),
    ] = None,
) -> None:
    """Run a pipeline once over a municipality's history folder: validate the drop, score,
    monitor against the previous run, measure past runs as outcomes arrive, audit the newest
    matured run (pipelines/nightly.yaml), or train and move the champion only when the new
    model wins (pipelines/monthly-retrain.yaml).

    Safe to retry: a run that completed before with the same drop files, model version and
    configs is "already done" (exit 0, nothing written); a run that was killed is resumed
    from its first unfinished stage; while a run holds the history's lock, a second one
    exits 5 at once, naming the holder. Every attempt is a row of <history>/ledger.parquet
    and has a log, <history>/logs/<run id>.log. Progress goes to stderr; the run folder
    (or the history folder) is the last line on stdout.
    """
    with guarded():
        from kizuki.config import using_config_dir
        from kizuki.runner.config import load_pipeline
        from kizuki.runner.run import run_pipeline
        from kizuki.runner.settings import load_settings

        day = parse_as_of(as_of) if as_of is not None else None
        pipeline = load_pipeline(pipeline_file)
        with using_config_dir(config_dir):
            settings = load_settings()
        outcome = run_pipeline(
            pipeline, as_of=day, overwrite=overwrite, settings=settings, progress=info
        )
        for a in outcome.alerts:
            from kizuki.pages import alert_text

            info(f"run: {'ALERT' if a.fails else 'warning'} [{a.check}] {alert_text(a, 'en')}")
        typer.echo(str(outcome.run_dir or pipeline.history))
        if outcome.exit_status:
            raise typer.Exit(code=outcome.exit_status)


def register(app: typer.Typer) -> None:
    """Add ``run`` to the kizuki app."""
    app.command("run", epilog=help_epilog())(run)
