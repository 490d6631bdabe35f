"""Reasons for listed households, as 気づき checklist items with the household's own values.

Flow: model contributions (raw margin, per feature) → summed per checklist item
(:mod:`.contributions`) → top items per (household, issue) and per household
(:mod:`.reasons`) → texts in Japanese and English (:mod:`.text`), each true of the
household: an item's condition is asserted only when its checklist rule holds for it,
otherwise the item's neutral description and the household's own values are written;
:func:`explain_listed` runs the whole flow for the listed households only;
:func:`checklist_texts` (:mod:`.catalog`) builds the texts from the checklist and features.
"""

from kizuki.explain.catalog import checklist_texts
from kizuki.explain.contributions import (
    OTHER_ITEM,
    faithfulness_error,
    feature_contributions,
    item_contributions,
)
from kizuki.explain.listed import ContributionModel, Explanation, explain_listed
from kizuki.explain.reasons import top_reasons_by_household, top_reasons_by_issue
from kizuki.explain.text import (
    CatalogTexts,
    ItemRule,
    ItemText,
    Lang,
    ReasonTexts,
    compose,
    item_holds,
    reason_features,
    write_reasons,
)

__all__ = [
    "OTHER_ITEM",
    "CatalogTexts",
    "ContributionModel",
    "Explanation",
    "ItemRule",
    "ItemText",
    "Lang",
    "ReasonTexts",
    "checklist_texts",
    "compose",
    "explain_listed",
    "faithfulness_error",
    "feature_contributions",
    "item_contributions",
    "item_holds",
    "reason_features",
    "top_reasons_by_household",
    "top_reasons_by_issue",
    "write_reasons",
]
