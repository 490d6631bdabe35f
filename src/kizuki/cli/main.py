"""kizuki command line: ``kizuki <command> --help`` documents each command.

Each command lives in its own module under ``kizuki.cli`` and registers itself on
:data:`app` here. Contract §6 fixes the forms of demo, synth, validate, train and
score; the rest are the project's own.
"""

from __future__ import annotations

from pathlib import Path

import typer

from kizuki import __version__
from kizuki.cli.exit_codes import help_epilog

app = typer.Typer(
    name="kizuki",
    help="気づき: find households with compound needs early, from pseudonymised municipal records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    epilog=help_epilog(),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kizuki {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    config_dir: Path | None = typer.Option(
        None,
        "--config-dir",
        envvar="KIZUKI_CONFIG_DIR",
        show_envvar=True,
        help=(
            "Folder of *.yaml configs overriding the packaged defaults, file by file: a file "
            "the folder lacks is read from the defaults (`kizuki config export DIR` copies "
            "them to edit). The option beats KIZUKI_CONFIG_DIR; a command's own --config-dir "
            "beats both. A missing or unreadable folder, or a *.yaml in it that is not a "
            "kizuki config, is refused (exit 3)."
        ),
    ),
) -> None:
    """気づき (kizuki): a nightly batch pipeline for 重層的支援体制整備事業 outreach."""
    if config_dir is not None:
        from kizuki.cli.common import guarded
        from kizuki.config import using_config_dir

        with guarded():
            ctx.with_resource(using_config_dir(config_dir))


# ---- command registration (one line per command module) ----
# Each module defines ``register(app: typer.Typer) -> None``. Example:
#   from kizuki.cli import validate as _validate  (with a noqa for E402)
#   _validate.register(app)
from kizuki.cli import validate as _validate  # noqa: E402

_validate.register(app)
from kizuki.cli import synth as _synth  # noqa: E402

_synth.register(app)
from kizuki.cli import features as _features  # noqa: E402

_features.register(app)
from kizuki.cli import train as _train  # noqa: E402

_train.register(app)
from kizuki.cli import score as _score  # noqa: E402

_score.register(app)
from kizuki.cli import demo as _demo  # noqa: E402

_demo.register(app)
from kizuki.cli import pseudonymize as _pseudonymize  # noqa: E402

_pseudonymize.register(app)
from kizuki.cli import audit as _audit  # noqa: E402

_audit.register(app)
from kizuki.cli import monitor as _monitor  # noqa: E402

_monitor.register(app)
from kizuki.cli import config as _config  # noqa: E402

_config.register(app)
from kizuki.cli import run as _run  # noqa: E402

_run.register(app)
from kizuki.cli import feedback as _feedback  # noqa: E402

_feedback.register(app)
from kizuki.cli import model as _model  # noqa: E402

_model.register(app)
