"""``kizuki validate --out``: an earlier validation's rejects never outlive its report; a
file as --out is refused like every path of the wrong kind (exit 3, one line, contract §6);
a NaN or out-of-range --reject-limit is a usage error (exit 2, one line)."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from kizuki.cli.main import app

runner = CliRunner()


#: the residents-only drops below declare their table (drop.yaml) and are validated with a
#: missing-table policy that allows the other tables to be absent
_LENIENT = "config_version: 1\nmissing_tables:\n" + "".join(
    f"  {t}: allow\n" for t in ("tax", "care", "care_usage", "school", "utility", "outcomes")
)


def _declare(folder: Path) -> None:
    from kizuki.contract.declaration import Declaration, TableBasis
    from kizuki.io.drop import write_declaration

    basis = TableBasis("テスト用システム", "kizuki の試験", "該当なし（試験用の作成データ）")
    write_declaration(
        folder, Declaration(2, "282065", "芦屋市", dt.date(2026, 9, 30), {"residents": basis})
    )


def _drop(folder: Path, bad_sex: int) -> Path:
    """A residents-only drop; ``bad_sex`` rows carry an unknown sex code (rejected)."""
    folder.mkdir(parents=True)
    _declare(folder)
    n = 200
    pl.DataFrame(
        {
            "person_id": [f"P{i:05d}" for i in range(n)],
            "household_id": [f"H{i:06d}" for i in range(n)],
            "birth_month": ["1950-01"] * n,
            "sex": ["X"] * bad_sex + ["F"] * (n - bad_sex),
            "relation": ["head"] * n,
            "district": ["北地区"] * n,
            "valid_from": [dt.date(2026, 1, 5)] * n,
        }
    ).write_parquet(folder / "residents.parquet")
    return folder


def _validate(drop: Path, out: Path, *extra: str):
    config = drop.parent / f"{drop.name}-config"
    config.mkdir(exist_ok=True)
    (config / "validation.yaml").write_text(_LENIENT, encoding="utf-8")
    return runner.invoke(
        app,
        ["--config-dir", str(config), "validate", str(drop), "--out", str(out),
         "--reject-limit", "0.5", *extra],
    )


def test_a_clean_drop_clears_the_rejects_of_the_one_before(tmp_path: Path) -> None:
    out = tmp_path / "out"
    a = _validate(_drop(tmp_path / "a", bad_sex=3), out)
    assert a.exit_code == 0, a.output
    assert (out / "rejects" / "residents.csv").is_file()
    assert (out / "rejects" / "residents.parquet").is_file()
    (out / "notes.txt").write_text("mine")  # not kizuki's: stays
    b = _validate(_drop(tmp_path / "b", bad_sex=0), out)
    assert b.exit_code == 0, b.output
    assert not (out / "rejects").exists()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["tables"]["residents"]["rows_rejected"] == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert stat.S_IMODE((out / "report.json").stat().st_mode) == 0o600


def test_out_naming_a_file_is_refused_in_one_line(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    r = _validate(_drop(tmp_path / "a", bad_sex=1), target)
    assert r.exit_code == 3
    assert (
        r.stderr.strip().startswith("kizuki: error: ") and len(r.stderr.strip().splitlines()) == 1
    )
    assert target.read_text() == "x"


@pytest.mark.parametrize("limit", ["nan", "-0.1", "1.5", "inf"])
def test_a_nan_or_out_of_range_reject_limit_is_a_usage_error(tmp_path: Path, limit: str) -> None:
    out = tmp_path / "out"
    r = runner.invoke(
        app,
        [
            "validate",
            str(_drop(tmp_path / "a", bad_sex=150)),
            "--out",
            str(out),
            "--reject-limit",
            limit,
        ],
    )
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "reject-limit" in lines[0]
    assert not out.exists()
