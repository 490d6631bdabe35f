"""``kizuki train DROP --as-of DATE [--horizon MONTHS]``: train, evaluate, register.

stdout: a compact evaluation table, then the registered model URI as the last line
(scripts read it with ``tail -n 1``). Progress goes to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog

if TYPE_CHECKING:
    import polars as pl

#: columns of the compact table: (column, header, width)
_COLUMNS = (
    ("issue", "issue", 18),
    ("scorer", "scorer", 30),
    ("cases", "cases", 6),
    ("k", "k", 5),
    ("ap_cases", "AP cases", 9),
    ("precision_at_k", "P@k", 6),
    ("recall_at_k", "R@k", 6),
    ("ap_need", "AP need", 8),
    ("need_recall_at_k", "need R@k", 8),
)


def compact_table(evaluation: pl.DataFrame) -> str:
    """The evaluation frame (one row per issue and scorer) as a fixed-width text table
    of the :data:`_COLUMNS` it has."""
    cols = [c for c in _COLUMNS if c[0] in evaluation.columns]

    def cell(v: object, w: int) -> str:
        if v is None:
            s = "—"
        elif isinstance(v, float):
            s = f"{v:.3f}"
        else:
            s = str(v)
        return s[:w].ljust(w) if not isinstance(v, int | float) else s.rjust(w)

    lines = ["  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (_, h, w) in enumerate(cols))]
    for r in evaluation.select([c for c, _, _ in cols]).iter_rows():
        lines.append("  ".join(cell(v, w) for v, (_, _, w) in zip(r, cols, strict=True)))
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the ``train`` command to ``app``."""

    @app.command("train", epilog=help_epilog())
    def train(
        drop: Path = typer.Argument(..., help="Data drop folder with history and outcomes."),
        as_of: str = typer.Option(
            ...,
            "--as-of",
            help="Train on what was known up to this date (YYYY-MM-DD); label windows end by it.",
        ),
        horizon: int | None = typer.Option(
            None,
            "--horizon",
            help="Label horizon in months, 1-24 [default: configs/model.yaml, 6].",
        ),
        accept_undeclared: bool = typer.Option(
            False,
            "--accept-undeclared",
            help="Use tables that drop.yaml does not declare (or a drop without drop.yaml, "
            "contract v1) instead of refusing it; said loudly on stderr.",
        ),
    ) -> None:
        """Train per-issue models on matured history, compare them with the 気づき checklist and
        the best single feature on a later validation period, log to the tracking store
        (KIZUKI_TRACKING_URI, else ./kizuki-tracking), register a version and print its URI.
        The champion alias moves only when the new version beats the champion."""
        with guarded():
            from kizuki.alerts import raise_if_failing
            from kizuki.checklist import load_checklist_config
            from kizuki.cli.common import missing_table_lines
            from kizuki.cli.features import parse_as_of
            from kizuki.config import config_path
            from kizuki.config.validation import load_validation_config
            from kizuki.features.config import load_feature_config
            from kizuki.io.drop import missing_table_alerts
            from kizuki.model.config import load_model_config, with_horizon
            from kizuki.pipeline.train import run_train
            from kizuki.shortlist import load_shortlist_config

            t = parse_as_of(as_of)
            cfg = load_model_config()
            if horizon is not None:
                cfg = with_horizon(cfg, horizon)
            shortlist_cfg = load_shortlist_config() if config_path("shortlist").exists() else None
            door = load_validation_config().door(accept_undeclared=accept_undeclared)
            result = run_train(
                drop,
                t,
                model_config=cfg,
                feature_config=load_feature_config(),
                checklist_config=load_checklist_config(),
                shortlist_config=shortlist_cfg,
                rules=door,
                progress=info,
            )
            for note in result.notes:
                info(f"train: {note}")
            moved = "moved to this version" if result.champion_moved else "unchanged"
            info(f"train: champion {moved}")
            k_from = (
                "configs/shortlist.yaml"
                if shortlist_cfg
                else f"{cfg.eval_capacity_share:.1%} of households"
            )
            typer.echo(
                f"validation as of {result.dates['validation'][0]}; k = capacity from {k_from}"
            )
            typer.echo(compact_table(result.evaluation))
            typer.echo(result.uri)
            for line in missing_table_lines("train", result.missing_policy):
                info(line)
            raise_if_failing("train", missing_table_alerts(result.missing_policy))
