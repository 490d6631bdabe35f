"""``kizuki synth``: write a synthetic data drop (contract §7)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from kizuki.cli.common import guarded, info


def register(app: typer.Typer) -> None:
    """Add the ``synth`` command to ``app``."""

    @app.command("synth")
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
            from kizuki.synth.generate import generate
            from kizuki.synth.presets import make_spec
            from kizuki.synth.write import write_drop

            if fmt not in ("parquet", "csv-jp"):
                raise ConfigError(f"The 'format' option must be parquet or csv-jp; got {fmt!r}")
            spec = make_spec(preset, households, months, seed)
            t0 = time.perf_counter()
            info(
                f"synth: {spec.name}, {spec.households:,} households, {spec.months} months, seed {spec.seed}"
            )
            drop = generate(spec)
            write_drop(drop, out, fmt)
            rows = {k: v.height for k, v in drop.tables.items()}
            info(
                "synth: "
                + ", ".join(f"{k} {v:,}" for k, v in rows.items())
                + f" ({time.perf_counter() - t0:.1f} s)"
            )
            typer.echo(str(out))
