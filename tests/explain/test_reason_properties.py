"""Property tests over random households (issue 10): every reason text ``kizuki score``
would write is checked against the household's own feature values.

- the item's own wording (its condition) appears only when the checklist's rule,
  ``Item.fired()``, is true for the household; otherwise the item's neutral description;
- the text is the label followed only by phrases of the household's values of the item's
  features;
- no minus sign in front of a number, and a change's sign word matches its value's sign.
"""

from __future__ import annotations

import re

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kizuki.checklist import load_checklist_config
from kizuki.explain import checklist_texts, write_reasons
from kizuki.features.config import load_feature_config
from kizuki.features.registry import feature_specs

FEATURE_CONFIG = load_feature_config()
CHECKLIST = load_checklist_config()
TEXTS = checklist_texts(FEATURE_CONFIG, CHECKLIST)
SPECS = {f.name: f for f in feature_specs(FEATURE_CONFIG)}
ITEMS = {i.id: i for i in CHECKLIST.items}
#: item -> its model features (the ones a reason can quote)
ITEM_FEATURES = {
    i: sorted(f.name for f in SPECS.values() if f.item == i and f.model_input) for i in ITEMS
}
MINUS = re.compile(r"(?<![0-9A-Za-z])[-−‐]\s*[¥\d]")

#: changes: feature -> ((ja rise, ja fall), (en rise, en fall)), as the phrase words them
SIGNED = {
    "unpaid_growth_3m": (("増加", "減少"), (" up ", " down ")),
    "absence_trend": (("上昇", "低下"), (" up ", " down ")),
    "water_change_yoy": (("%増", "%減"), (" up ", " down ")),
    "water_last_vs_median": (("%増", "%減"), (" up ", " down ")),
}
RANGES = {
    "unpaid_growth_3m": (-200_000.0, 200_000.0),
    "absence_trend": (-1.0, 1.0),
    "water_change_yoy": (-1.0, 3.0),
    "water_last_vs_median": (-1.0, 3.0),
}


def _thresholds(feature: str) -> list[float]:
    vs = [
        c.value
        for i in CHECKLIST.items
        for c in i.conditions()
        if c.feature == feature and c.value is not None
    ]
    return sorted({x for v in vs for x in (v, v - 0.01, v + 0.01)})


def _value(feature: str) -> st.SearchStrategy[object]:
    spec = SPECS[feature]
    if spec.kind == "bool":
        return st.one_of(st.none(), st.booleans())
    at = _thresholds(feature)
    edges = [st.sampled_from(at)] if at else []
    if feature in RANGES:
        lo, hi = RANGES[feature]
        core = st.floats(lo, hi, allow_nan=False)
    elif feature == "max_ltc_level":
        core = st.integers(0, 8).map(float)
    elif feature == "school_aid_level":
        core = st.integers(0, 2).map(float)
    else:
        core = st.one_of(
            st.integers(0, 40).map(float),
            st.floats(0, 1.5, allow_nan=False),
            st.floats(0, 2_000_000, allow_nan=False),
        )
    return st.one_of(st.none(), st.just(0.0), core, *edges)


@st.composite
def households(draw: st.DrawFn) -> tuple[pl.DataFrame, str, list[str]]:
    """A household with a value for every feature, an item, and the features to quote."""
    item = draw(st.sampled_from(sorted(i for i, fs in ITEM_FEATURES.items() if fs)))
    row: dict[str, object] = {"household_id": "H1"}
    for name in SPECS:
        row[name] = draw(_value(name))
    schema = {"household_id": pl.String, **{n: s.dtype for n, s in SPECS.items()}}
    frame = pl.DataFrame([row], schema=schema, orient="row")
    quoted = draw(
        st.lists(st.sampled_from(ITEM_FEATURES[item]), unique=True, min_size=1, max_size=2)
    )
    return frame, item, quoted


def _consume(rest: str, phrases: set[str], sep: str) -> bool:
    """True when ``rest`` is one or more of ``phrases`` joined by ``sep``."""
    if rest in phrases:
        return True
    return any(
        rest.startswith(p + sep) and _consume(rest[len(p) + len(sep) :], phrases, sep)
        for p in phrases
    )


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_every_reason_is_true_of_its_household(case: tuple[pl.DataFrame, str, list[str]]) -> None:
    frame, item, quoted = case
    reasons = pl.DataFrame(
        {"household_id": ["H1"], "item": [item], "features": [quoted]},
        schema={"household_id": pl.String, "item": pl.String, "features": pl.List(pl.String)},
    )
    r = write_reasons(reasons, frame, TEXTS).row(0, named=True)
    spec = ITEMS[item]
    fired = frame.select(spec.fired()).item()
    values = frame.row(0, named=True)

    assert r["holds"] is bool(fired)
    about = spec.about_text(CHECKLIST.groups)
    for lang, own, neutral, open_, close, sep in (
        ("ja", spec.ja, about.ja, "（", "）", "、"),
        ("en", spec.en, about.en, " (", ")", "; "),
    ):
        text = r[f"text_{lang}"]
        label = own if fired else neutral
        assert r[f"label_{lang}"] == label
        # the condition is asserted only where the checklist's rule holds
        if not fired:
            assert not text.startswith(own), (item, lang, text)
        # label, then only phrases of this household's values of the item's features
        phrases = {
            p
            for f in ITEM_FEATURES[item]
            if (p := SPECS[f].phrase(values[f], lang)) is not None  # type: ignore[arg-type]
        }
        if text != label:
            assert text.startswith(label + open_) and text.endswith(close), text
            assert _consume(text[len(label + open_) : -len(close)], phrases, sep), text
        # signs in words, never a minus sign
        assert not MINUS.search(text), text
        for f in ITEM_FEATURES[item]:
            p = SPECS[f].phrase(values[f], lang)  # type: ignore[arg-type]
            if f not in SIGNED or p is None or p not in text:
                continue
            (ja_up, ja_down), (en_up, en_down) = SIGNED[f]
            up, down = (ja_up, ja_down) if lang == "ja" else (en_up, en_down)
            v = float(values[f])  # type: ignore[arg-type]
            if up in p or down in p:
                assert (up in p) == (v > 0) and (down in p) == (v < 0), (f, v, p)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SPECS)), st.data())
def test_a_phrase_never_writes_a_minus_sign_nor_a_wrong_direction(name: str, data) -> None:
    value = data.draw(_value(name))
    spec = SPECS[name]
    for lang in ("ja", "en"):
        p = spec.phrase(value, lang)
        if p is None:
            continue
        assert not MINUS.search(p), (name, p)
        if name in SIGNED and value:
            (ja_up, ja_down), (en_up, en_down) = SIGNED[name]
            up, down = (ja_up, ja_down) if lang == "ja" else (en_up, en_down)
            padded = f" {p} "
            if up in padded or down in padded:
                assert (up in padded) == (float(value) > 0), (name, value, p)  # type: ignore[arg-type]


def test_a_flag_reads_differently_when_false() -> None:
    for name, spec in SPECS.items():
        if spec.kind != "bool":
            continue
        for lang in ("ja", "en"):
            yes, no = spec.phrase(True, lang), spec.phrase(False, lang)
            assert yes is None or yes != no, name
