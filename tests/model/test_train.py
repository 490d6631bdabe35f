"""Training end to end on a small synthetic municipality: temporal splits, registry, champion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.io.drop import load_drop
from kizuki.model.config import load_model_config
from kizuki.model.labels import add_months
from kizuki.pipeline.train import as_of_dates
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

runner = CliRunner()
T = "2026-09-30"


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("train")
    write_drop(generate(make_spec("ashiya", 2500, 40, 31)), base / "pq", "parquet")
    write_drop(generate(make_spec("ashiya", 2500, 40, 31)), base / "jp", "csv-jp")
    return base


def test_splits_follow_each_other_in_time(drop: Path) -> None:
    cfg = load_model_config()
    d = as_of_dates(load_drop(drop / "pq"), dt.date.fromisoformat(T), cfg)
    H = cfg.horizon_months
    val, cal = d["validation"][0], d["calibration"][0]
    assert add_months(val, H) <= dt.date.fromisoformat(T)
    assert add_months(cal, H) <= val
    assert all(add_months(t, H) <= cal for t in d["train"])


@pytest.mark.slow
def test_train_score_and_champion(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(app, ["train", str(drop / "pq"), "--as-of", T])
    assert first.exit_code == 0, first.output
    uri = first.output.strip().splitlines()[-1]
    assert uri == "models:/kizuki/1"
    # the same data again cannot beat the champion (equal validation AP): the alias stays
    second = runner.invoke(app, ["train", str(drop / "pq"), "--as-of", T])
    assert second.exit_code == 0, second.output
    assert second.output.strip().splitlines()[-1] == "models:/kizuki/2"
    from kizuki import tracking

    assert tracking.champion_version() == "1"

    # scoring: every contract §5 file; identical scores from the csv-jp form of the drop
    a = runner.invoke(
        app, ["score", str(drop / "pq"), "--as-of", "2026-06-30", "--out", str(tmp_path / "run_a")]
    )
    assert a.exit_code == 0, a.output
    b = runner.invoke(
        app, ["score", str(drop / "jp"), "--as-of", "2026-06-30", "--out", str(tmp_path / "run_b")]
    )
    assert b.exit_code == 0, b.output
    for name in (
        "scores.parquet",
        "shortlist.parquet",
        "shortlist.csv",
        "shortlist.xlsx",
        "report.html",
        "manifest.json",
    ):
        assert (tmp_path / "run_a" / name).exists(), name
    sa = pl.read_parquet(tmp_path / "run_a" / "scores.parquet")
    sb = pl.read_parquet(tmp_path / "run_b" / "scores.parquet")
    assert sa.columns == [
        "household_id",
        "as_of",
        "issue",
        "score",
        "rank",
        "checklist_score",
        "model_version",
    ]
    assert sa.drop("as_of").equals(sb.drop("as_of"))
    # a drop that also holds rows after T scores the same as one cut at T
    cut = tmp_path / "cut"
    cut.mkdir()
    tables = load_drop(drop / "pq").tables
    for name, frame in tables.items():
        f = frame.filter(pl.col("known_on") <= dt.date(2026, 6, 30)).drop("known_on").collect()
        if name == "residents":
            late = pl.col("valid_to") > dt.date(2026, 6, 30)
            f = f.with_columns(
                valid_to=pl.when(late).then(None).otherwise(pl.col("valid_to")),
                end_reason=pl.when(late).then(None).otherwise(pl.col("end_reason")),
            )
        f.write_parquet(cut / f"{name}.parquet")
    c = runner.invoke(
        app, ["score", str(cut), "--as-of", "2026-06-30", "--out", str(tmp_path / "run_c")]
    )
    assert c.exit_code == 0, c.output
    sc = pl.read_parquet(tmp_path / "run_c" / "scores.parquet")
    assert sa.equals(sc)
