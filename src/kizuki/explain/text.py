"""Reason texts a 保健師 can read: the checklist item, with the household's own values.

A reason is written as the 気づき checklist item's text followed by the values of
the item's features that pushed the score up most, each written by the feature's own
formatter (``kizuki.features.registry``: ``fmt_ja`` / ``fmt_en``), e.g.
「水道の使用量が大きく減っている（水道使用量が直近3か月で前年同期比58%減）」.
Rendering runs once per reason of a *listed* household (capacity-bound, small).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import polars as pl

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")

#: a feature value formatter: the household's value -> a phrase, or None to skip it
Formatter = Callable[[object], str | None]


class ReasonTexts(Protocol):
    """What the reason writer needs to know about checklist items and features."""

    def item_label(self, item: str, lang: Lang) -> str:
        """The item's text, e.g. 「水道の使用量が大きく減っている」."""
        ...

    def item_group(self, item: str, lang: Lang) -> str:
        """The item's group, e.g. 「暮らしの変化」."""
        ...

    def value_phrase(self, feature: str, value: object, lang: Lang) -> str | None:
        """The household's value of one feature as a phrase (None when not shown)."""
        ...


@dataclass(frozen=True)
class ItemText:
    """Bilingual text of one checklist item."""

    text_ja: str
    text_en: str
    group_ja: str = ""
    group_en: str = ""


@dataclass(frozen=True)
class CatalogTexts:
    """A :class:`ReasonTexts` from plain mappings (item id → texts, feature → formatters)."""

    items: Mapping[str, ItemText]
    formatters: Mapping[str, Mapping[Lang, Formatter]]

    def item_label(self, item: str, lang: Lang) -> str:
        t = self.items.get(item)
        if t is None:
            return item
        return t.text_ja if lang == "ja" else t.text_en

    def item_group(self, item: str, lang: Lang) -> str:
        t = self.items.get(item)
        if t is None:
            return ""
        return t.group_ja if lang == "ja" else t.group_en

    def value_phrase(self, feature: str, value: object, lang: Lang) -> str | None:
        if value is None:
            return None
        fmt = self.formatters.get(feature, {}).get(lang)
        return None if fmt is None else fmt(value)


def compose(label: str, phrases: Sequence[str], lang: Lang) -> str:
    """「label（p1、p2）」 in Japanese, "label (p1; p2)" in English; the label alone without phrases."""
    if not phrases:
        return label
    if lang == "ja":
        return f"{label}（{'、'.join(phrases)}）"
    return f"{label} ({'; '.join(phrases)})"


def reason_features(
    reasons: pl.DataFrame, feature_contrib: pl.DataFrame, max_features: int = 2
) -> pl.DataFrame:
    """Which features of each reason's item to quote: the largest positive ones.

    In: ``reasons`` with ``household_id``, ``item`` and either ``issue`` (one issue) or
    ``issues`` (a list: contributions are summed over them); ``feature_contrib`` with
    ``household_id, issue, item, feature, contribution``. Out: ``reasons`` plus
    ``features`` (list[str], strongest first, at most ``max_features``).
    """
    per_issue = "issue" in reasons.columns
    keys = ["household_id", "item"] + (["issue"] if per_issue else [])
    wanted = reasons.lazy().select(keys)
    if not per_issue:
        wanted = reasons.lazy().select("household_id", "item", issue="issues").explode("issue")
    picked = (
        feature_contrib.lazy()
        .join(wanted, on=["household_id", "item", "issue"], how="semi")
        .group_by([*keys, "feature"])
        .agg(pl.col("contribution").sum())
        .filter(pl.col("contribution") > 0)
        .sort([*keys, "contribution", "feature"], descending=[*([False] * len(keys)), True, False])
        .group_by(keys, maintain_order=True)
        .agg(features=pl.col("feature").head(max_features))
    )
    return (
        reasons.lazy()
        .join(picked, on=keys, how="left", maintain_order="left")
        .with_columns(pl.col("features").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .collect()
    )


def write_reasons(
    reasons: pl.DataFrame,
    features: pl.DataFrame,
    texts: ReasonTexts,
) -> pl.DataFrame:
    """Add ``label_ja, label_en, group_ja, group_en, text_ja, text_en`` to each reason.

    In: ``reasons`` with ``household_id``, ``item``, ``features`` (from
    :func:`reason_features`); ``features``: the feature frame (``household_id`` and
    the feature columns; only the reasons' households are read). Out: ``reasons``
    plus the six text columns, in the same row order.
    """
    needed = sorted({f for fs in reasons["features"].to_list() for f in fs})
    needed = [f for f in needed if f in features.columns]
    values: dict[str, dict[str, object]] = {}
    if reasons.height:
        rows = features.lazy().join(
            reasons.lazy().select("household_id").unique(), on="household_id", how="semi"
        )
        for row in rows.select("household_id", *needed).collect().iter_rows(named=True):
            values[row.pop("household_id")] = row

    out: dict[str, list[str]] = {
        f"{c}_{lang}": [] for c in ("label", "group", "text") for lang in LANGS
    }
    # one step per reason of a listed household: bounded by the shortlist capacity
    for hh, item, feats in reasons.select("household_id", "item", "features").iter_rows():
        own = values.get(hh, {})
        for lang in LANGS:
            label = texts.item_label(item, lang)
            phrases = _phrases(texts, feats, own, lang)
            out[f"label_{lang}"].append(label)
            out[f"group_{lang}"].append(texts.item_group(item, lang))
            out[f"text_{lang}"].append(compose(label, phrases, lang))
    return reasons.with_columns(pl.Series(k, v, dtype=pl.String) for k, v in out.items())


def _phrases(
    texts: ReasonTexts, feats: Iterable[str], own: Mapping[str, object], lang: Lang
) -> list[str]:
    phrases = []
    for f in feats:
        if f in own:
            p = texts.value_phrase(f, own[f], lang)
            if p:
                phrases.append(p)
    return phrases
