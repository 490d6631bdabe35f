"""``why:`` beside every consequential setting (issue 16 item 2): required on load, naming
file and key; never part of the config hash (runs done before stay "already done")."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from kizuki.cli.main import app
from kizuki.config import config_hash, load_config, packaged_text, validate_config, without_why
from kizuki.errors import ConfigRefused
from kizuki.governance.settings import MODELS

runner = CliRunner()

#: the settings issue 16 names, as (file, key): each must carry a reason
NAMED = {
    ("shortlist.yaml", "capacity.default.share"),  # capacity share
    ("model.yaml", "pu_alpha"),  # selective-label weight
    ("shortlist.yaml", "priority"),  # list ordering rule
    ("model.yaml", "explore_share"),  # exploration share
    ("monitor.yaml", "fail_on"),  # alert thresholds
    ("monitor.yaml", "drift.practical_psi"),
    ("monitor.yaml", "drift.district_practical_psi"),
    ("monitor.yaml", "reasons.practical_psi"),
    ("audit.yaml", "alerts.recall_ratio_below"),
    ("model.yaml", "isotonic_min_positives"),  # minimum cases
    ("audit.yaml", "min_cell"),  # suppression size
    ("community.yaml", "min_cell"),
}


def _cls(name: str) -> type[BaseModel]:
    module, cls = MODELS[name]
    return getattr(importlib.import_module(module), cls)


def _required(model: BaseModel, prefix: str = "") -> Iterator[str]:
    """Key paths of the settings of ``model`` (and its sections) that need a reason."""
    for key in getattr(type(model), "_why_required", ()):
        if getattr(model, key) is not None:
            yield prefix + key
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _required(value, f"{prefix}{name}.")
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, BaseModel):
                    yield from _required(v, f"{prefix}{name}.{k}.")


def required_settings() -> list[tuple[str, str]]:
    """(file, key path) of every setting of the packaged configs that must carry a why."""
    return sorted(
        (f"{name}.yaml", key) for name in MODELS for key in _required(load_config(_cls(name), name))
    )


def _drop_why(raw: dict[str, Any], key: str) -> None:
    *path, last = key.split(".")
    node = raw
    for p in path:
        node = node[p]
    del node["why"][last]


def test_every_setting_the_issue_names_carries_a_reason() -> None:
    assert set(required_settings()) >= NAMED


@pytest.mark.parametrize("file_key", required_settings(), ids=lambda fk: f"{fk[0]}:{fk[1]}")
def test_a_setting_without_its_why_is_refused_naming_file_and_key(
    file_key: tuple[str, str], tmp_path: Path
) -> None:
    file, key = file_key
    name = file.removesuffix(".yaml")
    raw = yaml.safe_load(packaged_text(name))
    _drop_why(raw, key)
    (tmp_path / file).write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigRefused) as err:
        load_config(_cls(name), name, tmp_path)
    assert err.value.exit_code == 3
    msg = str(err.value)
    assert file in msg and f"'{key.split('.')[-1]}' has no why" in msg, msg
    section = ".".join(key.split(".")[:-1])
    if section:
        assert f"field '{section}'" in msg, msg
    assert "\n" not in msg


def test_built_in_code_a_config_needs_no_reason() -> None:
    # a model file's copy of its config, a test's config: reasons are required on load only
    raw = yaml.safe_load(packaged_text("model"))
    raw.pop("why")
    assert validate_config(_cls("model"), raw).why == {}
    with pytest.raises(Exception, match="has no why"):
        validate_config(_cls("model"), raw, require_why=True)


def test_a_why_that_names_no_setting_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(packaged_text("community"))
    raw["why"]["min_cel"] = "a typo"
    (tmp_path / "community.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigRefused, match="why: 'min_cel' names no setting"):
        load_config(_cls("community"), "community", tmp_path)


def test_train_with_a_config_missing_a_why_exits_3_before_reading_the_drop(tmp_path: Path) -> None:
    raw = yaml.safe_load(packaged_text("shortlist"))
    _drop_why(raw, "priority")
    (tmp_path / "shortlist.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    r = runner.invoke(
        app, ["--config-dir", str(tmp_path), "train", str(tmp_path / "no-drop"), "--as-of", "2026-09-30"]
    )
    assert r.exit_code == 3, r.output
    assert "Traceback" not in r.output
    err = [line for line in r.stderr.splitlines() if line.startswith("kizuki: error:")]
    assert len(err) == 1 and "shortlist.yaml" in err[0] and "'priority' has no why" in err[0]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_reasons_do_not_change_the_config_hash(name: str) -> None:
    cls = _cls(name)
    loaded = load_config(cls, name)
    dump = loaded.model_dump(mode="json")
    bare = validate_config(cls, without_why(dump))
    assert config_hash(loaded) == config_hash(bare)

    def reword(v: Any) -> Any:
        if isinstance(v, dict):
            return {
                k: ({s: "reworded" for s in x} if k == "why" and isinstance(x, dict) else reword(x))
                for k, x in v.items()
            }
        return [reword(x) for x in v] if isinstance(v, list) else v

    reworded = validate_config(cls, reword(dump))
    assert config_hash(reworded) == config_hash(loaded)
    # a value change still changes it
    if name == "model":
        assert config_hash(validate_config(cls, dump | {"pu_alpha": 0.5})) != config_hash(loaded)


def test_the_hash_is_the_one_of_the_same_config_without_any_why_text() -> None:
    # what a run recorded before the reasons existed: the same values, no why keys at all
    for name in ("model", "shortlist", "monitor", "audit", "community", "validation"):
        text = packaged_text(name)
        raw = yaml.safe_load(text)
        stripped = without_why(raw)
        assert "why" not in str(stripped.keys())
        before = validate_config(_cls(name), stripped)
        assert config_hash(before) == config_hash(load_config(_cls(name), name)), name
