"""A windowed read (only the months the features need, plus each entity's newest older
row) gives the same features as the whole history; an inexact carry falls back to it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from kizuki.features.build import build_features
from kizuki.features.config import default_feature_config
from kizuki.features.window import MONTHLY_TABLES, months_needed, windows_for
from kizuki.io.drop import DoorRules, load_drop
from kizuki.io.validating import Window

RULES = DoorRules(reject_limit=0.05)


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("win") / "drop"
    subprocess.run(
        [sys.executable, "-m", "kizuki.cli", "synth", "--out", str(out), "--households", "1500",
         "--months", "48", "--seed", "7"],
        check=True,
        capture_output=True,
    )
    return out


def _windows(as_of: dt.date) -> dict[str, Window]:
    windows = windows_for(default_feature_config(), as_of, 12)
    needed = months_needed(default_feature_config(), as_of, 12)
    assert set(windows) == set(MONTHLY_TABLES)
    assert all(windows[t].since == needed[t] for t in MONTHLY_TABLES)
    return windows


def _stale_households(drop: Path, folder: Path) -> Path:
    """The drop with a tenth of the households' water bills stopping two years early
    (their newest bill lies before any window: the carry row decides their arrears)."""
    folder.mkdir()
    for p in drop.iterdir():
        if p.is_file():
            (folder / p.name).write_bytes(p.read_bytes())
    u = pl.read_parquet(drop / "utility.parquet")
    ids = u["household_id"].unique().sort()
    stale = ids.gather(list(range(0, ids.len(), 10)))
    cut = u["month"].max()
    last = f"{int(cut[:4]) - 2}{cut[4:]}"
    u = u.filter(~(pl.col("household_id").is_in(stale.implode()) & (pl.col("month") > last)))
    u.write_parquet(folder / "utility.parquet", row_group_size=5000)
    return folder


@pytest.mark.parametrize("as_of", [dt.date(2026, 9, 30), dt.date(2025, 11, 15)])
def test_windowed_features_equal_the_whole_history(drop: Path, tmp_path: Path, as_of) -> None:
    source = _stale_households(drop, tmp_path / "stale")
    whole = load_drop(source, rules=RULES)
    part = load_drop(source, rules=RULES, windows=_windows(as_of))
    cfg = default_feature_config()
    assert part.report.tables["utility"].window_from is not None
    assert part.report.tables["utility"].rows_read < whole.report.tables["utility"].rows_read
    a = build_features(whole.tables, as_of, cfg)
    b = build_features(part.tables, as_of, cfg)
    assert a.height > 1000
    assert b.equals(a)
    # the stale households' arrears come from bills before the window
    stale = whole.tables["utility"].group_by("household_id").agg(pl.col("month").max())
    old = stale.filter(pl.col("month") < _windows(as_of)["utility"].since).collect()
    assert old.height > 50


def test_a_rejected_carry_row_reads_the_whole_table(drop: Path, tmp_path: Path) -> None:
    as_of = dt.date(2026, 9, 30)
    source = _stale_households(drop, tmp_path / "stale")
    u = pl.read_parquet(source / "utility.parquet")
    since = _windows(as_of)["utility"].since
    newest_old = (
        u.with_row_index("i")
        .filter(pl.col("month") < since.strftime("%Y-%m"))
        .group_by("household_id")
        .agg(pl.col("i").sort_by("month").last())
    )
    bad = newest_old["i"].head(1)
    u = u.with_row_index("i").with_columns(
        unpaid_yen=pl.when(pl.col("i").is_in(bad.implode())).then(-1).otherwise("unpaid_yen")
    ).drop("i")
    u.write_parquet(source / "utility.parquet")
    whole = load_drop(source, rules=RULES)
    part = load_drop(source, rules=RULES, windows=_windows(as_of))
    assert part.report.tables["utility"].window_from is None  # fell back to the whole file
    assert part.report.tables["utility"].rows_read == whole.report.tables["utility"].rows_read
    assert part.rejects["utility"].equals(whole.rejects["utility"])
    cfg = default_feature_config()
    assert build_features(part.tables, as_of, cfg).equals(build_features(whole.tables, as_of, cfg))
