"""``kizuki demo`` keeps its models in its own store, whatever KIZUKI_TRACKING_URI says
(issue 11 item 7): an operator's store holding a champion is byte-for-byte unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kizuki import tracking
from kizuki.io.files import file_digest
from kizuki.model import save_models


def _tree(folder: Path) -> dict[str, dict[str, object]]:
    return {
        p.relative_to(folder).as_posix(): file_digest(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_demo_leaves_the_operators_store_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_model
) -> None:
    operator = tmp_path / "operator"
    uri = f"sqlite:///{operator / 'mlflow.db'}"
    monkeypatch.setenv("KIZUKI_TRACKING_URI", uri)
    model = tiny_model(n=300, train=200, rounds=10, seed=0)
    with tracking.start_run("kizuki-train", "production") as run:
        save_models(model, tmp_path / "m")
        run.log_artifact_dir(tmp_path / "m", "model")
        tracking.set_champion(tracking.register(run).version)
    before = _tree(operator)
    assert "mlflow.db" in before

    env = dict(os.environ, KIZUKI_TRACKING_URI=uri)
    done = subprocess.run(
        [sys.executable, "-m", "kizuki.cli", "demo", "--preset", "uken", "--out", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert _tree(operator) == before  # byte for byte
    assert (tmp_path / "demo" / "tracking" / "mlflow.db").is_file()
    assert "models:/kizuki/1" in done.stderr  # the demo's own first version
