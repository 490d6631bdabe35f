"""Features as of T use only what was known on T — for every declared feature, under the
default windows and under moved ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import yaml

from kizuki.config import validate_config
from kizuki.contract.schema import TABLES
from kizuki.features.build import build_features
from kizuki.features.config import FeatureConfig, load_feature_config
from kizuki.features.registry import PROTECTED, REGISTRY, feature_specs, model_inputs
from kizuki.io.drop import load_drop

T = dt.date(2026, 3, 31)
CFG = load_feature_config()
_MOVED = yaml.safe_load((Path(__file__).parent / "data" / "moved_windows.yaml").read_text("utf-8"))
CONFIGS: dict[str, FeatureConfig] = {
    "default": CFG,
    "moved": validate_config(FeatureConfig, CFG.model_dump(mode="json") | _MOVED),
}
#: (config, feature) for every feature declared under each config
SPECS = [(c, f.name) for c, cfg in CONFIGS.items() for f in feature_specs(cfg)]


@pytest.fixture(scope="module")
def all_frames(small_drop: tuple[Path, Path]) -> dict[str, dict[str, pl.DataFrame]]:
    """Per config: the frames of :func:`_frames`."""
    return {c: _frames(small_drop, cfg) for c, cfg in CONFIGS.items()}


@pytest.fixture(scope="module")
def frames(all_frames: dict[str, dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    return all_frames["default"]


def _frames(small_drop: tuple[Path, Path], config: FeatureConfig) -> dict[str, pl.DataFrame]:
    pq, jp = small_drop
    full = load_drop(pq).tables
    # the same drop with every row known after T removed, and residents' later ends unknown
    cut = {name: f.filter(pl.col("known_on") <= T) for name, f in full.items()}
    cut["residents"] = cut["residents"].with_columns(
        valid_to=pl.when(pl.col("valid_to") > T).then(None).otherwise(pl.col("valid_to")),
        end_reason=pl.when(pl.col("valid_to") > T).then(None).otherwise(pl.col("end_reason")),
    )
    # and a drop that holds later rows of every kind on purpose (late claims, late tax records)
    return {
        "full": build_features(full, T, config),
        "cut": build_features(cut, T, config),
        "jp": build_features(load_drop(jp).tables, T, config),
    }


@pytest.mark.parametrize(("config", "feature"), SPECS)
def test_rows_known_after_T_do_not_change_the_feature(
    all_frames: dict[str, dict[str, pl.DataFrame]], config: str, feature: str
) -> None:
    frames = all_frames[config]
    a = frames["full"].select("household_id", feature)
    b = frames["cut"].select("household_id", feature)
    assert a.equals(b), f"{feature} changes when rows known after T are removed"


@pytest.mark.parametrize(("config", "feature"), SPECS)
def test_feature_reads_only_contract_columns(config: str, feature: str) -> None:
    f = next(x for x in feature_specs(CONFIGS[config]) if x.name == feature)
    assert f.sources, feature
    for table, column in f.sources:
        assert table in TABLES and column in TABLES[table].names, (feature, table, column)


@pytest.mark.parametrize(("config", "feature"), SPECS)
def test_parquet_and_csv_jp_give_identical_features(
    all_frames: dict[str, dict[str, pl.DataFrame]], config: str, feature: str
) -> None:
    frames = all_frames[config]
    assert (
        frames["full"]
        .select("household_id", feature)
        .equals(frames["jp"].select("household_id", feature))
    )


def test_every_model_input_belongs_to_a_checklist_item_and_protected_never_enter() -> None:
    inputs = model_inputs()
    for name in PROTECTED:
        assert name not in inputs
    for f in REGISTRY:
        if f.name in inputs:
            assert f.item is not None, f.name
    assert "nationality" not in inputs


def test_one_row_per_household_on_T(frames: dict[str, pl.DataFrame]) -> None:
    f = frames["full"]
    assert f["household_id"].n_unique() == f.height
    assert (f["as_of"] == T).all()
    assert [c.name for c in REGISTRY] == f.columns[3:]


def test_a_later_as_of_sees_more_water_history(small_drop: tuple[Path, Path]) -> None:
    tables = load_drop(small_drop[0]).tables
    early = build_features(tables, dt.date(2023, 3, 31), CFG)
    assert (
        early["water_change_yoy"].null_count()
        > build_features(tables, T, CFG)["water_change_yoy"].null_count()
    )
