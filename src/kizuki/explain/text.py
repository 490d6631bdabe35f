"""Reason texts a 保健師 can read: true of the household they are written for.

A reason is a 気づき checklist item whose contributions pushed the household's score
up (:mod:`.reasons`). Its text has one of two forms, chosen by the rule the checklist
itself uses (``kizuki.checklist.Item.fired``), evaluated on the household's features:

- **the item's condition holds**: the item's own text, which asserts the condition,
  followed by the household's values (「水道料金の未納が増えている・給水停止予告が出ている
  （給水停止予告2回、未納が3か月で12,000円増加）」);
- **it does not hold** (or the item has no rule, e.g. a blind spot): the item's neutral
  description (``about``: what the item looks at), followed by the household's actual
  values (「水道料金の支払い（未納が3か月で7,295円減少）」, 「高齢の世帯員・暮らし方（65歳以上の
  一人暮らしではない、最年長77歳）」). The contribution is the model's and is shown as it
  is (not meeting a condition can itself raise a score); the words never claim a
  condition the household does not meet.

The values quoted are those of the item's features that pushed the score up most (at
most :data:`MAX_QUOTED`), led by one more that shows where the household stands on the
item's rule when none of them does: when the rule holds, the first condition that holds
(not a flag, ``is_true``: the item's text already says that); when it does not, the
first condition that does not (「65歳以上の一人暮らしではない」). Each value is written by
the feature's own phrase (``kizuki.features.spec.Feature.phrase``), which keeps a
change's sign in words (増加 / 減少, up / down) and never writes a minus sign. ``holds``
(bool) records which form was used. Rendering runs once per reason of a *listed*
household (capacity-bound, small).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import polars as pl

from kizuki.errors import ContractError

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")

#: a feature value formatter: the household's value -> a phrase, or None to skip it
Formatter = Callable[[object], str | None]

#: at most this many of an item's features are quoted in one reason
MAX_QUOTED = 2


@dataclass(frozen=True)
class ItemRule:
    """When an item's condition holds, as polars expressions over the feature frame.

    ``holds``: the whole rule (the checklist's ``Item.fired()``; null never holds);
    ``conditions``: (feature, condition) in rule order, each a boolean expression;
    ``flags``: the features whose condition is a flag being true (``is_true``): the
    item's text says as much, so they never lead a reason whose rule holds.
    """

    holds: pl.Expr
    conditions: tuple[tuple[str, pl.Expr], ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def features(self) -> tuple[str, ...]:
        """The rule's features in order, each once."""
        return tuple(dict.fromkeys(f for f, _ in self.conditions))


class ReasonTexts(Protocol):
    """What the reason writer needs to know about checklist items and features."""

    def item_label(self, item: str, lang: Lang) -> str:
        """The item's text, asserting its condition, e.g. 「水道の使用量が大きく減っている」."""
        ...

    def item_about(self, item: str, lang: Lang) -> str:
        """What the item looks at, asserting nothing, e.g. 「水道の使用量の変化」."""
        ...

    def item_group(self, item: str, lang: Lang) -> str:
        """The item's group, e.g. 「暮らしの変化」."""
        ...

    def item_rule(self, item: str) -> ItemRule | None:
        """The item's rule (None: no rule, so the condition is never asserted)."""
        ...

    def value_phrase(self, feature: str, value: object, lang: Lang) -> str | None:
        """The household's value of one feature as a phrase (None when not shown)."""
        ...


@dataclass(frozen=True)
class ItemText:
    """Bilingual texts of one checklist item: its condition, its group and its subject.

    ``about_*`` empty: the group's name serves as the neutral description.
    """

    text_ja: str
    text_en: str
    group_ja: str = ""
    group_en: str = ""
    about_ja: str = ""
    about_en: str = ""


@dataclass(frozen=True)
class CatalogTexts:
    """A :class:`ReasonTexts` from plain mappings (item id → texts and rule, feature → formatters).

    An item missing from ``rules`` never holds: its reasons read the neutral form.
    """

    items: Mapping[str, ItemText]
    formatters: Mapping[str, Mapping[Lang, Formatter]]
    rules: Mapping[str, ItemRule] = field(default_factory=dict)

    def item_label(self, item: str, lang: Lang) -> str:
        t = self.items.get(item)
        if t is None:
            return item
        return t.text_ja if lang == "ja" else t.text_en

    def item_about(self, item: str, lang: Lang) -> str:
        t = self.items.get(item)
        if t is None:
            return item
        about = t.about_ja if lang == "ja" else t.about_en
        return about or self.item_group(item, lang) or item

    def item_group(self, item: str, lang: Lang) -> str:
        t = self.items.get(item)
        if t is None:
            return ""
        return t.group_ja if lang == "ja" else t.group_en

    def item_rule(self, item: str) -> ItemRule | None:
        return self.rules.get(item)

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
    reasons: pl.DataFrame, feature_contrib: pl.DataFrame, max_features: int = MAX_QUOTED
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


HOLDS_SCHEMA = pl.Schema(
    {
        "household_id": pl.String,
        "item": pl.String,
        "holds": pl.Boolean,
        "evidence": pl.List(pl.String),
    }
)


def item_holds(
    households: pl.DataFrame, items: Iterable[str], features: pl.DataFrame, texts: ReasonTexts
) -> pl.DataFrame:
    """Whether each item's condition holds for each household, by the item's own rule.

    In: ``households`` (``household_id``), the item ids, the feature frame, the texts
    (their :meth:`ReasonTexts.item_rule`). Out: :data:`HOLDS_SCHEMA`, one row per
    (household, item): ``holds`` (False for an item without a rule, or a household
    missing from ``features``) and ``evidence``: where the household stands on the rule,
    in rule order — the features whose condition holds when the rule holds, those whose
    condition does not (null included) when it does not. Raises ContractError when a
    rule names a column the feature frame lacks (naming the item).
    """
    ids = households.select(pl.col("household_id").cast(pl.String)).unique(maintain_order=True)
    rows = features.lazy().join(ids.lazy(), on="household_id", how="semi")
    parts = []
    for item in sorted(set(items)):
        rule = texts.item_rule(item)
        if rule is None:
            holds, evidence = pl.lit(False), pl.lit([], dtype=pl.List(pl.String))
        else:
            holds = rule.holds.fill_null(False)
            met = [pl.when(c.fill_null(False)).then(pl.lit(f)) for f, c in rule.conditions]
            unmet = [pl.when(~c.fill_null(False)).then(pl.lit(f)) for f, c in rule.conditions]
            evidence = (
                pl.when(holds)
                .then(pl.concat_list(met).list.drop_nulls())
                .otherwise(pl.concat_list(unmet).list.drop_nulls())
                if met
                else pl.lit([], dtype=pl.List(pl.String))
            )
        try:
            part = rows.select(
                "household_id",
                item=pl.lit(item, dtype=pl.String),
                holds=holds.cast(pl.Boolean),
                evidence=evidence.cast(pl.List(pl.String)),
            ).collect()
        except (pl.exceptions.ColumnNotFoundError, pl.exceptions.InvalidOperationError) as e:
            raise ContractError(
                f"reasons: the rule of item '{item}' cannot be read on the feature frame "
                f"({type(e).__name__})"
            ) from None
        parts.append(part)
    found = pl.concat(parts) if parts else pl.DataFrame(schema=HOLDS_SCHEMA)
    grid = ids.join(pl.DataFrame({"item": sorted(set(items))}, schema={"item": pl.String}), how="cross")
    return (
        grid.join(found, on=["household_id", "item"], how="left")
        .with_columns(
            pl.col("holds").fill_null(False),
            pl.col("evidence").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
        .select(list(HOLDS_SCHEMA.names()))
        .cast(dict(HOLDS_SCHEMA))
    )


def write_reasons(
    reasons: pl.DataFrame,
    features: pl.DataFrame,
    texts: ReasonTexts,
) -> pl.DataFrame:
    """Add ``label_ja, label_en, group_ja, group_en, text_ja, text_en, holds`` to each reason.

    In: ``reasons`` with ``household_id``, ``item``, ``features`` (from
    :func:`reason_features`); ``features``: the feature frame (``household_id`` and
    the feature columns; only the reasons' households are read). Out: ``reasons``
    plus the seven columns, in the same row order. ``holds``: the item's rule holds
    for the household (:func:`item_holds`); the label is then the item's text, else its
    neutral description (module docstring); the text is the label and the phrases.
    """
    items = reasons["item"].unique().to_list()
    holds = item_holds(reasons.select("household_id"), items, features, texts)
    by_pair = {(h, i): (ok, ev) for h, i, ok, ev in holds.iter_rows()}

    quoted = {f for fs in reasons["features"].to_list() for f in fs}
    for item in items:
        rule = texts.item_rule(item)
        quoted |= set(rule.features) if rule is not None else set()
    needed = sorted(f for f in quoted if f in features.columns)
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
    held: list[bool] = []
    # one step per reason of a listed household: bounded by the shortlist capacity
    for hh, item, feats in reasons.select("household_id", "item", "features").iter_rows():
        own = values.get(hh, {})
        ok, evidence = by_pair.get((hh, item), (False, []))
        shown = _quoted(texts, item, ok, feats, evidence, own)
        held.append(bool(ok))
        for lang in LANGS:
            label = texts.item_label(item, lang) if ok else texts.item_about(item, lang)
            phrases = _phrases(texts, shown, own, lang)
            out[f"label_{lang}"].append(label)
            out[f"group_{lang}"].append(texts.item_group(item, lang))
            out[f"text_{lang}"].append(compose(label, phrases, lang))
    return reasons.with_columns(
        *(pl.Series(k, v, dtype=pl.String) for k, v in out.items()),
        pl.Series("holds", held, dtype=pl.Boolean),
    )


def _quoted(
    texts: ReasonTexts,
    item: str,
    holds: bool,
    feats: Sequence[str],
    evidence: Sequence[str],
    own: Mapping[str, object],
) -> list[str]:
    """The features a reason quotes (module docstring): the strongest ones, led by one
    that shows where the household stands on the rule when none of them does — the first
    condition that holds (not a flag), or, when the rule does not hold, the first that
    does not, with something to say."""
    top = list(feats)
    rule = texts.item_rule(item)
    if rule is None:
        return top
    flags = set(rule.flags)
    candidates = [f for f in evidence if f not in flags] if holds else list(evidence)
    if any(f in candidates for f in top):
        return top
    label = texts.item_label(item, "ja")
    for f in candidates:
        phrase = texts.value_phrase(f, own[f], "ja") if f in own else None
        if phrase is not None and phrase != label:
            return [f, *top]
    return top


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
