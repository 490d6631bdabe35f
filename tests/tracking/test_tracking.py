"""Tracking store: telemetry off, mlflow only where tracked, registry and champion alias."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from kizuki import tracking
from kizuki.contract.schema import ISSUES
from kizuki.errors import ModelNotFound
from kizuki.model import save_models
from kizuki.model.config import load_model_config
from kizuki.model.lgbm import IssueModels, TrainSet
from kizuki.pipeline.train import champion_decision
from kizuki.tracking import load_model

#: environment variables under which mlflow switches telemetry off by itself
_CI_VARS = ("PYTEST_CURRENT_TEST", "CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE")


def _python(code: str, tmp: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in _CI_VARS}
    env.pop("MLFLOW_DISABLE_TELEMETRY", None)
    env.pop("DO_NOT_TRACK", None)
    env["KIZUKI_TRACKING_URI"] = f"sqlite:///{tmp / 'sub.db'}"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_mlflow_telemetry_is_off_before_mlflow_is_imported(tmp_path: Path) -> None:
    out = _python(
        """
        import os, sys
        from kizuki import tracking
        assert "mlflow" not in sys.modules
        tracking._client()
        from mlflow.telemetry.utils import is_telemetry_disabled
        print(is_telemetry_disabled(), os.environ["MLFLOW_DISABLE_TELEMETRY"], os.environ["DO_NOT_TRACK"])
        """,
        tmp_path,
    )
    assert out.splitlines()[-1] == "True true true"


@pytest.mark.slow
def test_commands_that_do_not_track_never_import_mlflow(tmp_path: Path) -> None:
    out = _python(
        """
        import sys
        from pathlib import Path
        from typer.testing import CliRunner
        import kizuki.cli.main as m
        assert "mlflow" not in sys.modules, "import kizuki.cli.main loaded mlflow"
        r = CliRunner().invoke(m.app, ["synth", "--households", "60", "--months", "24", "--out", "d"])
        assert r.exit_code == 0, r.output
        r = CliRunner().invoke(m.app, ["validate", "d"])
        assert r.exit_code == 0, r.output
        print("mlflow" in sys.modules, "lightgbm" in sys.modules)
        """,
        tmp_path,
    )
    assert out.splitlines()[-1] == "False False"


def test_default_store_is_a_local_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIZUKI_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    uri = tracking.tracking_uri()
    assert uri == f"sqlite:///{tmp_path / 'kizuki-tracking' / 'mlflow.db'}"
    assert (tmp_path / "kizuki-tracking").is_dir()
    assert tracking.artifact_root(uri) == (tmp_path / "kizuki-tracking" / "artifacts").as_uri()
    monkeypatch.setenv("KIZUKI_TRACKING_URI", "http://tracking.example:5000")
    assert tracking.tracking_uri() == "http://tracking.example:5000"
    assert tracking.artifact_root() is None


def _tiny_model(seed: int) -> tuple[IssueModels, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(600, 2))
    y = (X[:, 0] + rng.normal(size=600) > 1.5).astype(float)
    sets = {i: TrainSet(X[:400], y[:400]) for i in ISSUES}
    cal = {i: TrainSet(X[400:], y[400:]) for i in ISSUES}
    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 20}
    cfg = type(load_model_config()).model_validate(raw)
    frame = pl.DataFrame(
        {"household_id": [f"h{i}" for i in range(50)], "a": X[:50, 0], "b": X[:50, 1]}
    )
    return IssueModels(["a", "b"], cfg).fit(sets, cal), frame


def test_register_resolve_and_move_the_champion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    with pytest.raises(ModelNotFound):
        load_model(None)
    refs = []
    for seed in (1, 2):
        model, frame = _tiny_model(seed)
        with tracking.start_run("test", f"run-{seed}") as run:
            run.log_params({"seed": seed})
            run.log_metrics({"m": 0.5, "skipped": None})
            save_models(model, tmp_path / f"m{seed}")
            run.log_artifact_dir(tmp_path / f"m{seed}", "model")
            refs.append(tracking.register(run, tags={"seed": str(seed)}))
    assert [r.uri for r in refs] == ["models:/kizuki/1", "models:/kizuki/2"]
    assert tracking.champion_version() is None
    tracking.set_champion("1")
    assert tracking.resolve_model_uri(None) == refs[0]
    assert tracking.resolve_model_uri("models:/kizuki/2").version == "2"
    assert tracking.version_tags("2")["seed"] == "2"
    champ = load_model("models:/kizuki@champion")
    assert champ.version == "1"
    again, frame = _tiny_model(1)
    assert champ.predict_proba(frame).equals(again.predict_proba(frame))
    tracking.set_champion("2")
    assert load_model(None).version == "2"
    with pytest.raises(ModelNotFound):
        load_model("models:/kizuki/9")
    with pytest.raises(ModelNotFound):
        tracking.resolve_model_uri("kizuki/1")


def test_a_failing_block_marks_the_run_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    with pytest.raises(RuntimeError), tracking.start_run("test", "boom") as run:
        raise RuntimeError("boom")
    status = tracking._client().get_run(run.run_id).info.status
    assert status == "FAILED"


@pytest.mark.parametrize(
    ("new", "champion", "gain", "moves"),
    [
        (0.30, None, 0.0, True),  # no champion score: the new version takes the alias
        (0.30, 0.20, 0.0, True),
        (0.20, 0.20, 0.0, False),  # equal does not beat
        (0.19, 0.20, 0.0, False),
        (0.25, 0.20, 0.1, False),  # below the configured minimum gain
        (None, 0.20, 0.0, False),  # no evidence keeps the champion
    ],
)
def test_champion_decision(
    new: float | None, champion: float | None, gain: float, moves: bool
) -> None:
    assert champion_decision(new, champion, gain) is moves
