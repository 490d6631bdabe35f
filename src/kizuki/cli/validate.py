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
from kizuki.cli.exit_codes import help_epilog


def register(app: typer.Typer) -> None:
    """Add the ``validate`` command to ``app``."""

    @app.command("validate", epilog=help_epilog())
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
        accept_undeclared: bool = typer.Option(
            False,
            "--accept-undeclared",
            help="Accept tables that drop.yaml does not declare (or a drop without drop.yaml, "
            "contract v1): usable, reported loudly as undeclared.",
        ),
    ) -> None:
        """Check a data drop against the kizuki data contract (and its drop.yaml); exit 0 when
        usable, 3 when refused, 4 when usable but a table whose missing-table policy is
        `alert` is absent."""
        with guarded():
            from kizuki.alerts import raise_if_failing
            from kizuki.cli.common import missing_table_lines
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
                    rules=cfg.door(accept_undeclared=accept_undeclared),
                    warn=info,
                )
            except RefusedDrop as refused:
                typer.echo(refused.report.to_text())
                info(f"report written to {target / 'report.json'}")
                raise
            typer.echo(loaded.report.to_text())
            info(f"report written to {target / 'report.json'}")
            for line in missing_table_lines("validate", loaded.missing_policy):
                info(line)
            raise_if_failing("validate", loaded.alerts())
