"""The feature dictionary (Markdown and CSV, Japanese and English), generated from the registry."""

from __future__ import annotations

import polars as pl

from kizuki.checklist.items import ChecklistConfig
from kizuki.features.registry import REGISTRY


def dictionary_frame(checklist: ChecklistConfig | None = None) -> pl.DataFrame:
    """One row per feature: name, 説明, description, 気づき item (ja), source, window, nulls, model input."""
    items = {i.id: i for i in checklist.items} if checklist else {}
    return pl.DataFrame(
        {
            "feature": [f.name for f in REGISTRY],
            "説明": [f.description_ja for f in REGISTRY],
            "description": [f.description_en for f in REGISTRY],
            "気づきの項目": [
                items[f.item].ja if f.item in items else "（監査用の区分）" for f in REGISTRY
            ],
            "checklist_item": [f.item or "(audit group)" for f in REGISTRY],
            "source": [", ".join(f"{t}.{c}" for t, c in f.sources) for f in REGISTRY],
            "window": [f.window for f in REGISTRY],
            "nulls": [f.nulls for f in REGISTRY],
            "model_input": [f.model_input for f in REGISTRY],
        }
    )


def dictionary_markdown(checklist: ChecklistConfig | None = None) -> str:
    """The dictionary as a Markdown table, Japanese first."""
    d = dictionary_frame(checklist)
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
