"""``kizuki train DROP --as-of DATE [--horizon MONTHS]``: train, evaluate, register."""

from __future__ import annotations

from pathlib import Path

import typer

from kizuki.cli.common import guarded, info


def register(app: typer.Typer) -> None:
    """Add the ``train`` command to ``app``."""

    @app.command("train")
    def train(
        drop: Path = typer.Argument(..., help="Data drop folder with history and outcomes."),
        as_of: str = typer.Option(
            ..., "--as-of", help="Train on history before this date (YYYY-MM-DD)."
        ),
        horizon: int | None = typer.Option(
            None, "--horizon", help="Label horizon in months [default: configs/model.yaml, 6]."
        ),
    ) -> None:
        """Train per-issue models on matured history, compare them with the 気づき checklist and a
        single-feature baseline, log to the tracking store, register a version; prints its URI."""
        with guarded():
            import polars as pl

            from kizuki.checklist import load_checklist_config
            from kizuki.cli.features import parse_as_of
            from kizuki.errors import ConfigError
            from kizuki.features.config import load_feature_config
            from kizuki.io.drop import load_drop
            from kizuki.model.config import load_model_config
            from kizuki.pipeline.train import train_and_register

            t = parse_as_of(as_of)
            cfg = load_model_config()
            if horizon is not None:
                if horizon < 1:
                    raise ConfigError(
                        f"The 'horizon' parameter must be a positive int; got {horizon}"
                    )
                cfg = cfg.model_copy(update={"horizon_months": horizon})
            loaded = load_drop(drop)
            truth_path = drop / "truth" / "latent.parquet"
            truth = pl.read_parquet(truth_path) if truth_path.exists() else None
            result = train_and_register(
                loaded,
                t,
                cfg,
                load_feature_config(),
                load_checklist_config(),
                truth=truth,
                progress=info,
            )
            show = result.evaluation.filter(~pl.col("scorer").str.starts_with("model_no")).select(
                "issue",
                "scorer",
                "cases",
                "k",
                "ap_cases",
                "precision_at_k",
                "recall_at_k",
                *(
                    ["ap_need", "need_recall_at_k"]
                    if "ap_need" in result.evaluation.columns
                    else []
                ),
            )
            with pl.Config(
                tbl_rows=100,
                tbl_cols=20,
                tbl_width_chars=160,
                float_precision=3,
                tbl_hide_dataframe_shape=True,
            ):
                info(str(show))
            for note in result.notes:
                info(f"train: {note}")
            info(
                f"train: champion {'moved to this version' if result.champion_moved else 'unchanged'}"
            )
            typer.echo(result.uri)
