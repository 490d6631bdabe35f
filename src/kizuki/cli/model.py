"""``kizuki model``: what a registered model version is and how it may be used.

``kizuki model card URI [--out DIR] [--lang ja|en]`` writes the version's model card
(``model_card.html`` / ``.md`` / ``.json``), its methodology page and its algorithm-register
record (``register.json`` / ``.md``), from the governance files ``kizuki train`` logged with
the version (contract §10). URI: ``models:/kizuki/3``, ``models:/kizuki@champion`` or a
local model folder. Later issues add ``export`` / ``import`` to this group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog


def card(
    uri: Annotated[
        str,
        typer.Argument(
            help="The version: models:/kizuki/VERSION, models:/kizuki@champion, or a model folder."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the card's files [default: ./model-card-VERSION]."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of the pages: ja or en [default: both]."),
    ] = None,
) -> None:
    """Write the model card, methodology page and register record of a registered version;
    print the path of model_card.html (or model_card.en.html with --lang en)."""
    with guarded():
        from kizuki import tracking
        from kizuki.errors import KizukiError
        from kizuki.governance import read_card, write_model_card
        from kizuki.governance.pages import CARD, page_name

        if lang is not None and lang not in ("ja", "en"):
            raise KizukiError(f"model card: --lang must be ja or en; got {lang!r}")
        folder, version = tracking.download_model(uri)
        doc = read_card(folder)
        target = out if out is not None else Path(f"model-card-{version.replace(':', '-')}")
        if target.exists() and not target.is_dir():
            from kizuki.errors import FolderUnusable

            raise FolderUnusable(f"model card: --out {target} is a file, not a folder")
        langs = ("ja", "en") if lang is None else (lang,)
        written = write_model_card(target, doc, langs)
        info(f"model card: version {version}: {len(written)} files in {target}")
        typer.echo(str(written[page_name(CARD, langs[0], "html")]))


def register(app: typer.Typer) -> None:
    """Add the ``model`` command group (``model card``) to ``app``."""
    group = typer.Typer(
        name="model",
        help="A registered model version: its model card and register record.",
        no_args_is_help=True,
        epilog=help_epilog(),
    )
    group.command("card", epilog=help_epilog())(card)
    app.add_typer(group)
