"""``kizuki audit --run RUN``: fairness of a run's shortlist across groups."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from kizuki.cli.common import guarded, info


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to ``app``."""

    @app.command("audit")
    def audit(
        run: Path = typer.Option(..., "--run", help="A scoring-run folder (kizuki score --out)."),
        outcomes: Path | None = typer.Option(
            None,
            "--outcomes",
            help="A (newer) drop whose outcomes hold the cases [default: the run's own drop].",
        ),
        out: Path | None = typer.Option(
            None, "--out", help="Where audit.json and audit.html go [default: RUN/audit]."
        ),
        lang: str = typer.Option("ja", "--lang", help="Language of audit.html: ja or en."),
    ) -> None:
        """Per group: selection rate, precision, recall, FNR, FOR, prevalence at the list size;
        recall ratios with bootstrap intervals; cells under 10 households suppressed.
        Exits 4 when a configured alert fires."""
        with guarded():
            from kizuki.audit.config import load_audit_config
            from kizuki.audit.report import write_audit
            from kizuki.audit.run import run_audit
            from kizuki.errors import CheckFailed, KizukiError
            from kizuki.io.drop import load_drop

            manifest_path = run / "manifest.json"
            if not manifest_path.exists():
                raise KizukiError(
                    f"audit: {run} is not a scoring run folder (manifest.json missing)"
                )
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            drop = outcomes or Path(manifest["drop"]["path"])
            loaded = load_drop(drop)
            if "outcomes" not in loaded.tables:
                raise KizukiError(f"audit: the drop {drop} has no outcomes table")
            horizon = int(manifest.get("model", {}).get("horizon_months", 6) or 6)
            import datetime as dt

            newest = loaded.newest_knowledge_date()
            through = dt.date.fromisoformat(newest) if newest else None
            result = run_audit(
                run, loaded.tables["outcomes"], load_audit_config(), horizon, known_through=through
            )
            target = out or run / "audit"
            write_audit(target, result, lang)
            info(
                f"audit: outcomes known for {result.matured_share:.0%} of the horizon (cases through {result.outcomes_through})"
            )
            for a in result.alerts:
                info(f"audit: ALERT {a}")
            typer.echo(str(target / "audit.html"))
            if result.alerts:
                raise CheckFailed(
                    f"audit: {len(result.alerts)} alert(s) fired; see {target / 'audit.html'}"
                )
