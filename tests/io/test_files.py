"""io: JSON written atomically and read back, values made JSON-ready, file digests."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import polars as pl

from kizuki.io.atomic import write_json, write_parquet
from kizuki.io.files import file_digest, read_json, read_parquet, scan_parquet
from kizuki.io.jsonable import jsonable


def test_json_round_trip_keeps_non_ascii_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = write_json(tmp_path / "sub" / "m.json", {"地区": "芦屋", "n": 3, "x": [1.5, None]})
    assert path.read_text(encoding="utf-8").endswith("}\n") and "芦屋" in path.read_text("utf-8")
    assert read_json(path) == {"地区": "芦屋", "n": 3, "x": [1.5, None]}
    assert [p.name for p in path.parent.iterdir()] == ["m.json"]


def test_jsonable_turns_nan_and_dates_into_json_values() -> None:
    got = jsonable({"a": math.nan, 1: (dt.date(2026, 9, 30), math.inf), "b": [{"c": 0.5}]})
    assert got == {"a": None, "1": ["2026-09-30", None], "b": [{"c": 0.5}]}


def test_parquet_and_digest(tmp_path: Path) -> None:
    frame = pl.DataFrame({"household_id": ["H1", "H2"], "v": [1, 2]})
    path = write_parquet(tmp_path / "f.parquet", frame)
    assert read_parquet(path).equals(frame) and scan_parquet(path).collect().equals(frame)
    digest = file_digest(path)
    assert digest == {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "bytes": path.stat().st_size,
    }
