"""A small synthetic municipality, a model folder and pipeline files for the runner's tests."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from kizuki.io.drop import load_drop
from kizuki.model.artifact import save_models
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec


@pytest.fixture(scope="session")
def town(tmp_path_factory: pytest.TempPathFactory, tiny_model) -> dict[str, object]:
    """A 400-household, 24-month drop, a saved model, and the drop's month-ends."""
    root = tmp_path_factory.mktemp("town")
    drop = root / "drop"
    write = generate(make_spec("ashiya", 400, 24, 5))
    from kizuki.synth.write import write_drop

    write_drop(write, drop, "parquet")
    newest = dt.date.fromisoformat(load_drop(drop).newest_knowledge_date() or "")
    save_models(tiny_model(n=400, train=300, rounds=20, seed=0), root / "model")
    ends = []
    day = newest
    for _ in range(9):
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return {"root": root, "drop": drop, "model": root / "model", "month_ends": sorted(ends)}


def write_pipeline(folder: Path, town: dict[str, object], **changes: object) -> Path:
    """A nightly pipeline file in ``folder`` over ``town``'s drop, history ``folder/history``,
    tracking store ``folder/store/mlflow.db``; ``changes`` replace top-level keys."""
    spec: dict[str, object] = {
        "pipeline": "nightly",
        "drop": str(town["drop"]),
        "history": "history",
        "tracking": "store/mlflow.db",
        "lang": "ja",
        "as_of": "newest",
        "stages": {
            "validate": {},
            "score": {"model": str(town["model"])},
            "monitor": {},
            "performance": {},
            "audit": {},
            "pages": {},
        },
    }
    spec.update(changes)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pipeline.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


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


def start_cli(*args: object, cwd: Path, **extra: str) -> subprocess.Popen[str]:
    """Start ``kizuki ARGS`` (stderr piped, to wait for the pause hook's line)."""
    return subprocess.Popen(
        kizuki_cmd(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env(**extra),
    )


def wait_for(proc: subprocess.Popen[str], line: str, timeout: float = 600) -> None:
    """Read ``proc``'s stderr until ``line`` shows."""
    assert proc.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = proc.stderr.readline()
        if not got:
            raise AssertionError(f"process ended before {line!r}: {''.join(seen)[-3000:]}")
        seen.append(got)
        if got.strip() == line:
            return
    raise AssertionError(f"no {line!r} within {timeout} s")


@pytest.fixture(scope="session")
def kit() -> object:
    """The helpers above, for the test modules (``--import-mode=importlib`` cannot import a
    conftest): write_pipeline, run_cli, start_cli, wait_for, env."""
    from types import SimpleNamespace

    return SimpleNamespace(
        write_pipeline=write_pipeline,
        run_cli=run_cli,
        start_cli=start_cli,
        wait_for=wait_for,
        env=env,
    )
