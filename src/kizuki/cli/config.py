"""``kizuki config``: see where each config is read from; copy the packaged defaults to edit.

``kizuki config export DIR`` writes every packaged default ``<name>.yaml`` into DIR (a
municipality's folder to edit; delete the files you do not change, they fall back to
the defaults). ``kizuki [--config-dir DIR] config list`` prints, per config, the file
the commands would read (see :mod:`kizuki.config` for the rule).
"""

from __future__ import annotations

from pathlib import Path

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog


def register(app: typer.Typer) -> None:
    """Add the ``config`` command group to ``app``."""
    group = typer.Typer(
        name="config",
        help="Where configs are read from; copy the packaged defaults to edit.",
        no_args_is_help=True,
        epilog=help_epilog(),
    )

    @group.command("export", epilog=help_epilog())
    def export(
        out: Path = typer.Argument(..., help="Folder to write the default *.yaml files into (created)."),
        force: bool = typer.Option(False, "--force", help="Overwrite files already in the folder."),
    ) -> None:
        """Copy every packaged default config into OUT, to edit and pass as --config-dir."""
        with guarded():
            from kizuki.config import config_names, packaged_text
            from kizuki.errors import KizukiError
            from kizuki.io.atomic import write_text

            names = config_names()
            existing = [n for n in names if (out / f"{n}.yaml").exists()]
            if existing and not force:
                raise KizukiError(
                    f"config export: {out} already holds {len(existing)} config file(s), "
                    f"e.g. '{existing[0]}.yaml'; pass --force to overwrite"
                )
            out.mkdir(parents=True, exist_ok=True)
            for name in names:
                write_text(out / f"{name}.yaml", packaged_text(name))
            info(f"config: wrote {len(names)} default configs; edit them and run")
            info(f"        kizuki --config-dir {out} <command>   (or set KIZUKI_CONFIG_DIR)")
            typer.echo(str(out))

    @group.command("list", epilog=help_epilog())
    def list_() -> None:
        """Print each config name and the file it is read from (override or packaged)."""
        with guarded():
            from kizuki.config import config_names, config_path, is_packaged

            for name in config_names():
                path = config_path(name)
                where = "packaged" if is_packaged(path) else "override"
                typer.echo(f"{name}\t{where}\t{path}")

    app.add_typer(group)
