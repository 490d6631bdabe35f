"""``kizuki train`` through typer's runner on a small synthetic municipality.

Registry and champion rule end to end (temporary KIZUKI_TRACKING_URI), the URI as the
last stdout line, one-line errors for bad dates and horizons, and a scoring run with
the registered champion that is identical on a drop cut at the as-of date.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki import tracking
from kizuki.cli.main import app
from kizuki.contract.schema import ISSUES
from kizuki.features.registry import model_inputs
from kizuki.io.drop import load_drop
from kizuki.model.artifact import save_models
from kizuki.model.config import ModelConfig, load_model_config
from kizuki.model.lgbm import IssueModels, TrainSet
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

runner = CliRunner()
T = "2026-09-30"


def _fast() -> ModelConfig:
    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 40, "early_stopping_rounds": 10}
    return ModelConfig.model_validate(raw | {"max_train_dates": 2})


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("train") / "drop"
    write_drop(generate(make_spec("ashiya", 1500, 36, 5)), out, "parquet")
    return out


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("kizuki.model.config.load_model_config", lambda directory=None: _fast())
    return tmp_path


def _train(drop: Path, *extra: str) -> tuple[int, list[str], str]:
    r = runner.invoke(app, ["train", str(drop), "--as-of", T, *extra])
    return r.exit_code, r.stdout.strip().splitlines(), r.stderr


@pytest.mark.slow
def test_train_registers_and_the_champion_moves_only_when_beaten(drop: Path, store: Path) -> None:
    code, out, err = _train(drop)
    assert code == 0, err
    assert out[-1] == "models:/kizuki/1"
    assert tracking.champion_version() == "1"
    assert out[0].startswith(
        "validation as of 2026-03-31; k = capacity from configs/shortlist.yaml"
    )
    table = "\n".join(out[1:-1])
    for issue in ISSUES:
        assert issue in table
    assert "checklist" in table and "single:" in table and "AP need" in table
    assert "features as of" in err and "features as of" not in "\n".join(out)

    # the same data again cannot beat the champion (equal AP): the alias stays
    code, out, err = _train(drop)
    assert code == 0, err
    assert out[-1] == "models:/kizuki/2"
    assert tracking.champion_version() == "1"
    assert "champion unchanged" in err

    # a weak champion (random scores) is beaten: the alias moves to the new version
    rng = np.random.default_rng(0)
    feats = model_inputs()
    X = rng.normal(size=(400, len(feats)))
    y = (rng.random(400) < 0.2).astype(float)
    weak = IssueModels(feats, _fast()).fit(
        {i: TrainSet(X[:300], y[:300]) for i in ISSUES},
        {i: TrainSet(X[300:], y[300:]) for i in ISSUES},
    )
    with tracking.start_run("test", "weak") as run:
        save_models(weak, store / "weak")
        run.log_artifact_dir(store / "weak", "model")
        tracking.set_champion(tracking.register(run).version)
    assert tracking.champion_version() == "3"
    code, out, err = _train(drop)
    assert code == 0, err
    assert out[-1] == "models:/kizuki/4"
    assert tracking.champion_version() == "4"
    assert "champion moved" in err

    # scoring with the champion; a drop cut at the scoring date scores identically
    a = runner.invoke(
        app, ["score", str(drop), "--as-of", "2026-06-30", "--out", str(store / "run_a")]
    )
    assert a.exit_code == 0, a.stderr
    sa = pl.read_parquet(store / "run_a" / "scores.parquet")
    assert sa["model_version"].unique().to_list() == ["4"]
    cut = store / "cut"
    cut.mkdir()
    day = dt.date(2026, 6, 30)
    for name, frame in load_drop(drop).tables.items():
        f = frame.filter(pl.col("known_on") <= day).drop("known_on").collect()
        if name == "residents":
            late = pl.col("valid_to") > day
            f = f.with_columns(
                valid_to=pl.when(late).then(None).otherwise(pl.col("valid_to")),
                end_reason=pl.when(late).then(None).otherwise(pl.col("end_reason")),
            )
        f.write_parquet(cut / f"{name}.parquet")
    shutil.copy(drop / "drop.yaml", cut / "drop.yaml")  # the same extract, cut: same declaration
    c = runner.invoke(
        app, ["score", str(cut), "--as-of", "2026-06-30", "--out", str(store / "run_c")]
    )
    assert c.exit_code == 0, c.stderr
    assert sa.equals(pl.read_parquet(store / "run_c" / "scores.parquet"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-01"], "The 'as-of' option must be a date"),
        (["--as-of", "R8.9.30"], "The 'as-of' option must be a date"),
        (["--as-of", T, "--horizon", "0"], "horizon_months"),
        (["--as-of", T, "--horizon", "36"], "horizon_months"),
        (["--as-of", "2024-06-30"], "history"),
        (["--as-of", T, "--horizon", "24"], "history"),
    ],
)
def test_bad_dates_and_horizons_fail_in_one_line(
    drop: Path, store: Path, args: list[str], message: str
) -> None:
    r = runner.invoke(app, ["train", str(drop), *args])
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("kizuki: error: ") and message in lines[-1]
    assert "Traceback" not in r.stderr
    assert not (store / "mlflow.db").exists()  # refused before anything was tracked
