"""``kizuki monitor``: drift and data quality between two runs; performance while labels are late.

Two modes, usable together in one call:

- ``kizuki monitor --reference RUN --current RUN [--out DIR]`` writes ``monitor.html`` and
  ``monitor.json`` (default folder ``<current>/monitor``);
- ``kizuki monitor --runs DIR [--runs DIR ...] --outcomes DROP [--out DIR]`` writes
  ``performance.html`` and ``performance.json`` (default folder ``./kizuki-performance``).
  Each ``--runs`` is a run folder or a folder of run folders.

Exit status 4 (errors.CheckFailed) when an alert listed under ``fail_on`` in
``configs/monitor.yaml`` fires, after the reports are written and tracked; the one-line
message names what fired.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog


def _lang(text: str) -> str:
    from kizuki.errors import KizukiError

    if text not in ("ja", "en"):
        raise KizukiError(f"monitor: --lang must be ja or en; got {text!r}")
    return text


def monitor(
    reference: Annotated[
        Path | None,
        typer.Option("--reference", help="The earlier scoring-run folder to compare against."),
    ] = None,
    current: Annotated[
        Path | None, typer.Option("--current", help="The newer scoring-run folder to check.")
    ] = None,
    runs: Annotated[
        list[Path] | None,
        typer.Option(
            "--runs",
            help="Past run folders (or folders holding run folders) whose realised precision@k and "
            "recall@k to compute; repeat the option for several. Needs --outcomes.",
        ),
    ] = None,
    outcomes: Annotated[
        Path | None,
        typer.Option("--outcomes", help="A newer data drop whose outcomes table holds the labels."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the reports (default <current>/monitor, or ./kizuki-performance).",
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the HTML reports: ja or en.")
    ] = "ja",
    no_track: Annotated[
        bool, typer.Option("--no-track", help="Do not log metrics to the tracking store (MLflow).")
    ] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", help="Folder with monitor.yaml (default: configs/)."),
    ] = None,
    accept_undeclared: Annotated[
        bool,
        typer.Option(
            "--accept-undeclared",
            help="Read an --outcomes drop whose tables drop.yaml does not declare (or one "
            "without drop.yaml) instead of refusing it; said loudly on stderr.",
        ),
    ] = False,
) -> None:
    """Check a scoring run against an earlier one (drift with sample-size-aware tests, data
    quality, list stability, reason drift), and/or measure past runs' precision@k and
    recall@k as outcomes arrive. Exit 4 when a configured alert fires."""
    with guarded():
        from kizuki.alerts import Alert, raise_if_failing
        from kizuki.errors import KizukiError
        from kizuki.monitor.config import load_monitor_config
        from kizuki.pages import alert_text

        language = _lang(lang)
        if (reference is None) != (current is None):
            raise KizukiError("monitor: give both --reference and --current, or neither")
        if reference is None and not runs:
            raise KizukiError(
                "monitor: nothing to do; give --reference and --current, and/or --runs with --outcomes"
            )
        if runs and outcomes is None:
            raise KizukiError(
                "monitor: --runs needs --outcomes (a data drop holding the outcomes table)"
            )
        config = load_monitor_config(config_dir)
        alerts: list[Alert] = []
        written: list[Path] = []

        if reference is not None and current is not None:
            from kizuki.pipeline.monitor import run_monitor

            drift = run_monitor(
                reference,
                current,
                out,
                config=config,
                lang=language,
                track=not no_track,
                progress=info,
            )
            written.append(drift.out)
            alerts += drift.alerts

        if runs and outcomes is not None:
            from kizuki.pipeline.performance import run_performance

            perf = run_performance(
                runs,
                outcomes,
                out,
                config=config,
                lang=language,
                track=not no_track,
                accept_undeclared=accept_undeclared,
                progress=info,
            )
            if perf.out not in written:
                written.append(perf.out)
            alerts += perf.alerts

        for a in alerts:
            info(f"monitor: {'ALERT' if a.fails else 'warning'} [{a.check}] {alert_text(a, 'en')}")
        for folder in written:
            typer.echo(str(folder))
        raise_if_failing("monitor", alerts)


def register(app: typer.Typer) -> None:
    """Add the ``monitor`` command to ``app``."""
    app.command("monitor", epilog=help_epilog())(monitor)
