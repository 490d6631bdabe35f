"""The checklist names features: a name the configured windows no longer give is a ConfigError."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kizuki.checklist import load_checklist_config
from kizuki.checklist.items import check_feature_names
from kizuki.config import validate_config
from kizuki.errors import ConfigError
from kizuki.features.config import FeatureConfig, default_feature_config
from kizuki.features.registry import REGISTRY, feature_specs


def _write(folder: Path, name: str, data: dict) -> None:
    (folder / f"{name}.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def _checklist_raw() -> dict:
    return load_checklist_config().model_dump(mode="json")


def _key_of(raw: dict, feature: str) -> str:
    for i, item in enumerate(raw["items"]):
        for part in ("all", "any"):
            for j, c in enumerate(item[part]):
                if c["feature"] == feature:
                    return f"items.{i}.{part}.{j}.feature"
    raise LookupError(feature)


@pytest.fixture
def moved_dir(tmp_path: Path) -> Path:
    """A config folder: the committed checklist, features with a 2-month recent school window."""
    feats = default_feature_config().model_dump(mode="json") | {"school_windows_months": [1, 2, 12]}
    _write(tmp_path, "features", feats)
    _write(tmp_path, "checklist", _checklist_raw())
    return tmp_path


def test_a_window_change_makes_the_checklist_name_a_missing_feature(moved_dir: Path) -> None:
    key = _key_of(_checklist_raw(), "late_rate_3m")
    with pytest.raises(ConfigError) as err:
        load_checklist_config(moved_dir)
    msg = str(err.value)
    assert f"field '{key}'" in msg and "unknown feature 'late_rate_3m'" in msg
    assert "did you mean 'late_rate_2m'" in msg and "checklist.yaml" in msg


def test_the_checklist_follows_the_renamed_feature(moved_dir: Path) -> None:
    raw = _checklist_raw()
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    (moved_dir / "checklist.yaml").write_text(
        text.replace("late_rate_3m", "late_rate_2m"), encoding="utf-8"
    )
    cfg = load_checklist_config(moved_dir)
    assert "late_rate_2m" in {f for i in cfg.items for f in i.features()}
    # the same file under the default windows names a feature that does not exist
    with pytest.raises(ConfigError, match=r"unknown feature 'late_rate_2m'"):
        load_checklist_config(moved_dir, features=default_feature_config())


def test_an_explicit_feature_config_is_used(moved_dir: Path) -> None:
    moved = validate_config(
        FeatureConfig,
        default_feature_config().model_dump(mode="json") | {"care_rise_window_months": 6},
    )
    key = _key_of(_checklist_raw(), "ltc_rise_12m")
    with pytest.raises(ConfigError, match=rf"field '{key}'.*'ltc_rise_12m'"):
        load_checklist_config(None, features=moved)


def test_every_feature_item_must_be_in_the_checklist() -> None:
    raw = _checklist_raw()
    raw["items"] = [i for i in raw["items"] if i["id"] != "school_aid"]
    from kizuki.checklist.items import ChecklistConfig

    cfg = validate_config(ChecklistConfig, raw)
    with pytest.raises(ConfigError, match=r"'school_aid_level' belongs to item 'school_aid'"):
        check_feature_names(cfg, REGISTRY)
    check_feature_names(load_checklist_config(), feature_specs())
