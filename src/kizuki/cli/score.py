"""``kizuki score DROP --as-of DATE --out DIR [--model URI] [--lang ja|en]`` (contract §5, §6)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog
from kizuki.errors import KizukiError


def parse_as_of(text: str) -> date:
    """``YYYY-MM-DD`` → date (KizukiError naming the option otherwise)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise KizukiError("score: --as-of must be a date written YYYY-MM-DD") from None


def score(
    drop: Annotated[Path, typer.Argument(help="The data drop folder (contract §1).")],
    as_of: Annotated[str, typer.Option("--as-of", help="Score as of this date, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="Run folder to write (created if absent).")],
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Model URI (models:/kizuki/3, models:/kizuki@champion, or a local model "
            "folder). Default: the registered champion.",
        ),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="Language of report.html and shortlist.xlsx/csv: ja or en "
            "(default from configs/report.yaml: ja).",
        ),
    ] = "",
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace a run of other inputs already in --out (else refused, exit 2). The new "
            "run is built beside it and swapped in only when complete. A run of the same inputs "
            "is 'already done' (exit 0) without this flag.",
        ),
    ] = False,
    accept_undeclared: Annotated[
        bool,
        typer.Option(
            "--accept-undeclared",
            help="Use tables that drop.yaml does not declare (or a drop without drop.yaml, "
            "contract v1) instead of refusing it; the run says so loudly and its manifest "
            "records them as undeclared.",
        ),
    ] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", help="Folder with the *.yaml configs (default: configs/)."),
    ] = None,
) -> None:
    """Write a scoring run: scores, per-district shortlist with reasons, report.html,
    shortlist.xlsx/csv, features.parquet, rejects/ and manifest.json (written last).

    Capacity per district and the priority rule come from configs/shortlist.yaml,
    score bands from configs/report.yaml. Progress goes to stderr; the run folder is
    the last line on stdout.

    Safe to retry: a folder that already holds a complete run of the same inputs (drop
    file hashes, as-of, model version, config hash) is left as it is ("already done",
    exit 0). While a run writes --out, a second one exits 5 at once. The tracking store
    is checked first (exit 3, one line, when it cannot be used).
    """
    with guarded():
        from kizuki.alerts import raise_if_failing
        from kizuki.checklist import load_checklist_config
        from kizuki.cli.common import missing_table_lines
        from kizuki.config.validation import load_validation_config
        from kizuki.features.config import load_feature_config
        from kizuki.io.drop import missing_table_alerts
        from kizuki.pipeline.score import default_components, run_score
        from kizuki.report import lang_of, load_report_config
        from kizuki.shortlist import load_shortlist_config

        day = parse_as_of(as_of)
        shortlist_cfg = load_shortlist_config(config_dir)
        report_cfg = load_report_config(config_dir)
        language = lang_of(lang or report_cfg.default_lang)
        door = load_validation_config(config_dir).door(accept_undeclared=accept_undeclared)
        components = default_components(
            load_feature_config(config_dir), load_checklist_config(config_dir), rules=door, warn=info
        )
        summary = run_score(
            drop,
            day,
            out,
            components=components,
            shortlist_config=shortlist_cfg,
            report_config=report_cfg,
            model_uri=model,
            lang=language,
            overwrite=overwrite,
            progress=info,
        )
        m = summary.manifest
        if summary.already_done:
            info(
                f"score: already done: {summary.out} holds a complete run of the same inputs "
                f"(run {m.run_id}, finished {m.finished_at}); nothing was rewritten"
            )
            typer.echo(str(summary.out))
            return
        info(
            f"scored {m.households:,} households as of {m.as_of} with model "
            f"{m.model.version}; listed {m.shortlist.listed:,} "
            f"({m.shortlist.compound:,} compound, {m.shortlist.known_case:,} already in support)"
        )
        for d in m.shortlist.districts:
            info(f"  {d.district}: {d.listed}/{d.capacity} listed of {d.households:,} households")
        if m.drop.missing_tables:
            info(
                f"WARNING: tables absent from the drop: {', '.join(m.drop.missing_tables)} (their features are null)"
            )
        info(f"took {m.timings_s['total']:.1f} s")
        typer.echo(str(summary.out))
        for line in missing_table_lines("score", m.drop.missing_table_policy):
            info(line)
        raise_if_failing("score", missing_table_alerts(m.drop.missing_table_policy))


def register(app: typer.Typer) -> None:
    """Add ``score`` to the kizuki app."""
    app.command("score", epilog=help_epilog())(score)
