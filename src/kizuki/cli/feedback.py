"""``kizuki feedback import FILE --history DIR``: import a filled entry sheet (contract §8).

FILE is the ``shortlist.xlsx`` whose 記入用 sheet the outreach team filled, or a CSV of
the same columns (UTF-8 with or without BOM, or CP932; dates also in 和暦). Rows are
checked against §8; rejected rows are counted per rule (rows in = kept + rejected) and
kept in ``feedback/<sha256>/`` of the history with ``report.json``; kept rows go to
``visits.parquet`` and the follow-up state (``followup.parquet``) is recomputed.
Importing the same file again changes nothing (exit 0). A file with a name-like column
or a 個人番号 is refused (exit 3). Exit 5 when a run holds the history's lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog


def feedback_import(
    file: Annotated[
        Path,
        typer.Argument(help="The filled shortlist.xlsx (its 記入用 sheet) or entry CSV."),
    ],
    history: Annotated[
        Path,
        typer.Option(
            "--history", help="The municipality's run history (the folder kizuki run writes)."
        ),
    ],
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", help="Folder with outreach.yaml (default: the packaged one)."),
    ] = None,
) -> None:
    """Import the outreach team's visit results into the history: checked against §8,
    rejects counted per rule, the follow-up state updated."""
    with guarded():
        from kizuki.outreach.config import load_outreach_config
        from kizuki.outreach.importer import import_feedback

        config = load_outreach_config(config_dir)
        result = import_feedback(file, history, config)
        info(result.message)
        for r in result.rejects_by_rule:
            info(f"  rejected: {r['rows']} row(s), column {r['column']}: {r['rule']}")
        if result.report is not None:
            typer.echo(str(result.report))


def register(app: typer.Typer) -> None:
    """Add the ``feedback`` command group (``feedback import``) to ``app``."""
    group = typer.Typer(
        name="feedback",
        help="The outreach loop: import the visit results of a list (contract §8).",
        no_args_is_help=True,
        epilog=help_epilog(),
    )
    group.command("import", epilog=help_epilog())(feedback_import)
    app.add_typer(group)
