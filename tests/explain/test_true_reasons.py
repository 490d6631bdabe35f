"""Reasons are true of their household (issue 10): the item's wording only where the
checklist's rule holds, otherwise its neutral description with the household's values;
a change keeps its sign in words. The households are the issue's own examples, written
with the texts ``kizuki score`` uses (``checklist_texts`` over the shipped configs)."""

from __future__ import annotations

import polars as pl
import pytest

from kizuki.checklist import load_checklist_config
from kizuki.errors import ContractError
from kizuki.explain import CatalogTexts, ItemRule, ItemText, checklist_texts, write_reasons
from kizuki.features.config import load_feature_config
from kizuki.features.registry import feature_specs


@pytest.fixture(scope="module")
def texts() -> CatalogTexts:
    return checklist_texts(load_feature_config(), load_checklist_config())


def _household(**values: object) -> pl.DataFrame:
    """One household with every feature (null unless given), typed as the feature frame."""
    specs = feature_specs(load_feature_config())
    row = {"household_id": "H1", **{f.name: values.get(f.name) for f in specs}}
    schema = {"household_id": pl.String, **{f.name: f.dtype for f in specs}}
    return pl.DataFrame([row], schema=schema, orient="row")


def _write(texts: CatalogTexts, frame: pl.DataFrame, item: str, feats: list[str]) -> dict:
    reasons = pl.DataFrame(
        {"household_id": ["H1"], "item": [item], "features": [feats]},
        schema={"household_id": pl.String, "item": pl.String, "features": pl.List(pl.String)},
    )
    return write_reasons(reasons, frame, texts).row(0, named=True)


def test_a_household_of_five_is_not_written_as_living_alone(texts: CatalogTexts) -> None:
    # the issue: 「65歳以上の一人暮らし（最年長77歳）」 for a household of five
    hh = _household(n_members=5, n_65plus=2, oldest_age=77, alone_65plus=False)
    r = _write(texts, hh, "alone_65", ["alone_65plus", "oldest_age"])
    assert r["holds"] is False
    assert r["text_ja"] == "高齢の世帯員・暮らし方（65歳以上の一人暮らしではない、最年長77歳）"
    assert r["text_en"] == (
        "Older members and living arrangement (not a person aged 65+ living alone; oldest member 77)"
    )
    assert r["label_ja"] == "高齢の世帯員・暮らし方"


def test_a_person_living_alone_is(texts: CatalogTexts) -> None:
    hh = _household(n_members=1, n_65plus=1, oldest_age=81, alone_65plus=True)
    r = _write(texts, hh, "alone_65", ["oldest_age"])
    assert r["holds"] is True
    # the flag that makes the rule hold is what the item's text says: it does not lead
    assert r["text_ja"] == "65歳以上の一人暮らし（最年長81歳）"
    assert r["label_en"] == "A person aged 65 or over living alone"


def test_not_exempt_is_not_written_as_exempt(texts: CatalogTexts) -> None:
    # the issue: 「世帯全員が住民税非課税」 where that is false
    hh = _household(all_adults_nontaxable=False, household_income_yen=3_200_000)
    r = _write(texts, hh, "nontaxable", ["all_adults_nontaxable", "household_income_yen"])
    assert r["holds"] is False
    assert (
        r["text_ja"]
        == "住民税の課税・所得（住民税が課税されている成人がいる、世帯の合計所得3,200,000円）"
    )
    assert "非課税" not in r["text_ja"]
    assert r["text_en"].startswith("Resident tax status and income (an adult pays resident tax;")


def test_falling_arrears_are_written_as_falling(texts: CatalogTexts) -> None:
    # the issue: 「水道料金の未納が増えている…（未納が3か月で-7,295円増加）」
    hh = _household(unpaid_yen_latest=4_000, unpaid_growth_3m=-7_295, stop_notices_12m=0)
    r = _write(texts, hh, "water_arrears", ["unpaid_growth_3m"])
    assert r["holds"] is False
    assert r["text_ja"] == "水道料金の支払い（未納が3か月で7,295円減少）"
    assert r["text_en"] == "Water bill payments (unpaid down ¥7,295 in 3 months)"


