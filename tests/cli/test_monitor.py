"""``kizuki monitor`` through typer's CliRunner: files, exit codes, messages, tracking."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app

runner = CliRunner()


INPUTS = {
    "residents": {"present": True, "rows_read": 2000, "rows_rejected": 0},
    "utility": {"present": True, "rows_read": 30000, "rows_rejected": 0},
}


@pytest.fixture
def runs(tmp_path: Path, factory: ModuleType) -> dict[str, Path]:
    f = factory
    ref = f.fabricate_run(
        tmp_path / "ref", f.frame_generator(960, 1), as_of=dt.date(2026, 8, 31), inputs=INPUTS
    )
    cur = f.fabricate_run(
        tmp_path / "cur", f.frame_generator(960, 2), as_of=dt.date(2026, 9, 30), inputs=INPUTS
    )
    broken_inputs = {"residents": INPUTS["residents"], "utility": {"present": False}}
    broken = f.fabricate_run(
        tmp_path / "broken",
        f.frame_generator(960, 3).with_columns(pl.lit(None, pl.Float64).alias("water_recent")),
        as_of=dt.date(2026, 9, 30),
        inputs=broken_inputs,
        missing_tables=("utility",),
    )
    return {"ref": ref, "cur": cur, "broken": broken}


def test_drift_mode_writes_reports_and_exits_zero(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "monitor",
            "--reference",
            str(runs["ref"]),
            "--current",
            str(runs["cur"]),
            "--out",
            str(out),
            "--no-track",
        ],
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.strip().splitlines()[-1] == str(out)
    data = json.loads((out / "monitor.json").read_text(encoding="utf-8"))
    assert data["alerts"] == [] and data["failing"] == 0
    assert data["method"]["epsilon"] == 1e-4 and data["method"]["alpha_per_test"] < 0.01
    html = (out / "monitor.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and "気づき モニタリング報告" in html and "<svg" in html


def test_default_folder_is_inside_the_current_run_and_english_on_request(
    runs: dict[str, Path],
) -> None:
    res = runner.invoke(
        app,
        [
            "monitor",
            "--reference",
            str(runs["ref"]),
            "--current",
            str(runs["cur"]),
            "--lang",
            "en",
            "--no-track",
        ],
    )
    assert res.exit_code == 0, res.output
    html = (runs["cur"] / "monitor" / "monitor.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "kizuki monitoring report" in html


def test_a_fired_alert_exits_four_and_names_what_fired(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "monitor",
            "--reference",
            str(runs["ref"]),
            "--current",
            str(runs["broken"]),
            "--out",
            str(out),
            "--no-track",
        ],
    )
    assert res.exit_code == 4
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("kizuki: error: monitor:") and "table_missing utility" in last
    assert (out / "monitor.html").exists()  # reports are written before the exit
    data = json.loads((out / "monitor.json").read_text(encoding="utf-8"))
    assert {a["check"] for a in data["alerts"]} >= {"table_missing"}


def test_user_mistakes_are_one_line_errors(runs: dict[str, Path], tmp_path: Path) -> None:
    res = runner.invoke(app, ["monitor", "--reference", str(runs["ref"])])
    assert res.exit_code == 2 and "both --reference and --current" in res.stderr
    res = runner.invoke(
        app,
        [
            "monitor",
            "--reference",
            str(runs["ref"]),
            "--current",
            str(tmp_path / "nope"),
            "--no-track",
        ],
    )
    assert res.exit_code == 2 and "run folder not found" in res.stderr
    res = runner.invoke(app, ["monitor", "--runs", str(runs["ref"])])
    assert res.exit_code == 2 and "--outcomes" in res.stderr
    res = runner.invoke(app, ["monitor"])
    assert res.exit_code == 2 and "nothing to do" in res.stderr


def _tiny_drop(
    folder: Path, households: list[str], cases: list[tuple[str, str, dt.date, bool]]
) -> Path:
    folder.mkdir(parents=True)
    pl.DataFrame(
        {
            "person_id": [f"P{i:05d}" for i in range(len(households))],
            "household_id": households,
            "birth_month": ["1950-01"] * len(households),
            "sex": ["F"] * len(households),
            "relation": ["head"] * len(households),
            "district": ["北"] * len(households),
            "valid_from": [dt.date(2000, 1, 1)] * len(households),
        }
    ).write_parquet(folder / "residents.parquet")
    pl.DataFrame(
        cases,
        schema={
            "household_id": pl.String,
            "issue": pl.String,
            "opened_on": pl.Date,
            "confirmed": pl.Boolean,
        },
        orient="row",
    ).write_parquet(folder / "outcomes.parquet")
    return folder


def test_performance_mode(runs: dict[str, Path], tmp_path: Path, declare) -> None:
    ref_listed = pl.read_parquet(runs["ref"] / "shortlist.parquet").explode("issues")
    hit = ref_listed.row(0, named=True)
    drop = _tiny_drop(
        tmp_path / "drop",
        ["HX"],
        [
            (hit["household_id"], hit["issues"], dt.date(2026, 10, 15), True),
            ("HX", "eight050", dt.date(2026, 12, 31), False),
        ],
    )
    declare(drop)
    out = tmp_path / "perf"
    res = runner.invoke(
        app,
        [
            "monitor",
            "--runs",
            str(runs["ref"]),
            "--runs",
            str(runs["cur"]),
            "--outcomes",
            str(drop),
            "--out",
            str(out),
            "--no-track",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads((out / "performance.json").read_text(encoding="utf-8"))
    assert data["known_until"] == "2026-12-31" and data["runs"] == 2
    row = next(
        r for r in data["history"] if r["as_of"] == "2026-08-31" and r["issue"] == hit["issues"]
    )
    assert row["hits"] == 1 and row["positives"] == 1 and row["recall"] == 1.0
    assert 0.65 < row["matured_share"] < 0.7
    assert "calibrated" in data["assumptions"]
    assert "気づき 実績モニタリング" in (out / "performance.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_tracking_logs_metrics_and_reports(
    runs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(
        app,
        [
            "monitor",
            "--reference",
            str(runs["ref"]),
            "--current",
            str(runs["cur"]),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "tracked as run" in res.stderr
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    found = mlflow.search_runs(experiment_names=["kizuki-monitor"])
    assert len(found) == 1
    assert found["metrics.alerts"].iloc[0] == 0 and "metrics.psi.water_recent" in found.columns


def test_a_run_of_an_unknown_manifest_version_is_a_one_line_error(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    manifest = runs["cur"] / "manifest.json"
    raw = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps(raw | {"manifest_version": 9}), encoding="utf-8")
    res = runner.invoke(
        app,
        ["monitor", "--reference", str(runs["ref"]), "--current", str(runs["cur"]), "--no-track"],
    )
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kizuki: error: ")
    assert "manifest_version 9" in lines[0] and "Traceback" not in res.stderr
