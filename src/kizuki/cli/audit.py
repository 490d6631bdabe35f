"""``kizuki audit --run RUN [--outcomes DROP] [--out DIR] [--lang ja|en]``: group fairness of a run's list.

The workflow is :func:`kizuki.pipeline.audit.run_audit` (where outcomes and synthetic
truth come from). Exit status 4 (errors.CheckFailed) when a configured alert fires,
after the reports are written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog


def audit(
    run: Annotated[Path, typer.Option("--run", help="A scoring-run folder (kizuki score --out).")],
    outcomes: Annotated[
        Path | None,
        typer.Option(
            "--outcomes",
            help="A newer data drop whose outcomes hold the cases [default: the run's own drop].",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for audit.html and audit.json [default: RUN/audit]."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of audit.html: ja or en.")] = "ja",
    no_track: Annotated[
        bool, typer.Option("--no-track", help="Do not log metrics to the tracking store (MLflow).")
    ] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", help="Folder with audit.yaml (default: configs/)."),
    ] = None,
    accept_undeclared: Annotated[
        bool,
        typer.Option(
            "--accept-undeclared",
            help="Read an outcomes drop whose tables drop.yaml does not declare (or one "
            "without drop.yaml) instead of refusing it; said loudly on stderr.",
        ),
    ] = False,
) -> None:
    """Per group (district, nationality, household type, age band, sex of the head, and
    intersections): selection rate, recall, precision, FNR, FOR and prevalence at the list
    size, with bootstrap intervals and differences and ratios to a reference group; recall
    parity first; cells under 10 households suppressed. Exit 4 when a configured alert fires."""
    with guarded():
        from kizuki.alerts import raise_if_failing
        from kizuki.audit.config import load_audit_config
        from kizuki.errors import KizukiError
        from kizuki.pages import alert_text
        from kizuki.pipeline.audit import run_audit

        if lang not in ("ja", "en"):
            raise KizukiError(f"audit: --lang must be ja or en; got {lang!r}")
        config = load_audit_config(config_dir)
        summary = run_audit(
            run,
            out,
            config=config,
            outcomes=outcomes,
            lang=lang,
            track=not no_track,
            accept_undeclared=accept_undeclared,
            progress=info,
        )
        for a in summary.alerts:
            info(f"audit: ALERT [{a.check}] {alert_text(a, 'en')}")
        typer.echo(str(summary.out))
        raise_if_failing("audit", summary.alerts)


def register(app: typer.Typer) -> None:
    """Add the ``audit`` command to ``app``."""
    app.command("audit", epilog=help_epilog())(audit)
