"""``kizuki pseudonymize RAW --out DROP``: raw extracts → the contract's pseudonymous IDs."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog


def register(app: typer.Typer) -> None:
    """Add the ``pseudonymize`` command to ``app``."""

    @app.command("pseudonymize", epilog=help_epilog())
    def pseudonymize(
        raw: Path = typer.Argument(
            ..., help="Folder of raw extracts keyed by 宛名番号 / 世帯番号."
        ),
        out: Path = typer.Option(..., "--out", help="Folder for the pseudonymised drop."),
        key_file: Path | None = typer.Option(
            None, "--key-file", help="File holding the secret key (else env KIZUKI_PSEUDONYM_KEY)."
        ),
    ) -> None:
        """Replace 宛名番号 and 世帯番号 with keyed HMAC-SHA256 IDs (consistent across tables),
        drop name/address/phone columns; the key is never written anywhere."""
        with guarded():
            from kizuki.errors import KizukiError
            from kizuki.io.files import read_bytes
            from kizuki.io.pseudonymize import pseudonymize as run

            if key_file is not None:
                if not key_file.is_file():
                    raise KizukiError(f"pseudonymize: key file not found: {key_file}")
                key = read_bytes(key_file).strip()
            else:
                env = os.environ.get("KIZUKI_PSEUDONYM_KEY")
                if not env:
                    raise KizukiError("pseudonymize: give --key-file or set KIZUKI_PSEUDONYM_KEY")
                key = env.encode("utf-8")
            report = run(raw, out, key)
            for table, r in report.tables.items():
                dropped = ", ".join(r["columns_dropped"]) or "none"  # type: ignore[arg-type]
                info(
                    f"{table}: {r['rows']:,} rows; keys replaced: {', '.join(r['keys_replaced']) or 'none'}; columns dropped: {dropped}"
                )  # type: ignore[arg-type]
            typer.echo(str(out))
