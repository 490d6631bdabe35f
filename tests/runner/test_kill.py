"""``kill -9`` at five moments spread over a run, each followed by a rerun: the history ends
identical to a clean one (every parquet frame of the run, the ledger's final statuses), no
half-written file under a final name, the interruption and the stale lock in the ledger."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kizuki.history.layout import HistoryLayout
from kizuki.history.ledger import read_ledger
from kizuki.runner.config import load_pipeline
from kizuki.runner.run import run_pipeline

pytestmark = pytest.mark.slow

#: (pause point, where it is): after validate; inside score (features built, the new run
#: complete beside the old place, swapped in); after score; after monitor
MOMENTS = ("after-validate", "features", "swapped", "after-score", "after-monitor")


@pytest.fixture(scope="module")
def base(tmp_path_factory, town, kit) -> dict[str, object]:
    """A history holding one night, and a clean copy with the next night run too."""
    folder = tmp_path_factory.mktemp("killbase")
    path = kit.write_pipeline(folder, town)
    first, second = town["month_ends"][-3], town["month_ends"][-2]
    run_pipeline(load_pipeline(path), as_of=first)
    clean = tmp_path_factory.mktemp("clean")
    shutil.copytree(folder, clean, dirs_exist_ok=True)
    run_pipeline(load_pipeline(kit.write_pipeline(clean, town)), as_of=second)
    return {"folder": folder, "clean": clean, "day": second}


def _frames(run: Path) -> dict[str, pl.DataFrame]:
    return {
        p.relative_to(run).as_posix(): pl.read_parquet(p) for p in sorted(run.rglob("*.parquet"))
    }


@pytest.mark.parametrize("moment", MOMENTS)
def test_killed_then_rerun_ends_as_a_clean_run(moment, base, town, kit, tmp_path) -> None:
    folder = tmp_path / "h"
    shutil.copytree(base["folder"], folder)
    path = kit.write_pipeline(folder, town)
    day = base["day"]
    proc = kit.start_cli("run", path, "--as-of", day, cwd=folder, KIZUKI_TEST_PAUSE_AT=moment)
    kit.wait_for(proc, f"kizuki-test-pause: {moment}")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    again = kit.run_cli("run", path, "--as-of", day, cwd=folder)
    assert again.returncode in (0, 4), again.stderr
    assert "taken over" in again.stderr

    history, clean = folder / "history", Path(base["clean"]) / "history"
    run, ref = history / "runs" / day.isoformat(), clean / "runs" / day.isoformat()
    got, want = _frames(run), _frames(ref)
    assert got.keys() == want.keys()
    for name in want:
        assert_frame_equal(got[name], want[name], check_exact=True)
    assert sorted(p.name for p in (history / "runs").iterdir() if p.is_dir()) == sorted(
        p.name for p in (clean / "runs").iterdir() if p.is_dir()
    )
    # nothing half-written left under a final name, no temporary sibling, no journal
    leftovers = [p for p in history.rglob("*") if p.name.endswith(".tmp") or "kizuki-" in p.name]
    assert not leftovers
    assert not list(HistoryLayout(history).journal.glob("*.json"))
    ledger = read_ledger(HistoryLayout(history))
    clean_ledger = read_ledger(HistoryLayout(clean))
    final = ledger.filter(pl.col("status") != "interrupted")
    assert final["status"].to_list() == clean_ledger["status"].to_list()
    assert final["as_of"].to_list() == clean_ledger["as_of"].to_list()
    interrupted = ledger.filter(pl.col("status") == "interrupted")
    assert interrupted.height == 1
    assert "stale lock" in interrupted["message"].item()
    assert interrupted["as_of"].item() == day
