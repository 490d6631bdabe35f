"""monitor.yaml keys that name features or scores are checked against what exists.

Before, a typo in ``drift.exclude`` or ``drift.practical_overrides`` was silently
ignored: the feature stayed tested, or kept the default threshold.
"""

from __future__ import annotations

from typing import Any

import pytest

from kizuki.config import validate_config
from kizuki.contract.schema import ISSUES
from kizuki.errors import ConfigError
from kizuki.features.registry import BY_NAME
from kizuki.monitor.config import MonitorConfig, load_monitor_config


def _raw(**drift: Any) -> dict[str, Any]:
    raw = load_monitor_config().model_dump(mode="json")
    raw["drift"] |= drift
    return raw


@pytest.mark.parametrize(
    ("drift", "field", "key"),
    [
        ({"exclude": ["water_last_vs_medain"]}, "exclude", "water_last_vs_medain"),
        ({"practical_overrides": {"water_flat_month_6m": 1.0}}, "practical_overrides", "water_flat_month_6m"),
        ({"practical_overrides": {"eight_050": 1.0}}, "practical_overrides", "eight_050"),
        ({"exclude": ["eight050"]}, "exclude", "eight050"),  # scores are not excluded this way
    ],
)
def test_an_unknown_feature_key_is_a_config_error_quoting_it(
    drift: dict[str, Any], field: str, key: str
) -> None:
    with pytest.raises(ConfigError, match=rf"monitor\.yaml: field 'drift\.{field}': .*unknown .*'{key}'"):
        validate_config(MonitorConfig, _raw(**drift), "monitor.yaml")


def test_the_error_suggests_the_nearest_feature() -> None:
    with pytest.raises(ConfigError, match="did you mean 'water_last_vs_median'"):
        validate_config(MonitorConfig, _raw(exclude=["water_last_vs_medain"]), "monitor.yaml")


def test_every_feature_the_district_and_every_issue_score_are_accepted() -> None:
    overrides = {**dict.fromkeys(BY_NAME, 0.5), "district": 0.4, **dict.fromkeys(ISSUES, 0.3)}
    cfg = validate_config(
        MonitorConfig, _raw(exclude=[*BY_NAME, "district"], practical_overrides=overrides)
    )
    assert cfg.drift.practical("district", False) == 0.4
    assert cfg.drift.practical(ISSUES[0], False) == 0.3
    assert cfg.drift.practical("water_last_vs_median", True) == 0.5