def test_growing_arrears_assert_the_item(texts: CatalogTexts) -> None:
    hh = _household(unpaid_yen_latest=21_000, unpaid_growth_3m=12_000, stop_notices_12m=0)
    r = _write(texts, hh, "water_arrears", ["unpaid_growth_3m", "unpaid_yen_latest"])
    assert r["holds"] is True
    assert r["text_ja"] == (
        "水道料金の未納が増えている・給水停止予告が出ている"
        "（未納が3か月で12,000円増加、水道料金の未納21,000円）"
    )


def test_a_stop_notice_is_quoted_when_it_is_what_holds(texts: CatalogTexts) -> None:
    # the rule holds through the stop notice while the balance fell: the text shows why
    hh = _household(unpaid_yen_latest=3_000, unpaid_growth_3m=-2_000, stop_notices_12m=1)
    r = _write(texts, hh, "water_arrears", ["unpaid_growth_3m", "unpaid_yen_latest"])
    assert r["holds"] is True
    assert r["text_ja"] == (
        "水道料金の未納が増えている・給水停止予告が出ている"
        "（給水停止予告1回、未納が3か月で2,000円減少、水道料金の未納3,000円）"
    )


def test_a_falling_absence_is_written_as_falling(texts: CatalogTexts) -> None:
    hh = _household(absence_trend=-0.05, late_rate_3m=0.0)
    r = _write(texts, hh, "absence", ["absence_trend", "late_rate_3m"])
    assert r["holds"] is False
    assert r["text_ja"] == "子どもの出欠（欠席率がふだんより5%低下、遅刻・早退率0%）"
    assert r["text_en"] == (
        "A child's attendance (absence down 5% on the child's own past; late or early 0% of days)"
    )


def test_three_generations_are_asserted_only_when_true(texts: CatalogTexts) -> None:
    five = _household(n_members=5, oldest_age=77, three_generations=False)
    r = _write(texts, five, "household_size", ["n_members"])
    # where the household stands on the rule leads: not three generations
    assert (r["holds"], r["text_ja"]) == (False, "世帯の人数・構成（三世代同居ではない、世帯人数5人）")
    r = _write(texts, five, "household_size", ["n_members", "three_generations"])
    assert r["text_ja"] == "世帯の人数・構成（世帯人数5人、三世代同居ではない）"
    three = _household(n_members=5, oldest_age=77, three_generations=True)
    r = _write(texts, three, "household_size", ["n_members"])
    assert r["holds"] is True
    assert r["text_ja"] == "三世代が同じ世帯で暮らしている（世帯人数5人）"


def test_the_blind_spot_is_never_asserted(texts: CatalogTexts) -> None:
    r = _write(texts, _household(), "home_condition", [])
    assert (r["holds"], r["text_ja"]) == (False, "ごみ・住まいの様子")


def test_an_item_without_a_rule_reads_its_neutral_form() -> None:
    t = CatalogTexts(
        items={
            "x": ItemText("Xが起きている", "X is happening", "群", "Group", "Xの様子", "About X")
        },
        formatters={"f": {"ja": lambda v: f"f={v}", "en": lambda v: f"f={v}"}},
    )
    frame = pl.DataFrame({"household_id": ["H1"], "f": [3]})
    r = _write(t, frame, "x", ["f"])
    assert (r["holds"], r["text_ja"], r["text_en"]) == (False, "Xの様子（f=3）", "About X (f=3)")
    # without an about text, the group's name is the neutral form
    t2 = CatalogTexts(
        items={"x": ItemText("Xが起きている", "X is happening", "群", "Group")}, formatters={}
    )
    assert _write(t2, frame, "x", ["f"])["label_ja"] == "群"


def test_a_rule_on_a_missing_column_names_the_item() -> None:
    t = CatalogTexts(
        items={"x": ItemText("X", "X")},
        formatters={},
        rules={"x": ItemRule(pl.col("not_a_feature") > 0)},
    )
    frame = pl.DataFrame({"household_id": ["H1"], "f": [3]})
    with pytest.raises(ContractError, match="rule of item 'x'"):
        _write(t, frame, "x", ["f"])
