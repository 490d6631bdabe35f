"""The word catalogue: every key in both languages, the same placeholders in both, and every
alert text filled from its parameters."""

from __future__ import annotations

import re

import jinja2
import pytest

from kizuki.alerts import Alert
from kizuki.pages.words import LANGS, PAGES, Words, alert_text, catalogue

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)")


@pytest.mark.parametrize("page", PAGES)
def test_every_key_has_a_text_in_both_languages(page: str) -> None:
    entries = catalogue(page)
    assert entries
    for key, texts in entries.items():
        assert set(texts) == set(LANGS), (page, key)
        assert all(isinstance(t, str) and t.strip() for t in texts.values()), (page, key)
        ja, en = (set(PLACEHOLDER.findall(texts[lang])) for lang in LANGS)
        assert ja == en, (page, key, ja, en)


def test_english_texts_hold_no_japanese_except_where_named() -> None:
    kana_kanji = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for page in PAGES:
        for key, texts in catalogue(page).items():
            if kana_kanji.search(texts["en"]):
                assert "気づき" in texts["en"], (page, key)  # the checklist's own name


def test_words_fill_placeholders_and_refuse_unknown_keys() -> None:
    w = Words("monitor", "en")
    assert w("alerts", n=3, f=1) == "3 alert(s) (1 stop the nightly batch)"
    assert Words("monitor", "ja").title == "気づき モニタリング報告"
    assert w.get("no_such_key", "fallback") == "fallback"
    with pytest.raises(KeyError, match="no_such_key"):
        w("no_such_key")
    with pytest.raises(AttributeError):
        _ = w.no_such_key
    assert list(Words("audit", "en").section("dims"))[:2] == ["district", "nationality"]


ALERTS = [
    Alert("table_missing", "utility", {"table": "utility"}),
    Alert("row_drop", "tax", {"table": "tax", "ref_rows": 2000, "cur_rows": 1000, "row_drop": 0.2}),
    Alert("reject_rise", "care", {"table": "care", "ref_share": 0.0, "cur_share": 0.022, "rows": 12}),
    Alert("code_appeared", "care.level", {"where": "care.level", "rows": 5, "rule": "unknown_code",
                                          "distinct": 1}, text="code_unknown"),
    Alert("reject_rule_new", "care.level:r", {"where": "care.level", "rows": 5, "rule": "r"}),
    Alert("missing_share", "oldest_age", {"feature": "oldest_age", "ref_share": 0.1, "cur_share": None}),
    Alert("code_appeared", "x=7", {"where": "x", "code": "7", "cur_count": 3}),
    Alert("code_vanished", "x=7", {"where": "x", "code": "7", "ref_count": 3}),
    Alert("district_no_rows", "utility@東", {"district": "東", "table": "utility", "ref_with_rows": 5,
                                             "ref_households": 9}),
    *(
        Alert(check, "s", {"name": "water_recent", "district": "東", "psi": 0.5, "practical": 0.25,
                           "critical": 0.1, "n_ref": 1000, "n_cur": 1001})
        for check in ("feature_drift", "district_drift", "score_drift", "reason_drift")
    ),
    Alert("list_stability", "shortlist", {"jaccard": 0.5, "min_jaccard": 0.6}, text="list_overlap"),
    Alert("list_stability", "rank:x", {"issue": "x", "spearman": 0.5, "min_spearman": 0.6},
          text="list_ranks"),
    Alert("missing_table", "school", {"table": "school", "policy": "alert"}),
    Alert("performance_shortfall", "x@d", {"as_of": "2026-03-31", "issue": "x", "k": 5,
                                           "precision": 0.1, "expected_precision": 0.3}),
    Alert("recall_disparity", "x:d=g", {"issue": "x", "dimension": "d", "group": "g", "ratio": 0.5,
                                        "ratio_low": 0.3, "ratio_high": 0.7, "source": "truth",
                                        "level": 0.95, "limit": 0.8}),
]  # fmt: skip


def test_every_alert_text_exists_and_is_filled() -> None:
    assert {a.code for a in ALERTS} == set(catalogue("alerts"))
    for a in ALERTS:
        for lang in LANGS:
            text = alert_text(a, lang)
            assert "{" not in text and text.strip()
    reject = alert_text(ALERTS[2], "en")
    assert reject == "table care: reject share rose from 0.0% to 2.2% (12 rows)"
    assert (
        alert_text(ALERTS[1], "ja")
        == "テーブル tax: 読込行数が 2,000 行から 1,000 行に減少（20% 超の減少）"
    )
    assert "(against synthetic truth)" in alert_text(ALERTS[-1], "en")
    assert "1 distinct" in alert_text(ALERTS[3], "en")
    assert "to — " in alert_text(ALERTS[5], "en") or alert_text(ALERTS[5], "en").endswith("to —")


def test_an_alert_without_its_parameters_is_refused() -> None:
    with pytest.raises(jinja2.UndefinedError, match="table"):
        alert_text(Alert("table_missing", "utility"), "en")


def test_alerts_keep_their_parameters_under_a_policy_and_hash() -> None:
    from kizuki.alerts import with_policy

    fired = with_policy(ALERTS[:2], ["row_drop"])
    assert [a.fails for a in fired] == [False, True]
    assert fired[1].params == ALERTS[1].params and fired[1].code == "row_drop"
    assert len({*fired, *fired}) == 2
