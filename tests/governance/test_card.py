"""The model card, methodology page and register record of a trained version (issue 16
items 1-3): logged with the version, complete, rendered in Chromium in both languages, the
settings with values and reasons, what changed, and shap agreeing with the reasons."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from kizuki import tracking
from kizuki.contract.schema import ISSUES
from kizuki.explain.catalog import checklist_texts
from kizuki.explain.global_ import sample_households
from kizuki.explain.listed import explain_listed
from kizuki.features.registry import feature_items
from kizuki.governance import read_card
from kizuki.governance.register import to_be_written
from kizuki.governance.settings import reason, shown

TESTS = Path(__file__).parents[1]


def _required() -> list[tuple[str, str]]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("test_why", TESTS / "config" / "test_why.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.required_settings()


def _folder(uri: str) -> Path:
    return tracking.download_model(uri)[0]


def _text(page: Path, browser: Any) -> str:
    dom, requests = browser.dom(page)
    assert all(not u.startswith(("http:", "https:")) for u in requests), requests
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


def _norm(s: str) -> str:
    return " ".join(s.split())


def test_train_logs_the_card_with_the_version(trained: Any, store: str) -> None:
    folder = _folder(trained.v2.uri)
    names = {p.name for p in (folder / "governance").iterdir()}
    for lang in ("", ".en"):
        for stem in ("model_card", "methodology", "register"):
            assert {f"{stem}{lang}.html", f"{stem}{lang}.md"} <= names
    assert {"model_card.json", "register.json", "configs.json"} <= names
    assert {f"shap_beeswarm_{i}.png" for i in ISSUES} <= names
    card = read_card(folder)
    assert card["model"]["version"] == "2" and card["model"]["uri"] == trained.v2.uri
    assert card["dates"] == trained.v2.dates
    assert [f["name"] for f in card["features"]] == list(trained.v2.model.features)
    # the data: every table of the drop with its file hash and its declared basis
    for t in card["data"]["tables"]:
        digest = hashlib.sha256((trained.drop / t["file"]).read_bytes()).hexdigest()
        assert t["sha256"] == digest, t["table"]
        assert t["declared"] and t["purpose"] and t["legal_basis"], t["table"]
    assert {t["table"] for t in card["data"]["tables"]} >= {"residents", "tax", "care", "utility"}
    # metrics beside the checklist and the single-feature baseline, every issue
    scorers = {(r["issue"], r["scorer"].split(":")[0]) for r in card["evaluation"]}
    assert {(i, s) for i in ISSUES for s in ("model", "checklist", "single")} <= scorers
    assert set(card["reliability"]) == set(ISSUES)
    # no household ID anywhere in the card
    ids = set(trained.v2.validation.X["household_id"].head(50).to_list())
    text = (folder / "governance" / "model_card.json").read_text(encoding="utf-8")
    assert not any(i in text for i in ids)


def test_every_setting_with_a_reason_is_on_the_card(trained: Any, store: str) -> None:
    card = read_card(_folder(trained.v2.uri))
    have = {(s["file"], s["key"]): s for s in card["settings"]}
    for fk in _required():
        assert fk in have, f"{fk} has no reason on the card"
        assert have[fk]["why"].strip()
    assert have[("model.yaml", "pu_alpha")]["value"] == 0.7  # the value it was trained with


def test_v2_says_what_changed_since_the_previous_champion(trained: Any, store: str) -> None:
    card1 = read_card(_folder(trained.v1.uri))
    assert card1["changes"]["compared"] is False  # the first version: nothing before it
    card = read_card(_folder(trained.v2.uri))
    ch = card["changes"]
    assert ch["compared"] and ch["previous_version"] == "1"
    got = {(c["file"], c["key"], c["kind"]): c for c in ch["items"]}
    assert got[("model.yaml", "pu_alpha", "value")]["before"] == 0.8
    assert got[("model.yaml", "pu_alpha", "value")]["after"] == 0.7
    assert ("model.yaml", "explore_share", "why") in got
    # nothing else changed between the two trainings
    assert set(got) == {("model.yaml", "pu_alpha", "value"), ("model.yaml", "explore_share", "why")}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_card_methodology_and_register_render_in_chromium(
    trained: Any, store: str, browser: Any, lang: str, tmp_path: Path
) -> None:
    gov = _folder(trained.v2.uri) / "governance"
    card = read_card(gov.parent)
    sfx = ".en" if lang == "en" else ""
    pages = {s: gov / f"{s}{sfx}.html" for s in ("model_card", "methodology", "register")}
    texts = {s: _text(p, browser) for s, p in pages.items()}
    # every setting with its value and its reason, on the card and the methodology page
    for s in card["settings"]:
        for page in ("model_card", "methodology"):
            t = texts[page]
            assert _norm(f"{s['file']}: {s['key']}") in t, (page, s["key"])
            assert _norm(shown(s["value"])) in t, (page, s["key"])
            assert _norm(reason(s["why"], lang)) in t, (page, s["key"])
    card_text = texts["model_card"]
    if lang == "ja":
        assert "点数が低いことを、支援をしない" in card_text
        assert "ごみがあふれている" in card_text  # the known blind spot
        assert "［要記入］" in texts["register"]
    else:
        assert "A low score is never a reason to withhold help" in card_text
        assert "Not being listed never means a household is safe" in card_text
        assert "Rubbish piling up" in card_text
        assert "[to be written]" in texts["register"]
    assert "pu_alpha" in texts["methodology"] and "0.8" in texts["methodology"]  # the change
    dom, _ = browser.dom(pages["model_card"])
    assert dom.count('<img src="data:image/png;base64,') == len(ISSUES)
    shot = browser.screenshot(pages["model_card"], tmp_path / f"card-{lang}.png")
    assert browser.ink_share(shot) > 0.005


def test_register_record_marks_what_a_person_must_write(trained: Any, store: str) -> None:
    import json

    gov = _folder(trained.v2.uri) / "governance"
    records = json.loads((gov / "register.json").read_text(encoding="utf-8"))
    assert set(records) == {"ja", "en"}
    for lang, rec in records.items():
        assert rec["lang"] == lang
        assert "Algorithmic Transparency Recording Standard" in rec["standard"]
        assert {"tier_1", "owner", "rationale", "deployment", "tool", "risks"} <= set(rec)
        todo = set(to_be_written(rec))
        assert {"tier_1.contact", "owner.review_body", "deployment.meeting"} <= todo
        assert trained.v2.uri in rec["tool"]["version"]
        assert rec["tier_1"]["organisation"] not in (None, "")
        assert not isinstance(rec["tool"]["data_sources"], dict)
    md = (gov / "register.md").read_text(encoding="utf-8")
    rows = [line for line in md.splitlines() if line.startswith("| ") and "［要記入］" in line]
    assert len(rows) == len(to_be_written(records["ja"]))
    assert "支援会議" in md


def test_card_shap_summary_equals_the_reasons_own_contributions(trained: Any, store: str) -> None:
    card = read_card(_folder(trained.v2.uri))
    model = trained.v2.model
    X = sample_households(trained.v2.validation.X)  # the card's sample (seed 0)
    listed = X.select("household_id").join(pl.DataFrame({"issue": list(ISSUES)}), how="cross")
    ex = explain_listed(
        model, X, listed, feature_items(trained.features),
        checklist_texts(trained.features, trained.checklist),
    )
    reasons = ex.items.group_by("issue", "item").agg(
        reasons=pl.col("contribution").abs().mean(), n=pl.col("household_id").n_unique()
    )
    shap = pl.DataFrame(card["explanations"]["item_importance"]).select(
        "issue", "item", "mean_abs_contribution", "households"
    )
    joined = reasons.join(shap, on=["issue", "item"], how="full", coalesce=True)
    assert joined.height == shap.height == reasons.height > 0
    assert joined.null_count().sum_horizontal().item() == 0
    assert (joined["n"] == joined["households"]).all()
    diff = (joined["reasons"] - joined["mean_abs_contribution"]).abs().max()
    assert diff <= 1e-6, diff
    assert ex.max_abs_error <= 1e-6
