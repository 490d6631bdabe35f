"""``kizuki feedback import``: its exit codes (0 done and already imported, 2 not a history,
3 refused, 5 a run holds the history's lock), each through a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from kizuki.history.layout import HistoryLayout
from kizuki.history.ledger import read_ledger


def _cli(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIZUKI_")}
    return subprocess.run(
        [sys.executable, "-m", "kizuki.cli", "feedback", "import", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def _history(tmp_path: Path) -> Path:
    history = tmp_path / "history"
    (history / "runs").mkdir(parents=True)
    return history


def _feedback(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "visits.csv"
    head = "実行ID,世帯ID,訪問日,訪問結果" + (f",{extra}" if extra else "")
    row = "R0,H0001,2026-04-03,課題なし" + (",山田 花子" if extra else "")
    path.write_text(f"{head}\n{row}\n", encoding="utf-8")
    return path


def test_feedback_import_done_then_already_imported_exits_0(tmp_path: Path) -> None:
    history = _history(tmp_path)
    done = _cli(_feedback(tmp_path), "--history", history, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # the history holds no run R0: the row is rejected, named by rule, never by value
    assert "1 row(s) in = 0 kept + 1 rejected" in done.stderr
    assert "column run_id: unknown_run" in done.stderr and "H0001" not in done.stderr
    again = _cli(_feedback(tmp_path), "--history", history, cwd=tmp_path)
    assert again.returncode == 0 and "already imported" in again.stderr
    ledger = read_ledger(HistoryLayout(history))
    assert ledger["pipeline"].to_list() == ["feedback-import"]


def test_feedback_import_of_a_sheet_with_a_name_column_exits_3(tmp_path: Path) -> None:
    history = _history(tmp_path)
    done = _cli(_feedback(tmp_path, "氏名"), "--history", history, cwd=tmp_path)
    assert done.returncode == 3
    assert done.stderr.startswith("kizuki: error:") and done.stderr.count("\n") == 1
    assert "'氏名'" in done.stderr and "山田" not in done.stderr
    assert read_ledger(HistoryLayout(history))["status"].to_list() == ["refused"]
    (tmp_path / "broken.xlsx").write_bytes(b"PK not really a workbook")
    broken = _cli(tmp_path / "broken.xlsx", "--history", history, cwd=tmp_path)
    assert broken.returncode == 3 and "not a readable xlsx" in broken.stderr
    assert read_ledger(HistoryLayout(history))["status"].to_list() == ["refused", "refused"]


def test_feedback_import_into_a_folder_that_is_no_history_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = _cli(_feedback(tmp_path), "--history", tmp_path / "empty", cwd=tmp_path)
    assert done.returncode == 2
    assert "is not a kizuki run history" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "empty" / "ledger.parquet").exists()


def test_feedback_import_while_a_run_holds_the_lock_exits_5(tmp_path: Path) -> None:
    history = _history(tmp_path)
    code = (
        "import sys; from pathlib import Path; from kizuki.io.locks import hold_lock\n"
        "with hold_lock(Path(sys.argv[1]), 'run'):\n"
        "    print('held', flush=True); sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(HistoryLayout(history).lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = _cli(_feedback(tmp_path), "--history", history, cwd=tmp_path)
        assert done.returncode == 5
        assert f"pid {holder.pid}" in done.stderr and "not started" in done.stderr
    finally:
        holder.communicate(timeout=30)
    assert not HistoryLayout(history).visits.exists()
    assert read_ledger(HistoryLayout(history)).is_empty()
    # once the run has ended, the same file imports
    assert _cli(_feedback(tmp_path), "--history", history, cwd=tmp_path).returncode == 0
    assert pl.read_parquet(HistoryLayout(history).ledger)["status"].to_list() == ["done"]
