"""The reason texts of a scoring run, from the checklist and the feature specs.

:func:`checklist_texts` gives the :class:`~kizuki.explain.text.CatalogTexts` that
``kizuki score`` writes reasons with: per 気づき item its text (asserting the condition),
its neutral description (``about``) and its group, in Japanese and English, and its
rule — the checklist's own ``Item.fired()``, so that a reason asserts an item exactly
when the checklist would list it as fired; per feature its phrase.
"""

from __future__ import annotations

from kizuki.checklist.items import ChecklistConfig
from kizuki.explain.text import CatalogTexts, Formatter, ItemRule, ItemText, Lang
from kizuki.features.config import FeatureConfig
from kizuki.features.registry import feature_specs
from kizuki.features.spec import Feature


def _formatter(f: Feature, lang: Lang) -> Formatter:
    return lambda v: f.phrase(v, lang)


def checklist_texts(features: FeatureConfig, checklist: ChecklistConfig) -> CatalogTexts:
    """Texts, neutral descriptions, groups and rules of the checklist's items, and the
    phrases of the features under ``features`` (whose windows name them).

    In: the validated feature and checklist configs. Out: :class:`CatalogTexts`.
    """
    groups = checklist.groups
    items = {}
    rules = {}
    for i in checklist.items:
        about = i.about_text(groups)
        g = groups[i.group]
        items[i.id] = ItemText(i.ja, i.en, g.ja, g.en, about.ja, about.en)
        rules[i.id] = ItemRule(
            holds=i.fired(),
            conditions=tuple((c.feature, c.expr()) for c in i.conditions()),
            # a flag being true is what the item's text says: it never leads the quotes
            flags=tuple(c.feature for c in i.conditions() if c.op == "is_true"),
        )
    formatters = {
        f.name: {"ja": _formatter(f, "ja"), "en": _formatter(f, "en")}
        for f in feature_specs(features)
    }
    return CatalogTexts(items=items, formatters=formatters, rules=rules)
