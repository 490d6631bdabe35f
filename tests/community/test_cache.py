"""Each run's intervals are computed once: a later night reads them back, identical."""

from __future__ import annotations

import shutil

import pytest
from polars.testing import assert_frame_equal

import kizuki.community.table as table
from kizuki.community import community_table
from kizuki.history import HistoryLayout


def test_intervals_are_computed_once_per_run_and_read_back_identical(
    synthetic_history, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history, drop = synthetic_history
    copy = tmp_path / "h"
    shutil.copytree(history, copy)
    shutil.rmtree(HistoryLayout(copy).community_cache, ignore_errors=True)
    first = community_table(copy, drop)
    cached = sorted(p.name for p in HistoryLayout(copy).community_cache.glob("*.parquet"))
    assert len(cached) == 6  # one file per run

    def no_recomputation(*args, **kwargs):
        raise AssertionError("an interval was computed again")

    monkeypatch.setattr(table, "count_intervals", no_recomputation)
    monkeypatch.setattr(table, "total_interval", no_recomputation)
    assert_frame_equal(community_table(copy, drop), first)
