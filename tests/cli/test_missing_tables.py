"""Missing tables follow the configured policy (configs/validation.yaml missing_tables),
and a scoring run records its drop.yaml declaration, through the real CLI with a real
(quickly trained) model.

Before: scoring a drop that held only residents, or lacked utility, exited 0 with one
WARNING line. Now by default: tax, care or utility absent → refused (exit 3) before any
work; school, care_usage or outcomes absent → the run completes, records it and exits 4;
``allow`` → a warning only; the manifest records the missing tables and the policy.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kizuki.checklist import load_checklist_config
from kizuki.cli.main import app
from kizuki.config.validation import DEFAULT_MISSING_TABLES, load_validation_config
from kizuki.contract.schema import MISSING_TABLE_DEFAULT
from kizuki.features.config import load_feature_config
from kizuki.io.drop import load_drop
from kizuki.model.artifact import save_models
from kizuki.model.config import ModelConfig, load_model_config
from kizuki.pipeline.train import train
from kizuki.synth.generate import generate
from kizuki.synth.presets import make_spec
from kizuki.synth.write import write_drop

runner = CliRunner()
AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("policy") / "drop"
    write_drop(generate(make_spec("uken", 400, 36, 11)), out, "parquet")
    return out


@pytest.fixture(scope="module")
def model_dir(drop: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = load_model_config().model_dump(mode="json")
    raw["lightgbm"] |= {"max_rounds": 20, "early_stopping_rounds": 5}
    cfg = ModelConfig.model_validate(raw | {"max_train_dates": 2})
    result = train(
        load_drop(drop),
        dt.date(2026, 9, 30),
        cfg,
        load_feature_config(),
        load_checklist_config(),
        compare_without_pu=False,
    )
    return save_models(result.model, tmp_path_factory.mktemp("model") / "model")


def _without(drop: Path, dst: Path, *tables: str) -> Path:
    shutil.copytree(drop, dst, ignore=shutil.ignore_patterns("truth"))
    for t in tables:
        (dst / f"{t}.parquet").unlink()
    return dst


def _score(drop: Path, out: Path, model: Path, *extra: str):
    return runner.invoke(
        app,
        ["score", str(drop), "--as-of", AS_OF, "--out", str(out), "--model", str(model), *extra],
    )


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_the_packaged_policy_is_the_stated_default() -> None:
    assert load_validation_config().missing_tables == DEFAULT_MISSING_TABLES == MISSING_TABLE_DEFAULT


def test_a_complete_drop_scores_with_exit_0_and_its_declaration_in_the_manifest(
    drop: Path, model_dir: Path, tmp_path: Path
) -> None:
    r = _score(drop, tmp_path / "run", model_dir)
    assert r.exit_code == 0, r.output
    d = _manifest(tmp_path / "run")["drop"]
    assert d["missing_tables"] == [] and d["missing_table_policy"] == {}
    decl = d["declaration"]
    assert decl["file"] == "drop.yaml" and decl["contract_version"] == 2
    assert decl["municipality"] == {"code": "990019", "name": "架空市（合成データ）"}
    assert decl["accepted_undeclared"] is False
    assert set(decl["tables"]) == {p.stem for p in drop.glob("*.parquet")}
    assert all(t["purpose"] and t["legal_basis"] and t["source"] for t in decl["tables"].values())


@pytest.mark.parametrize(
    "absent",
    [("utility",), ("tax",), ("care",), ("tax", "care", "care_usage", "school", "utility", "outcomes")],
)
def test_a_table_most_features_need_is_refused_with_exit_3(
    drop: Path, model_dir: Path, tmp_path: Path, absent: tuple[str, ...]
) -> None:
    broken = _without(drop, tmp_path / "drop", *absent)
    r = _score(broken, tmp_path / "run", model_dir)
    assert r.exit_code == 3, r.output
    last = r.stderr.strip().splitlines()[-1]
    assert "[required_table_missing]" in last and "Traceback" not in r.output
    refused = [t for t in absent if DEFAULT_MISSING_TABLES[t] == "refuse"]
    assert last.startswith(f"kizuki: error: drop refused: {', '.join(refused)}")
    assert not (tmp_path / "run" / "manifest.json").exists()
    v = runner.invoke(app, ["validate", str(broken), "--out", str(tmp_path / "v")])
    assert v.exit_code == 3 and "required_table_missing" in v.stdout


def test_an_alert_table_missing_completes_records_and_exits_4(
    drop: Path, model_dir: Path, tmp_path: Path
) -> None:
    broken = _without(drop, tmp_path / "drop", "school")
    r = _score(broken, tmp_path / "run", model_dir)
    assert r.exit_code == 4, r.output
    assert "score: ALERT table 'school' is absent" in r.stderr
    assert r.stderr.strip().splitlines()[-1] == "kizuki: error: score: 1 alert: missing_table school"
    d = _manifest(tmp_path / "run")["drop"]  # the run is complete
    assert d["missing_tables"] == ["school"] and d["missing_table_policy"] == {"school": "alert"}
    v = runner.invoke(app, ["validate", str(broken), "--out", str(tmp_path / "v")])
    assert v.exit_code == 4 and "school: alert" in v.stdout


def test_allow_is_a_warning_only_and_still_recorded(
    drop: Path, model_dir: Path, tmp_path: Path
) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "validation.yaml").write_text(
        "config_version: 1\nmissing_tables:\n  utility: allow\n  school: allow\n", encoding="utf-8"
    )
    broken = _without(drop, tmp_path / "drop", "utility", "school")
    r = runner.invoke(
        app,
        ["--config-dir", str(cfg), "score", str(broken), "--as-of", AS_OF,
         "--out", str(tmp_path / "run"), "--model", str(model_dir)],
    )
    assert r.exit_code == 0, r.output
    assert "WARNING: tables absent from the drop: school, utility" in r.stderr
    d = _manifest(tmp_path / "run")["drop"]
    assert d["missing_table_policy"] == {"school": "allow", "utility": "allow"}
    # a table the file does not name keeps its default: tax is still refused
    r = runner.invoke(
        app,
        ["--config-dir", str(cfg), "score", str(_without(drop, tmp_path / "d2", "tax")),
         "--as-of", AS_OF, "--out", str(tmp_path / "run2"), "--model", str(model_dir)],
    )
    assert r.exit_code == 3 and "tax" in r.stderr


def test_an_unknown_table_or_action_in_the_policy_is_a_refused_config(
    drop: Path, tmp_path: Path
) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    for body in ("  residents: allow\n", "  water: allow\n", "  utility: maybe\n"):
        (cfg / "validation.yaml").write_text(
            "config_version: 1\nmissing_tables:\n" + body, encoding="utf-8"
        )
        r = runner.invoke(app, ["--config-dir", str(cfg), "validate", str(drop), "--out", str(tmp_path / "v")])
        assert r.exit_code == 3 and "missing_tables" in r.stderr, r.output
        assert len(r.stderr.strip().splitlines()) == 1


def test_an_undeclared_drop_scored_with_the_flag_is_recorded_as_undeclared(
    drop: Path, model_dir: Path, tmp_path: Path
) -> None:
    v1 = _without(drop, tmp_path / "v1")
    (v1 / "drop.yaml").unlink()
    refused = _score(v1, tmp_path / "run", model_dir)
    assert refused.exit_code == 3 and "[missing_legal_basis]" in refused.stderr
    assert not (tmp_path / "run" / "manifest.json").exists()
    r = _score(v1, tmp_path / "run", model_dir, "--accept-undeclared")
    assert r.exit_code == 0, r.output
    assert "WARNING: UNDECLARED tables used without a declared purpose and legal basis" in r.stderr
    decl = _manifest(tmp_path / "run")["drop"]["declaration"]
    assert decl["file"] is None and decl["accepted_undeclared"] is True
    assert decl["tables"] == dict.fromkeys(decl["tables"], "undeclared") and decl["tables"]
