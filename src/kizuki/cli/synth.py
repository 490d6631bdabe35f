"""``kizuki synth``: write a synthetic data drop (contract §7)."""

from __future__ import annotations

from pathlib import Path

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog


def register(app: typer.Typer) -> None:
    """Add the ``synth`` command to ``app``."""

    @app.command("synth", epilog=help_epilog())
    def synth(
        out: Path = typer.Option(..., "--out", help="Folder to write the drop into (created)."),
        preset: str | None = typer.Option(
            None, "--preset", help="ashiya, uken or city (configs/synth.yaml) [default: ashiya]."
        ),
        households: int | None = typer.Option(
            None, "--households", help="Number of households (the preset's shape, scaled)."
        ),
        months: int | None = typer.Option(
            None, "--months", help="Months of history (≥ 24) [default: 48]."
        ),
        seed: int | None = typer.Option(
            None, "--seed", help="Random seed: the same seed gives the same drop."
        ),
        fmt: str = typer.Option(
            "parquet",
            "--format",
            help="parquet, or csv-jp (CP932, Japanese headers, 和暦, Japanese codes).",
        ),
    ) -> None:
        """Write a synthetic municipality's data drop, plus truth/ (hidden state for evaluation)."""
        with guarded():
            from kizuki.errors import ConfigError
            from kizuki.pipeline.synth import run_synth
            from kizuki.synth.presets import make_spec

            if fmt not in ("parquet", "csv-jp"):
                raise ConfigError(f"The 'format' option must be parquet or csv-jp; got {fmt!r}")
            summary = run_synth(
                out, make_spec(preset, households, months, seed), fmt, progress=info
            )
            typer.echo(str(summary.out))
