"""``kizuki run``: the history, the ledger, "already done", new attempts, the lock, logs."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from kizuki.errors import ConfigRefused, RunLocked
from kizuki.history.layout import HistoryLayout
from kizuki.history.ledger import read_ledger
from kizuki.io.locks import hold_lock
from kizuki.runner.config import load_pipeline
from kizuki.runner.run import complete_month_end, run_pipeline

pytestmark = pytest.mark.slow


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def history(tmp_path_factory, town, kit) -> dict[str, object]:
    """Three consecutive month-ends run in process into one history."""
    folder = tmp_path_factory.mktemp("nightly")
    path = kit.write_pipeline(folder, town)
    pipeline = load_pipeline(path)
    days = town["month_ends"][-4:-1]
    outcomes = [run_pipeline(pipeline, as_of=d) for d in days]
    return {
        "folder": folder,
        "pipeline": pipeline,
        "file": path,
        "days": days,
        "outcomes": outcomes,
    }


def test_a_history_of_three_nights(history) -> None:
    layout = HistoryLayout(history["pipeline"].history)
    ledger = read_ledger(layout)
    assert ledger["as_of"].to_list() == history["days"]
    assert set(ledger["status"]) <= {"done", "alert"}
    assert ledger["exit_status"].to_list() == [o.exit_status for o in history["outcomes"]]
    for row in ledger.iter_rows(named=True):
        assert (layout.root / row["run_dir"] / "manifest.json").is_file()
        assert (layout.log(row["run_id"])).is_file()
        assert row["shortlist_hash"] and row["ended"] >= row["started"]
    # monitor ran against the previous night, from the second night on
    runs = [layout.root / r for r in ledger["run_dir"]]
    assert not (runs[0] / "monitor").exists()
    assert all((r / "monitor" / "monitor.json").is_file() for r in runs[1:])
    assert (layout.performance / "performance.json").is_file()
    # incremental validation: the first night validated every file, the later ones found
    # the same files (by hash) validated before and say so
    from kizuki.runs import read_manifest

    first, later = (read_manifest(r / "manifest.json").inputs for r in (runs[0], runs[-1]))
    present = [t for t, i in first.items() if i.present]
    assert {first[t].validation for t in present} == {"validated"}
    assert {later[t].validation for t in present} == {"cached"}
    assert all(later[t].validated_in for t in present)
    history_page = layout.history_page.read_text("utf-8")
    assert all(d.isoformat() in history_page for d in history["days"])
    assert layout.community_page.is_file()


def test_the_packaged_pipelines_are_the_repositorys() -> None:
    from kizuki.runner.demo import packaged_pipeline

    repo = Path(__file__).parents[2] / "pipelines"
    for name in ("nightly.yaml", "monthly-retrain.yaml"):
        assert packaged_pipeline(name) == (repo / name).read_text("utf-8"), name
        load_pipeline(repo / name)  # valid as shipped


def test_the_log_names_no_record_value(history, town) -> None:
    layout = HistoryLayout(history["pipeline"].history)
    logs = "".join(p.read_text("utf-8") for p in layout.logs.glob("*.log"))
    ids = pl.read_parquet(Path(town["drop"]) / "residents.parquet")["household_id"].unique()
    assert "score" in logs
    assert not [h for h in ids.to_list() if h in logs]


def test_rerun_of_a_finished_night_is_already_done_and_writes_nothing(history, kit) -> None:
    root = history["pipeline"].history
    before = _hashes(root)
    done = kit.run_cli(
        "run", history["file"], "--as-of", history["days"][-1], cwd=history["folder"]
    )
    assert done.returncode == 0, done.stderr
    assert "already done" in done.stderr
    assert _hashes(root) == before


def test_other_inputs_make_a_new_attempt_and_overwrite_replaces_it(
    history, town, kit, tmp_path
) -> None:
    import shutil

    folder = tmp_path / "h"
    shutil.copytree(history["folder"], folder)
    day = history["days"][-1]
    old = _hashes(folder / "history" / "runs" / day.isoformat())
    # an alert policy of its own: another config hash, so other inputs
    path = kit.write_pipeline(folder, town, alerts={"fail_on": ["table_missing"]})
    first = run_pipeline(load_pipeline(path), as_of=day)
    assert first.run_dir is not None and first.run_dir.name == f"{day}.2"
    assert _hashes(folder / "history" / "runs" / day.isoformat()) == old  # the old one kept
    again = run_pipeline(load_pipeline(path), as_of=day)
    assert again.status == "already_done"
    path = kit.write_pipeline(folder, town, alerts={"fail_on": ["row_drop"]})
    replaced = run_pipeline(load_pipeline(path), as_of=day, overwrite=True)
    assert replaced.run_dir == first.run_dir
    ledger = read_ledger(HistoryLayout(folder / "history")).filter(pl.col("as_of") == day)
    assert ledger["attempt"].to_list() == [1, 2, 2]


def test_a_second_run_while_the_lock_is_held_exits_5_naming_the_holder(history, kit) -> None:
    layout = HistoryLayout(history["pipeline"].history)
    rows = read_ledger(layout).height
    with hold_lock(layout.lock, "run", layout.root):
        with pytest.raises(RunLocked, match=r"pid \d+ on .*started"):
            run_pipeline(history["pipeline"], as_of=history["days"][0])
        cli = kit.run_cli("run", history["file"], cwd=history["folder"])
    assert cli.returncode == 5
    assert cli.stderr.strip().count("\n") == 0 and "pid" in cli.stderr
    assert read_ledger(layout).height == rows


def test_pipeline_files_are_validated_quoting_the_bad_key(tmp_path, town, kit) -> None:
    path = kit.write_pipeline(tmp_path, town, stages={"validate": {}, "scor": {}})
    with pytest.raises(ConfigRefused, match=r"stages\.scor"):
        load_pipeline(path)
    cli = kit.run_cli("run", path, cwd=tmp_path)
    assert cli.returncode == 3
    assert "stages.scor" in cli.stderr and "Traceback" not in cli.stderr
    (tmp_path / "bad.yaml").write_text("pipeline: [unclosed\n", encoding="utf-8")
    cli = kit.run_cli("run", tmp_path / "bad.yaml", cwd=tmp_path)
    assert cli.returncode == 3 and "not valid YAML" in cli.stderr
    cli = kit.run_cli("run", tmp_path / "absent.yaml", cwd=tmp_path)
    assert cli.returncode == 3 and "not found" in cli.stderr
    cli = kit.run_cli("run", path, "--as-of", "2026-13-01", cwd=tmp_path)
    assert cli.returncode == 2


def test_a_refused_drop_is_a_refused_attempt_in_the_ledger(tmp_path, town, kit) -> None:
    import shutil

    drop = tmp_path / "drop"
    shutil.copytree(town["drop"], drop)
    frame = pl.read_parquet(drop / "residents.parquet")
    frame.with_columns(氏名=pl.lit("x")).write_parquet(drop / "residents.parquet")
    path = kit.write_pipeline(tmp_path, town, drop=str(drop))
    cli = kit.run_cli("run", path, "--as-of", town["month_ends"][-1], cwd=tmp_path)
    assert cli.returncode == 3, cli.stderr
    ledger = read_ledger(HistoryLayout(tmp_path / "history"))
    assert ledger["status"].to_list() == ["refused"]
    assert ledger["exit_status"].to_list() == [3]


def test_newest_complete_month_end() -> None:
    assert complete_month_end(dt.date(2026, 9, 30)) == dt.date(2026, 9, 30)
    assert complete_month_end(dt.date(2026, 10, 3)) == dt.date(2026, 9, 30)
    assert complete_month_end(dt.date(2026, 3, 1)) == dt.date(2026, 2, 28)


def test_two_runs_started_together_give_one_done_and_one_exit_5(tmp_path, town, kit) -> None:
    path = kit.write_pipeline(tmp_path, town)
    day = town["month_ends"][-1]
    first = kit.start_cli(
        "run",
        path,
        "--as-of",
        day,
        cwd=tmp_path,
        KIZUKI_TEST_PAUSE_AT="after-validate",
        KIZUKI_TEST_PAUSE_S="5",
    )
    kit.wait_for(first, "kizuki-test-pause: after-validate")
    second = kit.run_cli("run", path, "--as-of", day, cwd=tmp_path)
    first.communicate(timeout=600)
    assert sorted([first.returncode, second.returncode]) in ([0, 5], [4, 5])
    assert "being written by another kizuki process" in second.stderr
    ledger = read_ledger(HistoryLayout(tmp_path / "history"))
    assert ledger.height == 1 and ledger["status"].item() in ("done", "alert")


def test_an_alert_ends_the_run_with_exit_4_recorded_as_alert(tmp_path, town, kit) -> None:
    import shutil

    drop = tmp_path / "drop"
    shutil.copytree(town["drop"], drop)
    (drop / "school.parquet").unlink()  # validation.yaml: a missing school table alerts
    import yaml

    declared = yaml.safe_load((drop / "drop.yaml").read_text(encoding="utf-8"))
    tables = declared.get("tables", {})
    if isinstance(tables, dict):
        tables.pop("school", None)
    (drop / "drop.yaml").write_text(yaml.safe_dump(declared, allow_unicode=True), encoding="utf-8")
    path = kit.write_pipeline(tmp_path, town, drop=str(drop))
    cli = kit.run_cli("run", path, "--as-of", town["month_ends"][-1], cwd=tmp_path)
    assert cli.returncode == 4, cli.stderr
    assert "[missing_table] table school is absent" in cli.stderr
    ledger = read_ledger(HistoryLayout(tmp_path / "history"))
    assert ledger["status"].to_list() == ["alert"]
    assert ledger["exit_status"].to_list() == [4]


def test_one_tracking_parent_run_per_night_with_the_stages_nested(history) -> None:
    from mlflow.tracking import MlflowClient

    from kizuki import tracking

    with tracking.using_store(history["pipeline"].tracking):
        tracking.check_store(write=False)
        client = MlflowClient(history["pipeline"].tracking)
        exp = client.get_experiment_by_name("kizuki-run")
        runs = client.search_runs([exp.experiment_id], max_results=1000)
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert sorted(r.info.run_name for r in parents) == [f"nightly-{d}" for d in history["days"]]
    for parent in sorted(parents, key=lambda r: r.info.run_name):
        children = {
            r.info.run_name.split("-")[0]
            for r in runs
            if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id
        }
        first = parent.info.run_name == f"nightly-{history['days'][0]}"
        assert children == ({"score", "performance"} | (set() if first else {"monitor"})) | (
            children & {"audit"}
        )
        assert parent.data.tags["kizuki.status"] in ("done", "alert")


def test_a_stale_lock_left_by_a_dead_process_is_taken_over_and_the_ledger_says_so(
    tmp_path, town, kit
) -> None:
    import json
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)  # a process that has ended
    layout = HistoryLayout(tmp_path / "history")
    layout.root.mkdir()
    holder = {
        "pid": pid,
        "host": "here",
        "started": "2026-12-01T02:00:00+00:00",
        "command": "kizuki run",
    }
    layout.lock.write_text(json.dumps(holder), encoding="utf-8")
    path = kit.write_pipeline(tmp_path, town)
    outcome = run_pipeline(load_pipeline(path), as_of=town["month_ends"][-1])
    assert outcome.status in ("done", "alert")
    message = read_ledger(layout)["message"].item()
    assert f"took over the stale lock of pid {pid}" in message
    assert layout.lock.read_text(encoding="utf-8") == ""  # released cleanly


def test_monthly_retrain_registers_a_champion_and_does_not_train_twice(tmp_path, town, kit) -> None:
    from kizuki import tracking
    from kizuki.synth.generate import generate
    from kizuki.synth.presets import make_spec
    from kizuki.synth.write import write_drop

    drop = tmp_path / "drop"  # training needs four years of history
    write_drop(generate(make_spec("ashiya", 1500, 48, 7)), drop, "parquet")
    stages = {"validate": {}, "train": {}, "pages": {}}
    path = kit.write_pipeline(
        tmp_path, town, pipeline="monthly-retrain", stages=stages, drop=str(drop)
    )
    pipeline = load_pipeline(path)
    first = run_pipeline(pipeline)
    assert first.status in ("done", "alert") and first.run_dir is None
    with tracking.using_store(pipeline.tracking):
        assert tracking.champion_version() == "1"  # the first version becomes champion
    again = run_pipeline(pipeline)
    assert again.status == "already_done"  # same drop, same configs: not trained twice
    ledger = read_ledger(HistoryLayout(tmp_path / "history"))
    assert ledger["pipeline"].to_list() == ["monthly-retrain"]
    assert ledger["model_version"].to_list() == ["1"]
    assert HistoryLayout(tmp_path / "history").history_page.is_file()
    # a night scored by that champion writes its card beside the runs, once
    nightly = kit.write_pipeline(
        tmp_path,
        town,
        drop=str(drop),
        stages={"validate": {}, "score": {"model": "champion"}, "pages": {}},
    )
    night = run_pipeline(load_pipeline(nightly))
    assert night.status in ("done", "alert")
    card = HistoryLayout(tmp_path / "history").model_card("1")
    names = {p.name for p in card.iterdir()}
    assert {"model_card.json", "register.json"} <= names
    assert any(n.startswith("model_card") and n.endswith(".html") for n in names)
