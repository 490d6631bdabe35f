"""drop.yaml at the door (contract v2 §1), through the real CLI: synth writes one, a drop
without one (or with an undeclared table) is refused with missing_legal_basis unless
--accept-undeclared, which says so loudly and records it; a wrong check digit refuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

runner = CliRunner()


@pytest.fixture(scope="module")
def synth_drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("declared") / "drop"
    write_drop(generate(make_spec("uken", 200, 24, 3)), out, "parquet")
    return out


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("truth"))
    return dst


def _validate(drop: Path, out: Path, *extra: str):
    return runner.invoke(app, ["validate", str(drop), "--out", str(out), *extra])


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_synth_writes_a_drop_yaml_that_validates(tmp_path: Path) -> None:
    r = runner.invoke(app, ["synth", "--preset", "uken", "--months", "24", "--out", str(tmp_path / "u")])
    assert r.exit_code == 0, r.output
    doc = yaml.safe_load((tmp_path / "u" / "drop.yaml").read_text(encoding="utf-8"))
    assert doc["contract_version"] == 2
    assert doc["municipality"] == {"code": "465259", "name": "宇検村"}
    assert str(doc["extracted_on"]) == "2026-09-30"
    tables = {p.stem for p in (tmp_path / "u").glob("*.parquet")}
    assert set(doc["tables"]) == tables
    assert all(e["purpose"] and e["legal_basis"] and e["source"] for e in doc["tables"].values())
    v = _validate(tmp_path / "u", tmp_path / "v")
    assert v.exit_code == 0, v.output
    rec = _report(tmp_path / "v")["declaration"]
    assert rec["municipality"] == {"code": "465259", "name": "宇検村"}
    assert rec["accepted_undeclared"] is False and "undeclared" not in rec["tables"].values()
    assert "UNDECLARED" not in v.stderr


def test_scaled_and_default_presets_name_their_municipality(tmp_path: Path) -> None:
    assert make_spec("ashiya", None, None, None).municipality_code == "282065"
    assert make_spec("ashiya", None, None, None).municipality_name == "芦屋市"
    scaled = make_spec("ashiya", 150, 24, 2)  # not Ashiya any more: a fictional city
    assert (scaled.municipality_code, scaled.municipality_name) == ("990019", "架空市（合成データ）")
    assert make_spec("city", None, None, None).municipality_code == "990019"
    r = runner.invoke(app, ["synth", "--households", "150", "--months", "24", "--out", str(tmp_path / "g")])
    assert r.exit_code == 0, r.output
    doc = yaml.safe_load((tmp_path / "g" / "drop.yaml").read_text(encoding="utf-8"))
    assert doc["municipality"]["code"] == "990019"


def test_a_drop_without_drop_yaml_is_refused_then_accepted_with_the_flag(
    synth_drop: Path, tmp_path: Path
) -> None:
    drop = _copy(synth_drop, tmp_path / "v1")
    (drop / "drop.yaml").unlink()
    r = _validate(drop, tmp_path / "out")
    assert r.exit_code == 3
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("kizuki: error: drop refused: residents, tax, care")
    assert "[missing_legal_basis]" in last and "--accept-undeclared" in last
    assert "Traceback" not in r.output
    assert "drop_yaml_missing" in r.stdout

    ok = _validate(drop, tmp_path / "out2", "--accept-undeclared")
    assert ok.exit_code == 0, ok.output
    warning = [line for line in ok.stderr.splitlines() if line.startswith("WARNING: UNDECLARED")]
    assert len(warning) == 1 and "no drop.yaml" in warning[0] and "residents" in warning[0]
    rec = _report(tmp_path / "out2")["declaration"]
    assert rec["file"] is None and rec["accepted_undeclared"] is True
    assert set(rec["tables"].values()) == {"undeclared"}
    assert "UNDECLARED (ACCEPTED UNDECLARED)" in ok.stdout


def test_a_table_without_its_legal_basis_is_refused_naming_only_that_table(
    synth_drop: Path, tmp_path: Path
) -> None:
    drop = _copy(synth_drop, tmp_path / "d")
    doc = yaml.safe_load((drop / "drop.yaml").read_text(encoding="utf-8"))
    secret_purpose = doc["tables"]["school"]["purpose"]
    del doc["tables"]["school"]["legal_basis"]
    del doc["tables"]["utility"]
    (drop / "drop.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    r = _validate(drop, tmp_path / "o")
    assert r.exit_code == 3
    last = r.stderr.strip().splitlines()[-1]
    assert "school, utility:" in last and "[missing_legal_basis] (2 tables)" in last
    assert "residents" not in last
    ok = _validate(drop, tmp_path / "o2", "--accept-undeclared")
    assert ok.exit_code == 0, ok.output
    rec = _report(tmp_path / "o2")["declaration"]
    assert rec["tables"]["school"] == rec["tables"]["utility"] == "undeclared"
    assert rec["tables"]["residents"]["legal_basis"]
    assert secret_purpose not in r.stderr  # the line names tables and rules only


@pytest.mark.parametrize(
    ("edit", "rule"),
    [
        (lambda d: d["municipality"].update(code="282064"), "municipality_code_check_digit"),
        (lambda d: d.update(contract_version=3), "unsupported_contract_version"),
        (lambda d: d.pop("extracted_on"), "drop_yaml_field_missing"),
    ],
)
def test_a_wrong_check_digit_or_field_refuses_even_with_the_flag(
    synth_drop: Path, tmp_path: Path, edit, rule: str
) -> None:
    drop = _copy(synth_drop, tmp_path / "d")
    doc = yaml.safe_load((drop / "drop.yaml").read_text(encoding="utf-8"))
    edit(doc)
    (drop / "drop.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    for extra in ((), ("--accept-undeclared",)):
        r = _validate(drop, tmp_path / "o", *extra)
        assert r.exit_code == 3, r.output
        last = r.stderr.strip().splitlines()[-1]
        assert last.startswith("kizuki: error: drop refused: drop.yaml") and f"[{rule}]" in last
        assert "282064" not in last


def test_a_drop_yaml_that_is_not_utf8_yaml_is_one_line_exit_3(synth_drop: Path, tmp_path: Path) -> None:
    drop = _copy(synth_drop, tmp_path / "d")
    (drop / "drop.yaml").write_bytes("municipality: 芦屋市\n".encode("cp932"))
    r = _validate(drop, tmp_path / "o")
    assert r.exit_code == 3 and "[invalid_drop_yaml]" in r.stderr.strip().splitlines()[-1]
    (drop / "drop.yaml").write_text("tables: [unclosed\n", encoding="utf-8")
    r = _validate(drop, tmp_path / "o")
    assert r.exit_code == 3 and "[invalid_drop_yaml]" in r.stderr
    assert "Traceback" not in r.output


def test_features_and_train_refuse_an_undeclared_drop_too(
    synth_drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIZUKI_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.chdir(tmp_path)
    drop = _copy(synth_drop, tmp_path / "v1")
    (drop / "drop.yaml").unlink()
    f = runner.invoke(
        app, ["features", str(drop), "--as-of", "2026-03-31", "--out", str(tmp_path / "f.parquet")]
    )
    assert f.exit_code == 3 and "missing_legal_basis" in f.stderr
    assert not (tmp_path / "f.parquet").exists()
    t = runner.invoke(app, ["train", str(drop), "--as-of", "2026-09-30"])
    assert t.exit_code == 3 and "missing_legal_basis" in t.stderr
    ok = runner.invoke(
        app,
        ["features", str(drop), "--as-of", "2026-03-31", "--out", str(tmp_path / "f.parquet"), "--accept-undeclared"],
    )
    assert ok.exit_code == 0, ok.output
    assert "WARNING: UNDECLARED" in ok.stderr and (tmp_path / "f.parquet").exists()


def test_monitor_and_audit_read_an_undeclared_outcomes_drop_only_with_the_flag(
    synth_drop: Path, tmp_path: Path, factory
) -> None:
    import datetime as dt

    run = factory.fabricate_run(
        tmp_path / "run",
        factory.frame_generator(300, 1),
        as_of=dt.date(2026, 3, 31),
        inputs={"residents": {"present": True, "rows_read": 300, "rows_rejected": 0}},
    )
    drop = _copy(synth_drop, tmp_path / "v1")
    (drop / "drop.yaml").unlink()
    for cmd in (
        ["monitor", "--runs", str(run), "--outcomes", str(drop), "--out", str(tmp_path / "p")],
        ["audit", "--run", str(run), "--outcomes", str(drop), "--out", str(tmp_path / "a")],
    ):
        r = runner.invoke(app, [*cmd, "--no-track"])
        assert r.exit_code == 3 and "[missing_legal_basis]" in r.stderr, r.output
        ok = runner.invoke(app, [*cmd, "--no-track", "--accept-undeclared"])
        assert ok.exit_code in (0, 4), ok.output  # read; 4 only if a configured check fired
        assert "WARNING: UNDECLARED" in ok.stderr
