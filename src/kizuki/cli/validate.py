"""``kizuki validate DROP``: check a data drop against the contract (contract §4, §6).

Prints the report (rows read = kept + rejected per table, every violation with its
count, never a value), writes ``report.json`` and ``rejects/<table>.parquet|csv``
into ``--out`` (default ``./kizuki-validate/<drop name>/``; never inside the drop;
what an earlier validation wrote there is removed first), and exits 0 when the drop is
usable, 3 when it is refused, 2 for a usage error (``--reject-limit`` NaN or outside
0 … 1, ``--out`` naming a file).
"""

from __future__ import annotations

from pathlib import Path

import typer

from kizuki.cli.common import guarded, info


def register(app: typer.Typer) -> None:
    """Add the ``validate`` command to ``app``."""

    @app.command("validate")
    def validate(
        drop: Path = typer.Argument(
            ..., help="Data drop folder (<table>.parquet or <table>.csv files)."
        ),
        out: Path | None = typer.Option(
            None,
            "--out",
            help="Where report.json and rejects/ go [default: ./kizuki-validate/<drop name>].",
        ),
        encoding: str | None = typer.Option(
            None,
            "--encoding",
            help="Force the CSV encoding: utf-8, utf-8-sig or cp932 [default: detect].",
        ),
        reject_limit: float | None = typer.Option(
            None,
            "--reject-limit",
            help="Refuse a table whose share of rejected rows is above this [default: configs/validation.yaml].",
        ),
    ) -> None:
        """Check a data drop against the kizuki data contract; exit 0 when usable, 3 when refused."""
        with guarded():
            from kizuki.config.validation import load_validation_config
            from kizuki.io.drop import RefusedDrop
            from kizuki.pipeline.validate import check_reject_limit, run_validate

            check_reject_limit(reject_limit, "reject-limit")  # NaN or outside 0 … 1: exit 2
            cfg = load_validation_config()
            limit = cfg.reject_limit if reject_limit is None else reject_limit
            target = out or Path("kizuki-validate") / drop.resolve().name
            try:
                loaded = run_validate(
                    drop,
                    target,
                    encoding=encoding,
                    reject_limit=limit,
                    table_limits=cfg.table_limits,
                )
            except RefusedDrop as refused:
                typer.echo(refused.report.to_text())
                info(f"report written to {target / 'report.json'}")
                raise
            typer.echo(loaded.report.to_text())
            info(f"report written to {target / 'report.json'}")
