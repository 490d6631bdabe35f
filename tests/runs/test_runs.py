"""kizuki.runs: the layout, the versioned manifest (validated when read), code counts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from kizuki.io.files import read_json
from kizuki.runs import (
    NotARun,
    RunLayout,
    UnknownManifestVersion,
    code_counts,
    find_runs,
    read_manifest,
    read_run,
)

AS_OF = dt.date(2026, 9, 30)


def test_code_counts_use_a_window_of_known_rows() -> None:
    care = pl.LazyFrame(
        {
            "kind": ["ltc", "ltc", "ltc", "disability_mental"],
            "level": ["care1", "care2", "care2", "1"],
            "known_on": [
                dt.date(2024, 1, 1),
                dt.date(2026, 1, 5),
                dt.date(2026, 9, 30),
                dt.date(2026, 10, 1),
            ],
        }
    )
    got = code_counts({"care": care}, AS_OF, 12)
    assert got == {"care": {"kind": {"ltc": 2}, "level": {"care2": 2}}}


def test_layout_names_every_file_of_a_run(tmp_path: Path) -> None:
    lay = RunLayout(tmp_path)
    assert [p.name for p in (lay.features, lay.scores, lay.shortlist, lay.shortlist_csv)] == [
        "features.parquet",
        "scores.parquet",
        "shortlist.parquet",
        "shortlist.csv",
    ]
    assert lay.shortlist_xlsx.name == "shortlist.xlsx" and lay.report.name == "report.html"
    assert lay.manifest.name == "manifest.json"
    assert lay.name_of(lay.reject("care")) == "rejects/care.parquet"
    assert lay.monitor == tmp_path / "monitor" and lay.audit == tmp_path / "audit"
    assert not lay.holds_run()


def _run(tmp_path: Path, factory: ModuleType) -> Path:
    return factory.fabricate_run(tmp_path / "run", factory.frame_generator(50, 1), as_of=AS_OF)


def test_a_written_manifest_reads_back_equal_and_typed(tmp_path: Path, factory: ModuleType) -> None:
    run = read_run(_run(tmp_path, factory))
    assert run.as_of == AS_OF and run.horizon_months == 6 and run.model_version == "stand-in/1"
    assert read_manifest(run.layout.manifest) == run.manifest
    assert run.manifest.to_json() == read_json(run.layout.manifest)
    assert run.code_counts() is None  # version 1: no code counts


def _rewrite(path: Path, **changes: object) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            raw.pop(key)
        else:
            raw[key] = value
    path.write_text(json.dumps(raw), encoding="utf-8")


def test_an_unknown_manifest_version_is_refused_in_one_line(
    tmp_path: Path, factory: ModuleType
) -> None:
    folder = _run(tmp_path, factory)
    _rewrite(RunLayout(folder).manifest, manifest_version=99)
    with pytest.raises(UnknownManifestVersion, match="manifest_version 99; this kizuki reads 1, 2"):
        read_run(folder)


def test_a_manifest_missing_a_field_names_the_field(tmp_path: Path, factory: ModuleType) -> None:
    folder = _run(tmp_path, factory)
    _rewrite(RunLayout(folder).manifest, model={"uri": "x", "version": "1"})
    with pytest.raises(NotARun, match=r"field 'model.horizon_months': Field required"):
        read_run(folder)


def test_a_folder_that_is_not_a_run_is_refused(tmp_path: Path, factory: ModuleType) -> None:
    with pytest.raises(NotARun, match="run folder not found"):
        read_run(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotARun, match=r"missing manifest\.json, features\.parquet"):
        read_run(tmp_path / "empty")
    with pytest.raises(NotARun, match="holds no scoring run"):
        find_runs([tmp_path / "empty"])
    folder = _run(tmp_path, factory)
    RunLayout(folder).manifest.write_text('{"as_of": "2026-09-30"}', encoding="utf-8")
    with pytest.raises(NotARun, match="not a kizuki run manifest"):
        read_run(folder)
    RunLayout(folder).manifest.write_text("{", encoding="utf-8")
    with pytest.raises(NotARun, match="not readable JSON"):
        read_run(folder)


def test_find_runs_reads_a_folder_of_runs_in_as_of_order(
    tmp_path: Path, factory: ModuleType
) -> None:
    for day in (dt.date(2026, 9, 30), dt.date(2026, 7, 31), dt.date(2026, 8, 31)):
        factory.fabricate_run(
            tmp_path / "runs" / day.isoformat(), factory.frame_generator(40, 2), as_of=day
        )
    (tmp_path / "runs" / "not-a-run").mkdir()
    assert [r.as_of.month for r in find_runs([tmp_path / "runs"])] == [7, 8, 9]
