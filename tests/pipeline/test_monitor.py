"""The monitor, performance and audit workflows on run folders written by ``run_score``.

Monitor reads runs, not drops: the source tables' code counts travel in the manifest,
so two runs whose drops were deleted still report codes that appear or vanish.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from kizuki.config import validate_config
from kizuki.monitor.config import load_monitor_config
from kizuki.pipeline.monitor import run_monitor
from kizuki.pipeline.score import Components, LoadedModel, load_drop_input, run_score
from kizuki.report import ReportConfig
from kizuki.runs import read_run
from kizuki.shortlist import ShortlistConfig

AS_OF = dt.date(2026, 3, 31)
SHORTLIST_CFG = validate_config(
    ShortlistConfig, {"config_version": 1, "capacity": {"default": {"count": 4}}}
)
REPORT_CFG = validate_config(
    ReportConfig, {"config_version": 1, "bands": {"high": 0.3, "medium": 0.1}}
)


def _drop(folder: Path, sex: list[str], nationality: list[str]) -> Path:
    folder.mkdir(parents=True)
    n = len(sex)
    pl.DataFrame(
        {
            "person_id": [f"P{i:05d}" for i in range(n)],
            "household_id": [f"H{i:06d}" for i in range(n)],
            "birth_month": ["1950-01"] * n,
            "sex": sex,
            "relation": ["head"] * n,
            "district": ["北地区"] * n,
            "valid_from": [dt.date(2026, 1, 5)] * (n - 1) + [AS_OF],
            "nationality": nationality,
        }
    ).write_parquet(folder / "residents.parquet")
    return folder


def _score(drop: Path, out: Path, tiny_models, kit) -> Path:
    features = kit.make_features(120, seed=4)
    components = Components(
        load=load_drop_input,
        features=lambda tables, as_of: features,
        model=lambda uri: LoadedModel(tiny_models, "models:/kizuki/1", 6),
        checklist=kit.RuleChecklist,
        feature_items=lambda: kit.ITEMS,
        texts=lambda: kit.TEXTS,
    )
    run_score(
        drop,
        AS_OF,
        out,
        components=components,
        shortlist_config=SHORTLIST_CFG,
        report_config=REPORT_CFG,
    )
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, tiny_models, kit, declare) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("monitor_runs")
    ref_drop = _drop(base / "drop_ref", ["M", "F"] * 20, ["jp"] * 40)
    cur_drop = _drop(base / "drop_cur", ["F"] * 40, ["jp"] * 37 + ["foreign"] * 3)
    declare(ref_drop), declare(cur_drop)
    runs = {
        "ref": _score(ref_drop, base / "ref", tiny_models, kit),
        "cur": _score(cur_drop, base / "cur", tiny_models, kit),
    }
    shutil.rmtree(ref_drop)
    shutil.rmtree(cur_drop)
    return runs


def test_the_manifest_carries_code_counts_of_kept_rows(runs: dict[str, Path]) -> None:
    run = read_run(runs["cur"])
    assert run.manifest.codes_window_months == 12
    counts = run.code_counts()
    assert counts is not None
    assert counts[("residents", "sex")] == {"F": 40}
    assert counts[("residents", "nationality")] == {"foreign": 3, "jp": 37}
    assert counts[("residents", "relation")] == {"head": 40}


def test_monitor_on_runs_whose_drops_were_deleted_reports_codes_that_appear_or_vanish(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    assert not read_run(runs["ref"]).drop_path.exists()  # type: ignore[union-attr]
    config = load_monitor_config()
    # 3 rows of a new valid code: an alert only under a minimum of at most 3 (default 5: a note)
    quality = config.quality.model_copy(update={"code_appeared_min_count": 3})
    config = config.model_copy(update={"quality": quality})
    summary = run_monitor(runs["ref"], runs["cur"], tmp_path / "m", config=config, track=False)
    got = {(a.check, a.subject) for a in summary.alerts}
    assert ("code_vanished", "residents.sex=M") in got
    assert ("code_appeared", "residents.nationality=foreign") in got
    assert summary.result.quality.notes[0].startswith("code counts from the manifests")
    drop_rows = summary.result.quality.codes.filter(pl.col("source") == "drop")
    assert drop_rows.filter(pl.col("column") == "sex").select(
        "code", "ref_count", "cur_count"
    ).rows() == [
        ("F", 20, 40),
        ("M", 20, 0),
    ]
    assert sorted(p.name for p in summary.files.values()) == ["monitor.html", "monitor.json"]


def test_run_audit_without_an_outcomes_drop_reports_outcomes_pending(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    from kizuki.audit.config import load_audit_config
    from kizuki.pipeline.audit import run_audit

    said: list[str] = []
    summary = run_audit(
        runs["cur"], tmp_path / "a", config=load_audit_config(), track=False, progress=said.append
    )
    assert not summary.result.labels_known and not summary.truth_found
    assert summary.tracking_run is None
    assert sorted(p.name for p in summary.files.values()) == ["audit.html", "audit.json"]
    assert any("no outcomes drop" in s for s in said) and any("outcomes pending" in s for s in said)


def test_run_performance_reads_runs_and_a_newer_outcomes_drop(
    runs: dict[str, Path], tmp_path: Path, declare
) -> None:
    from kizuki.pipeline.performance import run_performance

    listed = pl.read_parquet(runs["ref"] / "shortlist.parquet").explode("issues").row(0, named=True)
    drop = _drop(tmp_path / "outcomes_drop", ["F"], ["jp"])
    pl.DataFrame(
        {
            "household_id": [listed["household_id"]],
            "issue": [listed["issues"]],
            "opened_on": [dt.date(2026, 5, 15)],
            "confirmed": [True],
        }
    ).write_parquet(drop / "outcomes.parquet")
    declare(drop)
    summary = run_performance(
        [runs["ref"], runs["cur"]], drop, tmp_path / "p", config=load_monitor_config(), track=False
    )
    assert summary.meta == {"outcomes": str(drop), "known_until": "2026-05-15", "runs": 2}
    row = summary.history.filter(
        (pl.col("issue") == listed["issues"]) & (pl.col("run_id") == read_run(runs["ref"]).run_id)
    ).row(0, named=True)
    assert row["hits"] == 1 and row["positives"] == 1
    assert sorted(p.name for p in summary.files.values()) == [
        "performance.html",
        "performance.json",
    ]
