"""Feature specs: declared by the families, collected by the registry, named by the windows."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import yaml

from kizuki.config import validate_config
from kizuki.errors import ConfigError
from kizuki.features import build as build_module
from kizuki.features.asof import cut, households_on
from kizuki.features.build import build_features
from kizuki.features.config import FeatureConfig, default_feature_config, load_feature_config
from kizuki.features.context import Context
from kizuki.features.registry import (
    BY_NAME,
    FAMILIES,
    KEYS,
    REGISTRY,
    check_family_columns,
    family_specs,
    feature_specs,
)
from kizuki.features.spec import Feature, FeatureSpecError, NullPolicy
from kizuki.io.drop import load_drop

T = dt.date(2026, 3, 31)
DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "registry_at_323594a.json"
FEATURES_SRC = Path(build_module.__file__).parent


def changed_windows() -> FeatureConfig:
    """The default config with every window moved (``data/moved_windows.yaml``)."""
    moved = yaml.safe_load((DATA / "moved_windows.yaml").read_text(encoding="utf-8"))
    return validate_config(FeatureConfig, default_feature_config().model_dump(mode="json") | moved)


def _sample_values(f: dict) -> list:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    extra = [12345] if f["kind"] != "number" or "ltc" not in f["name"] else []
    return golden["samples"] + extra


def test_default_specs_are_todays_names_texts_and_phrases() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["features"]
    assert [f.name for f in REGISTRY] == [g["name"] for g in golden]
    for f, g in zip(REGISTRY, golden, strict=True):
        values = _sample_values(g)
        got = {
            "name": f.name,
            "sources": [list(s) for s in f.sources],
            "window": f.window,
            "description_ja": f.description_ja,
            "description_en": f.description_en,
            "item": f.item,
            "model_input": f.model_input,
            "kind": f.kind,
            "phrases": {lang: [f.phrase(v, lang) for v in values] for lang in ("ja", "en")},
        }
        assert got == g, f.name


def test_the_default_config_is_the_committed_file() -> None:
    assert load_feature_config() == default_feature_config()
    assert feature_specs(load_feature_config()) == REGISTRY


def test_names_are_unique_and_audit_groups_come_last() -> None:
    names = [f.name for f in REGISTRY]
    assert len(names) == len(set(names)) and not set(names) & set(KEYS)
    assert {f.name: f for f in REGISTRY} == BY_NAME
    audit = [f.audit_only for f in REGISTRY]
    assert audit == sorted(audit) and audit[-1]
    assert [f.name for f in REGISTRY] == [
        f.name for fam in family_specs().values() for f in fam if not f.audit_only
    ] + [f.name for fam in family_specs().values() for f in fam if f.audit_only]


def _context(small_drop: tuple[Path, Path], config: FeatureConfig) -> Context:
    tables = cut(load_drop(small_drop[0]).tables, T)
    members = households_on(tables["residents"], T)
    return Context(tables=tables, members=members, as_of=T, config=config)


@pytest.mark.parametrize(
    "config", [default_feature_config(), changed_windows()], ids=["default", "moved"]
)
@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_each_family_produces_exactly_the_columns_it_declares(
    small_drop: tuple[Path, Path], family, config: FeatureConfig
) -> None:
    part = family.build(_context(small_drop, config))
    assert part is not None
    declared = family_specs(config)[family.name]
    produced = part.collect().columns
    check_family_columns(family, produced, declared)
    assert set(produced) == {"household_id", *family.keys} | {
        f.name for f in declared if f.derive is None
    }


def test_a_family_that_strays_from_its_declaration_is_named() -> None:
    fam = FAMILIES[3]
    declared = family_specs()[fam.name]
    names = [f.name for f in declared if f.derive is None]
    with pytest.raises(FeatureSpecError, match=r"family 'water' produced column 'water_spare'"):
        check_family_columns(fam, ["household_id", *names, "water_spare"], declared)
    with pytest.raises(
        FeatureSpecError, match=rf"family 'water' declares feature '{names[-1]}' but did not"
    ):
        check_family_columns(fam, ["household_id", *names[:-1]], declared)


def test_the_build_checks_every_family(
    small_drop: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    care = next(f for f in FAMILIES if f.name == "care")

    def leaky(ctx: Context) -> pl.LazyFrame | None:
        part = care.build(ctx)
        return None if part is None else part.with_columns(pl.lit(1).alias("care_helper"))

    families = tuple(dataclasses.replace(f, build=leaky) if f is care else f for f in FAMILIES)
    monkeypatch.setattr(build_module, "FAMILIES", families)
    with pytest.raises(FeatureSpecError, match=r"family 'care' produced column 'care_helper'"):
        build_features(load_drop(small_drop[0]).tables, T, default_feature_config())


def test_names_and_texts_follow_the_configured_windows() -> None:
    moved = {f.name: f for f in feature_specs(changed_windows())}
    for gone in ("absence_rate_3m", "late_rate_3m", "ltc_rise_12m", "member_joined_12m"):
        assert gone not in moved
    for name in ("absence_rate_1m", "absence_rate_2m", "absence_rate_12m", "late_rate_2m"):
        assert name in moved
    assert {"ltc_rise_6m", "member_joined_6m", "member_left_6m", "water_cv_24m"} <= set(moved)
    a = moved["absence_rate_2m"]
    assert (a.window, a.description_ja, a.description_en) == (
        "2 months",
        "直近2か月の欠席率（最も高い子）",
        "absence rate, last 2 months (highest child)",
    )
    assert a.phrase(0.25, "ja") == "直近2か月の欠席率25%"
    assert a.phrase(0.25, "en") == "absent 25% of days over 2 months"
    r = moved["ltc_rise_6m"]
    assert r.description_ja == "この6か月で上がった要介護度の段階数"
    assert r.phrase(2, "ja") == "介護度がこの6か月で2段階上昇"
    assert r.phrase(2, "en") == "care level up 2 steps in 6 months"
    c = moved["recent_certification"]
    assert (c.window, c.description_ja) == ("3 months", "最近3か月以内の初めての要介護認定")
    assert c.phrase(True, "en") == "first certified within 3 months"
    assert moved["certified_no_service_months"].window == "last 2 known claim months"
    assert moved["water_recent"].description_ja == "直近2か月の月平均水道使用量（m³）"
    assert (
        moved["absence_trend"].description_en
        == "rise in absence (2-month rate minus 12-month rate)"
    )
    assert moved["water_last_vs_median"].description_ja.endswith("その世帯の2年の中央値との差")
    assert moved["member_left_6m"].phrase(1, "ja") == "この6か月で1人が転出・死亡等"


def test_the_frame_follows_the_configured_windows(small_drop: tuple[Path, Path]) -> None:
    tables = load_drop(small_drop[0]).tables
    base = build_features(tables, T, default_feature_config())
    moved_cfg = changed_windows()
    moved = build_features(tables, T, moved_cfg)
    assert moved.columns[3:] == [f.name for f in feature_specs(moved_cfg)]
    # the unchanged windows give the same values, the moved ones their own
    assert moved["absence_rate_1m"].equals(base["absence_rate_1m"])
    assert moved["absence_rate_12m"].equals(base["absence_rate_12m"])
    assert not moved["absence_rate_2m"].equals(base["absence_rate_3m"])
    assert not moved["member_joined_6m"].equals(base["member_joined_12m"])


def test_windows_that_would_share_a_name_are_refused() -> None:
    raw = default_feature_config().model_dump(mode="json") | {"school_windows_months": [3, 3, 12]}
    with pytest.raises(ConfigError, match="school_windows_months"):
        validate_config(FeatureConfig, raw)


def test_a_declaration_reading_a_column_outside_the_contract_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kizuki.features import registry

    school = next(f for f in FAMILIES if f.name == "school")

    def bad(cfg: FeatureConfig) -> tuple[Feature, ...]:
        return (
            *school.declare(cfg),
            Feature("x", (("school", "mood"),), "on T", "x", "x", None, NullPolicy.KEEP_NULL),
        )

    families = tuple(dataclasses.replace(f, declare=bad) if f is school else f for f in FAMILIES)
    monkeypatch.setattr(registry, "FAMILIES", families)
    registry.family_specs.cache_clear()
    try:
        with pytest.raises(FeatureSpecError, match=r"'x' of family 'school' reads school.mood"):
            registry.family_specs(changed_windows())
    finally:
        registry.family_specs.cache_clear()


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append(node.module)
        elif isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
    return out


def test_features_do_not_import_the_checklist() -> None:
    for path in sorted(FEATURES_SRC.glob("*.py")):
        bad = [m for m in _imports(path) if m.startswith("kizuki.checklist")]
        assert not bad, (path.name, bad)


def test_month_arithmetic_comes_from_the_calendar_module() -> None:
    for path in sorted(FEATURES_SRC.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "divmod(" not in text and ".year * 12" not in text, path.name
        assert "min(ctx.as_of.day, 28)" not in text, path.name
