"""``kizuki demo``: the whole job on an embedded synthetic municipality (contract §6).

synth (ashiya preset) → validate → train → score → report, into ``./kizuki-demo/``
(or ``--out``), always with its own tracking store there (``KIZUKI_TRACKING_URI`` is
ignored: the demo never touches an operator's registry). Ends by printing the path of
``report.html``.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from kizuki.cli.common import guarded, info
from kizuki.cli.exit_codes import help_epilog


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""

    @app.command("demo", epilog=help_epilog())
    def demo(
        out: Path = typer.Option(
            Path("kizuki-demo"), "--out", help="Folder for the demo's drop, models and run."
        ),
        preset: str = typer.Option(
            "ashiya", "--preset", help="Synthetic municipality: ashiya or uken."
        ),
        lang: str = typer.Option("ja", "--lang", help="Language of the report: ja or en."),
    ) -> None:
        """Run the whole pipeline on a synthetic municipality and print where the report is.
        The demo keeps its models in its own tracking store under --out, whatever
        KIZUKI_TRACKING_URI says."""
        with guarded():
            from kizuki.checklist import load_checklist_config
            from kizuki.features.config import load_feature_config
            from kizuki.model.config import load_model_config
            from kizuki.pipeline.demo import run_demo
            from kizuki.report import lang_of, load_report_config
            from kizuki.shortlist import load_shortlist_config
            from kizuki.synth.presets import make_spec

            t0 = time.perf_counter()
            language = lang_of(lang)
            make_spec(preset, None, None, None)  # an unknown preset: exit 2, nothing made
            out = out.resolve()

            def history() -> None:
                from kizuki.runner.demo import run_demo_history

                info("[6/6] history: pipelines/nightly.yaml night after night (kizuki run)")
                done = run_demo_history(out, progress=info)
                info(
                    f"      history: {done.history} (rerun a night: kizuki run {done.pipeline_file})"
                )

            summary = run_demo(
                out,
                preset,
                model_config=load_model_config(),
                feature_config=load_feature_config(),
                checklist_config=load_checklist_config(),
                shortlist_config=load_shortlist_config(),
                report_config=load_report_config(),
                lang=language,
                progress=info,
                then=history,
            )
            info(f"done in {time.perf_counter() - t0:.0f} s. Open the report in a browser:")
            typer.echo(str(summary.report))
