"""shortlist.yaml ``capacity.districts`` keys name districts of the drop, checked at the
start of scoring. Before, a typo left that district on the default capacity silently
(only the manifest listed it)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from kizuki.config import validate_config
from kizuki.errors import ConfigError
from kizuki.pipeline.score_core import score_frames
from kizuki.shortlist import ShortlistConfig


def _config(districts: dict[str, dict[str, int]]) -> ShortlistConfig:
    raw = {"config_version": 1, "capacity": {"default": {"count": 6}, "districts": districts}}
    return validate_config(ShortlistConfig, raw)


def test_a_capacity_for_a_district_nobody_lives_in_is_a_config_error_quoting_it(
    tiny_models, kit
) -> None:
    features = kit.make_features(200, seed=7)
    known = pl.DataFrame(schema={"household_id": pl.String, "issue": pl.String})
    for districts in ({"東地域": {"count": 2}}, {"東地区": {"count": 2}, "西地区": {"count": 1}}):
        bad = next(d for d in districts if d not in kit.DISTRICTS)
        with pytest.raises(ConfigError, match=f"capacity.districts names district '{bad}'"):
            score_frames(
                features, known, tiny_models, kit.RuleChecklist(), kit.ITEMS, kit.TEXTS,
                _config(districts), date(2026, 3, 31),
            )


def test_known_districts_pass_the_check() -> None:
    cfg = _config({"東地区": {"count": 2}})
    cfg.check_districts(["北地区", "東地区", None])
    assert cfg.unknown_districts(["北地区"]) == ["東地区"]
