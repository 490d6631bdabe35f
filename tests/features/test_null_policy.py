"""Declared null policies are what the frame does; the dictionary and the monitor read them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from kizuki.checklist import load_checklist_config
from kizuki.checklist.dictionary import dictionary_frame
from kizuki.contract.schema import TABLES
from kizuki.features.build import build_features
from kizuki.features.care import last_known_claim_month
from kizuki.features.config import default_feature_config
from kizuki.features.registry import BY_NAME, REGISTRY
from kizuki.features.spec import NullPolicy
from kizuki.io.drop import load_drop
from kizuki.monitor.quality import coverage_features

T = dt.date(2026, 3, 31)
OPTIONAL = ("care", "care_usage", "tax", "utility", "school")


@pytest.fixture(scope="module")
def variants(small_drop: tuple[Path, Path]) -> dict[str, tuple[set[str], pl.DataFrame]]:
    """The small drop whole and without each optional table: (tables present, features)."""
    tables = load_drop(small_drop[0]).tables
    cfg = default_feature_config()
    out = {"whole": (set(tables), build_features(tables, T, cfg))}
    for name in OPTIONAL:
        sub = {k: v for k, v in tables.items() if k != name}
        out[f"without {name}"] = (set(sub), build_features(sub, T, cfg))
    return out


@pytest.mark.parametrize("feature", [f.name for f in REGISTRY])
def test_the_frame_keeps_the_declared_null_policy(
    variants: dict[str, tuple[set[str], pl.DataFrame]], feature: str
) -> None:
    f = BY_NAME[feature]
    policy = f.null_policy
    for label, (present, frame) in variants.items():
        nulls = frame[feature].null_count()
        sources_present = set(f.tables) <= present
        if policy in (NullPolicy.NEVER_NULL, NullPolicy.ZERO_WHEN_MISSING):
            assert nulls == 0, (feature, label)
        elif policy.needs_sources:
            assert nulls == (0 if sources_present else frame.height), (feature, label)
        elif not sources_present:
            assert nulls == frame.height, (feature, label)
        if policy is NullPolicy.ZERO_WHEN_MISSING or (policy.needs_sources and sources_present):
            # "without rows" really reads as 0 / False: some household has the fill value
            assert (frame[feature] == policy.fill_value).any(), (feature, label)


def test_recent_certification_is_null_without_a_care_table_and_says_so(
    variants: dict[str, tuple[set[str], pl.DataFrame]],
) -> None:
    f = BY_NAME["recent_certification"]
    assert f.null_policy is NullPolicy.FALSE_WHEN_SOURCE_PRESENT
    _, without = variants["without care"]
    assert without["recent_certification"].null_count() == without.height
    _, whole = variants["whole"]
    assert whole["recent_certification"].null_count() == 0
    d = dictionary_frame(load_checklist_config())
    row = d.filter(pl.col("feature") == "recent_certification").row(0, named=True)
    assert "null without the care table" in row["nulls"]
    assert not row["nulls"].startswith("never")


def test_no_service_months_are_unknown_without_care_usage(
    variants: dict[str, tuple[set[str], pl.DataFrame]],
) -> None:
    # "no service for 3 months" cannot be said without the claims: null, not 0
    _, without = variants["without care_usage"]
    assert without["certified_no_service_months"].null_count() == without.height
    _, whole = variants["whole"]
    assert whole["certified_no_service_months"].null_count() == 0


def test_the_dictionary_writes_each_declared_policy() -> None:
    d = dictionary_frame(load_checklist_config())
    assert d["feature"].to_list() == [f.name for f in REGISTRY]
    for f, text in zip(REGISTRY, d["nulls"], strict=True):
        assert text == f.null_policy.describe(f.tables)
        assert text.startswith(f.null_policy.value)


def test_coverage_reads_the_declared_policy() -> None:
    covered = coverage_features(REGISTRY)
    assert covered == {
        "residents": ["head_sex", "nationality"],
        "tax": ["n_adults_not_filed", "all_adults_nontaxable", "household_income_yen"],
        "utility": [
            "unpaid_yen_latest",
            "unpaid_growth_3m",
            "water_recent",
            "water_change_yoy",
            "water_last_vs_median",
            "water_cv_12m",
        ],
        "school": [
            "absence_rate_1m",
            "absence_rate_3m",
            "absence_rate_12m",
            "absence_trend",
            "late_rate_3m",
            "absent_days_school_year",
            "long_absence_pace",
            "school_aid_level",
        ],
    }
    # the policy decides, whatever the words: a flag filled with False is no sign of rows
    flipped = [
        dataclasses.replace(
            BY_NAME["water_recent"], null_policy=NullPolicy.ZERO_WHEN_SOURCE_PRESENT
        ),
        dataclasses.replace(BY_NAME["recent_certification"], null_policy=NullPolicy.KEEP_NULL),
    ]
    assert coverage_features(flipped) == {"care": ["recent_certification"]}


def test_the_claim_lag_comes_from_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    assert last_known_claim_month(dt.date(2026, 3, 31)) == dt.date(2026, 1, 1)
    assert last_known_claim_month(dt.date(2026, 3, 30)) == dt.date(2025, 12, 1)
    usage = TABLES["care_usage"]
    later = dataclasses.replace(usage, knowledge=dataclasses.replace(usage.knowledge, lag_months=3))
    monkeypatch.setitem(TABLES, "care_usage", later)
    assert last_known_claim_month(dt.date(2026, 3, 31)) == dt.date(2025, 12, 1)
