"""Validation in slices and from the cache gives the same kept rows, rejects and report
as validating each table file at once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from kizuki.contract import schema
from kizuki.contract.validate import _rejects, validate_table
from kizuki.history.validated import ValidationCache
from kizuki.io.drop import RefusedDrop, load_drop
from kizuki.io.read import open_raw
from kizuki.io.validating import header_plan, validate_source


def _utility(n: int) -> pl.DataFrame:
    """A utility table with rows breaking several rules, spread over the file."""
    i = pl.int_range(n, eager=True)
    months = [f"{2022 + k // 12}-{k % 12 + 1:02d}" for k in range(36)]
    frame = pl.DataFrame(
        {
            "household_id": [f"H{k % 97:04d}" for k in range(n)],
            "month": [months[k // 97 % 36] for k in range(n)],
            "period_months": (i % 5 == 0).cast(pl.Int64) + 1,
            "water_m3": (i % 31).cast(pl.Float64) * 0.7,
            "billed_yen": i * 3,
            "unpaid_yen": i % 11,
            "stop_notice": i % 13 == 0,
        }
    )
    return frame.with_columns(
        unpaid_yen=pl.when(i % 301 == 7).then(-5).otherwise("unpaid_yen"),
        period_months=pl.when(i % 499 == 3).then(3).otherwise("period_months"),
        month=pl.when(i % 613 == 11).then(pl.lit("2023-13")).otherwise("month"),
        water_m3=pl.when(i % 701 == 5).then(None).otherwise("water_m3"),
    )


def _whole(table: schema.Table, path: Path) -> tuple[pl.DataFrame, pl.DataFrame, list]:
    """The old door on one file: the whole frame validated at once."""
    raw = pl.read_parquet(path)
    renames, found = header_plan(table, tuple(raw.columns))
    assert renames is not None
    result = validate_table(table, raw.select(list(renames)).rename(renames))
    return result.kept, result.rejects, found + result.violations


@pytest.mark.parametrize("chunk", [1, 250, 1000, 10_000])
def test_slices_give_the_rows_rejects_and_violations_of_the_whole_file(
    tmp_path: Path, chunk: int
) -> None:
    path = tmp_path / "utility.parquet"
    _utility(3000).write_parquet(path, row_group_size=400)
    kept, rejects, violations = _whole(schema.UTILITY, path)
    assert rejects.height > 20  # the fixture has rejects of several rules
    out = validate_source(schema.UTILITY, open_raw(path), chunk_rows=chunk)
    assert out.kept is not None and out.rejects is not None
    assert out.kept.collect().equals(kept)
    assert out.rejects.equals(rejects)
    assert out.violations == violations
    assert out.report.rows_kept + out.report.rows_rejected == 3000
    assert out.report.rows_rejected == rejects.height


def test_a_duplicate_key_in_different_slices_refuses(tmp_path: Path) -> None:
    frame = _utility(1000)
    frame = pl.concat([frame, frame.slice(20, 2)])  # two rows again, at the end
    path = tmp_path / "utility.parquet"
    frame.write_parquet(path)
    _, _, violations = _whole(schema.UTILITY, path)
    out = validate_source(schema.UTILITY, open_raw(path), chunk_rows=100)
    dup = [v for v in out.violations if v.rule == "duplicate_key"]
    assert dup and dup[0].count == 4
    assert out.violations == violations


def test_rejects_of_a_slice_name_the_row_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "utility.parquet"
    _utility(3000).write_parquet(path)
    out = validate_source(schema.UTILITY, open_raw(path), chunk_rows=333)
    raw = pl.read_parquet(path)
    assert out.rejects is not None
    first = out.rejects.row(0, named=True)
    # the row number is 1-based in the file: that row of the file holds the raw value
    source = raw.row(first["row_number"] - 1, named=True)
    assert str(source[first["column"]]) == str(first[first["column"]]) or (
        source[first["column"]] is None and first[first["column"]] is None
    )
    assert _rejects  # the old helper is still the one building the rejects


def _residents(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "person_id": [f"P{k:05d}" for k in range(n)],
            "household_id": [f"H{k % 97:04d}" for k in range(n)],
            "birth_month": ["1950-01"] * n,
            "sex": ["F"] * n,
            "relation": ["head"] * n,
            "district": ["east"] * n,
            "valid_from": [dt.date(2020, 1, 1)] * n,
        }
    )


def _drop(folder: Path, declare) -> Path:
    folder.mkdir()
    _residents(500).write_parquet(folder / "residents.parquet")
    _utility(3000).write_parquet(folder / "utility.parquet")
    declare(folder)
    return folder


def _lenient():
    from kizuki.io.drop import DoorRules

    allow = dict.fromkeys(("tax", "care", "care_usage", "school", "outcomes"), "allow")
    return DoorRules(reject_limit=0.05, missing_tables=allow)


def test_the_cache_gives_identical_rows_and_rejects_and_says_cached(
    tmp_path: Path, declare
) -> None:
    drop = _drop(tmp_path / "drop", declare)
    plain = load_drop(drop, rules=_lenient())
    cache = ValidationCache(tmp_path / "validated", run="2026-09-30")
    first = load_drop(drop, rules=_lenient(), cache=cache)
    second = load_drop(drop, rules=_lenient(), cache=ValidationCache(tmp_path / "validated", run="later"))
    for name in ("residents", "utility"):
        want = plain.tables[name].collect()
        assert first.tables[name].collect().equals(want)
        assert second.tables[name].collect().equals(want)
        assert second.rejects[name].equals(plain.rejects[name])
        assert first.report.tables[name].validation == "validated"
        assert second.report.tables[name].validation == "cached"
        assert second.report.tables[name].validated_in == "2026-09-30"
    assert plain.rejects["utility"].height > 0
    strip = lambda r: {k: v for k, v in r.items() if k not in ("validation", "validated_in")}  # noqa: E731
    a = json.loads(plain.report.to_json())
    b = json.loads(second.report.to_json())
    assert [strip(t) for t in a["tables"].values()] == [strip(t) for t in b["tables"].values()]
    assert a["violations"] == b["violations"]
    assert b["tables"]["utility"]["validation"] == "cached"
    assert len(cache.keys()) == 2


def test_a_changed_file_is_validated_again(tmp_path: Path, declare) -> None:
    drop = _drop(tmp_path / "drop", declare)
    cache = ValidationCache(tmp_path / "validated")
    load_drop(drop, rules=_lenient(), cache=cache)
    _utility(2999).write_parquet(drop / "utility.parquet")
    again = load_drop(drop, rules=_lenient(), cache=cache)
    assert again.report.tables["utility"].validation == "validated"
    assert again.report.tables["residents"].validation == "cached"
    assert again.report.tables["utility"].rows_read == 2999
    assert len(cache.keys()) == 3


def test_a_refused_table_from_the_cache_refuses_again(tmp_path: Path, declare) -> None:
    drop = _drop(tmp_path / "drop", declare)
    frame = _utility(1000)
    pl.concat([frame, frame.head(1)]).write_parquet(drop / "utility.parquet")
    cache = ValidationCache(tmp_path / "validated")
    for _ in range(2):
        with pytest.raises(RefusedDrop) as exc:
            load_drop(drop, rules=_lenient(), cache=cache)
        assert [v.rule for v in exc.value.report.refusals] == ["duplicate_key"]
    assert exc.value.report.tables["utility"].validation == "cached"


def test_run_validate_writes_cached_in_its_report(tmp_path: Path, declare) -> None:
    from kizuki.pipeline.validate import run_validate

    drop = _drop(tmp_path / "drop", declare)
    cache = ValidationCache(tmp_path / "validated", run="run-1")
    run_validate(drop, tmp_path / "v1", rules=_lenient(), cache=cache)
    run_validate(drop, tmp_path / "v2", rules=_lenient(), cache=ValidationCache(cache.folder))
    one = json.loads((tmp_path / "v1" / "report.json").read_text(encoding="utf-8"))
    two = json.loads((tmp_path / "v2" / "report.json").read_text(encoding="utf-8"))
    assert one["tables"]["utility"]["validation"] == "validated"
    assert two["tables"]["utility"]["validation"] == "cached"
    assert two["tables"]["utility"]["validated_in"] == "run-1"
    a = pl.read_parquet(tmp_path / "v1" / "rejects" / "utility.parquet")
    b = pl.read_parquet(tmp_path / "v2" / "rejects" / "utility.parquet")
    assert a.height > 0 and a.equals(b)
