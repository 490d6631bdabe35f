"""``kizuki demo``: the whole job on an embedded synthetic municipality (contract §6).

synth (ashiya preset) → validate → train → score → report, into ``./kizuki-demo/``
(or ``--out``), with its own tracking store there unless ``KIZUKI_TRACKING_URI`` is
set. Ends by printing the path of ``report.html``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from kizuki.cli.common import guarded, info


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""

    @app.command("demo")
    def demo(
        out: Path = typer.Option(
            Path("kizuki-demo"), "--out", help="Folder for the demo's drop, models and run."
        ),
        preset: str = typer.Option(
            "ashiya", "--preset", help="Synthetic municipality: ashiya or uken."
        ),
        lang: str = typer.Option("ja", "--lang", help="Language of the report: ja or en."),
    ) -> None:
        """Run the whole pipeline on a synthetic municipality and print where the report is."""
        with guarded():
            import datetime as dt

            import polars as pl

            from kizuki.checklist import load_checklist_config
            from kizuki.cli.validate import write_validation
            from kizuki.features.config import load_feature_config
            from kizuki.io.drop import load_drop
            from kizuki.model.config import load_model_config
            from kizuki.pipeline.score import default_components, run_score
            from kizuki.pipeline.train import train_and_register
            from kizuki.report import lang_of, load_report_config
            from kizuki.shortlist import load_shortlist_config
            from kizuki.synth.generate import generate
            from kizuki.synth.presets import make_spec
            from kizuki.synth.write import write_drop

            t0 = time.perf_counter()
            out = out.resolve()
            os.environ.setdefault(
                "KIZUKI_TRACKING_URI", f"sqlite:///{out / 'tracking' / 'mlflow.db'}"
            )
            (out / "tracking").mkdir(parents=True, exist_ok=True)
            drop_dir, run_dir = out / "drop", out / "run"

            spec = make_spec(preset, None, None, None)
            info(
                f"[1/5] synth: {spec.name} ({spec.households:,} households, {spec.months} months of history)"
            )
            write_drop(generate(spec), drop_dir, "parquet")

            info("[2/5] validate: checking the drop against the data contract")
            loaded = load_drop(drop_dir)
            write_validation(out / "validation", loaded.report.to_json(), loaded.rejects)
            rows = sum(t.rows_read for t in loaded.sources.values())
            info(
                f"      {rows:,} rows read, {sum(t.rows_rejected for t in loaded.sources.values()):,} rejected; usable"
            )

            as_of = dt.date.fromisoformat(loaded.newest_knowledge_date() or "")
            info(f"[3/5] train: per-issue models on the history before {as_of}")
            truth = pl.read_parquet(drop_dir / "truth" / "latent.parquet")
            result = train_and_register(
                loaded,
                as_of,
                load_model_config(),
                load_feature_config(),
                load_checklist_config(),
                truth=truth,
                compare_without_pu=False,
                progress=lambda s: info("      " + s),
            )
            ev = result.evaluation
            for issue in ev["issue"].unique(maintain_order=True):
                part = ev.filter(pl.col("issue") == issue)
                m = part.filter(pl.col("scorer") == "model")["ap_need"].item()
                c = part.filter(pl.col("scorer") == "checklist")["ap_need"].item()
                info(f"      {issue:<19} AP vs latent need: model {m:.3f}, checklist {c:.3f}")
            info(f"      registered {result.uri}")

            info(f"[4/5] score: as of {as_of}, shortlist per district within capacity")
            summary = run_score(
                drop_dir,
                as_of,
                run_dir,
                components=default_components(),
                shortlist_config=load_shortlist_config(),
                report_config=load_report_config(),
                model_uri=result.uri,
                lang=lang_of(lang),
                overwrite=True,
            )
            s = summary.manifest["shortlist"]
            info(
                f"[5/5] report: {s['listed']:,} households listed ({s['compound']:,} with compound needs)"
            )
            info(f"done in {time.perf_counter() - t0:.0f} s. Open the report in a browser:")
            typer.echo(str(run_dir / "report.html"))
