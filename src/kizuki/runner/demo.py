"""The demo's history: ``pipelines/nightly.yaml`` run night after night on the synthetic drop.

After ``kizuki demo`` has made its municipality, trained the champion and scored the
newest date (:func:`kizuki.pipeline.demo.run_demo`), :func:`run_demo_history` gives the
history pages something to show: it writes ``<out>/nightly.yaml`` (the packaged
``pipelines/nightly.yaml`` with the demo's drop, history and tracking store) and runs it
over ``nights`` consecutive month-ends whose horizon has matured by the drop's newest
date, so that realised precision, audits and the community view's realised counts exist.

Honest about time: those nights are scored by a model trained as of the first of them
(registered without moving the champion), never by the champion trained on the newest
date, which has seen what happened after them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from kizuki.calendar import month_end
from kizuki.io.atomic import write_text
from kizuki.io.drop import load_drop
from kizuki.io.files import parse_yaml, read_text
from kizuki.pipeline.demo import demo_store
from kizuki.pipeline.progress import Progress, quiet
from kizuki.pipeline.train import read_truth, train_and_register
from kizuki.runner.config import load_pipeline
from kizuki.runner.run import RunOutcome, run_pipeline
from kizuki.runner.settings import Settings, load_settings

#: the packaged twin of the repository's ``pipelines/nightly.yaml`` (a test keeps them equal)
NIGHTLY = "nightly.yaml"


def packaged_pipeline(name: str = NIGHTLY) -> str:
    """The text of a packaged pipeline file (``nightly.yaml``, ``monthly-retrain.yaml``)."""
    return read_text(files("kizuki.runner") / "pipelines" / name)


def demo_pipeline_text(name: str = NIGHTLY) -> str:
    """A packaged pipeline file pointed at a demo folder: ``drop``, ``history`` and
    ``tracking/mlflow.db`` beside the file itself."""
    raw = parse_yaml(packaged_pipeline(name))
    raw |= {"drop": "drop", "history": "history", "tracking": "tracking/mlflow.db"}
    head = (
        f"# {name} as packaged with kizuki, pointed at this demo folder (written by kizuki demo).\n"
        "# Rerun a night: kizuki run nightly.yaml --as-of YYYY-MM-DD\n"
    )
    return head + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)


@dataclass(frozen=True)
class DemoHistory:
    """What :func:`run_demo_history` did: the pipeline file, the history, each night."""

    pipeline_file: Path
    history: Path
    nights: list[RunOutcome]
    model_uri: str


def run_demo_history(
    out: Path,
    *,
    nights: int = 6,
    settings: Settings | None = None,
    progress: Progress = quiet,
) -> DemoHistory:
    """Run the nightly pipeline over ``nights`` month-ends of the demo in ``out``.

    In: the demo folder (holding ``drop/`` and ``tracking/``), the number of nights, the
    configs (None: loaded), a progress callback. Out: :class:`DemoHistory`.
    """
    from kizuki import tracking

    settings = settings or load_settings()
    out = Path(out).absolute()
    path = write_text(out / NIGHTLY, demo_pipeline_text())
    pipeline = load_pipeline(path)
    loaded = load_drop(pipeline.drop)
    newest = dt.date.fromisoformat(loaded.newest_knowledge_date() or "")
    horizon = settings.model.horizon_months
    days = [month_end(newest, -(horizon + nights - 1) + k) for k in range(nights)]
    with tracking.using_store(demo_store(out)):
        progress(f"      a model for the history, trained as of its first night {days[0]}")
        result = train_and_register(
            loaded,
            days[0],
            settings.model,
            settings.features,
            settings.checklist,
            shortlist_config=settings.shortlist,
            truth=read_truth(pipeline.drop),
            compare_without_pu=False,
            promote=False,
            progress=quiet,
        )
    stages = pipeline.spec.stages
    pinned = stages.model_copy(
        update={"score": stages.score.model_copy(update={"model": result.uri})}
    )
    night_pipeline = pipeline.model_copy(
        update={"spec": pipeline.spec.model_copy(update={"stages": pinned})}
    )
    outcomes = []
    for i, day in enumerate(days, start=1):
        outcome = run_pipeline(night_pipeline, as_of=day, settings=settings, progress=quiet)
        alerts = sum(a.fails for a in outcome.alerts)
        progress(
            f"      night {i}/{nights} as of {day}: {outcome.status}"
            + (f" ({alerts} alert(s))" if alerts else "")
        )
        outcomes.append(outcome)
    return DemoHistory(path, pipeline.history, outcomes, result.uri)
