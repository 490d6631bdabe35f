"""Reasons: per-item sums are faithful to the model; top items; texts with own values."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from kizuki.errors import ContractError
from kizuki.explain import (
    OTHER_ITEM,
    CatalogTexts,
    ItemRule,
    ItemText,
    compose,
    explain_listed,
    feature_contributions,
    item_contributions,
    top_reasons_by_household,
    top_reasons_by_issue,
)

TEXTS = CatalogTexts(
    items={
        "water_drop": ItemText(
            "水道の使用量が大きく減っている",
            "Water use has fallen sharply",
            "暮らしの変化",
            "Daily life",
            "水道の使用量の変化",
            "Change in water use",
        ),
        "unpaid_bills": ItemText(
            "水道料金の未納が増えている", "Unpaid water bills are growing", "お金・支払い", "Money"
        ),
        "tax_arrears": ItemText(
            "住民税の滞納がある", "Resident-tax arrears", "お金・支払い", "Money"
        ),
        "child_absence": ItemText(
            "子どもの欠席が多い", "A child is often absent", "子ども", "Children"
        ),
    },
    formatters={
        "water_change_3m": {
            "ja": lambda v: (
                f"水道使用量が直近3か月で前年同期比{abs(float(v)) * 100:.0f}%{'減' if float(v) < 0 else '増'}"
            ),
            "en": lambda v: (
                f"water use {'down' if float(v) < 0 else 'up'} {abs(float(v)) * 100:.0f}% on the same 3 months last year"
            ),
        },
        "unpaid_growth": {
            "ja": lambda v: f"未納額が{float(v):,.0f}円増加",
            "en": lambda v: f"unpaid balance up ¥{float(v):,.0f}",
        },
    },
    rules={
        # the checklist's rule shape: a condition per feature, null never holds
        "water_drop": ItemRule(
            (pl.col("water_change_3m") <= -0.4).fill_null(False),
            (("water_change_3m", (pl.col("water_change_3m") <= -0.4).fill_null(False)),),
        ),
        "tax_arrears": ItemRule((pl.col("tax_arrears") > 0).fill_null(False)),
    },
)


def _listed(ids: list[str]) -> pl.DataFrame:
    # every household listed for self_neglect, every other one also for financial_hardship
    rows = [(h, "self_neglect") for h in ids] + [(h, "financial_hardship") for h in ids[::2]]
    return pl.DataFrame(rows, schema={"household_id": pl.String, "issue": pl.String}, orient="row")


@pytest.fixture(scope="module")
def explained(tiny_models, kit):
    features = kit.make_features(200, seed=7)
    listed = _listed(features["household_id"].to_list()[:40])
    return features, listed, explain_listed(tiny_models, features, listed, kit.ITEMS, TEXTS, k=3)


def test_items_plus_base_equal_the_models_raw_output(tiny_models, explained, kit) -> None:
    features, listed, ex = explained
    assert ex.max_abs_error < 1e-6
    sums = ex.items.group_by("household_id", "issue").agg(s=pl.col("contribution").sum())
    checked = 0
    for issue in kit.ISSUES:
        part = listed.filter(pl.col("issue") == issue).sort("household_id")
        X = features.join(part, on="household_id", how="semi").sort("household_id")
        # straight from LightGBM, not through the fake's helper
        raw = tiny_models.boosters[issue].predict(X.select(kit.FEATURES).to_numpy(), raw_score=True)
        got = (
            pl.DataFrame({"household_id": X["household_id"]})
            .join(sums.filter(pl.col("issue") == issue), on="household_id", how="left")
            .join(ex.totals.filter(pl.col("issue") == issue), on="household_id", how="left")
        )
        np.testing.assert_allclose(got["s"] + got["base_value"], raw, rtol=0, atol=1e-6)
        checked += X.height
    assert checked == listed.height == ex.totals.height


def test_only_listed_pairs_are_explained(explained) -> None:
    _, listed, ex = explained
    pairs = ex.totals.select("household_id", "issue").sort("household_id", "issue")
    assert pairs.equals(listed.sort("household_id", "issue"))


def test_top_reasons_match_a_direct_computation(tiny_models, explained, kit) -> None:
    features, listed, ex = explained
    hh = listed["household_id"][0]
    X = features.filter(pl.col("household_id") == hh)
    c, _, names = tiny_models.contributions(X, "self_neglect")
    per_item: dict[str, float] = {}
    for f, v in zip(names, c[0], strict=True):
        per_item[kit.ITEMS[f]] = per_item.get(kit.ITEMS[f], 0.0) + float(v)
    expect = [i for i, v in sorted(per_item.items(), key=lambda kv: (-kv[1], kv[0])) if v > 0][:3]
    got = ex.by_issue.filter((pl.col("household_id") == hh) & (pl.col("issue") == "self_neglect"))
    assert got["item"].to_list() == expect
    assert got["rank"].to_list() == list(range(1, len(expect) + 1))


def test_reasons_are_positive_at_most_three_and_never_other(explained) -> None:
    _, _, ex = explained
    for frame in (ex.by_issue, ex.by_household):
        assert (frame["contribution"] > 0).all()
        assert frame["rank"].max() <= 3
        assert OTHER_ITEM not in frame["item"].to_list()
    assert ex.by_issue.group_by("household_id", "issue").len()["len"].max() <= 3


def test_household_reasons_sum_over_its_listed_issues(explained) -> None:
    _, listed, ex = explained
    two = listed.group_by("household_id").len().filter(pl.col("len") == 2)["household_id"][0]
    items = ex.items.filter(pl.col("household_id") == two)
    summed = (
        items.group_by("item")
        .agg(pl.col("contribution").sum())
        .filter(pl.col("item") != OTHER_ITEM)
    )
    expect = summed.filter(pl.col("contribution") > 0).sort(
        ["contribution", "item"], descending=[True, False]
    )
    got = ex.by_household.filter(pl.col("household_id") == two)
    assert got["item"].to_list() == expect["item"].to_list()[:3]
    np.testing.assert_allclose(got["contribution"], expect["contribution"][:3], atol=1e-12)


def test_texts_carry_the_households_own_values(explained) -> None:
    features, _, ex = explained
    water = ex.by_issue.filter(
        (pl.col("item") == "water_drop") & pl.col("features").list.contains("water_change_3m")
    )
    assert water.height > 0
    assert water["holds"].any() and not water["holds"].all()
    for row in water.iter_rows(named=True):
        value = features.filter(pl.col("household_id") == row["household_id"])[
            "water_change_3m"
        ].item()
        pct = f"{abs(value) * 100:.0f}%"
        assert pct in row["text_ja"] and pct in row["text_en"]
        # the item's wording asserts its condition: only where the rule holds
        assert row["holds"] == (value <= -0.4)
        label = "水道の使用量が大きく減っている" if row["holds"] else "水道の使用量の変化"
        assert row["label_ja"] == label
        assert row["text_ja"].startswith(f"{label}（水道使用量が直近3か月で前年同期比")
        assert row["group_ja"] == "暮らしの変化"
    # every reason has both languages, never empty
    for col in ("text_ja", "text_en", "label_ja", "label_en"):
        assert ex.by_household[col].str.len_chars().min() > 0


def test_a_null_value_is_not_quoted() -> None:
    feats = pl.DataFrame(
        {"household_id": ["A"], "water_change_3m": [None]},
        schema={"household_id": pl.String, "water_change_3m": pl.Float64},
    )
    from kizuki.explain import write_reasons

    reasons = pl.DataFrame(
        {"household_id": ["A"], "item": ["water_drop"], "features": [["water_change_3m"]]}
    )
    out = write_reasons(reasons, feats, TEXTS)
    # a null value neither is quoted nor meets the condition: the neutral description alone
    assert out["text_ja"].item() == "水道の使用量の変化"
    assert out["holds"].item() is False


def test_compose() -> None:
    assert compose("ラベル", ["a", "b"], "ja") == "ラベル（a、b）"
    assert compose("Label", ["a", "b"], "en") == "Label (a; b)"
    assert compose("Label", [], "en") == "Label"


def test_unmapped_feature_goes_to_other_and_keeps_the_sum() -> None:
    c = np.array([[0.5, -0.25, 2.0]])
    f, t = feature_contributions(
        ["A"], "self_neglect", c, -1.0, ["a", "b", "c"], {"a": "x", "b": None}
    )
    items = item_contributions(f)
    assert dict(items.select("item", "contribution").iter_rows()) == {"x": 0.5, OTHER_ITEM: 1.75}
    assert t["raw_score"].item() == pytest.approx(1.25)
    assert top_reasons_by_issue(items)["item"].to_list() == ["x"]
    assert top_reasons_by_household(items)["item"].to_list() == ["x"]


def test_wrong_matrix_shape_is_a_contract_error() -> None:
    with pytest.raises(ContractError, match="expected a 2×3 matrix"):
        feature_contributions(["A", "B"], "eight050", np.zeros((2, 2)), 0.0, ["a", "b", "c"], {})
