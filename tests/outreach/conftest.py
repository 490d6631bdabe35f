"""A small synthetic municipality with a run history for the outreach tests.

``town``: a 400-household, 24-month drop and a saved model. ``make_history(folder)``
writes a pipeline (validate + score only) over it and runs ``kizuki run`` as of given
month-ends as real subprocesses.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from kizuki.io.drop import load_drop
from kizuki.model.artifact import save_models
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop


@pytest.fixture(scope="session")
def town(tmp_path_factory: pytest.TempPathFactory, tiny_model) -> dict[str, object]:
    """A 400-household, 24-month drop, a saved model, and the drop's last 9 month-ends."""
    root = tmp_path_factory.mktemp("outreach_town")
    drop = root / "drop"
    write_drop(generate(make_spec("ashiya", 400, 24, 5)), drop, "parquet")
    newest = dt.date.fromisoformat(load_drop(drop).newest_knowledge_date() or "")
    save_models(tiny_model(n=400, train=300, rounds=20, seed=0), root / "model")
    ends = []
    day = newest
    for _ in range(9):
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return {"root": root, "drop": drop, "model": root / "model", "month_ends": sorted(ends)}


def kizuki_cmd(*args: object) -> list[str]:
    """``python -m kizuki.cli ARGS`` with this interpreter."""
    return [sys.executable, "-m", "kizuki.cli", *map(str, args)]


def env(**extra: str) -> dict[str, str]:
    """The environment without test hooks or a tracking override, plus ``extra``."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("KIZUKI_")}
    out.update(extra)
    return out


def run_cli(*args: object, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``kizuki ARGS`` to the end."""
    return subprocess.run(
        kizuki_cmd(*args), capture_output=True, text=True, cwd=cwd, env=env(**extra), timeout=600
    )


def write_pipeline(folder: Path, town: dict[str, object]) -> Path:
    """A pipeline (validate + score) over ``town``'s drop, history ``folder/history``."""
    spec = {
        "pipeline": "nightly",
        "drop": str(town["drop"]),
        "history": "history",
        "tracking": "store/mlflow.db",
        "lang": "ja",
        "as_of": "newest",
        "stages": {"validate": {}, "score": {"model": str(town["model"])}},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pipeline.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def run_night(folder: Path, as_of: dt.date, *extra: str) -> subprocess.CompletedProcess[str]:
    """``kizuki run folder/pipeline.yaml --as-of DATE``; asserts exit 0."""
    done = run_cli(
        "run", folder / "pipeline.yaml", "--as-of", as_of.isoformat(), *extra, cwd=folder
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above (``--import-mode=importlib`` cannot import a conftest)."""
    return SimpleNamespace(
        write_pipeline=write_pipeline, run_cli=run_cli, run_night=run_night, env=env
    )


@pytest.fixture(scope="session")
def first_night(town, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A history with one run, as of the third-last month-end of the drop (its folder
    must not be changed by tests: copy it first)."""
    folder = tmp_path_factory.mktemp("outreach_first")
    write_pipeline(folder, town)
    as_of = town["month_ends"][-4]
    run_night(folder, as_of)
    return {"folder": folder, "history": folder / "history", "as_of": as_of}
