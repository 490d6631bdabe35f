"""The feature dictionary (Markdown and CSV, Japanese and English): the feature specs
with the 気づき checklist item each belongs to.

It lives beside the checklist because it names the checklist's items; the features
package knows nothing of the checklist. The ``nulls`` column is generated from each
feature's declared :class:`~kizuki.features.spec.NullPolicy`.
"""

from __future__ import annotations

import polars as pl

from kizuki.checklist.items import ChecklistConfig
from kizuki.features.config import FeatureConfig
from kizuki.features.registry import feature_specs


def dictionary_frame(
    checklist: ChecklistConfig | None = None, features: FeatureConfig | None = None
) -> pl.DataFrame:
    """One row per feature: name, 説明, description, 気づき item (ja), source, window,
    nulls (the declared null policy in words), model input.

    In: the checklist (for the items' Japanese names) and the feature config whose
    windows name the features (default config when None).
    """
    specs = feature_specs(features)
    items = {i.id: i for i in checklist.items} if checklist else {}
    return pl.DataFrame(
        {
            "feature": [f.name for f in specs],
            "説明": [f.description_ja for f in specs],
            "description": [f.description_en for f in specs],
            "気づきの項目": [
                items[f.item].ja if f.item in items else "（監査用の区分）" for f in specs
            ],
            "checklist_item": [f.item or "(audit group)" for f in specs],
            "source": [", ".join(f"{t}.{c}" for t, c in f.sources) for f in specs],
            "window": [f.window for f in specs],
            "nulls": [f.nulls for f in specs],
            "model_input": [f.model_input for f in specs],
        }
    )


def dictionary_markdown(
    checklist: ChecklistConfig | None = None, features: FeatureConfig | None = None
) -> str:
    """The dictionary as a Markdown table, Japanese first (arguments as :func:`dictionary_frame`)."""
    d = dictionary_frame(checklist, features)
    lines = [
        "# 特徴量の辞書 / Feature dictionary",
        "",
        "| 特徴量 feature | 説明 | description | 気づきの項目 | 元データ source | 期間 window | モデル入力 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in d.iter_rows(named=True):
        lines.append(
            f"| `{r['feature']}` | {r['説明']} | {r['description']} | {r['気づきの項目']} | {r['source']} | {r['window']} | {'○' if r['model_input'] else '×'} |"
        )
    return "\n".join(lines) + "\n"
