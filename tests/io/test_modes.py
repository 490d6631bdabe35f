"""Files kizuki writes are 0600 and the folders it creates 0700, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import polars as pl
import pytest

from kizuki.io.atomic import private_dirs, private_file, write_parquet, write_text, write_with
from kizuki.io.csv_safe import write_csv


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture()
def open_umask():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_written_files_are_owner_only_and_new_folders_too(tmp_path: Path, open_umask) -> None:
    base = tmp_path / "existing"
    base.mkdir(mode=0o755)
    a = write_text(base / "new" / "deeper" / "a.txt", "x")
    b = write_csv(base / "b.csv", pl.DataFrame({"x": [1]}))
    c = write_parquet(base / "c.parquet", pl.DataFrame({"x": [1]}))

    def replace_file(tmp: Path) -> None:  # a writer that makes a new file with its own mode
        tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT, 0o666)
        os.close(fd)

    d = write_with(base / "d.bin", replace_file)
    for f in (a, b, c, d):
        assert _mode(f) == 0o600, f
    assert _mode(base / "new") == 0o700 and _mode(base / "new" / "deeper") == 0o700
    assert _mode(base) == 0o755  # a folder the operator made keeps its mode
    assert not list(base.glob(".*.tmp"))


def test_private_dirs_and_file(tmp_path: Path, open_umask) -> None:
    folder = private_dirs(tmp_path / "a" / "b")
    assert _mode(tmp_path / "a") == 0o700 and _mode(folder) == 0o700
    db = private_file(folder / "mlflow.db")
    assert db.stat().st_size == 0 and _mode(db) == 0o600
    db.write_bytes(b"data")
    os.chmod(db, 0o644)
    private_file(db)
    assert db.read_bytes() == b"data" and _mode(db) == 0o600


def test_the_tracking_database_is_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask
) -> None:
    from kizuki import tracking

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KIZUKI_TRACKING_URI", raising=False)
    assert tracking.champion_version() is None  # opens (creates) the default store
    folder = tmp_path / "kizuki-tracking"
    assert _mode(folder) == 0o700
    assert _mode(folder / "mlflow.db") == 0o600
    assert (folder / "mlflow.db").stat().st_size > 0
